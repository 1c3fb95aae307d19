"""Helpers for the chapters' glue: text without quotes, verdict records as glued sentences.

Display only (no cached result depends on this module).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def value_text(v: Any) -> str:
    """A parameter value as a reader reads it: sequences as Python tuples (``(8,)``, ``(8, 32)``),
    floats in ``g`` format, everything else as ``str``."""
    if isinstance(v, tuple | list):
        return "(" + ", ".join(value_text(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


class Text(str):
    """A string glued as text: shown exactly, without quotes. myst-nb's text role passes the
    ``text/plain`` repr through ``ast.literal_eval`` (to strip the quotes of a ``str``), so an
    unquoted repr would come out changed: ``10,000`` as ``(10, 0)``, ``0.50`` as ``0.5``. The
    repr is therefore the quoted Python literal, which evaluates back to the string itself."""

    def __repr__(self) -> str:
        return repr(str(self))


def glue(name: str, value: Any, display: bool = True) -> None:
    """``myst_nb.glue``, but a matplotlib figure is first made readable in the A4 PDF
    (:func:`modscale.report.style.fit_for_print`: legend, axis and tick text at least
    :data:`~modscale.report.style.MIN_PRINT_PT` points on the page). Chapters glue through this
    function, so every glued figure obeys the rule."""
    from myst_nb import glue as myst_glue

    if hasattr(value, "savefig") and hasattr(value, "axes"):
        from modscale.report.style import fit_for_print

        fit_for_print(value)
    myst_glue(name, value, display=display)


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


def number(v: Any, digits: int = 3, *, na: str = "—", inf: str = "not reached") -> str:
    """A number as a reader wants it: integers without ``.0`` (thousands separated), other
    values to ``digits`` significant digits, NaN/None as ``na``, +-inf as ``inf``; text as is."""
    import math

    if v is None:
        return na
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)) or hasattr(v, "dtype"):
        try:
            x = float(v)
        except (TypeError, ValueError):
            return str(v)
        if math.isnan(x):
            return na
        if math.isinf(x):
            return inf if x > 0 else f"-{inf}"
        if x == round(x) and abs(x) < 1e15:
            return f"{int(round(x)):,}" if abs(x) >= 10_000 else str(int(round(x)))
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:.{digits}g}"
    return str(v)


def show(df: Any, *, digits: int = 3, index: bool = False, na: str = "—",
         inf: str = "not reached"):
    """A DataFrame (or Series) as the book shows tables: every row, full texts, numbers by
    :func:`number` (also in the header and index), left-aligned, no index unless asked."""
    import pandas as pd

    if isinstance(df, pd.Series):
        df = df.to_frame()
        index = True
    fmt = lambda v: number(v, digits, na=na, inf=inf)  # noqa: E731
    st = df.style.format(fmt).format_index(fmt, axis=1).format_index(fmt, axis=0)
    if not index:
        st = st.hide(axis="index")
    return st.set_properties(**{"text-align": "left", "vertical-align": "top"})


__all__ = ["value_text", "Text", "glue_text", "glue_verdicts", "number", "show"]
