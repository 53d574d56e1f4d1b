"""nnlab.config: reading a layer spec such as "64, 32"."""
from __future__ import annotations

import pytest

from nnlab.config import MAX_DEPTH, MAX_WIDTH, parse_hidden


@pytest.mark.parametrize("text, hidden", [("64, 32", (64, 32)), (" 8 ", (8,)), ("", ()), ("16,16; 4", (16, 16, 4)),
                                          ("3 2 1", (3, 2, 1)), ("+5", (5,))])
def test_parse_hidden_reads_widths(text, hidden):
    assert parse_hidden(text) == hidden


@pytest.mark.parametrize("text, message", [
    ("64, x", "'x' is not a whole number"), ("2.5", "'2.5' is not a whole number"),
    ("-3", "'-3' is not a whole number"), ("0", f"from 1 to {MAX_WIDTH:,} units, got 0"),
    (str(MAX_WIDTH + 1), f"got {MAX_WIDTH + 1:,}"), (", ".join(["4"] * (MAX_DEPTH + 1)), f"at most {MAX_DEPTH}")])


def test_parse_hidden_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_hidden(text)
