"""The browser check (tools/check_book.py) on tiny fixture pages in headless Chromium.

A clean page passes; a raw-TeX line, a 3,000-px-wide equation, a broken image, a broken anchor
and a 'nan' in prose each make it fail. Skipped only where Debian's Chromium is not installed
(``.ci/run`` installs it, so CI always runs these).
"""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
import check_book  # noqa: E402

pytestmark = pytest.mark.skipif(not Path(check_book.CHROMIUM).exists(),
                                reason="needs Debian's chromium (apt-get install chromium)")

HEAD = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="data:,">
<script>window.MathJax = {{tex: {{inlineMath: [['\\\\(', '\\\\)']]}},
  options: {{processHtmlClass: 'math', ignoreHtmlClass: 'tex2jax_ignore|document'}}}};</script>
<script defer src="mathjax/tex-chtml.js"></script></head>
<body class="document"><main style="width: 900px">{body}</main></body></html>"""

GOOD = ('<h1 id="top">A page</h1><p>Inline <span class="math">\\(x^2\\)</span> and a link '
        '<a href="#top">up</a>.</p><div class="math">\\[ \\mathbb E\\,x = 0 \\]</div>'
        '<pre><code>price = "$5"  # code may hold $ and \\\\n</code></pre>')


def make_site(tmp_path: Path, pages: dict[str, str]) -> Path:
    import mathjax

    site = tmp_path / "site"
    site.mkdir()
    (site / "mathjax").symlink_to(Path(mathjax.__path__[0]) / "static" / "mathjax" / "es5")
    for name, body in pages.items():
        (site / name).write_text(HEAD.format(title=name, body=body))
    return site


def problems_of(tmp_path, body):
    site = make_site(tmp_path, {"page.html": body})
    found = check_book.check(site, [1000], screenshots=tmp_path / "shots")
    assert (tmp_path / "shots" / "page-1000.png").exists()
    return found["page.html@1000"]


def test_clean_page_passes(tmp_path):
    assert problems_of(tmp_path, GOOD) == []


def test_raw_tex_line_fails(tmp_path):
    body = GOOD + "<p>so $\\mathbb E[\\sin(g^\\top x)] = 0$ here</p>"
    found = problems_of(tmp_path, body)
    assert any("raw TeX" in p for p in found), found


def test_dollar_math_left_in_text_fails(tmp_path):
    found = problems_of(tmp_path, GOOD + "<p>the value $x_1 + y$ is</p>")
    assert any("$-delimited" in p for p in found), found


def test_3000px_equation_fails(tmp_path):
    terms = " + ".join(f"a_{{{i}}} b_{{{i}}}" for i in range(400))
    found = problems_of(tmp_path, GOOD + f'<div class="math">\\[ {terms} \\]</div>')
    assert any(p.startswith("too wide: mjx-container") for p in found), found


def test_nan_in_prose_and_broken_things_fail(tmp_path):
    body = (GOOD + "<p>gives nan decades per dimension</p>"
            '<img src="missing.png" alt="x"><a href="#nowhere">x</a><a href="other.html">y</a>')
    found = problems_of(tmp_path, body)
    assert any('"nan" in p' in p for p in found), found
    assert any(p.startswith("image not loaded") for p in found), found
    assert any(p.startswith("missing anchor: #nowhere") for p in found), found
    assert any(p.startswith("broken link: other.html") for p in found), found
    assert any(p.startswith("HTTP 404") for p in found), found
