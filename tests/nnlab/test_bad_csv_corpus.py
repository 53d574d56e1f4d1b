"""Every file in tests/data/bad_csv/ through read_csv: a DataError saying what is wrong, or data."""

import importlib.util
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from nnlab.data import MAX_CSV_BYTES, DataError, read_csv

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "bad_csv"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_bad_csv", DATA / "make_bad_csv.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


class Ok(NamedTuple):
    """Odd but valid: read into n_rows rows with these features; these columns dropped/converted."""

    n_rows: int
    features: tuple[str, ...]
    dropped: tuple[str, ...] = ()
    converted: tuple[str, ...] = ()


class Err(NamedTuple):
    """Refused with a DataError whose message contains every one of these fragments."""

    fragments: tuple[str, ...]


def err(*fragments: str) -> Err:
    return Err(fragments)


XY = ("x1", "x2")

EXPECTED = {
    "empty.csv": err("the file is empty"),
    "only_whitespace.csv": err("only whitespace"),
    "only_delimiters.csv": err("no values, only delimiters"),
    "header_only.csv": err("header row but no data rows"),
    "one_row.csv": err("only 1 data row", "at least 10"),
    "nine_rows.csv": err("only 9 data rows"),
    "ten_rows.csv": Ok(10, XY),
    "one_column.csv": err("only one column ('y')"),
    "pipe_delimited.csv": err("only one column ('x1|x2|y')", "commas, semicolons or tabs"),
    "no_header.csv": err("no header row", "only numbers"),
    "no_numeric_feature.csv": err("no usable numeric feature column", "'city'", "'colour'"),
    "text_target.csv": err("target column 'label' is not numeric", "'class0' on line 2"),
    "all_nan_column.csv": Ok(12, XY, dropped=("empty",)),
    "nan_cells.csv": err("empty or missing cells in 'x2': 2 rows (lines 5, 9)"),
    "na_tokens.csv": err("empty or missing cells in 'x2': 3 rows"),
    "target_nan.csv": err("missing cells in target 'y': 1 row (line 6)"),
    "inf_value.csv": err("infinite values in 'x2': 1 row (line 8)"),
    "overflow_number.csv": err("infinite values in 'x2'"),
    "mixed_types.csv": Ok(12, ("x1",), dropped=("x2",)),
    "excel_errors.csv": Ok(12, ("x1",), dropped=("x2",)),
    "thousands_separators.csv": Ok(12, ("x1", "price"), converted=("price",)),
    "semicolon.csv": Ok(12, XY),
    "semicolon_decimal_comma.csv": Ok(12, XY, converted=("x2", "y")),
    "tab_separated.tsv": Ok(12, XY),
    "crlf.csv": Ok(12, XY),
    "cr_only.csv": Ok(12, XY),
    "blank_lines.csv": Ok(12, XY),
    "trailing_delimiter.csv": Ok(12, XY, dropped=("(column 4)",)),
    "quoted_fields.csv": Ok(12, ("x, first", 'x "second"')),
    "unicode_names.csv": Ok(12, ("größe", "温度")),
    "boolean_column.csv": Ok(12, ("x1", "smoker"), converted=("smoker",)),
    "utf8_bom.csv": Ok(12, XY),
    "duplicate_headers.csv": err("duplicate column names: 'x1' (columns 1, 2)"),
    "duplicate_after_strip.csv": err("duplicate column names: 'x1'"),
    "empty_header_name.csv": err("column 2 has values but no name"),
    "constant_feature.csv": err("same value in every row", "'x2' (always 3.5)"),
    "constant_target.csv": err("target column 'y' has the same value (42)"),
    "ragged_long_row.csv": err("ragged rows: line 5 has 4 fields but the header has 3"),
    "ragged_short_row.csv": err("ragged rows: line 7 has 2 fields but the header has 3"),
    "unbalanced_quote.csv": err("unbalanced quotes", "line 4"),
    "text_after_quote.csv": err("line 4 has text (perhaps a space) after a closing double quote"),
    "very_long_field.csv": err("line 4 has a field longer than"),
    "very_wide.csv": err("2,000 columns", "limit is 1,000"),
    "html_page.csv": err("only one column ('<!DOCTYPE html>')"),
    "json_document.csv": err("line 1 has text (perhaps a space) after a closing double quote"),
    "latin1.csv": err("byte 0xE9 at offset 4 (line 1) is not valid UTF-8", "Latin-1"),
    "utf16.csv": err("UTF-16"),
    "binary_garbage.bin": err("not a text CSV file", "NUL byte at offset"),
    "binary_no_nul.bin": err("not a text CSV file", "control characters"),
    "zip_archive.xlsx": err("not a text CSV file", "NUL byte at offset 5"),
}

CORPUS_FILES = sorted(p.name for p in CORPUS.iterdir() if not p.name.startswith("."))  # not .gitattributes


def test_corpus_is_large_and_fully_described():
    assert len(CORPUS_FILES) >= 30
    assert set(CORPUS_FILES) == set(EXPECTED), "each corpus file needs an EXPECTED entry, and vice versa"


def test_committed_corpus_matches_its_generator(tmp_path):
    generator.write_all(tmp_path)
    fresh = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {name: (CORPUS / name).read_bytes() for name in CORPUS_FILES}
    assert fresh == committed, "run `python tests/data/make_bad_csv.py` and commit the result"


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_file(name):
    expected = EXPECTED.get(name)
    assert expected is not None, f"{name} is not in EXPECTED"
    path = CORPUS / name
    if isinstance(expected, Err):
        with pytest.raises(DataError) as info:
            read_csv(path)
        for fragment in expected.fragments:
            assert fragment in str(info.value)
        return
    X, y = read_csv(path)
    assert X.shape == (expected.n_rows, len(expected.features))
    assert tuple(X.columns) == expected.features
    assert X.dtypes.eq(np.float64).all() and y.dtype == np.float64
    assert np.isfinite(X.to_numpy()).all() and np.isfinite(y.to_numpy()).all()
    assert tuple(X.attrs["dropped"]) == expected.dropped
    assert tuple(X.attrs["converted"]) == expected.converted


@pytest.mark.parametrize(
    "name", ["semicolon.csv", "tab_separated.tsv", "crlf.csv", "cr_only.csv", "utf8_bom.csv", "blank_lines.csv"]
)
def test_odd_layouts_read_the_same_numbers_as_plain_csv(name):
    X_ref, y_ref = read_csv(generator._rows(12).encode())
    X, y = read_csv(CORPUS / name)
    np.testing.assert_array_equal(X.to_numpy(), X_ref.to_numpy())
    np.testing.assert_array_equal(y.to_numpy(), y_ref.to_numpy())


def test_conversions_give_the_numbers_written():
    X, _ = read_csv(CORPUS / "thousands_separators.csv")
    np.testing.assert_array_equal(X["price"], [1000 + i * 1234 for i in range(12)])
    X, y = read_csv(CORPUS / "semicolon_decimal_comma.csv")
    np.testing.assert_array_equal(X["x2"], [i // 4 + i % 4 * 0.25 for i in range(12)])
    np.testing.assert_array_equal(y, [1000.5 + i for i in range(12)])
    X, _ = read_csv(CORPUS / "boolean_column.csv")
    np.testing.assert_array_equal(X["smoker"], [float(i % 3 != 0) for i in range(12)])


@pytest.fixture(scope="module")
def oversized(tmp_path_factory) -> Path:
    """A well-formed CSV just over the 50 MB limit, written at test time (never committed)."""
    return generator.write_oversized(tmp_path_factory.mktemp("big") / "oversized.csv", MAX_CSV_BYTES)


def test_file_over_the_upload_limit_is_refused_before_reading(oversized, monkeypatch):
    assert oversized.stat().st_size > MAX_CSV_BYTES

    def refuse_to_open(*args, **kwargs):
        raise AssertionError("read_csv opened a file it should have refused by its size")

    monkeypatch.setattr(Path, "open", refuse_to_open)
    with pytest.raises(DataError, match=r"over the limit of 52,428,800 bytes \(50 MB\)"):
        read_csv(oversized)


def test_oversized_content_is_refused_from_bytes_too(oversized):
    with pytest.raises(DataError, match="over the limit"):
        read_csv(oversized.read_bytes())


@pytest.mark.slow
def test_the_same_file_at_the_limit_is_read(oversized):
    X, y = read_csv(oversized, max_bytes=oversized.stat().st_size)
    assert X.shape[1] == 2 and len(y) == X.shape[0] > 2_500_000
