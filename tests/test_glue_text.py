"""Glued texts reach the page exactly as written (myst-nb evaluates the text/plain repr)."""

import pytest
from myst_nb.core.variables import format_plain_text

from modscale.report.notebook import Text


@pytest.mark.parametrize("value", ["10,000", "100, 316, 1,000", "0.00", "+0.020", "1.50",
                                   "(3, 6, 9)", "it's \"quoted\"", "reproduced", "2"])
def test_text_glue_is_rendered_verbatim(value):
    assert format_plain_text(repr(Text(value)), "") == value


def test_plain_str_repr_would_be_changed():
    # The failure Text guards against: an unquoted repr of "10,000" renders as a tuple.
    assert format_plain_text("10,000", "") == "(10, 0)"
