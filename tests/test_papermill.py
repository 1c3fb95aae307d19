"""Papermill re-execution from the command line: overrides work, bad parameters fail clearly."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAPERMILL = [sys.executable, "-m", "papermill"]
NB = REPO / "book" / "reproducibility.ipynb"


def run_papermill(tmp_path, *params):
    out = tmp_path / "out.ipynb"
    cmd = [*PAPERMILL, str(NB), str(out), "--cwd", str(tmp_path), *params]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600), out


def test_individual_parameter_override(tmp_path):
    proc, out = run_papermill(tmp_path, "-p", "profile", "smoke", "-p", "bench_iters", "3",
                              "-p", "bench_models", "4")
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text()
    assert "4 MLPs" in text and "3 iterations" in text


@pytest.mark.parametrize("params, message", [
    (("-p", "profile", "huge"), "parameter 'profile': unknown profile 'huge'; allowed values: "
                                "smoke, book, paper"),
    (("-p", "bench_models", "0"), "parameter 'bench_models': 0 is below the minimum 1"),
    (("-p", "device", "tpu"), "parameter 'device': 'tpu' is not allowed"),
])
def test_bad_parameters_fail_with_a_clear_message(tmp_path, params, message):
    proc, out = run_papermill(tmp_path, *params)
    assert proc.returncode != 0
    outputs = json.loads(out.read_text())["cells"]
    errors = [o for c in outputs for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "ConfigError"
    assert message in errors[0]["evalue"]


def test_misspelled_parameter_fails_before_any_work(tmp_path):
    proc, out = run_papermill(tmp_path, "-p", "bench_modles", "3")
    assert proc.returncode != 0
    cells = json.loads(out.read_text())["cells"]
    errors = [(i, o) for i, c in enumerate(cells) for o in c.get("outputs", [])
              if o["output_type"] == "error"]
    assert errors and errors[0][1]["ename"] == "ConfigError"
    assert "unknown parameter(s) 'bench_modles'" in errors[0][1]["evalue"]
    assert "valid names: profile, device, seed, bench_models" in errors[0][1]["evalue"]
    # it fails in the cell right after the parameters (papermill's injected cell before it)
    src = "".join(cells[errors[0][0]]["source"])
    assert "chapter(" in src and "import torch" not in src


def test_help_notebook_shows_types_and_help():
    proc = subprocess.run([*PAPERMILL, "--help-notebook", str(NB)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0
    assert "Unknown type" not in proc.stdout
    assert "bench_models: int" in proc.stdout
