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
    try:
        from tqdm.std import tqdm
    except ImportError:  # a bare machine (e.g. a GPU lease with only torch, numpy, pandas)
        return _Plain(iterable, **kwargs)

    tty = sys.stderr.isatty()
    kwargs.setdefault("mininterval", 0.1 if tty else
                      float(os.environ.get("MODSCALE_PROGRESS_INTERVAL", "10")))
    kwargs.setdefault("ascii", not tty)
    kwargs.setdefault("file", sys.stderr)
    kwargs.setdefault("dynamic_ncols", tty)
    return tqdm(iterable, **kwargs)


class _Plain:
    """A minimal stand-in for tqdm where it is not installed: iterates and prints
    ``desc: i/total`` lines to stderr about every ``$MODSCALE_PROGRESS_INTERVAL`` seconds."""

    def __init__(self, iterable: Iterable | None = None, desc: str = "", total: int | None = None,
                 disable: bool = False, **_: Any) -> None:
        self.iterable, self.desc, self.disable = iterable, desc, disable
        self.total = total if total is not None else (
            len(iterable) if hasattr(iterable, "__len__") else None)  # type: ignore[arg-type]
        self.interval = float(os.environ.get("MODSCALE_PROGRESS_INTERVAL", "10"))

    def __iter__(self):
        import time

        last = time.monotonic()
        for i, item in enumerate(self.iterable or ()):
            yield item
            if not self.disable and time.monotonic() - last >= self.interval:
                last = time.monotonic()
                print(f"{self.desc}: {i + 1}/{self.total or '?'}", file=sys.stderr, flush=True)

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close(self) -> None:
        pass
