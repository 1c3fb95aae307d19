"""Write each chapter's ``parameters`` cell from its profile dataclass.

``python tools/sync_parameters.py`` rewrites the cell tagged ``parameters`` in every
``book/<chapter>.py`` (then run ``make sync`` to update the paired ``.ipynb``);
``--check`` only reports chapters whose cell differs (exit 1), as the tests do.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from modscale.infra.profiles import chapters, parameters_cell

BOOK = Path(__file__).resolve().parent.parent / "book"
CELL = re.compile(r'(# %% tags=\["parameters"\]\n)(.*?)(\n# %%)', re.S)


def current_cell(text: str) -> str | None:
    m = CELL.search(text)
    return None if m is None else m.group(2).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="report differences, change nothing")
    args = ap.parse_args(argv)
    bad = []
    for chapter in chapters():
        path = BOOK / f"{chapter}.py"
        text = path.read_text()
        want = parameters_cell(chapter)
        if current_cell(text) == want:
            continue
        bad.append(chapter)
        if not args.check:
            path.write_text(CELL.sub(lambda m, w=want: m.group(1) + w + m.group(3), text, count=1))
    if bad:
        print(("differs: " if args.check else "rewrote: ") + ", ".join(bad))
    return 1 if (bad and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
