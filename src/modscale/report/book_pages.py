"""Generated parts of the book's pages: each chapter's re-execution box and the landing page's
verdict overview. ``tools/build_book.py`` calls these after the chapters ran, with this build's
wall times, verdicts (run log) and exported figures, so the text reports what this build measured.

Display only: no cached result depends on this module.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from modscale.infra.profiles import PROFILE_NAMES, get_config
from modscale.report.notebook import value_text
from modscale.report.paper_items import FIGURE_OF_ITEM, ITEMS, paper_item_order

PROFILE_USE = {"smoke": "CI scale", "book": "this book", "paper": "the paper's scale (GPU)"}
"""What each profile is for (the commands' comments)."""

MAX_SCALE_PARAMETERS = 6
"""At most this many scale parameters are named in a box (in :func:`scale_parameters`' order:
book-vs-paper differences first); the full list is on the reproducibility page."""


def _short(v: Any) -> str:
    """A value for the box's table: a numeric sequence of more than 4 values as its count and
    range (names are listed whole)."""
    if (isinstance(v, tuple | list) and len(v) > 4
            and all(isinstance(x, int | float) and not isinstance(x, bool) for x in v)):
        return f"{len(v)} values, {value_text(v[0])} to {value_text(v[-1])}"
    return value_text(v)


def scale_parameters(chapter: str) -> list[tuple[str, dict[str, str]]]:
    """``(parameter, {profile: value})`` for the chapter's parameters whose value differs between
    the profiles (what sets a run's scale): those where the book and paper profiles differ
    first, each group in the chapter's parameter order."""
    cfgs = {p: get_config(chapter, p) for p in PROFILE_NAMES}
    out = []
    for f in dataclasses.fields(cfgs["book"]):
        vals = {p: _short(getattr(c, f.name)) for p, c in cfgs.items()}
        if len(set(vals.values())) > 1:
            out.append((f.name, vals))
    # what stands between this book and the paper's scale first (a stable sort)
    return sorted(out, key=lambda nv: nv[1].get("book") == nv[1].get("paper"))


def stored_compute(results: Path | None = None) -> dict[str, tuple[int, float]]:
    """Chapter -> (stored entries, their total compute time in seconds) of the committed
    results store (``results/``; each entry's provenance ``wall_time_s``), by the chapter the
    experiment registry assigns (:mod:`modscale.infra.registry`): what a re-run that recomputes
    the chapter's stored results would cost on the machines that computed them."""
    import json

    from modscale.infra import cache
    from modscale.infra.registry import EXPERIMENTS

    root = results or cache.results_dir()
    out: dict[str, list[float]] = {}
    for name, exp in EXPERIMENTS.items():
        for f in sorted((root / name).glob("*.json")) if (root / name).exists() else ():
            meta = json.loads(f.read_text()).get("meta", {})
            acc = out.setdefault(exp.chapter, [0, 0.0])
            acc[0] += 1
            acc[1] += float(meta.get("wall_time_s") or 0.0)
    return {ch: (int(n), float(t)) for ch, (n, t) in out.items()}


def _minutes(seconds: float) -> str:
    return f"{seconds / 3600:,.1f} h" if seconds >= 5400 else f"{seconds / 60:,.0f} min"


def reexecution_markdown(chapter: str, *, wall_time_s: float | None, profile: str,
                         device: str, stored: Mapping[str, tuple[int, float]] | None = None
                         ) -> str:
    """The MyST box at the top of a chapter: the papermill command at every profile, the
    parameters that set the scale, and the chapter's wall time at this build."""
    src = f"book/{chapter}.ipynb"
    width = max(len(p) for p in PROFILE_NAMES)
    cmds = "\n".join(f"papermill {src} {chapter}-{p}.ipynb -p profile {p:<{width}}  "
                     f"# {PROFILE_USE.get(p, p)}" for p in PROFILE_NAMES)
    scale = scale_parameters(chapter)
    named = scale[:MAX_SCALE_PARAMETERS]
    table = ""
    if named:
        table = ("\n\nThe parameters that set the scale"
                 + (f" ({len(named)} of the {len(scale)} that differ between the profiles; "
                    "all are in the parameters table of the {ref}`reproducibility` page)"
                    if len(scale) > len(named) else "") + ":\n\n"
                 + "| parameter | " + " | ".join(PROFILE_NAMES) + " |\n|---|"
                 + "---|" * len(PROFILE_NAMES) + "\n"
                 + "\n".join(f"| `{n}` | " + " | ".join(v[p] for p in PROFILE_NAMES) + " |"
                             for n, v in named))
    if wall_time_s is None:
        timing = "This chapter was not timed in this build."
    else:
        timing = (f"At this build (profile `{profile}`, device `{device}`) the chapter ran in "
                  f"**{wall_time_s:,.0f} s**, drawing stored results where their configuration "
                  "was computed before.")
    n_stored, cost = (stored or {}).get(chapter, (0, 0.0))
    if n_stored:
        timing += (f" Recomputing its {n_stored:,} stored results (`make book "
                   f"RECOMPUTE=<experiment>`) cost **{_minutes(cost)}** of compute on the "
                   "machines that made them.")
    return (f"````{{admonition}} Re-run this chapter\n:class: tip\n"
            f"From the repository root, after `make venv` and `source .venv/bin/activate`, one "
            f"command per profile; override "
            f"any parameter with `-p NAME VALUE` (an unknown name or a bad value fails at once; "
            f"`papermill --help-notebook {src}` lists them all):\n\n"
            f"```bash\n{cmds}\n```\n\n{timing} The notebook itself: the download button at "
            f"the top of the page.{table}\n````")


def thumbnail_data_uri(png: Path, width: int = 220) -> str:
    """A PNG thumbnail of ``png``, ``width`` pixels wide, as a ``data:`` URI (self-contained:
    the same markup works on the HTML pages and in the single-page PDF build)."""
    from PIL import Image

    with Image.open(png) as im:
        im = im.convert("RGB")
        h = max(1, round(im.height * width / im.width))
        im = im.resize((width, h), Image.LANCZOS)
        buf = io.BytesIO()
        im.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def landing_overview_html(verdicts: Mapping[str, str], *, figures: Path | None,
                          built: Sequence[str], colours: Mapping[str, str]) -> str:
    """The landing page's verdict table (raw HTML block): one row per paper item with its
    figure as a thumbnail linking to the chapter's figure, and every claim with this build's
    verdict (``verdicts``: claim id -> verdict; missing claims are *not run*)."""
    rows = []
    for item in paper_item_order():
        claims = [it for it in ITEMS.values() if it.item == item]
        name = FIGURE_OF_ITEM.get(item)
        ran = [it for it in claims if it.chapter in built]
        # the link goes to the figure the thumbnail shows (the claim that exports it) if any
        target = next((it for it in ran if it.figure and f"{name}.png" in it.exports),
                      next((it for it in ran if it.figure), None))
        href = None
        if target is not None:
            href = f"{target.chapter}.html#{target.figure}"
        elif ran:
            href = f"{ran[0].chapter}.html"
        png = figures / f"{name}.png" if figures is not None and name else None
        if png is not None and png.exists():
            img = (f'<img src="{thumbnail_data_uri(png)}" alt="{html.escape(item)}: the '
                   f'figure of this build" width="220">')
            cell = f'<a href="{href}">{img}</a>' if href else img
        else:
            cell = "<em>no figure</em>"
        items = []
        for it in claims:
            v = verdicts.get(it.id, "not run")
            items.append(f'<li><span class="verdict" style="background-color: '
                         f'{colours.get(v, "white")}">{html.escape(v)}</span> '
                         f"{html.escape(it.claim)}</li>")
        title = html.escape(item)
        title = f'<a href="{href}">{title}</a>' if href else title
        rows.append(f'<tr><td class="item">{title}</td><td class="thumb">{cell}</td>'
                    f'<td><ul class="claims">{"".join(items)}</ul></td></tr>')
    return ('<table class="verdict-overview">\n<thead><tr><th>paper item</th><th>figure '
            "(this build)</th><th>claims and verdicts</th></tr></thead>\n<tbody>\n"
            + "\n".join(rows) + "\n</tbody>\n</table>")


__all__ = ["PROFILE_USE", "MAX_SCALE_PARAMETERS", "scale_parameters", "stored_compute",
           "reexecution_markdown",
           "thumbnail_data_uri", "landing_overview_html"]


NOT_RUN_WHY = {
    "cifar": "Compositional CIFAR-10 (Fig. 3b, Table 1, Fig. 12) at the paper's 10⁶ "
             "combinations and module dimension b = 512, k = 1..8, 5 seeds",
    "paper_regime": "Fig. 3a and Fig. 4 in the paper-matched regime and today's, every reading "
                    "and the oracle, over the paper's widths and m = 2..9, 5 seeds",
    "fig3a_grid": "Fig. 3a over the paper's architecture grid, widths {8, 32, 128} x depths "
                  "{3, 5, 7}, m = 2..9, 5 seeds",
    "sine": "the sine chapter's Fig. 2 sweeps at the paper profile's sizes",
    "plans": "the rest of every chapter's plan at the paper profile (the sine chapter's own "
             "calibration grid first; a chapter that needs it waits for it)",
}
"""What each part of ``tools/paper_run.py`` adds to the book's runs (its "why": the cost)."""


def not_run_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """The "What was not run, and why" list from ``tools/paper_run.py --status`` rows (item,
    jobs, stored, missing, estimated_s, estimated_from): one line per part with its items'
    missing runs and estimated CPU hours, then the total. The estimate is the nearest stored
    run's measured wall time scaled by the work (rough: within about 2x)."""
    parts: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        parts.setdefault(str(r["item"]).split(":", 1)[0], []).append(r)
    lines, total_h, total_n = [], 0.0, 0
    for part, items in parts.items():
        missing = sum(int(r["missing"]) for r in items)
        if not missing:
            continue
        hours = sum(float(r["estimated_s"] or 0) for r in items) / 3600
        total_h, total_n = total_h + hours, total_n + missing
        detail = "; ".join(f"{str(r['item']).split(':', 1)[1].strip()}: {int(r['missing'])} "
                           f"runs, about {float(r['estimated_s'] or 0) / 3600:,.1f} h"
                           for r in items if int(r["missing"]))
        lines.append(f"- **{NOT_RUN_WHY.get(part, part)}**: {missing} runs, about "
                     f"{hours:,.0f} CPU hours. <small>{detail}.</small>")
    if not lines:
        return "Every run of `tools/paper_run.py` is in the results store."
    return ("Each item is queued in `tools/paper_run.py`, most valuable first (its parts are "
            "listed in that priority order; k is the number of CIFAR images, K the number of "
            "modules); none was run because of its cost on this book's CPUs. Costs are "
            "estimated from the nearest stored run's measured wall time on its CPU, scaled by "
            "the work (rough, within about 2x); no GPU time was measured.\n\n"
            + "\n".join(lines)
            + f"\n\nIn all: {total_n:,} runs, about {total_h:,.0f} CPU hours "
              f"({total_h / 24:,.0f} days on one such machine).")
