"""Property tests for read_csv: any input gives finite float64 frames or a DataError, nothing else."""

import csv
import io
import re

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlab.data import MIN_ROWS, DataError, make_dataset, read_csv

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_or_refuse(source, **kwargs):
    """read_csv's result checked for its promises, or None when it refused with a DataError."""
    try:
        X, y = read_csv(source, **kwargs)
    except DataError as exc:
        assert str(exc), "a DataError must say what is wrong"
        event("refused")
        return None
    event("read")
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert (X.dtypes == np.float64).all() and y.dtype == np.float64
    assert X.shape[1] >= 1 and len(X) == len(y) >= MIN_ROWS
    assert np.isfinite(X.to_numpy()).all() and np.isfinite(y.to_numpy()).all()
    assert y.name not in X.columns
    return X, y


@FAST
@given(st.binary(max_size=4000))
def test_random_bytes_are_read_or_refused(data):
    read_or_refuse(data)


# Cells that stress each rule: numbers in many spellings, missing tokens, infinities, separators,
# quotes, booleans, unicode digits and whitespace, and arbitrary text.
TOKENS = [
    "",
    " ",
    "NaN",
    "nan",
    "NA",
    "null",
    "#N/A",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "-1e-400",
    "1,234",
    "1,234.5",
    "1.234,5",
    "0,5",
    "true",
    "No",
    "yes",
    '"',
    '""',
    "'",
    "abc",
    " 5 ",
    "+.5",
    "5.",
    "007",
    "１２",
    "١٢",
    "\u00a05",
    "5\x0c",
    "0x10",
    "1_000",
    "99999999999999999999999",
    "1" + "0" * 400,
    "-0",
    "\u2028",
    "é",
]
number = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(-1e3, 1e3).map(lambda v: f"{v:.3f}"),
)
cell = st.one_of(number, number, st.sampled_from(TOKENS), st.text(max_size=6))


@st.composite
def csv_texts(draw):
    """Text that is mostly CSV-shaped: a header, rows of cells, optional quoting and damage."""
    clean = draw(st.booleans())  # half the tables are well formed, so reading often succeeds
    sep = draw(st.sampled_from([",", ";", "\t"] if clean else [",", ";", "\t", "|", " "]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    n_cols = draw(st.integers(2 if clean else 1, 5))
    n_rows = draw(st.integers(MIN_ROWS if clean else 0, 14))
    word = st.from_regex(r"[a-z]{1,4}", fullmatch=True)
    names = draw(st.lists(word if clean else st.one_of(word, cell), min_size=n_cols, max_size=n_cols, unique=clean))
    body = [[draw(number if clean else cell) for _ in range(n_cols)] for _ in range(n_rows)]
    quote = draw(st.sampled_from(["never", "some", "raw"]))

    def render(c):
        if quote == "some" and draw(st.booleans()):
            return '"' + c.replace('"', '""') + '"'
        if quote == "never" and any(ch in c for ch in (sep, '"', "\n", "\r")):
            return c.replace(sep, "").replace('"', "").replace("\n", "").replace("\r", "")
        return c

    lines = [sep.join(render(c) for c in row) for row in [names, *body]]
    if not clean and draw(st.booleans()):  # damage: drop or duplicate a field, or add a blank line
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(st.sampled_from([lines[i] + sep, lines[i].rpartition(sep)[0], "", lines[i] + sep + "9"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return bom + end.join(lines) + draw(st.sampled_from([end, ""])), names


@FAST
@given(csv_texts(), st.one_of(st.none(), st.integers(0, 4), st.text(max_size=4)))
def test_csv_like_text_is_read_or_refused(drawn, target_choice):
    text, names = drawn
    target = names[target_choice] if isinstance(target_choice, int) and target_choice < len(names) else None
    if isinstance(target_choice, str):
        target = target_choice
    data = text.encode("utf-8", "surrogatepass")
    result = read_or_refuse(data, target=target)
    if result is None:
        return
    if target is not None:
        assert result[1].name == target.strip()
    try:  # scaling huge values must not overflow into warnings or non-finite arrays
        d = make_dataset("csv", scaling="standardized", target_scaling="standardize", csv=data, target=target)
    except DataError as exc:
        assert "too large to standardize" in str(exc) or "cannot split" in str(exc)
        return
    for part in (d.X_train, d.X_test, d.y_train, d.y_test):
        assert part.dtype == np.float64 and np.isfinite(part).all()


@st.composite
def quote_free_numeric_texts(draw):
    """Quote-free, mostly numeric tables in the fast path's domain, with occasional flaws."""
    sep = draw(st.sampled_from([",", ";", "\t"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    n_cols = draw(st.integers(2, 4))
    odd = st.sampled_from(
        [" 5", "5 ", "+5", ".5", "5.", "1e5", "007", "-0", "", "inf", "nan", "1e400", "x", "５", "\x0c5"]
    )
    lines = [sep.join(f"c{j}" for j in range(n_cols))]
    for _ in range(draw(st.integers(MIN_ROWS - 1, MIN_ROWS + 6))):
        cells = [draw(odd if draw(st.integers(0, 30)) == 0 else number) for _ in range(n_cols)]
        if draw(st.integers(0, 20)) == 0:
            cells = cells[: draw(st.integers(0, n_cols + 1))] + ["1"] * draw(st.integers(0, 1))
        lines.append(sep.join(cells))
        if draw(st.integers(0, 10)) == 0:
            lines.append(draw(st.sampled_from(["", "  ", sep * (n_cols - 1)])))
    return end.join(lines) + draw(st.sampled_from([end, ""])), sep


PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def oracle(text, sep):
    """What read_csv must make of a quote-free table, worked out line by line without pandas.

    ("ragged", line) for the first non-blank row with another field count than the header;
    ("clean", header, columns) when every cell is a plain finite number; else ("flawed", header,
    columns) with None for each cell that is not a plain finite number.
    """
    lines = [line for line in re.split(r"\r\n|\r|\n", text)]
    numbered = [(n, line.split(sep)) for n, line in enumerate(lines, 1) if any(c.strip() for c in line.split(sep))]
    (_, header), rows = numbered[0], numbered[1:]
    for n, cells in rows:
        if len(cells) != len(header):
            return ("ragged", n)
    values = [
        [float(c) if PLAIN_NUMBER.fullmatch(c.strip(" ")) and np.isfinite(float(c)) else None for c in cells]
        for _, cells in rows
    ]
    columns = list(zip(*values)) if values else []
    clean = all(v is not None for column in columns for v in column)
    return ("clean" if clean else "flawed", [h.strip() for h in header], columns)


@settings(max_examples=200, deadline=None)
@given(quote_free_numeric_texts())
def test_quote_free_numeric_tables_read_as_an_independent_oracle_says(drawn):
    """pandas' reading of every plain number is exact, ragged rows are refused by line, flaws never pass silently."""
    text, sep = drawn
    expected = oracle(text, sep)
    try:
        X, y = read_csv(text.encode())
    except DataError as exc:
        event(f"refused ({expected[0]})")
        if expected[0] == "ragged":
            assert f"ragged rows: line {expected[1]} " in str(exc)
        elif expected[0] == "clean":  # only a row count or a constant column may refuse clean numbers
            assert "data row" in str(exc) or "same value" in str(exc), str(exc)
        return
    event(f"read ({expected[0]})")
    assert expected[0] != "ragged"
    _, header, columns = expected
    read = {**{name: X[name].to_numpy() for name in X.columns}, y.name: y.to_numpy()}
    for name, column in zip(header, columns):
        if name in read:
            assert all(v is None or v == r for v, r in zip(column, read[name])), name
    if expected[0] == "clean":
        assert list(read) == header


@st.composite
def numeric_frames(draw):
    n_rows, n_cols = draw(st.integers(MIN_ROWS, 30)), draw(st.integers(2, 5))
    names = draw(
        st.lists(
            st.from_regex(r"[A-Za-z_][A-Za-z0-9_ ]{0,7}", fullmatch=True).map(str.strip),
            min_size=n_cols,
            max_size=n_cols,
            unique=True,
        )
    )
    values = draw(
        arrays(
            np.float64, (n_rows, n_cols), elements=st.floats(allow_nan=False, allow_infinity=False), fill=st.nothing()
        )
    )
    return pd.DataFrame(values, columns=names)


@FAST
@given(numeric_frames(), st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_numeric_tables_round_trip_exactly(frame, sep, end, quoted):
    assume((frame.nunique() > 1).all())
    buffer = io.StringIO()
    frame.to_csv(
        buffer,
        sep=sep,
        lineterminator=end,
        index=False,
        float_format=lambda v: repr(float(v)),
        quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL,
    )
    X, y = read_csv(buffer.getvalue().encode())
    np.testing.assert_array_equal(X.to_numpy(), frame.iloc[:, :-1].to_numpy())
    np.testing.assert_array_equal(y.to_numpy(), frame.iloc[:, -1].to_numpy())
    assert list(X.columns) == list(frame.columns[:-1]) and y.name == frame.columns[-1]
