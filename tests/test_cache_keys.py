"""Cache keys depend on the configuration and on the code the computation imports, nothing else."""

import shutil
import subprocess
import sys

import pytest

from modscale import cache


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of the package sources that the key functions read instead of the real one."""
    dst = tmp_path / "modscale"
    shutil.copytree(cache.PACKAGE_DIR, dst, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", dst)
    cache.code_version.cache_clear()
    cache.experiment_code_version.cache_clear()
    yield dst
    cache.code_version.cache_clear()
    cache.experiment_code_version.cache_clear()


def _keys():
    cache.code_version.cache_clear()
    cache.experiment_code_version.cache_clear()
    return {e: cache.entry_key(e, {"a": 1}) for e in cache.EXPERIMENTS}


def _append(path, text="\n_EDITED = 1\n"):
    path.write_text(path.read_text() + text)


def test_style_edit_changes_no_key(package_copy):
    before = _keys()
    _append(package_copy / "style.py", '\nPALETTE["train"] = "#000000"\n')
    assert _keys() == before


@pytest.mark.parametrize("module", ["verdicts.py", "paper_items.py", "export.py", "runlog.py",
                                    "analysis.py", "notebook.py", "progress.py",
                                    "profiles/sine_regression.py"])
def test_display_and_bookkeeping_edits_change_no_key(package_copy, module):
    before = _keys()
    _append(package_copy / module)
    assert _keys() == before


def test_trainer_edit_changes_trained_keys_only(package_copy):
    before = _keys()
    _append(package_copy / "trainer.py")
    after = _keys()
    changed = {e for e in before if before[e] != after[e]}
    assert {"sine_k", "sine_grid", "sine_alt", "modular_stacks"} <= changed
    assert not any(e.startswith("theory_") or e.startswith("modular_theory") for e in changed)


def test_theory_edit_changes_theory_keys(package_copy):
    before = _keys()
    _append(package_copy / "theory.py")
    after = _keys()
    changed = {e for e in before if before[e] != after[e]}
    assert {"theory_m_vs_n", "theory_mc_validation"} <= changed
    assert "cifar_run" not in changed


def test_config_is_part_of_the_key():
    assert cache.entry_key("sine_k", {"a": 1}) != cache.entry_key("sine_k", {"a": 2})


def test_dependencies_follow_imports_transitively():
    deps = cache.dependencies(["modular_sweep"])
    # modular_sweep imports kernel_init, which imports kernel_objective
    assert {"modular_sweep", "kernel_init", "kernel_objective", "trainer"} <= set(deps)
    assert not set(deps) & {"style", "verdicts", "profiles", "export"}


def test_unknown_root_module_is_an_error():
    with pytest.raises(ValueError, match="unknown modscale module"):
        cache.dependencies(["nope"])


def test_every_registered_experiment_resolves():
    for name, roots in cache.EXPERIMENTS.items():
        assert cache.dependencies(roots), name


def test_keys_cli_prints_one_line_per_experiment(tmp_cache):
    out = subprocess.run([sys.executable, "-m", "modscale.cache", "keys"], check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()
    assert len(out) == len(cache.EXPERIMENTS)
    names = [line.split("\t")[0] for line in out]
    assert names == sorted(cache.EXPERIMENTS)
    for line in out:
        name, code, entries, store, modules = line.split("\t")
        assert code == cache.experiment_code_version(name) and len(code) == 16
        assert entries.endswith("stored entries") and " current / " in entries and modules
        assert store.endswith("current in results/")


def test_docstring_and_comment_edits_change_no_key(package_copy):
    before = _keys()
    path = package_copy / "trainer.py"
    text = path.read_text()
    path.write_text(text.replace('"""', '"""Edited. ', 1) + "\n# a comment\n")
    assert _keys() == before
