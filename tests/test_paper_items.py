"""The claim registry, the chapters' one name, glue prefixes and parameters cells agree."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from modscale.infra.profiles import ConfigError, chapters, notebook_config, parameters_cell
from modscale.report import paper_items, verdicts
from modscale.report.paper_items import CHAPTERS, GLUE_PREFIX, ITEMS

REPO = Path(__file__).resolve().parent.parent
BOOK = REPO / "book"
FIGURES = REPO / "paper_figures"


def test_every_chapter_has_one_name():
    # profile keys == chapter names (tests may register private '_toy' chapters)
    assert {c for c in chapters() if not c.startswith("_")} == set(CHAPTERS)
    for ch in CHAPTERS:
        assert (BOOK / f"{ch}.py").exists() and (BOOK / f"{ch}.ipynb").exists()
    toc = (REPO / "_toc.yml").read_text()
    for ch in CHAPTERS:
        assert f"book/{ch}" in toc


def test_every_registered_export_is_produced():
    produced = {p.name for p in FIGURES.iterdir()}
    exports = {e for it in ITEMS.values() for e in it.exports}
    assert exports <= produced, sorted(exports - produced)
    exported_in_code = set()
    for ch in CHAPTERS:
        src = (BOOK / f"{ch}.py").read_text()
        exported_in_code |= set(re.findall(r'export_(?:figure|table)\(\s*\w+,\s*"([a-z0-9_]+)"',
                                           src))
    stems = {e.rsplit(".", 1)[0] for e in exports}
    assert stems <= exported_in_code, sorted(stems - exported_in_code)
    for name in paper_items.FIGURE_OF_ITEM.values():
        assert f"{name}.png" in produced
        # the chapter the summary names for the figure is the one that exports it
        src = (BOOK / f"{paper_items.FIGURE_CHAPTER[name]}.py").read_text()
        assert f'"{name}"' in src, (name, paper_items.FIGURE_CHAPTER[name])


def test_every_registered_figure_label_is_in_its_chapter():
    for it in ITEMS.values():
        if it.figure:
            src = (BOOK / f"{it.chapter}.py").read_text()
            assert f":name: {it.figure}" in src, (it.id, it.figure)


def test_every_claim_is_judged_and_recorded_by_its_chapter():
    vsrc = "".join(f.read_text() for f in Path(verdicts.__file__).parent.glob("*.py"))
    for cid, it in ITEMS.items():
        assert f'"{cid}"' in vsrc, f"no verdict function builds {cid}"
        # the chapter glues the claim's verdict (so its prose shows it)
        src = (BOOK / f"{it.chapter}.py").read_text()
        assert f"{GLUE_PREFIX[it.chapter]}_{cid}_verdict" in src, (cid, it.chapter)
    for ch in CHAPTERS:
        src = (BOOK / f"{ch}.py").read_text()
        assert "runlog.claim(" not in src, f"{ch}: record claims through modscale.report.verdicts"
        assert 'tags=["remove-cell"]' not in src, f"{ch}: verdict code must be visible"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_glue_keys_carry_the_chapter_prefix(chapter):
    src = (BOOK / f"{chapter}.py").read_text()
    keys = set(re.findall(r'glue\(f?"([^"{]+)', src)) | set(
        re.findall(r"\{glue:(?:text|figure|md|)\}`([a-zA-Z0-9_-]+)", src))
    keys |= set(re.findall(r"\{glue:figure\} ([a-zA-Z0-9_-]+)", src))
    prefix = GLUE_PREFIX[chapter]
    bad = sorted(k for k in keys if not (k.startswith(prefix + "_") or k.startswith("fig")))
    assert not bad, bad


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_parameters_cell_matches_the_dataclass(chapter):
    src = (BOOK / f"{chapter}.py").read_text()
    m = re.search(r'# %% tags=\["parameters"\]\n(.*?)\n# %%', src, re.S)
    assert m, "no parameters cell"
    assert m.group(1).rstrip("\n") + "\n" == parameters_cell(chapter), (
        "run `python tools/sync_parameters.py` and `make sync`")
    assert f'ch = chapter("{chapter}", globals())' in src  # validates via notebook_config


def test_notebook_config_rejects_unknown_names_and_lists_valid_ones():
    msg = r"unknown parameter\(s\) 'n_seds'.*valid names:.*n_seeds"
    with pytest.raises(ConfigError, match=msg):
        notebook_config("sine_regression", {"profile": "smoke", "n_seds": 3})
    cfg = notebook_config("sine_regression", {"profile": "book", "n_seeds": None, "iters": "7",
                                              "glue": print, "np": sys})
    assert cfg.iters == 7 and cfg.n_seeds == 2  # None = the profile's value
    with pytest.raises(ConfigError, match="parameter 'iters'"):
        notebook_config("sine_regression", {"iters": 0})
    with pytest.raises(ConfigError, match="parameter 'device'"):
        notebook_config("summary", {"device": 3})


def test_profiles_import_no_torch():
    code = ("import sys, modscale.infra.profiles as p; p.chapters(); "
            "p.notebook_config('sine_regression', {}); assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sync_parameters_check_passes():
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "sync_parameters.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_normalisations_copy_agrees():
    from modscale.infra.profiles.sine_regression import NORMALISATIONS
    from modscale.tasks.sine_task import NORMALISATIONS as TASK_NORMALISATIONS

    assert NORMALISATIONS == TASK_NORMALISATIONS


def test_readme_results_table_is_current():
    sys.path.insert(0, str(REPO / "tools"))
    import readme_tables

    block = readme_tables.table(FIGURES)
    readme = (REPO / "README.md").read_text()
    assert f"{readme_tables.START}\n{block}{readme_tables.END}" in readme, (
        "run `python tools/readme_tables.py --write`")
