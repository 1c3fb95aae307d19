"""paper_figures export with provenance sidecars, and the offline checks of the book build."""

import importlib.util
import json
import sys
from pathlib import Path

import matplotlib
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from modscale.report import export

REPO = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("build_book", REPO / "tools" / "build_book.py")
build_book = importlib.util.module_from_spec(spec)
sys.modules["build_book"] = build_book
spec.loader.exec_module(build_book)


def test_export_is_off_without_env(monkeypatch):
    monkeypatch.delenv("MODSCALE_PAPER_FIGURES", raising=False)
    fig, _ = plt.subplots()
    assert export.export_figure(fig, "x", profile="smoke") is None
    plt.close(fig)


def test_export_writes_file_and_sidecar(tmp_path, monkeypatch):
    monkeypatch.setenv("MODSCALE_PAPER_FIGURES", str(tmp_path))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    p = export.export_figure(fig, "fig9_test", profile="book", wall_time_s=1.5)
    plt.close(fig)
    assert p.exists() and p.read_bytes()[:4] == b"\x89PNG"
    meta = json.loads(p.with_suffix(".json").read_text())
    assert meta["profile"] == "book" and meta["wall_time_s"] == 1.5
    assert {"git_commit", "device", "date", "versions"} <= set(meta)
    t = export.export_table(pd.DataFrame({"a": [1, 2]}), "table9_test", profile="book")
    assert pd.read_csv(t)["a"].tolist() == [1, 2]
    assert json.loads(t.with_suffix(".json").read_text())["file"] == "table9_test.csv"


def test_remote_asset_detection(tmp_path):
    (tmp_path / "ok.html").write_text('<script src="_static/a.js"></script>'
                                      '<a href="https://example.org">link is fine</a>')
    (tmp_path / "bad.html").write_text('<script src="https://cdn.example/x.js"></script>'
                                       '<link rel="stylesheet" href="//cdn.example/y.css">'
                                       '<script>const U = "https://unpkg.com/z.js"</script>')
    bad = build_book.remote_assets(tmp_path)
    assert len(bad) == 3 and all(b.startswith("bad.html") for b in bad)


def test_thebe_tags_are_stripped(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<head>\n    <script>const THEBE_JS_URL = "https://unpkg.com/thebe"; '
                    'const a = 1</script>\n    <script async="async" '
                    'src="../_static/sphinx-thebe.js?v=1"></script>\n<script src="x.js">'
                    '</script></head>')
    build_book.strip_thebe(tmp_path)
    assert build_book.remote_assets(tmp_path) == []
    assert 'src="x.js"' in page.read_text()


def test_toc_lists_existing_pages_in_order():
    pages = build_book.toc_files(REPO / "_toc.yml")
    assert pages[0] == "book/intro"
    for p in pages:
        assert (REPO / f"{p}.md").exists() or (REPO / f"{p}.py").exists(), p


def test_chapter_sources_have_one_parameters_cell():
    import jupytext

    for src in sorted((REPO / "book").glob("*.py")):
        nb = jupytext.read(src)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{src.name}: exactly one parameters cell"
        assert 'profile: str = "smoke"' in tagged[0].source, f"{src.name}: defaults must be smoke"
        pair = src.with_suffix(".ipynb")
        assert pair.exists(), f"{src.name}: paired notebook missing (run make sync)"
        paired = jupytext.read(pair)
        assert [c.source for c in paired.cells] == [c.source for c in nb.cells], (
            f"{src.name} and {pair.name} differ: run `make sync`")


def test_text_only_figures_are_detected(tmp_path):
    (tmp_path / "a.html").write_text("<pre>&lt;Figure size 640x480 with 1 Axes&gt;</pre>")
    (tmp_path / "b.html").write_text('<img src="x.png">')
    (tmp_path / "c.html").write_text("<code>{glue:text}`x`</code>")
    (tmp_path / "_modules").mkdir()  # viewcode's source listings show code as written
    (tmp_path / "_modules" / "d.html").write_text("<code>{glue:text}`x`</code>")
    assert sorted(build_book.text_only_figures(tmp_path)) == [
        "a.html: figure rendered as text", "c.html: unrendered glue role"]


def test_tables_are_shown_where_they_are_built():
    """``modscale.report.notebook.show`` returns a Styler, which a notebook displays only as the
    value
    of a cell's last statement: a bare ``show(...)`` anywhere else (earlier, or inside a block)
    silently shows nothing. Such calls must be wrapped in ``display(...)``."""
    import ast

    import jupytext

    lost = []
    for src in sorted((REPO / "book").glob("*.py")):
        for cell in jupytext.read(src).cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            last = tree.body[-1] if tree.body else None
            for node in ast.walk(tree):
                call = node.value if isinstance(node, ast.Expr) else None
                while isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
                    call = call.func.value  # show(...).set_properties(...) chains
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                        and call.func.id == "show" and node is not last):
                    lost.append(f"{src.name}:{node.lineno}: {ast.unparse(node)[:60]}")
    assert not lost, "show(...) that displays nothing:\n" + "\n".join(lost)


def test_every_package_module_is_on_the_api_page():
    """Chapters link ``{py:func}`` / ``{py:mod}`` targets; a module missing from book/api.md
    leaves those links dead without any build warning."""
    api = (REPO / "book" / "api.md").read_text()
    pkg = REPO / "src" / "modscale"
    modules = sorted(".".join(p.relative_to(pkg).with_suffix("").parts)
                     for p in pkg.rglob("*.py")
                     if p.name != "__init__.py" and "profiles" not in p.parts)
    modules.append("infra.profiles")
    missing = [m for m in modules if f".. automodule:: modscale.{m}\n" not in api]
    assert not missing, f"modules missing from book/api.md: {missing}"


def test_spec_references_become_links_outside_code(tmp_path, monkeypatch):
    import build_book

    monkeypatch.setattr(build_book, "EXEC", tmp_path)
    text = "see SPEC §4.3 and `SPEC §2` and {glue:text}`x`."
    assert build_book.link_spec(text) == text  # no paper page built: unchanged
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "paper.md").write_text("(spec-4)=\n")
    assert build_book.link_spec(text) == ("see {ref}`SPEC §4.3 <spec-4>` and `SPEC §2` and "
                                          "{glue:text}`x`.")


def test_stored_compute_sums_provenance_per_chapter(tmp_path):
    import json

    from modscale.report.book_pages import reexecution_markdown, stored_compute

    for i, t in enumerate((60.0, 120.0)):
        d = tmp_path / "cifar_scale"
        d.mkdir(exist_ok=True)
        (d / f"{i}.json").write_text(json.dumps({"meta": {"wall_time_s": t}}))
    cost = stored_compute(tmp_path)
    assert cost == {"compositional_cifar": (2, 180.0)}
    box = reexecution_markdown("compositional_cifar", wall_time_s=5.0, profile="book",
                               device="cpu", stored=cost)
    assert "2 stored results" in box and "3 min" in box
