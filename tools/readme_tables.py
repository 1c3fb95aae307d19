"""The README's reproduction-summary table (Markdown), from ``paper_figures/`` and the registry.

    python tools/readme_tables.py [--folder paper_figures]     # print the table
    python tools/readme_tables.py --write                       # replace it in README.md

Reads ``reproduction_summary.csv`` (written by the summary page during ``make book``) and its
sidecar, in the order of the claim registry (:mod:`modscale.report.paper_items`), so the README
shows what
the last book build measured, not hand-typed numbers. The table sits in README.md between the
markers ``<!-- results:start -->`` and ``<!-- results:end -->``; a test checks it is current.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from modscale.report.paper_items import ITEMS

REPO = Path(__file__).resolve().parent.parent
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _effect(r) -> str:
    if r.get("seeds") in ("", None):
        return ""
    unit = "x" if r.get("effect_kind") == "ratio" else ""
    ci = (f"[{float(r['ci_low']):.3g}, {float(r['ci_high']):.3g}]"
          if r.get("ci_low") not in ("", None) else "no interval")
    return (f"{float(r['effect']):.3g}{unit} {ci}, {int(float(r['seeds']))} seeds "
            f"(min. {float(r['min_effect']):g}{unit})")


def table(folder: Path) -> str:
    df = pd.read_csv(folder / "reproduction_summary.csv", dtype=str, keep_default_na=False)
    meta = json.loads((folder / "reproduction_summary.json").read_text())
    if "claim" in df.columns and "evidence" in df.columns:  # one row per claim id
        by_id = {r["claim"]: r for _, r in df.iterrows()}
        missing = [cid for cid in ITEMS if cid not in by_id]
        if missing:
            raise SystemExit(f"reproduction_summary.csv lacks registered claims: {missing}")
        rows = [by_id[cid] for cid in ITEMS]
        from modscale.report.findings import findings

        out = [f"**Findings.** {findings([dict(r) for r in rows])}", "",
               f"Profile `{meta['profile']}`, commit `{meta['git_commit']}`, {meta['device']}, "
               f"{meta['date']}.", "",
               "| paper item | claim | paper | this reproduction | evidence | effect [95 % CI] "
               "| verdict |", "|---|---|---|---|---|---|---|"]
        for r in rows:
            cells = [str(x).replace("|", "\\|").replace("\n", " ") for x in (
                r["item"], ITEMS[r["claim"]].claim, r["paper"], r["measured"], r["evidence"],
                _effect(r), r["verdict"])]
            cells[-1] = f"**{cells[-1]}**"
            out.append("| " + " | ".join(cells) + " |")
        ev = pd.DataFrame(rows)
        out += [""] + [
            f"{cls}: {int((ev['evidence'] == cls).sum())} claim"
            + ("s" if int((ev['evidence'] == cls).sum()) != 1 else "") + ", " + ", ".join(
                f"{int(n)} {v}" for v, n in ev[ev["evidence"] == cls]["verdict"]
                .value_counts().items()) + "."
            for cls in ("held-out", "fitted", "by construction", "not tested")
            if (ev["evidence"] == cls).any()]
        if "cause" in df.columns:
            causes = [r for r in rows if r.get("cause")]
            if causes:
                out += ["", "Measured cause of each claim not reproduced or inconclusive (a "
                        "run that isolates it, or *not isolated*):", ""] + [
                    f"- {r['item']}, {ITEMS[r['claim']].claim} (**{r['verdict']}**"
                    + (f"; {r['setting']}" if r.get("setting") else "") + f"): {r['cause']}"
                    for r in causes]
        out += [""] + key_figures(folder, rows)
        if (folder / "not_run.csv").exists():
            from modscale.report.book_pages import not_run_markdown

            out += ["", "**What was not run, and why.** " + not_run_markdown(
                pd.read_csv(folder / "not_run.csv").to_dict("records"))]
        return "\n".join(out) + "\n"
    if "claim id" in df.columns:
        by_id = {r["claim id"]: r for _, r in df.iterrows()}
        missing = [cid for cid in ITEMS if cid not in by_id]
        if missing:
            raise SystemExit(f"reproduction_summary.csv lacks registered claims: {missing}")
        rows = [by_id[cid] for cid in ITEMS]
    else:  # a summary written before the registry existed
        rows = [r for _, r in df.iterrows()]
    out = [f"Profile `{meta['profile']}`, commit `{meta['git_commit']}`, {meta['device']}, "
           f"{meta['date']}.", "", "| paper item | claim | paper | this reproduction | verdict |",
           "|---|---|---|---|---|"]
    for r in rows:
        cells = [str(r[c]).replace("|", "/").replace("\n", " ")
                 for c in ("paper item", "claim", "paper", "reproduction", "verdict")]
        cells[-1] = f"**{cells[-1]}**"
        out.append("| " + " | ".join(cells) + " |")
    counts = pd.Series([str(r["verdict"]) for r in rows]).value_counts()
    out += ["", f"Of {len(rows)} claims: " + ", ".join(
        f"{int(counts.get(v, 0))} {v}" for v in ("reproduced", "partly", "not reproduced",
                                                   "not tested", "not run")
        if counts.get(v, 0)) + "."]
    return "\n".join(out) + "\n"


def key_figures(folder: Path, rows) -> list[str]:
    """The figures the verdicts of record are judged on (``FIGURE_OF_ITEM``, the same as the
    summary page and the landing thumbnails), two per table row, each with its verdicts."""
    from modscale.report.paper_items import FIGURE_OF_ITEM, paper_item_order

    cells = []
    for item in paper_item_order():
        name = FIGURE_OF_ITEM.get(item)
        if not name or not (folder / f"{name}.png").exists():
            continue
        verdict = "; ".join(f"{ITEMS[r['claim']].claim}: **{r['verdict']}**" for r in rows
                            if r["item"] == item)
        rel = (folder / f"{name}.png").relative_to(REPO) if folder.is_relative_to(REPO) \
            else folder / f"{name}.png"
        cells.append((f"![{item}]({rel.as_posix()})", f"{item}. {verdict}".replace("|", "/")))
    if not cells:
        return []
    out = ["Key figures: the ones the verdicts of record are judged on (`paper_figures/`, the "
           "last book build):", "", "| | |", "|---|---|"]
    for i in range(0, len(cells), 2):
        pair = cells[i:i + 2] + [("", "")] * (2 - len(cells[i:i + 2]))
        out += [f"| {pair[0][0]} | {pair[1][0]} |", f"| {pair[0][1]} | {pair[1][1]} |"]
    return out


def replace_block(readme: str, block: str) -> str:
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md lacks the markers {START} / {END}")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--folder", default=str(REPO / "paper_figures"))
    ap.add_argument("--write", action="store_true", help="replace the table in README.md")
    args = ap.parse_args(argv)
    block = table(Path(args.folder))
    if args.write:
        readme = REPO / "README.md"
        readme.write_text(replace_block(readme.read_text(), block))
    else:
        print(block, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
