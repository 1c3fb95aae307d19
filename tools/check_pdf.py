"""Check the book's PDF as a reader would open it (``make pdf`` runs it after tools/build_pdf.py).

    python tools/check_pdf.py [_build/pdf/book.pdf] [--pngs _build/pdf/pages]

Asserts, reading the PDF back with PyMuPDF:

- every page title of ``_toc.yml`` (chapters and report pages) is in the PDF's text, and in its
  outline (bookmarks);
- the number of embedded images equals the number of images the single-page HTML showed
  (``_build/pdf/build.json``, written by tools/build_pdf.py: every figure made it into the PDF),
  and every figure and table number of the HTML ("Fig. 3.2") is in the PDF's text;
- no text runs past the page edge (every character's box inside the page, read without
  clipping), so no table or code line is cut;
- no raw TeX (``\\frac``...) or ``$...$`` math in the text outside code (monospace) spans, and no
  replacement character (a glyph that no font had);
- at least one internal link per cross-referenced page (links resolve inside the document).

``--pngs`` renders every page to PNG (what a person looks at). Exit status 1 lists every problem.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEX = re.compile(r"\\(mathbb|mathrm|mathcal|frac|sum|varphi|sqrt|left|right|cdot|infty|alpha|"
                 r"lambda|Lambda|Omega|begin|end|operatorname|text)\b")
DOLLARS = re.compile(r"\$[^$\n]{1,80}\$")
EDGE_TOL = 0.5  # points


def page_titles() -> list[str]:
    sys.path.insert(0, str(REPO / "tools"))
    from build_book import chapter_titles, toc_files
    from build_pdf import PDF_SKIP

    return [t for f, t in chapter_titles(toc_files(REPO / "_toc.yml")).items()
            if f not in {Path(s).name for s in PDF_SKIP}]


def _norm(s: str) -> str:
    """Compared without whitespace: Chromium's outline drops the space at a title's line break
    ("scalinglaws"), and text extraction may break a title over lines."""
    return re.sub(r"\s+", "", s.replace("\u00ad", "").replace("\u2019", "'")).lower()


def clean_entry(title: str) -> bool:
    """An outline entry a reader can read: no doubled section number ("4.6.2. 4.6.2. ..."), no
    doubled text ("BaselineBaseline"), no empty maths gap (two spaces), no TeX."""
    t = title.strip()
    num = re.match(r"((?:\d+\.)+ )", t)
    if num and t[len(num.group(1)):].startswith(num.group(1)):
        return False
    body = t[len(num.group(1)):] if num else t
    half = len(body) // 2
    if len(body) > 8 and len(body) % 2 == 0 and body[:half] == body[half:]:
        return False
    return bool(t) and "  " not in t and "\\" not in t and "$" not in t


def check(pdf_path: Path, expected_images: int | None, titles: list[str],
          pngs: Path | None = None, captions: list[str] = ()) -> tuple[list[str], dict]:
    import pymupdf

    doc = pymupdf.open(pdf_path)
    problems: list[str] = []
    text_all = []
    images: set[int] = set()
    links = 0
    flags = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_MEDIABOX_CLIP
    for pno, page in enumerate(doc, start=1):
        rect = page.rect
        for img in page.get_images(full=True):
            images.add(img[0])
        links += sum(1 for lk in page.get_links() if lk.get("kind") in (
            pymupdf.LINK_GOTO, pymupdf.LINK_NAMED))
        prose = []
        for block in page.get_text("dict", flags=flags,
                                    clip=pymupdf.INFINITE_RECT())["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    t = span["text"]
                    if not t.strip():
                        continue
                    x0, y0, x1, y1 = span["bbox"]
                    if (x0 < rect.x0 - EDGE_TOL or x1 > rect.x1 + EDGE_TOL
                            or y1 > rect.y1 + EDGE_TOL or y0 < rect.y0 - EDGE_TOL):
                        problems.append(f"page {pno}: text past the page edge: {t[:60]!r} "
                                        f"(x {x0:.0f}-{x1:.0f} of {rect.x1:.0f})")
                    if "\ufffd" in t:
                        problems.append(f"page {pno}: replacement character in {t[:60]!r}")
                    if "mono" not in span["font"].lower() and "courier" not in span[
                            "font"].lower():
                        prose.append(t)
        text = " ".join(prose)
        for rx, what in ((TEX, "raw TeX"), (DOLLARS, "$-delimited math")):
            m = rx.search(text)
            if m:
                problems.append(f"page {pno}: {what} in text: ..."
                                f"{text[max(0, m.start() - 40):m.end() + 40]}...")
        text_all.append(page.get_text())
    full = _norm(" ".join(text_all))
    entries = [t for _, t, _ in doc.get_toc()]
    outline = " | ".join(re.sub(r"\s+", " ", t.replace("\u2019", "'")).lower() for t in entries)
    for title in titles:
        if _norm(title) not in full:
            problems.append(f"title missing from the text: {title!r}")
        if re.sub(r"\s+", " ", title.replace("\u2019", "'")).lower() not in outline:
            problems.append(f"title missing from the outline (spaces included): {title!r}")
    problems += [f"outline entry not clean: {t!r}" for t in entries if not clean_entry(t)]
    missing = [c for c in captions if _norm(c) not in full]
    if missing:
        problems.append(f"{len(missing)} figure/table numbers of the HTML not in the PDF: "
                        f"{missing[:5]}")
    if expected_images is not None and len(images) != expected_images:
        problems.append(f"{len(images)} embedded images, but the HTML showed {expected_images}")
    if links == 0:
        problems.append("no internal links: cross-references do not resolve in the PDF")
    if pngs is not None:
        pngs.mkdir(parents=True, exist_ok=True)
        for pno, page in enumerate(doc, start=1):
            page.get_pixmap(dpi=60).save(pngs / f"page-{pno:03d}.png")
    info = {"pages": doc.page_count, "images": len(images), "internal_links": links,
            "outline_entries": len(doc.get_toc())}
    return problems, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pdf", nargs="?", default=str(REPO / "_build" / "pdf" / "book.pdf"))
    ap.add_argument("--pngs", help="render every page to PNG in this folder")
    args = ap.parse_args(argv)
    pdf = Path(args.pdf)
    if not pdf.exists():
        print(f"error: {pdf} does not exist: run `make pdf`", file=sys.stderr)
        return 1
    meta = pdf.parent / "build.json"
    built = json.loads(meta.read_text()) if meta.exists() else {}
    expected = built.get("html_images")
    problems, info = check(pdf, expected, page_titles(), Path(args.pngs) if args.pngs else None,
                           captions=built.get("caption_numbers", []))
    for p in problems:
        print(f"[check-pdf] {p}", file=sys.stderr)
    print(f"[check-pdf] {pdf}: {info['pages']} pages, {info['images']} images "
          f"(HTML: {expected}), {len(built.get('caption_numbers', []))} numbered captions, "
          f"{info['internal_links']} internal links, "
          f"{info['outline_entries']} outline entries; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
