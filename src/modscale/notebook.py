"""Helpers for the chapters' glue: text without quotes, verdict records as glued sentences.

Display only (no cached result depends on this module).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class Text(str):
    """A string glued without quotes (``{glue:text}`` shows the ``text/plain`` repr)."""

    def __repr__(self) -> str:
        return str(self)


def glue_text(name: str, value: Any) -> None:
    """Glue ``value`` as plain text (no quotes) under ``name`` without displaying it."""
    from myst_nb import glue

    glue(name, Text(value), display=False)


def glue_verdicts(prefix: str, verdicts: Iterable[Any]) -> None:
    """Glue each verdict's ``verdict``, ``measured`` and ``criterion`` texts.

    Keys: ``<prefix>_<claim_id>_verdict``, ``..._measured``, ``..._paper``, ``..._criterion``.
    """
    for v in verdicts:
        for part in ("verdict", "measured", "paper", "criterion"):
            glue_text(f"{prefix}_{v.claim_id}_{part}", getattr(v, part))


__all__ = ["Text", "glue_text", "glue_verdicts"]
