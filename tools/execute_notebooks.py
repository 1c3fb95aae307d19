"""Execute chapters at the smoke profile and store their outputs in book/*.ipynb (for nbval).

    python tools/execute_notebooks.py book/theory.py [book/other.py ...]

The Jupytext source ``book/<name>.py`` is the source of truth: it is read, executed in ``book/``
with nbclient (no papermill metadata is added), and written to the paired ``book/<name>.ipynb``
with its outputs. Results go to a throw-away cache, so the stored outputs come from a fresh run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent


def main(paths: list[str]) -> int:
    os.environ["MODSCALE_CACHE_DIR"] = tempfile.mkdtemp(prefix="modscale-nb-cache-")
    os.environ["MODSCALE_RESULTS_DIR"] = tempfile.mkdtemp(prefix="modscale-nb-results-")
    os.environ.pop("MODSCALE_PAPER_FIGURES", None)
    # A non-inline backend (e.g. MPLBACKEND=Agg) makes glued figures text-only: let the kernel
    # use its inline backend.
    os.environ.pop("MPLBACKEND", None)
    os.environ["MODSCALE_RUNLOG"] = str(Path(os.environ["MODSCALE_CACHE_DIR"]) / "runs.jsonl")
    for p in paths or sorted(str(s) for s in (REPO / "book").glob("*.py")):
        src = Path(p).resolve()
        if src.suffix != ".py":
            raise SystemExit(f"error: expected a book/<name>.py source, got {p}")
        nb = jupytext.read(src)
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=1800, kernel_name="python3",
                       resources={"metadata": {"path": str(src.parent)}}).execute()
        jupytext.write(nb, src.with_suffix(".ipynb"))
        print(f"{src.name}: executed in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
