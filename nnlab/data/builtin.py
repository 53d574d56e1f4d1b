"""The built-in data: scikit-learn's diabetes table in three scalings, and two synthetic sets."""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np
import pandas as pd

from ..config import check_choice
from .errors import MIN_ROWS, DataError

FEATURES = {
    "age": ("Age", "Age in years at baseline."),
    "sex": ("Sex", "Sex, recorded as one of two codes (1 or 2 in the raw data)."),
    "bmi": ("Body mass index", "Weight in kilograms divided by the square of height in metres."),
    "bp": ("Blood pressure", "Average blood pressure (mean arterial pressure, mm Hg)."),
    "s1": ("Total cholesterol (TC)", "Total serum cholesterol (mg/dL)."),
    "s2": ("LDL", "Low-density lipoproteins, the 'bad' cholesterol (mg/dL)."),
    "s3": ("HDL", "High-density lipoproteins, the 'good' cholesterol (mg/dL)."),
    "s4": ("Total cholesterol / HDL (TCH)", "Ratio of total cholesterol to HDL."),
    "s5": ("Triglycerides (LTG)", "Log of the serum triglycerides level."),
    "s6": ("Blood sugar (GLU)", "Blood glucose level (mg/dL)."),
}

FEATURE_SCALINGS = {
    "sklearn": "As shipped by scikit-learn: each column mean-centred with unit L2 norm (std ≈ 0.048, not 1).",
    "raw": "Original units (years, mm Hg, mg/dL, …); columns differ in scale by orders of magnitude.",
    "standardized": "Each column z-scored (mean 0, std 1) with statistics of the training split only.",
}

TARGET_NAME = "progression"

_DIABETES_NAMES = {
    "sklearn": "Diabetes (as shipped by scikit-learn)",
    "raw": "Diabetes (raw units)",
    "standardized": "Diabetes (standardized with training statistics)",
}


@functools.lru_cache(maxsize=2)
def _sklearn_diabetes(scaled: bool) -> tuple[pd.DataFrame, pd.Series]:
    """The diabetes table as loaded by scikit-learn: X (442, 10), y (442,); cached, never mutate."""
    # Imported here: scikit-learn costs about a second to import, and only this path needs it.
    from sklearn.datasets import load_diabetes as _load

    bunch = _load(scaled=scaled, as_frame=True)
    return bunch.data.astype(np.float64), bunch.target.astype(np.float64).rename(TARGET_NAME)


def _zscore_columns(X: pd.DataFrame) -> pd.DataFrame:
    """Each column minus its mean over its std (ddof 0): (n, d) -> (n, d)."""
    return (X - X.mean()) / X.std(ddof=0)


_DIABETES_TABLES = {
    "sklearn": lambda: _sklearn_diabetes(True),
    "raw": lambda: _sklearn_diabetes(False),
    "standardized": lambda: (_zscore_columns(_sklearn_diabetes(False)[0]), _sklearn_diabetes(False)[1]),
}


def load_diabetes(scaling: str = "sklearn") -> tuple[pd.DataFrame, pd.Series]:
    """The 442-patient diabetes table: X (442, 10) with FEATURES as columns, y (442,) 'progression'.

    "sklearn" is scikit-learn's shipped scaling (unit L2 norm per column, std ≈ 0.048);
    "raw" is the original units; "standardized" z-scores the raw columns over all 442 rows
    (ddof 0). `make_dataset` instead standardizes with training statistics only.
    """
    check_choice("scaling", scaling, FEATURE_SCALINGS, DataError)
    X, y = _DIABETES_TABLES[scaling]()
    return X.copy(), y.copy()  # copies, so a caller's edits cannot reach the cache


def make_sine(n_samples: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """y = sin(x) + noise·N(0, 1) with x uniform on [-3, 3]: X (n, 1) column 'x', y (n,) 'y'."""
    _check_synthetic_args(n_samples, noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, n_samples)
    y = np.sin(x) + noise * rng.standard_normal(n_samples)
    return pd.DataFrame({"x": x}), pd.Series(y, name="y")


def make_surface(n_samples: int = 400, noise: float = 0.1, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """y = sin(x1)·cos(x2) + noise·N(0, 1) on [-3, 3]²: X (n, 2) columns 'x1', 'x2', y (n,) 'y'."""
    _check_synthetic_args(n_samples, noise)
    rng = np.random.default_rng(seed)
    x1, x2 = rng.uniform(-3.0, 3.0, (2, n_samples))
    y = np.sin(x1) * np.cos(x2) + noise * rng.standard_normal(n_samples)
    return pd.DataFrame({"x1": x1, "x2": x2}), pd.Series(y, name="y")


def _check_synthetic_args(n_samples, noise) -> None:
    if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) or n_samples < MIN_ROWS:
        raise DataError(f"n_samples must be a whole number of at least {MIN_ROWS}, not {n_samples!r}")
    if not isinstance(noise, numbers.Real) or not math.isfinite(noise) or noise < 0:
        raise DataError(f"noise must be a finite number ≥ 0, not {noise!r}")
