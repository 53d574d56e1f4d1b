"""nnlab.config: reading a layer spec such as "64, 32", and what validate() refuses."""

from __future__ import annotations

import pytest

from nnlab.config import MAX_DEPTH, MAX_WIDTH, Config, parse_hidden


@pytest.mark.parametrize(
    "text, hidden",
    [("64, 32", (64, 32)), (" 8 ", (8,)), ("", ()), ("16,16; 4", (16, 16, 4)), ("3 2 1", (3, 2, 1)), ("+5", (5,))],
)
def test_parse_hidden_reads_widths(text, hidden):
    assert parse_hidden(text) == hidden


@pytest.mark.parametrize(
    "text, message",
    [
        ("64, x", "'x' is not a whole number"),
        ("2.5", "'2.5' is not a whole number"),
        ("-3", "'-3' is not a whole number"),
        ("0", f"from 1 to {MAX_WIDTH:,} units, got 0"),
        (str(MAX_WIDTH + 1), f"got {MAX_WIDTH + 1:,}"),
        (", ".join(["4"] * (MAX_DEPTH + 1)), f"at most {MAX_DEPTH}"),
    ],
)
def test_parse_hidden_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_hidden(text)


def test_hidden_must_be_a_tuple_so_the_config_can_key_a_cache():
    with pytest.raises(ValueError, match=r"hidden must be a tuple of layer widths, got \[64, 32\]"):
        Config(hidden=[64, 32]).validate()
    with pytest.raises(ValueError, match="at most 10 layer widths"):
        Config(hidden=(4,) * 11).validate()
