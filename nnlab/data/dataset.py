"""A train/test `Dataset` from any source: the built-in sets or a CSV, split and scaled by `make_dataset`."""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import check_choice
from .builtin import _DIABETES_NAMES, _DIABETES_TABLES, FEATURE_SCALINGS, make_sine, make_surface
from .csv_reader import load_csv
from .errors import DataError

SOURCES = {
    "diabetes": "Diabetes progression (442 patients, 10 features)",
    "sine": "Noisy sine wave (1 feature)",
    "surface": "Smooth 2-D surface sin(x1)·cos(x2) (2 features)",
    "csv": "Upload your own CSV",
}

TARGET_SCALINGS = {
    "none": "Target in its original units.",
    "standardize": "Target z-scored with the training split's mean and std; results shown back in original units.",
}


# eq=False: the generated __eq__/__hash__ would compare arrays element-wise and fail.
@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split: X_train (n_train, d), X_test (n_test, d), y_train (n_train,), y_test (n_test,)."""

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    target_name: str
    target_mean: float
    target_std: float
    notes: tuple[str, ...] = ()
    scaling_in_use: str = "raw"  # what the features are: "sklearn", "raw", "standardized" or "synthetic"

    def to_original_units(self, y_scaled) -> np.ndarray:
        """Undo the target scaling: y (n,) -> y · target_std + target_mean."""
        return np.asarray(y_scaled, dtype=np.float64) * self.target_std + self.target_mean


def _diabetes_source(scaling: str, csv, target, **csv_options) -> tuple[pd.DataFrame, pd.Series, str, tuple[str, ...]]:
    # Standardizing happens after the split (train statistics), so start from raw units.
    X, y = _DIABETES_TABLES["raw" if scaling == "standardized" else scaling]()
    return X, y, _DIABETES_NAMES[scaling], ()


def _sine_source(scaling: str, csv, target, **csv_options):
    return (*make_sine(), "Noisy sine: y = sin(x) + noise", ())


def _surface_source(scaling: str, csv, target, **csv_options):
    return (*make_surface(), "Surface: y = sin(x1)·cos(x2) + noise", ())


def _csv_source(scaling: str, csv, target, **csv_options):
    if csv is None:
        raise DataError("the 'csv' source needs a file: upload a CSV (csv= a path, bytes or file)")
    table = load_csv(csv, target=target, **csv_options)
    X, y, notes = table.X, table.y, list(table.notes)
    if scaling == "sklearn":
        notes.append("'sklearn' scaling applies to the diabetes data only; CSV columns are used as read")
    path = csv if isinstance(csv, (str, os.PathLike)) else getattr(csv, "name", None)
    label = Path(path).name if isinstance(path, (str, os.PathLike)) and str(path) else "upload"
    return X, y, f"CSV: {label}", tuple(notes)


_SOURCE_LOADERS = {
    "diabetes": _diabetes_source,
    "sine": _sine_source,
    "surface": _surface_source,
    "csv": _csv_source,
}
_STANDARDIZABLE = {"diabetes", "csv"}  # the synthetic sets are already on a unit scale
# A CSV's columns come in any units, so z-scores; diabetes as the tutorial ships it; the
# synthetic sets are generated on [-3, 3] and need nothing.
DEFAULT_SCALING = {"diabetes": "sklearn", "sine": "raw", "surface": "raw", "csv": "standardized"}


def default_scaling(source: str) -> str:
    """The feature scaling (a FEATURE_SCALINGS key) a source gets when none is chosen."""
    check_choice("source", source, SOURCES, DataError)
    return DEFAULT_SCALING[source]


def make_dataset(
    source: str = "diabetes",
    scaling: str | None = None,
    target_scaling: str = "none",
    split_seed: int = 42,
    test_size: float = 0.2,
    csv=None,
    target: str | None = None,
    *,
    drop_missing: bool = False,
    keep_index: bool = False,
    header: bool = True,
) -> Dataset:
    """Load `source`, split it (train_test_split, random_state=split_seed), scale; deterministic.

    Diabetes with the defaults gives 353 train and 89 test rows, as in the tutorial.
    `scaling` None means default_scaling(source). "standardized" z-scores features with the
    training split's mean and std (ddof 0), so no test information leaks into training; a column
    constant in the training split is only centred. The other scalings leave a CSV as read; the
    synthetic sets ignore `scaling`. "standardize" z-scores y with the training mean and std,
    kept as target_mean/target_std. `drop_missing`, `keep_index`, `header`: see load_csv.
    """
    check_choice("source", source, SOURCES, DataError)
    scaling = default_scaling(source) if scaling is None else scaling
    check_choice("scaling", scaling, FEATURE_SCALINGS, DataError)
    check_choice("target_scaling", target_scaling, TARGET_SCALINGS, DataError)
    csv_options = {"drop_missing": drop_missing, "keep_index": keep_index, "header": header}
    X, y, name, notes = _SOURCE_LOADERS[source](scaling, csv, target, **csv_options)
    X_train, X_test, y_train, y_test = _split(X.to_numpy(np.float64), y.to_numpy(np.float64), test_size, split_seed)
    if scaling == "standardized" and source in _STANDARDIZABLE:
        constant = X.columns[np.all(X_train == X_train[:1], axis=0)]
        notes += tuple(f"column {c!r} is constant in the training split: centred, not scaled" for c in constant)
        X_train, X_test, _, _ = _standardize(X_train, X_test)
    target_mean, target_std = 0.0, 1.0
    if target_scaling == "standardize":
        y_train, y_test, mean, scale = _standardize(y_train, y_test)
        target_mean, target_std = float(mean), float(scale)
    return Dataset(
        name=name,
        X_train=X_train,
        X_test=X_test,
        y_train=y_train,
        y_test=y_test,
        feature_names=tuple(str(c) for c in X.columns),
        target_name=str(y.name),
        target_mean=target_mean,
        target_std=target_std,
        notes=notes,
        scaling_in_use=_scaling_in_use(source, scaling),
    )


def _scaling_in_use(source: str, scaling: str) -> str:
    """What the chosen scaling did to this source's features (scikit-learn's applies to diabetes only)."""
    if source not in _STANDARDIZABLE:
        return "synthetic"
    if scaling == "sklearn" and source != "diabetes":
        return "raw"
    return scaling


def _split(X: np.ndarray, y: np.ndarray, test_size, seed) -> tuple[np.ndarray, ...]:
    """train_test_split of X (n, d), y (n,) -> X_train, X_test, y_train, y_test."""
    from sklearn.model_selection import train_test_split  # lazily, like the diabetes loader

    if not isinstance(test_size, numbers.Real) or isinstance(test_size, bool) or not 0.0 < test_size < 1.0:
        raise DataError(f"test_size must be a fraction between 0 and 1, not {test_size!r}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise DataError(f"split_seed must be a whole number, not {seed!r}")
    try:
        return tuple(train_test_split(X, y, test_size=float(test_size), random_state=int(seed)))
    except ValueError as exc:  # e.g. a test share that leaves no training rows
        raise DataError(f"cannot split {len(y)} rows with test_size={test_size}: {exc}") from exc


def _standardize(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(train − mean) / scale, (test − mean) / scale, mean, scale: train mean and std (ddof 0) per column."""
    # A constant column's computed std can be a rounding residue (1e-17), not 0: test equality.
    constant = np.all(train == train[:1], axis=0)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below instead
        mean, std = train.mean(axis=0), train.std(axis=0)
        scale = np.where(constant, 1.0, std)
        train_z, test_z = (train - mean) / scale, (test - mean) / scale
    if not (np.all(np.isfinite(scale)) and np.all(np.isfinite(train_z)) and np.all(np.isfinite(test_z))):
        raise DataError("values are too large to standardize (their squares overflow); rescale the data")
    return train_z, test_z, mean, scale
