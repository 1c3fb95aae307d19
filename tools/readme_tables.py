"""Print the README's reproduction-summary table (Markdown) from ``paper_figures/``.

    python tools/readme_tables.py [paper_figures]

Reads ``reproduction_summary.csv`` (written by the summary page during ``make book``) and its
sidecar, so the README shows what the last book build measured, not hand-typed numbers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd


def main(folder: str = "paper_figures") -> int:
    d = Path(folder)
    df = pd.read_csv(d / "reproduction_summary.csv").fillna("")
    meta = json.loads((d / "reproduction_summary.json").read_text())
    print(f"Profile `{meta['profile']}`, commit `{meta['git_commit']}`, {meta['device']}, "
          f"{meta['date']}.\n")
    print("| paper item | claim | paper | this reproduction | verdict |")
    print("|---|---|---|---|---|")
    for _, r in df.iterrows():
        cells = [str(r[c]).replace("|", "/").replace("\n", " ")
                 for c in ("paper item", "claim", "paper", "reproduction", "verdict")]
        cells[-1] = f"**{cells[-1]}**"
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
