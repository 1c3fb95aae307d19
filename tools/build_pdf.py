"""Build one PDF of the whole book from the notebooks the last ``make book`` executed.

    python tools/build_pdf.py                    # what `make pdf` runs -> _build/pdf/book.pdf
    python tools/build_pdf.py --no-build         # print the existing single-page HTML again

Route: Sphinx's ``singlehtml`` builder (through Jupyter Book, strict) renders every page of
``_build/exec`` -- the executed notebooks and generated pages of the last ``make book``, the same
sources as the HTML book -- into one HTML document, so figure and equation numbers, citations and
cross-references are Sphinx's own and every link is an anchor inside the document. Headless
Chromium (Debian's, driven by Playwright, as the browser check) then prints it with the book's
print stylesheet (``_static/custom.css``: no navigation, wrapping code and tables) to A4, with
page numbers and a PDF outline. Before printing, the page is checked in print layout: MathJax
finished without errors and no equation, table, code block or image is wider than the page
(it would be cut at the page edge). ``tools/check_pdf.py`` then checks the PDF itself.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "_build"
EXEC = BUILD / "exec"
SITE = BUILD / "pdf_site"
OUT = BUILD / "pdf"
PDF_SKIP = ("book/api",)
"""Pages of the HTML book left out of the PDF (a reader's document: the API reference stays on the
web; code cells are hidden by the print stylesheet)."""
ROOT_PAGE = "book/intro.html"  # singlehtml writes every page of the book into the root document
PAGE = "book.html"  # ... whose asset links are relative to the site root: it is printed from there
PAGE_FORMAT = "A4"
MARGIN_MM = 14
CONTENT_PX = round((210 - 2 * MARGIN_MM) / 25.4 * 96)  # A4 text width in CSS pixels (96 dpi)

HREF = re.compile(r'href="(?!https?:|mailto:|#|data:)([^"#]*?\.html)?(#[^"]*)?"')

sys.path.insert(0, str(REPO / "tools"))
from build_book import remote_assets, strip_thebe  # noqa: E402  (sibling tools)
from check_book import CHROMIUM, CHROMIUM_ARGS, MATHJAX_FINISHED, serve  # noqa: E402

PRINT_CHECKS = r"""
async () => {
  const out = [];
""" + MATHJAX_FINISHED + r"""  const main = document.querySelector('main') || document.body;
  const limit = main.getBoundingClientRect().right + 1;
  for (const el of main.querySelectorAll(
      'mjx-container[display="true"], table, pre, img, div.cell_output, figure')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.right > limit || el.scrollWidth > el.clientWidth + 2) {
      const id = el.closest('section') ? el.closest('section').id : '';
      out.push(`${el.tagName.toLowerCase()} wider than the page (${Math.round(r.width)} px, `
               + `scroll ${el.scrollWidth} px) in section #${id}`);
    }
  }
  return out;
}
"""

CAPTION_NUMBERS = r"""
() => Array.from((document.querySelector('main') || document.body)
  .querySelectorAll('.caption-number')).map(e => e.textContent.trim())
"""

HEADINGS = r"""
() => {
  // Every heading of the page in document order: [level, text], the text as a reader reads it
  // (no permalink sign, maths as its TeX source without braces and backslashes).
  const tex = new Map();
  if (window.MathJax && MathJax.startup && MathJax.startup.document)
    for (const item of MathJax.startup.document.math)
      if (item.typesetRoot) tex.set(item.typesetRoot, item.math);
  const main = document.querySelector('main') || document.body;
  const sel = 'h1, h2, h3, h4, h5, h6, [role="heading"]';
  return Array.from(main.querySelectorAll(sel)).filter(h => h.getClientRects().length > 0)
      .map(h => {
    const c = h.cloneNode(true);
    c.querySelectorAll('.headerlink').forEach(e => e.remove());
    const live = h.querySelectorAll('mjx-container');
    c.querySelectorAll('mjx-container').forEach((e, i) => {
      const src = (tex.get(live[i]) || e.textContent)
        .replace(/\\(?:mathrm|text|mathbf|operatorname)\{([^}]*)\}/g, '$1')
        .replace(/\\,/g, ' ').replace(/[{}\\]/g, '');
      e.replaceWith(document.createTextNode(src));
    });
    const level = Number(h.getAttribute('aria-level') || h.tagName[1]);
    return [level, c.textContent.replace(/\s+/g, ' ').trim()];
  });
}
"""

FIGURE_IMAGES = r"""
() => Array.from((document.querySelector('main') || document.body).querySelectorAll('img'))
  .filter(i => i.getBoundingClientRect().width > 0).map(i => i.currentSrc || i.src)
"""


def single_page(index: Path) -> None:
    """Make every link of the single-page document (``book.html``) an anchor inside it:
    links to other pages (``theory.html#fig-x`` from raw HTML cells) become ``#fig-x``; a page
    link ``theory.html`` becomes its document anchor ``#document-book/theory``."""
    text = index.read_text()

    def fix(m: re.Match) -> str:
        page, anchor = m.group(1), m.group(2)
        if anchor:
            return f'href="{anchor}"'
        if page:
            stem = Path(page).with_suffix("").as_posix().lstrip("./")
            stem = stem if stem.startswith("book/") else f"book/{stem}"
            return f'href="#document-{stem}"'
        return m.group(0)

    index.write_text(HREF.sub(fix, text))


def build_single_html() -> Path:
    if not (EXEC / "_toc.yml").exists():
        raise SystemExit("error: no executed book in _build/exec: run `make book` "
                         "(PROFILE=smoke|book|paper) first")
    if SITE.exists():
        shutil.rmtree(SITE)
    toc = EXEC / "_toc_pdf.yml"
    toc.write_text("".join(line for line in (EXEC / "_toc.yml").read_text().splitlines(True)
                           if not any(line.strip() == f"- file: {f}" for f in PDF_SKIP)))
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(EXEC),
           "--path-output", str(SITE), "-W", "--keep-going", "--builder", "singlehtml",
           "--toc", str(toc)]
    print("[pdf]", " ".join(cmd), flush=True)
    rc = subprocess.call(cmd)
    html = SITE / "_build" / "singlehtml"
    if rc != 0 or not (html / ROOT_PAGE).exists():
        raise SystemExit(f"error: the single-page build failed (jupyter-book rc={rc})")
    strip_thebe(html)
    shutil.copy2(html / ROOT_PAGE, html / PAGE)
    single_page(html / PAGE)
    bad = remote_assets(html)
    if bad:
        raise SystemExit("error: remote assets in the single page: " + "; ".join(bad[:5]))
    return html


def print_pdf(html: Path, pdf: Path) -> dict:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    server, port = serve(html)
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": CONTENT_PX, "height": 1100})
        page.emulate_media(media="print")
        page.goto(f"{base}/{PAGE}", wait_until="load", timeout=300_000)
        # folded details inside tables (the summary's per-claim texts) print open: on paper
        # there is nothing to click
        page.evaluate("() => document.querySelectorAll('table details')"
                      ".forEach(d => { d.open = true; })")
        problems += page.evaluate(PRINT_CHECKS)
        images = page.evaluate(FIGURE_IMAGES)
        headings = page.evaluate(HEADINGS)
        captions = page.evaluate(CAPTION_NUMBERS)
        footer = ('<div style="font-size:8px;width:100%;text-align:center;color:#555">'
                  '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
        page.pdf(path=str(pdf), format=PAGE_FORMAT, print_background=True,
                 margin={k: f"{MARGIN_MM}mm" for k in ("top", "bottom", "left", "right")},
                 display_header_footer=True, header_template="<span></span>",
                 footer_template=footer, outline=True, tagged=True)
        browser.close()
    server.shutdown()
    problems += clean_outline(pdf, headings)
    return {"problems": problems, "html_images": len(images), "caption_numbers": captions}


def clean_outline(pdf: Path, headings: list[list]) -> list[str]:
    """Give the PDF's outline (Chromium's, from the tagged headings) the headings' own text.

    Chromium builds a bookmark from the laid-out heading: it drops the space at a line break
    ("scalinglaws"), drops the maths and doubles some titles ("4.6.2. 4.6.2. Compute-matched
    baselineCompute-matched baseline"). Its entries follow the page's headings one to one, so
    each keeps its level and page and takes the text ``HEADINGS`` read from the HTML. Returns
    the problems (entry and heading counts that disagree)."""
    import pymupdf

    doc = pymupdf.open(pdf)
    toc = doc.get_toc(simple=True)
    if len(toc) != len(headings):
        doc.close()
        return [f"PDF outline has {len(toc)} entries, the page {len(headings)} headings"]
    doc.set_toc([[lvl, text, p] for (lvl, _, p), (_, text) in zip(toc, headings, strict=True)])
    doc.saveIncr()
    doc.close()
    return []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(OUT / "book.pdf"))
    ap.add_argument("--no-build", action="store_true",
                    help="print the existing single-page HTML (skip Sphinx)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    html = SITE / "_build" / "singlehtml" if args.no_build else build_single_html()
    pdf = Path(args.out)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    info = print_pdf(html, pdf)
    info["seconds"] = round(time.perf_counter() - t0, 1)
    info["pdf"] = str(pdf)
    (pdf.parent / "build.json").write_text(json.dumps(info, indent=2))
    for prob in info["problems"]:
        print(f"[pdf] {prob}", file=sys.stderr)
    print(f"[pdf] {pdf} in {info['seconds']} s; {info['html_images']} images in the page; "
          f"{len(info['problems'])} layout problems", flush=True)
    return 1 if info["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
