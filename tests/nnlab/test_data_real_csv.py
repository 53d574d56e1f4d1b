"""Real CSV files shipped inside scikit-learn, read by path from the installed package (not copied).

scikit-learn is BSD-3-Clause; its data files: iris (Fisher 1936), wine and breast cancer
(UCI Machine Learning Repository, CC BY 4.0), Linnerud (Tenenhaus 1998). Each starts the way users'
files do: iris, wine and breast cancer with scikit-learn's "n_samples,n_features,class names" line
where a header belongs, Linnerud separated by spaces. Values run into the hundreds and thousands
(wine's proline, breast cancer's areas), so only standardized features train with default settings.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nnlab
from nnlab.data import csv_columns, load_csv, make_dataset, read_csv

SKLEARN_DATA = Path(importlib.util.find_spec("sklearn").origin).parent / "datasets" / "data"

# name: (rows, features, target, the first note's start)
FILES = {
    "iris.csv": (150, 4, "virginica", "the header row looks like data: '150', '4' are numbers"),
    "wine_data.csv": (
        178,
        13,
        "column_14",
        "the first line ('178,13,class_0,…') holds numbers and 5 fields where the rows have 14",
    ),
    "breast_cancer.csv": (
        569,
        30,
        "column_31",
        "the first line ('569,30,malignant,…') holds numbers and 4 fields where the rows have 31",
    ),
}


@pytest.fixture(params=sorted(FILES))
def real(request):
    path = SKLEARN_DATA / request.param
    if not path.exists():
        pytest.skip(f"{path} is not installed")
    return path


def test_real_files_are_read_with_a_note_on_their_first_line(real):
    n_rows, n_features, target, note = FILES[real.name]
    loaded = load_csv(real)
    assert loaded.X.shape == (n_rows, n_features) and loaded.y.name == target
    assert loaded.notes[0].startswith(note)
    columns = csv_columns(real)
    assert columns.default_target == target and target in columns.usable_targets


def test_real_files_train_out_of_the_box(real, record_property):
    d = make_dataset("csv", csv=real)  # the default: features standardized with training statistics
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=0), 1, rtol=1e-12)
    model = nnlab.MLP().fit(d.X_train, d.y_train)
    assert model.history_.diverged_at is None
    r2 = model.score(d.X_test, d.y_test)
    record_property("test_r2", r2)
    print(f"{real.name}: test R² {r2:.3f}")
    assert r2 > 0


def test_raw_wine_features_are_in_the_thousands():
    """Why standardizing is the CSV default: proline is ~1000 where other columns are ~1."""
    X, _ = read_csv(SKLEARN_DATA / "wine_data.csv")
    assert X["column_13"].mean() > 500 and X["column_8"].mean() < 1


@pytest.mark.parametrize(
    "name, names", [("linnerud_exercise.csv", ["Chins", "Situps"]), ("linnerud_physiological.csv", ["Weight", "Waist"])]
)
def test_space_separated_linnerud_files_are_read(name, names):
    X, y = read_csv(SKLEARN_DATA / name)
    assert list(X.columns) == names and len(y) == 20
    expected = pd.read_csv(SKLEARN_DATA / name, sep=r"\s+")
    np.testing.assert_array_equal(X.to_numpy(), expected.iloc[:, :2].to_numpy(np.float64))


def test_iris_written_by_pandas_with_its_index_drops_the_index(tmp_path):
    frame = pd.read_csv(
        SKLEARN_DATA / "iris.csv",
        skiprows=1,
        header=None,
        names=["sepal length", "sepal width", "petal length", "petal width", "species"],
    )
    frame.to_csv(tmp_path / "iris_indexed.csv")  # index=True: an unnamed first column 0, 1, 2, …
    frame.rename_axis("Obs").set_axis(frame.index + 1).to_csv(tmp_path / "iris_obs.csv", index_label="Obs")
    for path, note in [
        ("iris_indexed.csv", "left out column 1 (no name): it counts the rows 0, 1, 2, … (a row index)"),
        ("iris_obs.csv", "left out 'Obs': it counts the rows 1, 2, 3, … (a row index)"),
    ]:
        loaded = load_csv(tmp_path / path)
        assert list(loaded.X.columns) == list(frame.columns[:4]) and note in loaded.notes
        assert note in make_dataset("csv", csv=tmp_path / path).notes
