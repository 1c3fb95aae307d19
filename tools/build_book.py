"""Build the book: execute every chapter with papermill at a profile, then Jupyter Book (strict).

    python tools/build_book.py --profile book            # what `make book` runs
    python tools/build_book.py --profile smoke --chapters theory sine_regression

Steps (sources under book/ are never modified):
1. copy the book's text sources, config and bibliography to ``_build/exec``;
2. convert each chapter's Jupytext source ``book/<name>.py`` to a notebook and execute it with
   papermill (``profile``/``device`` injected) into ``_build/exec/book/<name>.ipynb``, recording the
   wall time and status of each chapter in ``_build/exec/book/_exec_times.json``; figures and
   tables of the paper are exported to ``paper_figures/`` (``$MODSCALE_PAPER_FIGURES``; at the
   smoke profile to ``_build/paper_figures_smoke`` so the book's figures are not overwritten);
3. serve MathJax 3 locally (no CDN) and run ``jupyter-book build -W --keep-going``;
4. copy the HTML to ``_build/html`` and fail if any page loads a remote script or stylesheet.

A chapter that fails to execute fails the build (after the other chapters ran).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "_build"
EXEC = BUILD / "exec"
REMOTE_ASSET = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""",
    re.IGNORECASE)
GLUE_ROLE = re.compile(r"\{glue:[a-z]+\}(?:`|</span></code>)")
INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
URL = re.compile(r"https?://[^\s\"'<>]+")
# sphinx-thebe (bundled with Jupyter Book 1) injects a CDN URL for its live-code feature, which
# this offline book does not use (no launch buttons): those two tags are removed from every page.
THEBE_TAGS = re.compile(r"""[ \t]*<script>const THEBE_JS_URL[^<]*</script>\n?|"""
                        r"""[ \t]*<script[^>]*sphinx-thebe\.js[^>]*></script>\n?|"""
                        r"""[ \t]*<link[^>]*sphinx-thebe\.css[^>]*/?>\n?|"""
                        r"""[ \t]*<script type="text/x-thebe-config">.*?</script>\n?""", re.S)
NBVAL_MARKER = re.compile(r"^# NBVAL_\w+\n?", re.M)


def toc_files(toc_path: Path) -> list[str]:
    """The page paths of ``_toc.yml`` in reading order (``book/intro``, ``book/theory``, ...)."""
    toc = yaml.safe_load(toc_path.read_text())
    files = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def remote_assets(html_dir: Path) -> list[str]:
    """``file: url`` for every remote script/stylesheet/image/iframe referenced by the HTML."""
    bad = []
    for page in html_dir.rglob("*.html"):
        text = page.read_text(errors="replace")
        urls = REMOTE_ASSET.findall(text)
        urls += [u for body in INLINE_SCRIPT.findall(text) for u in URL.findall(body)]
        bad += [f"{page.relative_to(html_dir)}: {u}" for u in urls]
    return bad


def text_only_figures(html_dir: Path) -> list[str]:
    """Pages with a figure rendered as its text repr (``<Figure size ...>``) or a raw glue role.
    The highlighted source listings (``_modules/``, sphinx.ext.viewcode) show code as written:
    the deviations registry's note texts hold glue roles, rendered only in the chapters."""
    bad = []
    for page in html_dir.rglob("*.html"):
        if page.relative_to(html_dir).parts[0] == "_modules":
            continue
        text = page.read_text(errors="replace")
        if "&lt;Figure size" in text:
            bad.append(f"{page.relative_to(html_dir)}: figure rendered as text")
        if GLUE_ROLE.search(text):  # a role MyST did not parse (e.g. nested in a code span)
            bad.append(f"{page.relative_to(html_dir)}: unrendered glue role")
    return bad


THEME_MODE = 'localStorage.getItem("mode") || "";'


def strip_thebe(html_dir: Path) -> None:
    """Remove the unused thebe tags, give the theme's light/dark switch a valid default
    (sphinx-book-theme leaves it empty, which logs a console error on every page) and declare an
    empty favicon (served over http, a page without one requests a missing /favicon.ico)."""
    for page in html_dir.rglob("*.html"):
        text = page.read_text(errors="replace")
        new = THEBE_TAGS.sub("", text).replace(THEME_MODE, THEME_MODE.replace('""', '"light"'))
        if 'rel="icon"' not in new:  # no favicon: browsers would request /favicon.ico (a 404)
            new = new.replace("</head>", '<link rel="icon" href="data:,">\n</head>', 1)
        if new != text:
            page.write_text(new)
    for f in html_dir.glob("_static/sphinx-thebe.*"):
        f.unlink()


def mathjax_dir() -> Path:
    import mathjax  # from the django-static-mathjax wheel: MathJax 3 files, no Django needed

    return Path(mathjax.__path__[0]) / "static" / "mathjax" / "es5"


def stage_sources() -> None:
    if EXEC.exists():
        shutil.rmtree(EXEC)
    (EXEC / "book").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml", "references.bib"):
        shutil.copy2(REPO / name, EXEC / name)
    shutil.copytree(REPO / "_ext", EXEC / "_ext")  # local Sphinx extension (bibliography labels)
    for md in (REPO / "book").glob("*.md"):
        shutil.copy2(md, EXEC / "book" / md.name)
    for extra in (REPO / "book").glob("*.png"):
        shutil.copy2(extra, EXEC / "book" / extra.name)
    # Not under _static/: Jupyter Book would add every .js there as a <script> to every page.
    shutil.copytree(mathjax_dir(), EXEC / "_mathjax" / "mathjax")
    # custom.css goes there too: a staged `_static/` folder makes Jupyter Book add every .js
    # file of the static path (all of MathJax) as a <script> to every page.
    shutil.copy2(REPO / "_static" / "custom.css", EXEC / "_mathjax" / "custom.css")


SPEC_REF = re.compile(r"SPEC §(\d+)((?:\.\d+)*)")


def link_spec(text: str) -> str:
    """``SPEC §4.3`` -> a link to the section of the *What is known of the paper* page
    (label ``spec-4``), outside inline code and roles; unchanged where that page is not built."""
    if not (EXEC / "book" / "paper.md").exists():
        return text
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # even parts lie outside backticks
        parts[i] = SPEC_REF.sub(lambda m: f"{{ref}}`SPEC §{m[1]}{m[2]} <spec-{m[1]}>`",
                                parts[i])
    return "`".join(parts)


def prepare_for_html(path: Path, box: str | None = None) -> None:
    """Reader-facing touches on an executed notebook (the sources are not changed).

    Folds the papermill parameter cells (``hide-input``: visible on demand), removes the
    ``# NBVAL_...`` markers, which are for the regression tests, not for readers, replaces every
    ``{deviation} <id>`` fence by its *Reproduction note* box from the registry
    (:func:`modscale.report.deviations.expand_notes`) and puts ``box`` (the re-execution box)
    after the chapter's title.
    """
    import nbformat

    from modscale.report.deviations import expand_notes

    nb = nbformat.read(path, as_version=4)
    title_at = None
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if {"parameters", "injected-parameters"} & set(tags) and "hide-input" not in tags:
            cell.metadata["tags"] = [*tags, "hide-input"]
        if cell.cell_type == "code":
            cell.source = NBVAL_MARKER.sub("", cell.source)
        else:
            cell.source = link_spec(expand_notes(cell.source))
            if title_at is None and re.search(r"^# ", cell.source, re.M):
                title_at = i
    if box is not None and title_at is not None:
        nb.cells.insert(title_at + 1, nbformat.v4.new_markdown_cell(box))
    nbformat.write(nb, path)


def chapter_titles(pages: list[str]) -> dict[str, str]:
    """Page name -> its title (the first ``# `` heading of its source)."""
    out = {}
    for p in pages:
        src = REPO / f"{p}.py"
        text = src.read_text() if src.exists() else (REPO / f"{p}.md").read_text()
        m = re.search(r"^# # (.+)$" if src.exists() else r"^# (.+)$", text, re.M)
        out[Path(p).name] = m.group(1).strip() if m else Path(p).name
    return out


GENERATED = "<!-- generated: {} -->"


def findings_markdown(export: Path) -> str:
    """The landing page's Findings paragraph, rendered from this build's summary table
    (:func:`modscale.report.findings.findings`), or a pointer when the summary did not run."""
    import pandas as pd

    from modscale.report.findings import findings

    csv = export / "reproduction_summary.csv"
    if not csv.exists():
        return "*The findings are rendered once the summary page has run in this build.*"
    rows = pd.read_csv(csv, dtype=str, keep_default_na=False).to_dict("records")
    return f"**Findings.** {findings(rows)}"


def write_not_run(export: Path) -> None:
    """``<export>/not_run.csv``: what ``tools/paper_run.py`` would add to the committed store,
    per item, with estimated costs (:func:`paper_run.status`; nothing is computed)."""
    import pandas as pd
    from paper_run import PARTS, jobs_of, status

    rows = status(jobs_of(list(PARTS), "paper", "cpu", False))
    export.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(export / "not_run.csv", index=False)


def not_run_page(export: Path) -> str:
    import pandas as pd

    from modscale.report.book_pages import not_run_markdown

    csv = export / "not_run.csv"
    if not csv.exists():
        return "*The list is written by `make book`.*"
    return not_run_markdown(pd.read_csv(csv).to_dict("records"))


def write_generated_pages(pages: list[str], built: list[str], export: Path,
                          profile: str) -> None:
    """Fill the generated parts of the staged text pages from this build's run log: the
    deviations page (:func:`modscale.report.deviations.page_markdown`) and the landing page's
    verdict overview (:func:`modscale.report.book_pages.landing_overview_html`)."""
    from modscale.report import runlog
    from modscale.report.book_pages import landing_overview_html
    from modscale.report.deviations import page_markdown
    from modscale.report.verdicts import VERDICT_COLOURS

    verdicts = {c["claim_id"]: c["verdict"] for c in runlog.claims() if c.get("claim_id")}
    parts = {
        "deviations": lambda: page_markdown(verdicts, runlog.sensitivities(), built=built,
                                            titles=chapter_titles(pages), profile=profile),
        "verdict overview": lambda: landing_overview_html(
            verdicts, figures=export if export.exists() else None, built=built,
            colours=VERDICT_COLOURS),
        "findings": lambda: findings_markdown(export),
        "not run": lambda: not_run_page(export),
    }
    for md in (EXEC / "book").glob("*.md"):
        text = md.read_text()
        for name, make in parts.items():
            marker = GENERATED.format(name)
            if marker in text:
                text = text.replace(marker, make())
        md.write_text(link_spec(text) if md.name != "paper.md" else text)


def execute_chapters(names: list[str], profile: str, device: str, log: Path,
                     export: Path) -> list[dict]:
    from modscale.infra.device import resolve_device
    from modscale.report.book_pages import reexecution_markdown, stored_compute

    device_name = str(resolve_device(device))
    # the committed store's compute per chapter (the smoke profile draws none of it)
    stored = stored_compute(REPO / "results") if profile != "smoke" else None

    import jupytext
    import papermill as pm

    os.environ["MODSCALE_PAPER_FIGURES"] = str(export)
    os.environ["MODSCALE_BUILD_PROFILE"] = profile
    # Chapters read an upstream chapter's parameters as it last ran (profiles.upstream_config):
    # in a build, as it ran in this build (no -p), never a reader's earlier run.
    upstream = EXEC / "upstream"
    shutil.rmtree(upstream, ignore_errors=True)
    os.environ["MODSCALE_UPSTREAM_DIR"] = str(upstream)
    # A non-inline backend (e.g. MPLBACKEND=Agg) makes glued figures text-only: let the kernel
    # use its inline backend.
    os.environ.pop("MPLBACKEND", None)
    os.environ["MODSCALE_EXEC_TIMES"] = str(log)
    os.environ["MODSCALE_RUNLOG"] = str(log.parent / "_runs.jsonl")
    records: list[dict] = []
    for name in names:
        src = REPO / "book" / f"{name}.py"
        staged = EXEC / "book" / f"{name}.input.ipynb"
        out = EXEC / "book" / f"{name}.ipynb"
        jupytext.write(jupytext.read(src), staged)
        print(f"[build] executing {name} at profile={profile} ...", flush=True)
        t0 = time.perf_counter()
        status, error = "ok", None
        try:
            pm.execute_notebook(str(staged), str(out), parameters={"profile": profile,
                                "device": device}, cwd=str(EXEC / "book"), kernel_name="python3",
                                progress_bar=False, log_output=False)
        except Exception as err:  # noqa: BLE001 - reported, then the build fails
            status, error = "failed", f"{type(err).__name__}: {str(err)[-2000:]}"
            print(f"[build] {name} FAILED: {error}", file=sys.stderr, flush=True)
        finally:
            staged.unlink(missing_ok=True)
        wall = time.perf_counter() - t0
        if out.exists():
            prepare_for_html(out, reexecution_markdown(name, wall_time_s=wall, profile=profile,
                                                       device=device_name, stored=stored))
        print(f"[build] {name}: {status} in {wall:.1f} s", flush=True)
        records.append({"chapter": name, "profile": profile, "device": device,
                        "wall_time_s": round(wall, 2), "status": status, "error": error})
        log.write_text(json.dumps(records, indent=2))
    return records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="book")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--chapters", nargs="*", help="subset of chapters to execute (default: all)")
    ap.add_argument("--skip-html", action="store_true", help="execute only")
    ap.add_argument("--export-dir", help="where paper figures/tables go (default: paper_figures/, "
                    "or _build/paper_figures_smoke at the smoke profile)")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(REPO / "src"))
    from modscale.infra.device import resolve_device
    from modscale.infra.profiles import PROFILE_NAMES, ConfigError

    if args.profile not in PROFILE_NAMES:
        raise SystemExit(f"error: parameter 'profile': unknown profile {args.profile!r}; "
                         f"allowed values: {', '.join(PROFILE_NAMES)}")
    try:
        resolve_device(args.device)
    except ConfigError as err:
        raise SystemExit(f"error: {err}") from None

    pages = toc_files(REPO / "_toc.yml")
    chapters = [Path(p).name for p in pages if (REPO / f"{p}.py").exists()]
    if args.chapters:
        unknown = sorted(set(args.chapters) - set(chapters))
        if unknown:
            raise SystemExit(f"error: parameter 'chapters': unknown {unknown}; "
                             f"allowed values: {', '.join(chapters)}")
        chapters = [c for c in chapters if c in args.chapters]

    t0 = time.perf_counter()
    stage_sources()
    log = EXEC / "book" / "_exec_times.json"
    # A smoke build must not overwrite the book's committed paper_figures/.
    export = Path(args.export_dir) if args.export_dir else (
        BUILD / "paper_figures_smoke" if args.profile == "smoke" else REPO / "paper_figures")
    write_not_run(export)
    records = execute_chapters(chapters, args.profile, args.device, log, export)
    failed = [r["chapter"] for r in records if r["status"] != "ok"]
    write_generated_pages(pages, [r["chapter"] for r in records if r["status"] == "ok"],
                          export, args.profile)
    if args.chapters:  # pages not executed this time: reuse nothing, build only what ran
        keep = {f"book/{c}" for c in chapters}
        keep |= {p for p in pages if not (REPO / f"{p}.py").exists()}
        toc = yaml.safe_load((REPO / "_toc.yml").read_text())
        for part in toc.get("parts", []):
            part["chapters"] = [c for c in part["chapters"] if c["file"] in keep]
        toc["parts"] = [p for p in toc["parts"] if p["chapters"]]
        (EXEC / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    if args.skip_html:
        return 1 if failed else 0

    site = BUILD / "site"
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(EXEC),
           "--path-output", str(site), "-W", "--keep-going", "--builder", "html"]
    print("[build]", " ".join(cmd), flush=True)
    rc = subprocess.call(cmd)
    html = BUILD / "html"
    if html.exists():
        shutil.rmtree(html)
    if (site / "_build" / "html").exists():
        shutil.copytree(site / "_build" / "html", html)
        strip_thebe(html)
    bad = remote_assets(html) if html.exists() else ["no HTML produced"]
    for b in bad:
        print(f"[build] remote asset (book must be offline): {b}", file=sys.stderr)
    broken = text_only_figures(html) if html.exists() else []
    for b in broken:
        print(f"[build] {b}", file=sys.stderr)
    bad += broken
    print(f"[build] total {time.perf_counter() - t0:.0f} s; chapters failed: {failed or 'none'}; "
          f"jupyter-book rc={rc}; HTML in {html}")
    return 1 if (failed or rc != 0 or bad) else 0


if __name__ == "__main__":
    sys.exit(main())
