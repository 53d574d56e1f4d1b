"""nnlab.data: the diabetes scalings (ERRATA 2), splits, synthetic sets, and read_csv's rules."""

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes as sklearn_load_diabetes
from sklearn.model_selection import train_test_split

from nnlab.data import (
    DEFAULT_SCALING,
    FEATURE_SCALINGS,
    FEATURES,
    MAX_CSV_BYTES,
    MAX_CSV_COLUMNS,
    MIN_ROWS,
    SOURCES,
    TARGET_SCALINGS,
    CsvColumns,
    DataError,
    Dataset,
    csv_columns,
    default_scaling,
    load_csv,
    load_diabetes,
    make_dataset,
    make_sine,
    make_surface,
    read_csv,
)

N_PATIENTS = 442


def table(n=12, header="x1,x2,y", sep=",", end="\n", row=None):
    """CSV bytes: a header and n rows of distinct numbers (row(i) -> list of cells overrides)."""
    row = row or (lambda i: [i, (i * 7) % 11 / 4, i * i % 13])
    lines = [header] + [sep.join(str(c) for c in row(i)) for i in range(n)]
    return (end.join(lines) + end).encode()


# --- tables -----------------------------------------------------------------------------------


def test_features_describe_the_diabetes_columns_in_order():
    X, _ = load_diabetes()
    assert list(FEATURES) == list(X.columns)
    for full, description in FEATURES.values():
        assert full.strip() and description.strip()
    serum = " ".join(FEATURES[f"s{i}"][0] for i in range(1, 7))
    for abbreviation in ("TC", "LDL", "HDL", "TCH", "LTG", "GLU"):
        assert abbreviation in serum


@pytest.mark.parametrize(
    "table_, keys",
    [
        (FEATURE_SCALINGS, {"sklearn", "raw", "standardized"}),
        (TARGET_SCALINGS, {"none", "standardize"}),
        (SOURCES, {"diabetes", "sine", "surface", "csv"}),
    ],
)
def test_choice_tables_hold_one_line_labels(table_, keys):
    assert set(table_) == keys
    assert all(isinstance(v, str) and v.strip() and "\n" not in v for v in table_.values())


# --- load_diabetes (ERRATA 2) -------------------------------------------------------------------


def test_sklearn_scaling_has_unit_norm_columns_not_unit_variance():
    X, y = load_diabetes("sklearn")
    assert X.shape == (N_PATIENTS, 10) and y.shape == (N_PATIENTS,)
    assert y.name == "progression"
    np.testing.assert_allclose(X.mean(), 0, atol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(X, axis=0), 1, rtol=1e-12)
    # Mean 0 and unit norm make the population std 1/sqrt(n), ≈ 0.0476 — far from 1.
    np.testing.assert_allclose(X.std(ddof=0), 1 / np.sqrt(N_PATIENTS), rtol=1e-12)
    assert round(1 / np.sqrt(N_PATIENTS), 4) == 0.0476


def test_raw_scaling_is_original_units_and_sklearn_is_its_normalisation():
    raw, y_raw = load_diabetes("raw")
    shipped, y = load_diabetes("sklearn")
    assert abs(raw["age"].mean() - 48.5) < 0.05
    assert set(raw["sex"].unique()) == {1.0, 2.0}
    centred = raw - raw.mean()
    np.testing.assert_allclose(shipped, centred / np.linalg.norm(centred, axis=0), atol=1e-7)
    pd.testing.assert_series_equal(y, y_raw)


def test_standardized_scaling_is_z_scored_raw_over_all_rows():
    raw, _ = load_diabetes("raw")
    X, _ = load_diabetes("standardized")
    np.testing.assert_allclose(X.mean(), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(ddof=0), 1, rtol=1e-12)
    np.testing.assert_allclose(X, (raw - raw.mean()) / raw.std(ddof=0))


def test_load_diabetes_returns_copies_the_cache_cannot_be_edited_through():
    X, y = load_diabetes("raw")
    X.iloc[:, :] = 0.0
    y.iloc[:] = 0.0
    X2, y2 = load_diabetes("raw")
    assert X2["age"].mean() > 40 and y2.mean() > 100


def test_load_diabetes_refuses_unknown_scaling_naming_the_choices():
    with pytest.raises(DataError, match="unknown scaling 'minmax'; choose one of 'sklearn', 'raw', 'standardized'"):
        load_diabetes("minmax")


# --- synthetic sets -------------------------------------------------------------------------------


def test_make_sine_is_a_noisy_sine_on_minus_three_to_three():
    X, y = make_sine()
    assert list(X.columns) == ["x"] and y.name == "y" and X.shape == (200, 1)
    assert X["x"].between(-3, 3).all()
    X0, y0 = make_sine(noise=0.0)
    np.testing.assert_allclose(y0, np.sin(X0["x"]))
    residual = y - np.sin(X["x"])
    assert 0.07 < residual.std() < 0.13  # noise=0.1


def test_make_surface_is_sin_x1_times_cos_x2():
    X, y = make_surface()
    assert list(X.columns) == ["x1", "x2"] and y.name == "y" and X.shape == (400, 2)
    X0, y0 = make_surface(n_samples=50, noise=0.0)
    np.testing.assert_allclose(y0, np.sin(X0["x1"]) * np.cos(X0["x2"]))


@pytest.mark.parametrize("make", [make_sine, make_surface])
def test_synthetic_sets_are_deterministic_per_seed(make):
    pd.testing.assert_frame_equal(make(seed=3)[0], make(seed=3)[0])
    assert not make(seed=3)[0].equals(make(seed=4)[0])


@pytest.mark.parametrize(
    "kwargs, message", [({"n_samples": 3}, "n_samples"), ({"noise": -1.0}, "noise"), ({"noise": float("nan")}, "noise")]
)
def test_synthetic_sets_refuse_bad_arguments(kwargs, message):
    with pytest.raises(DataError, match=message):
        make_sine(**kwargs)


# --- make_dataset ---------------------------------------------------------------------------------


def test_default_dataset_is_the_tutorial_split():
    d = make_dataset()
    assert isinstance(d, Dataset)
    X, y = sklearn_load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    assert (len(d.y_train), len(d.y_test)) == (353, 89)
    for ours, theirs in [(d.X_train, X_train), (d.X_test, X_test), (d.y_train, y_train), (d.y_test, y_test)]:
        assert ours.dtype == np.float64
        np.testing.assert_array_equal(ours, theirs)
    assert d.feature_names == tuple(FEATURES) and d.target_name == "progression"
    assert (d.target_mean, d.target_std) == (0.0, 1.0)
    assert d.name == "Diabetes (as shipped by scikit-learn)"


def test_zero_weights_first_mse_is_the_errata_figure():
    d = make_dataset(scaling="raw")
    w, b = np.zeros(d.X_train.shape[1]), 0.0
    mse = np.mean((d.X_train @ w + b - d.y_train) ** 2)
    assert round(mse, 1) == 29711.3  # ERRATA 5; the tutorial's 6078.97 had a left-over bias


def test_make_dataset_is_deterministic_and_the_seed_changes_the_split():
    a, b, c = make_dataset(), make_dataset(), make_dataset(split_seed=0)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_train, c.y_train)
    assert sorted(np.r_[a.y_train, a.y_test]) == sorted(np.r_[c.y_train, c.y_test])


def test_test_size_sets_the_split():
    d = make_dataset(test_size=0.5)
    assert (len(d.y_train), len(d.y_test)) == (221, 221)


def test_standardized_diabetes_uses_training_statistics_only():
    d = make_dataset(scaling="standardized")
    raw = make_dataset(scaling="raw")
    mean, std = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=0), 1, rtol=1e-12)
    np.testing.assert_allclose(d.X_test, (raw.X_test - mean) / std)
    assert abs(d.X_test.mean(axis=0)).max() > 1e-3  # test rows are not re-centred: no leakage
    assert d.name == "Diabetes (standardized with training statistics)"


def test_target_standardization_round_trips_to_original_units():
    raw = make_dataset()
    d = make_dataset(target_scaling="standardize")
    assert d.target_mean == pytest.approx(raw.y_train.mean()) and d.target_std == pytest.approx(raw.y_train.std())
    np.testing.assert_allclose(d.y_train.mean(), 0, atol=1e-12)
    np.testing.assert_allclose(d.y_train.std(), 1)
    np.testing.assert_allclose(d.to_original_units(d.y_train), raw.y_train)
    np.testing.assert_allclose(d.to_original_units(d.y_test), raw.y_test)
    np.testing.assert_array_equal(raw.to_original_units(raw.y_test), raw.y_test)


def test_make_dataset_reads_the_diabetes_table_once(monkeypatch):
    """The fast path: after the first call the table comes from the cache, never from scikit-learn's
    loader (how fast that is: benchmarks/page_speed.py)."""
    import sklearn.datasets

    first = make_dataset()  # fills the cache

    def not_again(*args, **kwargs):
        raise AssertionError("the diabetes table was read again")

    monkeypatch.setattr(sklearn.datasets, "load_diabetes", not_again)
    again = make_dataset()
    np.testing.assert_array_equal(again.X_train, first.X_train)
    np.testing.assert_array_equal(again.y_test, first.y_test)


@pytest.mark.parametrize("source, n_train, n_test, d", [("sine", 160, 40, 1), ("surface", 320, 80, 2)])
def test_synthetic_datasets_ignore_feature_scaling(source, n_train, n_test, d):
    a = make_dataset(source, scaling="sklearn")
    b = make_dataset(source, scaling="standardized")
    assert a.X_train.shape == (n_train, d) and a.X_test.shape == (n_test, d)
    np.testing.assert_array_equal(a.X_train, b.X_train)


def test_dataset_is_frozen():
    d = make_dataset()
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.name = "other"


class FakeUpload(io.BytesIO):
    """Like Streamlit's UploadedFile: a BytesIO with .name and .size."""

    def __init__(self, data: bytes, name: str = "upload.csv", size: int | None = None):
        super().__init__(data)
        self.name = name
        self.size = len(data) if size is None else size


def test_csv_dataset_from_an_upload_reports_dropped_columns():
    data = table(20, header="x1,colour,x2,y", row=lambda i: [i, "red", i % 3, i % 5])
    d = make_dataset("csv", csv=FakeUpload(data, name="shop.csv"))
    assert d.name == "CSV: shop.csv"
    assert d.feature_names == ("x1", "x2") and d.target_name == "y"
    assert (len(d.y_train), len(d.y_test)) == (16, 4)
    assert any("dropped column 'colour'" in note for note in d.notes)


def test_csv_dataset_standardizes_with_training_statistics(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(table(30))
    raw = make_dataset("csv", scaling="raw", csv=path)
    d = make_dataset("csv", scaling="standardized", target_scaling="standardize", csv=str(path), target="y")
    assert d.name == "CSV: data.csv"
    np.testing.assert_allclose(d.X_test, (raw.X_test - raw.X_train.mean(0)) / raw.X_train.std(0))
    np.testing.assert_allclose(d.to_original_units(d.y_test), raw.y_test)
    assert any("diabetes data only" in n for n in make_dataset("csv", scaling="sklearn", csv=path).notes)


def test_csv_column_constant_in_the_training_split_is_centred_and_noted():
    # x2 is 1 only in the one row that the split sends to the test set.
    (test_row,) = train_test_split(np.arange(10), test_size=0.1, random_state=0)[1]
    data = table(10, row=lambda i: [i, 1 if i == test_row else 0, i % 4])
    d = make_dataset("csv", scaling="standardized", csv=data, split_seed=0, test_size=0.1)
    assert np.isfinite(d.X_train).all() and np.isfinite(d.X_test).all()
    assert any("'x2' is constant in the training split" in n for n in d.notes)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"source": "iris"}, "unknown source 'iris'; choose one of 'diabetes', 'sine', 'surface', 'csv'"),
        ({"scaling": "minmax"}, "unknown scaling 'minmax'"),
        ({"target_scaling": "log"}, "unknown target_scaling 'log'; choose one of 'none', 'standardize'"),
        ({"source": "csv"}, "needs a file"),
        ({"test_size": 0.0}, "test_size must be a fraction between 0 and 1"),
        ({"test_size": 1.0}, "test_size"),
        ({"test_size": "0.2"}, "test_size"),
        ({"split_seed": "42"}, "split_seed must be a whole number"),
        ({"source": "csv", "csv": b"a,b\n1,2\n"}, "at least 10"),
    ],
)
def test_make_dataset_refuses_bad_arguments(kwargs, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        make_dataset(**kwargs)


# --- read_csv: what is accepted ---------------------------------------------------------------------


def check_frames(X, y):
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert (X.dtypes == np.float64).all() and y.dtype == np.float64
    assert np.isfinite(X.to_numpy()).all() and np.isfinite(y.to_numpy()).all()
    assert len(X) == len(y) >= MIN_ROWS


def test_plain_csv_reads_features_and_last_column_as_target():
    X, y = read_csv(table())
    check_frames(X, y)
    assert list(X.columns) == ["x1", "x2"] and y.name == "y"
    np.testing.assert_array_equal(X["x1"], np.arange(12.0))
    np.testing.assert_array_equal(y, [i * i % 13 for i in range(12)])
    assert X.attrs == {"dropped": {}, "converted": {}}


def test_target_can_be_any_named_column():
    X, y = read_csv(table(), target="x1")
    assert list(X.columns) == ["x2", "y"] and y.name == "x1"
    X, y = read_csv(table(), target=" x2 ")
    assert y.name == "x2"


@pytest.mark.parametrize(
    "make_source",
    [
        lambda data, tmp: data,
        lambda data, tmp: bytearray(data),
        lambda data, tmp: memoryview(data),
        lambda data, tmp: io.BytesIO(data),
        lambda data, tmp: FakeUpload(data),
        lambda data, tmp: _exhausted(FakeUpload(data)),
        lambda data, tmp: io.BufferedReader(io.BytesIO(data)),
        lambda data, tmp: io.StringIO(data.decode()),
        lambda data, tmp: _written(tmp / "t.csv", data),
        lambda data, tmp: str(_written(tmp / "t.csv", data)),
    ],
    ids=[
        "bytes",
        "bytearray",
        "memoryview",
        "BytesIO",
        "upload",
        "upload-read-already",
        "stream",
        "text-stream",
        "Path",
        "str",
    ],
)
def test_every_kind_of_source_reads_the_same(make_source, tmp_path):
    data = table()
    X, y = read_csv(make_source(data, tmp_path))
    X_ref, y_ref = read_csv(data)
    pd.testing.assert_frame_equal(X, X_ref)
    pd.testing.assert_series_equal(y, y_ref)


def _exhausted(f):
    f.read()
    return f


def _written(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "data",
    [
        table(sep=";", header="x1;x2;y"),
        table(sep="\t", header="x1\tx2\ty"),
        table(end="\r\n"),
        table(end="\r"),
        b"\xef\xbb\xbf" + table(),
        b"\n\n" + table().replace(b"\n5,", b"\n\n,,\n  , ,\n5,"),
        table(row=lambda i: [f" {i} ", f'"{(i * 7) % 11 / 4}"', i * i % 13]),
        table(header='"x1", "x2",y'),
    ],
    ids=["semicolon", "tab", "crlf", "cr", "bom", "blank-lines", "spaces-and-quotes", "quoted-header"],
)
def test_odd_but_valid_layouts_read_the_same_numbers(data):
    X, y = read_csv(data)
    X_ref, y_ref = read_csv(table())
    np.testing.assert_array_equal(X.to_numpy(), X_ref.to_numpy())
    np.testing.assert_array_equal(y.to_numpy(), y_ref.to_numpy())
    assert list(X.columns) == ["x1", "x2"]


def test_thousands_separators_are_removed_and_recorded():
    X, _ = read_csv(table(header="x1,price,y", row=lambda i: [i, f'"{1234567 + i:,}.5"', i % 5]))
    np.testing.assert_array_equal(X["price"], [1234567.5 + i for i in range(12)])
    assert X.attrs["converted"] == {"price": "thousands separators removed"}


def test_semicolon_files_read_the_comma_as_the_decimal_mark():
    X, y = read_csv(table(header="x1;x2;y", sep=";", row=lambda i: [i, f"{i},5", f"1.00{i % 10},25"]))
    np.testing.assert_array_equal(X["x2"], np.arange(12) + 0.5)
    np.testing.assert_array_equal(y, [1000.25 + i % 10 for i in range(12)])
    assert "decimal comma" in X.attrs["converted"]["x2"]


def test_boolean_columns_become_zero_and_one():
    X, _ = read_csv(table(header="x1,smoker,y", row=lambda i: [i, ["True", "no", "YES", "false"][i % 4], i % 5]))
    np.testing.assert_array_equal(X["smoker"], [1.0, 0.0, 1.0, 0.0] * 3)
    assert "smoker" in X.attrs["converted"]


def test_non_numeric_columns_are_dropped_with_their_reason():
    data = table(
        header="x1,city,score,empty,x2,y",
        row=lambda i: [i, f"city{i}", "n/a?" if i == 3 else i % 4, "NA", i % 3, i % 5],
    )
    X, y = read_csv(data)
    assert list(X.columns) == ["x1", "x2"]
    assert X.attrs["dropped"] == {
        "city": "text, not numbers (e.g. 'city0' on line 2)",
        "score": "1 of 12 values are not numbers (first: 'n/a?' on line 5)",
        "empty": "every cell is empty",
    }


def test_uploads_are_checked_by_size_before_being_read():
    class Huge(FakeUpload):
        def getvalue(self):
            raise AssertionError("read before the size check")

        read = getvalue

    with pytest.raises(DataError, match=r"over the limit of 52,428,800 bytes \(50 MB\)"):
        read_csv(Huge(b"x", size=MAX_CSV_BYTES + 1))


# --- read_csv: every refusal says what is wrong ----------------------------------------------------

WIDE = ",".join(f"c{j}" for j in range(MAX_CSV_COLUMNS + 1)).encode() + b"\n" + b"1,2\n"

REFUSALS = {
    "empty": (b"", "the file is empty"),
    "whitespace": (b" \r\n\t\n", "only whitespace"),
    "nul-byte": (b"a,b\n1,\x002\n", "NUL byte at offset 6"),
    "control-chars": (bytes(range(1, 9)) * 10, "control characters"),
    "utf16": ("a,b\n".encode("utf-16"), "UTF-16"),
    "latin1": ("x,temp\xe9rature\n".encode("latin-1"), "byte 0xE9 at offset 6 (line 1) is not valid UTF-8"),
    "only-delimiters": (b",,\n , ,\n", "only delimiters and blank lines"),
    "header-only": (b"x1,x2,y\n", "header row but no data rows"),
    "too-few-rows": (table(MIN_ROWS - 1), f"only {MIN_ROWS - 1} data rows; at least {MIN_ROWS}"),
    "one-column": (b"y\n" + b"1\n" * 12, "only one column ('y')"),
    "no-header": (table()[8:], "no header row: the first row holds only numbers (0, 0.0, 0)"),
    "duplicates": (table(header="a,b,a"), "duplicate column names: 'a' (columns 1, 3)"),
    "too-wide": (WIDE, f"{MAX_CSV_COLUMNS + 1:,} columns; the limit is {MAX_CSV_COLUMNS:,}"),
    "unnamed-column": (table(header="x1,,y"), "column 2 has values but no name"),
    "ragged": (table().replace(b"\n3,", b"\n3,1,", 1), "ragged rows: line 5 has 4 fields but the header has 3"),
    "unbalanced-quote": (table().replace(b"\n3,", b'\n"3,', 1), "unbalanced quotes"),
    "text-after-quote": (
        table().replace(b"\n3,", b'\n"3"a,', 1),
        "line 5 has text (perhaps a space) after a closing double quote",
    ),
    "space-after-quote": (table(header='"x1" ,x2,y'), "line 1 has text (perhaps a space) after a closing"),
    "long-field": (
        table(row=lambda i: [i, "9" * 200_000 if i == 1 else i, i % 3]),
        "line 3 has a field longer than 131,072",
    ),
    "missing": (
        table(row=lambda i: [i, "" if i in (2, 8, 9) else i % 5, i % 3]),
        "empty or missing cells in 'x2': 3 rows (lines 4, 10, 11)",
    ),
    "missing-target": (
        table(row=lambda i: [i, i % 5, "NaN" if i == 0 else i % 3]),
        "missing cells in target 'y': 1 row (line 2)",
    ),
    "inf": (table(row=lambda i: [i, "-inf" if i == 4 else i % 5, i % 3]), "infinite values in 'x2': 1 row (line 6)"),
    "overflow": (table(row=lambda i: [i, "1e999" if i == 4 else i % 5, i % 3]), "infinite values in 'x2'"),
    "constant-feature": (
        table(row=lambda i: [i, 7, i % 3]),
        "same value in every row carry no information: 'x2' (always 7)",
    ),
    "constant-target": (table(row=lambda i: [i, i % 5, 3]), "target column 'y' has the same value (3) in every row"),
    "no-numeric-feature": (
        table(header="a,b,y", row=lambda i: ["u", "v", i]),
        "no usable numeric feature column (dropped 'a': text",
    ),
    "text-target": (
        table(row=lambda i: [i, i % 5, "high"]),
        "target column 'y' is not numeric: text, not numbers (e.g. 'high' on line 2)",
    ),
}


@pytest.mark.parametrize("data, message", REFUSALS.values(), ids=REFUSALS.keys())
def test_refusals_name_the_problem(data, message):
    with pytest.raises(DataError) as info:
        read_csv(data)
    assert message in str(info.value)


def test_missing_target_lists_the_available_columns_and_a_near_match():
    with pytest.raises(
        DataError, match=r"target column 'Y' not found \(did you mean 'y'\?\); available columns: 'x1', 'x2', 'y'"
    ):
        read_csv(table(), target="Y")


@pytest.mark.parametrize(
    "source, kwargs, message",
    [
        (table(), {"target": 2}, "the target must be a column name"),
        (12345, {}, "cannot read a CSV from a int"),
        ("/no/such/file.csv", {}, "cannot open '/no/such/file.csv'"),
        ("bad\x00path.csv", {}, "cannot open"),
        (table(), {"max_bytes": 100}, "over the limit of 100 bytes"),
    ],
)
def test_unusable_sources_and_arguments_are_refused(source, kwargs, message):
    with pytest.raises(DataError, match=message):
        read_csv(source, **kwargs)


def test_a_folder_or_a_closed_file_is_refused(tmp_path):
    with pytest.raises(DataError, match="is a folder"):
        read_csv(tmp_path)
    f = open(_written(tmp_path / "t.csv", table()), "rb")
    f.close()
    with pytest.raises(DataError, match="cannot read the uploaded file"):
        read_csv(f)


def test_path_over_the_limit_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    path = _written(tmp_path / "t.csv", table())
    monkeypatch.setattr(type(path), "open", lambda *a, **k: pytest.fail("opened"))
    with pytest.raises(DataError, match="over the limit of 100 bytes"):
        read_csv(path, max_bytes=100)


# --- load_csv and csv_columns: what a page shows beside the data -----------------------------------


def test_whitespace_separated_files_are_read():
    data = b"a b  c\n" + b"".join(f"{i}  {i % 4} {i * i % 7}\n".encode() for i in range(12))
    X, y = read_csv(data)
    assert list(X.columns) == ["a", "b"] and y.name == "c"
    np.testing.assert_array_equal(X["b"], [i % 4 for i in range(12)])


def test_whitespace_rows_with_another_field_count_are_ragged():
    data = b"a b c\n" + b"".join(f"{i} {i % 4} {i % 7}{' 9' if i == 3 else ''}\n".encode() for i in range(12))
    with pytest.raises(
        DataError, match="ragged rows: line 5 has 4 fields but the header has 3 \\(whitespace-separated\\)"
    ):
        read_csv(data)


@pytest.mark.parametrize("name, start", [("Obs", 1), ("", 0), ("Unnamed: 0", 0), ("id", 1), ("row.names", 1)])
def test_a_row_index_column_is_left_out_with_a_note(name, start):
    data = table(12, header=f"{name},x1,x2,y", row=lambda i: [i + start, i % 5, (i * 7) % 11 / 4, i % 3])
    loaded = load_csv(data)
    assert list(loaded.X.columns) == ["x1", "x2"] and loaded.y.name == "y"
    shown = repr(name) if name else "column 1 (no name)"
    counts = "1, 2, 3" if start else "0, 1, 2"
    assert f"left out {shown}: it counts the rows {counts}, … (a row index)" in loaded.notes
    assert loaded.index_columns == (name or "(column 1)",) and loaded.dropped == {}
    kept = load_csv(data, keep_index=True) if name else None
    if kept is not None:
        assert list(kept.X.columns) == [name, "x1", "x2"] and kept.notes == ()


def test_pandas_index_is_left_out_of_a_frame_pandas_wrote():
    frame = pd.DataFrame({"x1": np.arange(12.0) ** 2, "x2": np.arange(12.0) % 5, "y": np.arange(12.0) % 3})
    X, y = read_csv(frame.to_csv(index=True).encode())
    assert list(X.columns) == ["x1", "x2"] and y.name == "y"


def test_counting_columns_are_kept_under_a_real_name_or_out_of_order():
    X, _ = read_csv(table(12))  # x1 is 0, 1, 2, … but a feature's name
    assert "x1" in X.columns
    shuffled = table(12, header="Obs,x2,y", row=lambda i: [(i * 5) % 12, i % 5, i % 3])
    assert "Obs" in read_csv(shuffled)[0].columns


def test_an_index_column_named_as_the_target_is_the_target():
    X, y = read_csv(table(12, header="id,x2,y", row=lambda i: [i + 1, i % 5, i % 3]), target="id")
    assert y.name == "id" and list(X.columns) == ["x2", "y"]


def test_a_header_with_numbers_among_its_names_is_kept_with_a_warning():
    loaded = load_csv(table(12, header="150,4,setosa", row=lambda i: [i, i % 5, i % 3]))
    assert list(loaded.X.columns) == ["150", "4"] and loaded.y.name == "setosa"
    assert "the header row looks like data: '150', '4' are numbers, not column names" in loaded.notes[0]


def test_a_numeric_first_line_of_another_width_is_read_as_a_description():
    data = b"12,2,low,high\n" + table(12)[len(b"x1,x2,y\n") :]
    loaded = load_csv(data)
    assert list(loaded.X.columns) == ["column_1", "column_2"] and loaded.y.name == "column_3"
    assert loaded.notes[0].startswith("the first line ('12,2,low,…') holds numbers and 4 fields where the rows have 3")
    np.testing.assert_array_equal(loaded.X.to_numpy(), read_csv(table(12))[0].to_numpy())


def test_header_false_names_the_columns_and_reads_the_first_row_as_data():
    X, y = read_csv(table(12)[len(b"x1,x2,y\n") :], header=False)
    assert list(X.columns) == ["column_1", "column_2"] and y.name == "column_3" and len(y) == 12


MISSING = table(
    20,
    header="a,b,c,d,e,y",
    row=lambda i: [
        i,
        "" if i in (3, 4) else i % 3,
        "NA" if i == 5 else i % 4,
        "" if i == 6 else i % 6,
        "" if i == 7 else i % 7,
        i % 5,
    ],
)


def test_missing_cells_are_counted_by_row_and_named_by_a_few_columns():
    with pytest.raises(DataError) as info:
        read_csv(MISSING)
    message = str(info.value)
    assert message.startswith(
        "empty or missing cells in 'b': 2 rows (lines 5, 6); 'c': 1 row (line 7); 'd': 1 row (line 8) "
        "and 1 more column (5 rows in all)"
    )
    assert "'e'" not in message and len(message) < 250


def test_drop_missing_drops_those_rows_and_says_how_many():
    loaded = load_csv(MISSING, drop_missing=True)
    assert len(loaded.y) == 15 and np.isfinite(loaded.X.to_numpy()).all()
    assert "dropped 5 rows with missing cells (in 'b', 'c', 'd' and 1 more)" in loaded.notes
    d = make_dataset("csv", csv=MISSING, drop_missing=True)
    assert len(d.y_train) + len(d.y_test) == 15 and "dropped 5 rows" in " ".join(d.notes)


def test_drop_missing_refuses_when_too_few_rows_are_left():
    data = table(12, row=lambda i: [i, "" if i % 2 else i % 5, i % 3])
    with pytest.raises(
        DataError, match="6 of 12 rows have missing cells \\(in 'x2'\\); without them only 6 rows are left"
    ):
        read_csv(data, drop_missing=True)


def test_csv_columns_lists_usable_targets_even_when_the_last_column_is_not():
    data = table(12, header="Obs,x1,label,x2,empty", row=lambda i: [i + 1, i % 5, f"c{i % 3}", (i * 7) % 11, ""])
    columns = csv_columns(data)
    assert columns.names == ("Obs", "x1", "label", "x2", "empty")
    assert columns.usable_targets == ("x1", "x2") and columns.default_target == "x2"
    assert (
        "the last column 'empty' cannot be the target (every cell is empty); the target is 'x2' unless you "
        "choose another" in columns.notes
    )
    assert any("left out 'Obs'" in n for n in columns.notes)
    X, y = read_csv(data, target=columns.default_target)
    assert y.name == "x2" and list(X.columns) == ["x1"]


def test_csv_columns_of_a_plain_table():
    assert csv_columns(table()) == CsvColumns(("x1", "x2", "y"), ("x1", "x2", "y"), "y", ())


def test_csv_columns_still_refuses_an_unreadable_file():
    with pytest.raises(DataError, match="UTF-16"):
        csv_columns("a,b\n".encode("utf-16"))


def test_each_source_has_one_default_scaling_used_when_none_is_given():
    assert set(DEFAULT_SCALING) == set(SOURCES) and set(DEFAULT_SCALING.values()) <= set(FEATURE_SCALINGS)
    assert default_scaling("diabetes") == "sklearn" and default_scaling("csv") == "standardized"
    np.testing.assert_array_equal(make_dataset().X_train, make_dataset(scaling="sklearn").X_train)
    d = make_dataset("csv", csv=table(30))
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=0), 1)
    with pytest.raises(DataError, match="unknown source"):
        default_scaling("iris")


def test_a_ragged_row_among_blank_lines_is_refused_not_read_on_spaces():
    # Found by the fuzz oracle: a blank line's missing tab hid the long row's extra one, and runs of
    # whitespace then split every line in two, so the row's 1 moved into the wrong column.
    text = "c0\tc1\n" + "".join(f"{i}\t{i + 1}\n" for i in range(10)) + "\n 5\t\t1\n"
    with pytest.raises(DataError, match="ragged rows: line 13 has 3 fields but the header has 2"):
        read_csv(text.encode())
