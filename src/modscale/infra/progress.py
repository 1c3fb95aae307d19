"""Plain-text progress bars (tqdm without widgets, so no JavaScript lands in the HTML).

Display only: no cached result depends on this module.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any


def progress_bar(iterable: Iterable | None = None, **kwargs: Any):
    """A plain-text tqdm (no widget JavaScript in the HTML), writing to stderr.

    Outside a terminal it refreshes at most every ``$MODSCALE_PROGRESS_INTERVAL`` seconds
    (default 10) so that notebooks and logs stay short.
    """
    from tqdm.std import tqdm

    tty = sys.stderr.isatty()
    kwargs.setdefault("mininterval", 0.1 if tty else
                      float(os.environ.get("MODSCALE_PROGRESS_INTERVAL", "10")))
    kwargs.setdefault("ascii", not tty)
    kwargs.setdefault("file", sys.stderr)
    kwargs.setdefault("dynamic_ncols", tty)
    return tqdm(iterable, **kwargs)
