"""The deviations registry, the chapters' note boxes rendered from it, and the generated parts of
the book's pages (re-execution boxes, landing overview)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from modscale.report import deviations as dv
from modscale.report import runlog
from modscale.report.book_pages import (
    landing_overview_html,
    reexecution_markdown,
    scale_parameters,
)
from modscale.report.paper_items import ITEMS

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted((REPO / "book").glob("*.py")) + sorted((REPO / "book").glob("*.md"))


def _markdown_of(path: Path) -> str:
    """A chapter's text with the py:percent comment prefix removed."""
    text = path.read_text()
    if path.suffix == ".py":
        text = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#")
                         for line in text.splitlines())
    return text


def test_no_reproduction_note_is_written_outside_the_registry():
    hand = [p.name for p in SOURCES
            if re.search(r"\{admonition\}\s*Reproduction note", _markdown_of(p))]
    assert not hand, f"write these notes into modscale.report.deviations: {hand}"


def test_every_chapter_note_is_in_the_registry_and_every_note_in_a_chapter():
    used: dict[str, str] = {}
    for p in SOURCES:
        for dev_id in dv.ids_in(_markdown_of(p)):
            assert dev_id in dv.DEVIATIONS, f"{p.name}: unknown deviation {dev_id!r}"
            assert dev_id not in used, f"{dev_id!r} used twice ({used[dev_id]}, {p.name})"
            used[dev_id] = p.stem
            assert dv.DEVIATIONS[dev_id].chapter == p.stem, (dev_id, p.stem)
    with_note = {d.id for d in dv.DEVIATIONS.values() if d.note is not None}
    assert with_note == set(used), f"notes no chapter shows: {sorted(with_note - set(used))}"


def test_every_parameter_exists_and_every_claim_depends_on_a_choice():
    for d in dv.DEVIATIONS.values():
        assert len(dv.parameter_values(d)) == len(d.parameters) > 0
    assert all(dv.of_claim(cid) for cid in ITEMS), [c for c in ITEMS if not dv.of_claim(c)]


def test_bad_entries_and_ids_are_refused_with_the_allowed_values():
    base = dict(id="x", chapter="theory", title="t", note_class="note", tag="I", spec="",
                paper="", choice="", parameters=("omega",), claims=(), sensitivity=None,
                note=None)
    with pytest.raises(ValueError, match="unknown claims.*allowed values"):
        dv.Deviation(**{**base, "claims": ("fig9_nothing",)})
    with pytest.raises(ValueError, match="tag must be one of"):
        dv.Deviation(**{**base, "tag": "Z"})
    with pytest.raises(ValueError, match="allowed values: theory-spectrum"):
        dv.expand_notes("```{deviation} no-such-note\n```")
    with pytest.raises(ValueError, match="unknown deviation"):
        dv.record_sensitivity("no-such-note", "run", "outcome", profile="smoke")


def test_expand_notes_renders_the_registry_text():
    out = dv.expand_notes("before\n\n```{deviation} sine-task\n```\n\nafter")
    d = dv.DEVIATIONS["sine-task"]
    assert out.startswith("before\n\n(dev-note-sine-task)=\n```{admonition} Reproduction note: "
                          "the task\n:class: note\n")
    assert d.note.strip() in out and out.endswith("```\n\nafter")
    assert "{ref}`sine-task <dev-sine-task>`" in out
    assert dv.ids_in(out) == []


def test_page_reports_this_builds_verdicts_and_recorded_outcomes(tmp_path, monkeypatch):
    monkeypatch.setenv("MODSCALE_RUNLOG", str(tmp_path / "runs.jsonl"))
    dv.record_sensitivity("sine-threshold", "per threshold", "1.5: reproduced", profile="smoke")
    dv.record_sensitivity("sine-threshold", "per threshold", "1.5: partly", profile="smoke")
    sens = runlog.sensitivities()
    assert [r["outcome"] for r in sens["sine-threshold"]] == ["1.5: partly"]  # the latest
    assert runlog.runs() == []  # outcomes are not run records
    md = dv.page_markdown({"fig3a_monolithic": "reproduced"}, sens,
                          built=["sine_regression"], titles={"sine_regression": "Sine"},
                          profile="smoke")
    sec = md[md.index("(dev-sine-threshold)="):]
    sec = sec[:sec.index("(dev-", 5)]
    assert "(**reproduced**)" in sec and "per threshold: 1.5: partly." in sec
    assert "{ref}`Fig. 3a: the samples a monolithic" in sec
    # a chapter that did not run: no link into it, and its verdicts are 'not run'
    other = md[md.index("(dev-cifar-jpeg)="):]
    assert "{ref}`" not in other.split("(dev-", 2)[1] and "**not run**" in other
    assert "Not run in this build" in md  # a declared sensitivity without a record


def test_reexecution_box_has_the_commands_the_time_and_the_scale():
    box = reexecution_markdown("sine_regression", wall_time_s=49.3, profile="book",
                               device="cpu")
    assert box.startswith("````{admonition} Re-run this chapter") and box.endswith("````")
    for prof in ("smoke", "book", "paper"):
        assert f"-p profile {prof}" in box
    assert "**49 s**" in box and "`book`, device `cpu`" in box
    params = scale_parameters("sine_regression")
    differ = [n for n, v in params if v["book"] != v["paper"]]
    assert [n for n, _ in params[:len(differ)]] == differ  # book-vs-paper differences first
    assert f"| `{params[0][0]}` |" in box


def test_landing_overview_links_thumbnails_to_the_chapter_figures(tmp_path):
    pytest.importorskip("PIL")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    fig.savefig(tmp_path / "fig2_loss_trends.png")
    plt.close(fig)
    html = landing_overview_html({"fig2_k_invariance": "inconclusive"}, figures=tmp_path,
                                 built=["sine_regression"], colours={})
    row = next(r for r in html.split("<tr>") if r.startswith('<td class="item"><a href='
                                                             '"sine_regression.html#fig-sine-loss'))
    assert 'src="data:image/png;base64,' in row and "inconclusive" in row
    assert html.count("not run") >= len(ITEMS) - 1 - 5  # other claims did not run here


def test_pdf_single_page_links_become_anchors(tmp_path):
    sys.path.insert(0, str(REPO / "tools"))
    import build_pdf

    index = tmp_path / "index.html"
    index.write_text('<a href="theory.html#fig-x">a</a><a href="book/summary.html">b</a>'
                     '<a href="#local">c</a><a href="https://example.org/x.html">d</a>')
    build_pdf.single_page(index)
    assert index.read_text() == ('<a href="#fig-x">a</a><a href="#document-book/summary">b</a>'
                                 '<a href="#local">c</a><a href="https://example.org/x.html">d'
                                 '</a>')


def test_pdf_check_catches_text_past_the_edge_and_missing_titles(tmp_path):
    pymupdf = pytest.importorskip("pymupdf")
    sys.path.insert(0, str(REPO / "tools"))
    import check_pdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "1. The theory of monolithic generalization")
    page.insert_text((72, 130), "see \\frac{a}{b} here")
    page.insert_link({"kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(72, 90, 200, 102),
                      "page": 0, "to": pymupdf.Point(0, 0)})
    doc.set_toc([[1, "1. The theory of monolithic generalization", 1]])
    good = tmp_path / "good.pdf"
    doc.save(good)
    problems, info = check_pdf.check(good, 0, ["The theory of monolithic generalization"])
    assert [p for p in problems if "TeX" not in p] == [] and info["pages"] == 1
    assert any("raw TeX" in p for p in problems)
    problems, _ = check_pdf.check(good, 0, [], captions=["Fig. 9.9"])
    assert any("figure/table numbers of the HTML not in the PDF" in p for p in problems)
    page.insert_text((page.rect.x1 - 20, 160), "a line that runs off the page")
    bad = tmp_path / "bad.pdf"
    doc.save(bad)
    problems, _ = check_pdf.check(bad, 1, ["Reproduction summary"])
    assert any("past the page edge" in p for p in problems)
    assert any("title missing from the text" in p for p in problems)
    assert any("0 embedded images, but the HTML showed 1" in p for p in problems)


def test_registry_data_is_validated(tmp_path):
    """The deviations are data (one TOML file per chapter); a misspelled field, a missing one
    or an entry filed under the wrong chapter fails with the file's name."""
    import pytest

    from modscale.report import deviations

    good = (deviations.DATA / "theory.toml").read_text()
    assert len(deviations.load()) == len(deviations.DEVIATIONS) > 0
    (tmp_path / "theory.toml").write_text(good.replace("note_class =", "note_clas =", 1))
    with pytest.raises(ValueError, match=r"theory.toml.*unknown fields \['note_clas'\]"):
        deviations.load(tmp_path)
    (tmp_path / "theory.toml").write_text(good.replace('chapter = "theory"',
                                                       'chapter = "algorithm1"', 1))
    with pytest.raises(ValueError, match="file it in algorithm1.toml"):
        deviations.load(tmp_path)
