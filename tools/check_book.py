"""Check the built book as a reader sees it: every page in a real browser (headless Chromium).

    python tools/check_book.py [_build/html] [--screenshots _build/screenshots] [--widths 1400 800]

Serves the HTML folder on a loopback port, opens every page in Debian's Chromium (driven by
Playwright's Python package; no browser download) at each width and asserts, per page:

- MathJax finished, with no ``merror`` element;
- no TeX command (``\\mathbb``, ``\\frac``...) or ``$``-delimited math left in visible text outside
  math elements and code;
- no ``nan``/``NaN``/``None``/``inf`` word in prose or table cells;
- no equation, table, code block or image wider than its container (nothing clipped or scrolled);
- every image loaded; no failed request, no HTTP error, no console error;
- every internal link and ``#anchor`` resolves (checked on the files, once per page).

Full-page screenshots go to ``--screenshots`` (one PNG per page and width) for a person to look
at. Exit status 1 lists every problem. ``tests/test_browser.py`` runs it on tiny fixture pages
(a raw-TeX line and a 3,000-px equation must fail); ``.ci/run`` runs it on the smoke book.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import socketserver
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
SKIP_PAGES = {"genindex.html", "search.html", "py-modindex.html"}
DOCSTRING_PAGES = {"api.html"}  # API reference: docstrings may say None/NaN/inf
LINKS_ONLY = ("_modules",)  # generated source listings (viewcode): links checked, not rendered
ID_ATTR = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")
HREF = re.compile(r"""<a\b[^>]*\bhref\s*=\s*["']([^"']+)["']""", re.IGNORECASE)

# A fragment of an async page function with a list ``out``: waits for MathJax, then records
# its failure and every math error element (also used by tools/build_pdf.py's print check).
MATHJAX_FINISHED = r"""
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    try { await MathJax.startup.promise; } catch (e) { out.push('MathJax failed: ' + e); }
  }
  for (const e of document.querySelectorAll('mjx-merror, .MathJax_Error, merror')) {
    out.push('MathJax error: ' + (e.textContent || '').slice(0, 120));
  }
"""

# Runs in the page: returns the problems it can see (after MathJax has finished).
PAGE_CHECKS = r"""
async () => {
  const out = [];
""" + MATHJAX_FINISHED + r"""  const main = document.querySelector('main') || document.querySelector('article')
               || document.body;
  // Visible text outside math and code.
  const clone = main.cloneNode(true);
  for (const e of clone.querySelectorAll(
      'mjx-container, script, style, pre, code, .highlight, .MathJax, math, svg, '
      + '.headerlink, .visually-hidden')) e.remove();
  const text = clone.innerText || clone.textContent || '';
  const tex = text.match(/\\(mathbb|mathrm|mathcal|frac|sum|top|varphi|sqrt|left|right|cdot|infty|alpha|lambda|Lambda|Omega|begin|end|hat|tilde|operatorname|text)\b/);
  if (tex) out.push('raw TeX in text: ...' + text.slice(Math.max(0, tex.index - 40), tex.index + 60).replace(/\s+/g, ' ') + '...');
  const dollars = text.match(/\$[^$\n]{1,80}\$/);
  if (dollars) out.push('$-delimited math left in text: ' + dollars[0].slice(0, 100));
  // nan / None / inf words in prose and table cells.
  const prose = main.querySelectorAll('p, li, td, th, figcaption, dd, h1, h2, h3, h4');
  for (const el of prose) {
    if (el.closest('pre, code, .highlight')) continue;
    const t = (el.innerText || '');
    const m = t.match(/(^|[^\w.-])(nan|NaN|None|inf|-inf)(?![\w-])/);
    if (m) { out.push(`"${m[2]}" in ${el.tagName.toLowerCase()}: ` + t.replace(/\s+/g, ' ').slice(0, 120)); }
  }
  // Nothing wider than its container.
  const wide = main.querySelectorAll(
    'mjx-container[display="true"], div.math, table, pre, div.highlight, img, '
    + 'div.cell_output, div.output');
  for (const el of wide) {
    if (el.closest('.toggle-hidden, details:not([open]), .tag_hide-input .cell_input')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // hidden (folded cell)
    const parent = el.parentElement;
    const pr = parent.getBoundingClientRect();
    const ps = getComputedStyle(parent);
    const inner = pr.width - parseFloat(ps.paddingLeft) - parseFloat(ps.paddingRight)
                  - parseFloat(ps.borderLeftWidth) - parseFloat(ps.borderRightWidth);
    const spills = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 2;  // clipped, scrolled or spilling
    const larger = r.width > inner + 2;                                      // wider than its container
    const beyond = r.right > main.getBoundingClientRect().right + 2;          // past the text column
    if (spills || larger || beyond) {
      const label = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
      out.push(`too wide: ${label} (${Math.round(Math.max(el.scrollWidth, r.width))} px in ${Math.round(Math.min(el.clientWidth || inner, inner))} px): `
               + (el.innerText || el.getAttribute('alt') || '').replace(/\s+/g, ' ').slice(0, 80));
    }
  }
  for (const img of document.querySelectorAll('img')) {
    if (!img.complete || img.naturalWidth === 0) out.push('image not loaded: ' + img.getAttribute('src'));
  }
  return out;
}
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D401 - no request log on stderr
        pass


def serve(folder: Path) -> tuple[socketserver.TCPServer, int]:
    """Serve ``folder`` on 127.0.0.1 (a free port) in a daemon thread."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


REFRESH = re.compile(r"""<meta[^>]+http-equiv=["']refresh["'][^>]*url=([^"'>]+)""", re.I)


def pages_of(folder: Path) -> list[Path]:
    """Every content page rendered in the browser (redirect stubs like the root index.html and
    the generated source listings are checked for their links only)."""
    return sorted(p for p in folder.rglob("*.html")
                  if p.name not in SKIP_PAGES and "_static" not in p.parts
                  and "_sources" not in p.parts and not set(LINKS_ONLY) & set(p.parts)
                  and not REFRESH.search(p.read_text(errors="replace")))


def broken_links(folder: Path, page: Path) -> list[str]:
    """Internal links of ``page`` whose file or ``#anchor`` does not exist."""
    text = page.read_text(errors="replace")
    bad = []
    for href in set(HREF.findall(text)) | set(REFRESH.findall(text)):
        if urlparse(href).scheme or href.startswith(("//", "mailto:", "javascript:")):
            continue
        path, frag = urldefrag(href)
        target = page if not path else (page.parent / unquote(path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            bad.append(f"broken link: {href}")
            continue
        if frag and target.suffix == ".html":
            ids = set(ID_ATTR.findall(target.read_text(errors="replace")))
            if unquote(frag) not in ids:
                bad.append(f"missing anchor: {href}")
    return bad


def check(folder: Path, widths: list[int], screenshots: Path | None) -> dict[str, list[str]]:
    """``{page@width: [problems]}`` for every page of ``folder``."""
    from playwright.sync_api import sync_playwright

    folder = folder.resolve()
    server, port = serve(folder)
    problems: dict[str, list[str]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            rendered = set(pages_of(folder))
            for stub in sorted(set(folder.rglob("*.html")) - rendered):
                if (stub.name not in SKIP_PAGES and "_static" not in stub.parts
                        and "_sources" not in stub.parts):
                    found = broken_links(folder, stub)
                    if set(LINKS_ONLY) & set(stub.parts):  # viewcode back-links may name a
                        found = [p for p in found if not p.startswith("missing anchor")]
                    problems[f"{stub.relative_to(folder).as_posix()}@links"] = found
            for page_path in pages_of(folder):
                rel = page_path.relative_to(folder).as_posix()
                links = broken_links(folder, page_path)
                for w in widths:
                    key = f"{rel}@{w}"
                    found: list[str] = list(links) if w == widths[0] else []
                    ctx = browser.new_context(viewport={"width": w, "height": 900})
                    page = ctx.new_page()
                    page.on("console", lambda m, f=found: f.append(f"console {m.type}: {m.text}"[:300])
                            if m.type == "error" else None)
                    page.on("pageerror", lambda e, f=found: f.append(f"page error: {e}"[:300]))
                    page.on("requestfailed", lambda r, f=found: f.append(
                        f"failed request: {r.url} ({r.failure})"))
                    page.on("response", lambda r, f=found: f.append(
                        f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
                    page.goto(f"http://127.0.0.1:{port}/{rel}", wait_until="load")
                    page_found = page.evaluate(PAGE_CHECKS)
                    if page_path.name in DOCSTRING_PAGES:  # nan/None in docstrings is code talk
                        page_found = [p for p in page_found if not p.startswith('"')]
                    found += page_found
                    if screenshots is not None:
                        shot = screenshots / f"{rel.replace('/', '__')[:-5]}-{w}.png"
                        shot.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(shot), full_page=True)
                    ctx.close()
                    problems[key] = found
            browser.close()
    finally:
        server.shutdown()
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("html", nargs="?", default="_build/html")
    ap.add_argument("--widths", type=int, nargs="+", default=[1400, 800])
    ap.add_argument("--screenshots", default="_build/screenshots",
                    help="folder for full-page PNGs ('' for none)")
    args = ap.parse_args(argv)
    folder = Path(args.html)
    if not (folder / "index.html").exists():
        raise SystemExit(f"error: parameter 'html': no index.html in {folder} (build the book "
                         "first: make book PROFILE=smoke)")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"error: {CHROMIUM} not found (apt-get install chromium)")
    t0 = time.perf_counter()
    problems = check(folder, args.widths, Path(args.screenshots) if args.screenshots else None)
    n_bad = 0
    for key, found in problems.items():
        for p in found:
            print(f"{key}: {p}")
        n_bad += len(found)
    pages = len({k.split('@')[0] for k in problems})
    print(f"[check_book] {pages} pages x {len(args.widths)} widths in "
          f"{time.perf_counter() - t0:.0f} s: {n_bad} problem(s)")
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
