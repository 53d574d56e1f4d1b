"""How a dataset looks before training: column statistics and scaling, correlations, and its split."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .builtin import FEATURES

UNIT_TOLERANCE = 0.05  # a norm or std within 5% of 1 counts as 1
SCALINGS = {
    "unit_norm": "every column is centred and has unit L2 norm over all rows (scikit-learn's scaling)",
    "standardized": "every column has mean ≈ 0 and standard deviation ≈ 1",
    "other": "the columns keep their own units and spreads",
}
SCALING_NAMES = {"unit_norm": "scikit-learn's scaling", "standardized": "standardized", "other": "original units"}


def feature_descriptions(names, known=FEATURES):
    """Full name and description of each column that has one: DataFrame (column, full name,
    description), empty when none of the names is known."""
    rows = [{"column": n, "full name": known[n][0], "description": known[n][1]} for n in names if n in known]
    return pd.DataFrame(rows, columns=["column", "full name", "description"])


def all_rows(dataset):
    """Train and test rows together: X (n, d), y (n,)."""
    return np.vstack([dataset.X_train, dataset.X_test]), np.r_[dataset.y_train, dataset.y_test]


def column_stats(X, names):
    """One row per column of X (n, d): mean, std (ddof 0), min, max and L2 norm ‖x‖₂ = √Σx²."""
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    return pd.DataFrame(
        {
            "mean": X.mean(axis=0),
            "std": X.std(axis=0),
            "min": X.min(axis=0),
            "max": X.max(axis=0),
            "l2_norm": np.linalg.norm(X, axis=0),
        },
        index=pd.Index(list(names), name="column"),
    )


def table(X, y, names, target_name):
    """column_stats() of the d columns of X (n, d) and, last, of the target y (n,) as 'target: <name>'."""
    return pd.concat([column_stats(X, names), column_stats(np.reshape(y, (-1, 1)), [f"target: {target_name}"])])


def scaling_kind(stats, tolerance=UNIT_TOLERANCE):
    """'unit_norm', 'standardized' or 'other' (keys of SCALINGS), from column_stats()."""
    spread = max(float(stats["std"].abs().max()), 1e-300)
    centred = bool((stats["mean"].abs() <= tolerance * spread).all())
    if centred and np.allclose(stats["l2_norm"], 1.0, rtol=tolerance, atol=0):
        return "unit_norm"
    if centred and np.allclose(stats["std"], 1.0, rtol=tolerance, atol=0):
        return "standardized"
    return "other"


def correlations(X, y, names, target_name):
    """Pearson correlation matrix (d + 1, d + 1) of the columns of X and the target y, last."""
    table = np.column_stack([np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)])
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.corrcoef(table, rowvar=False)
    labels = [*names, target_name]
    return pd.DataFrame(np.atleast_2d(matrix), index=labels, columns=labels)


def strongest(corr, limit):
    """The at most `limit` feature names most correlated with the target (|r|), target last."""
    target = corr.columns[-1]
    features = corr[target].drop(target).abs().fillna(0).sort_values(ascending=False, kind="stable")
    return [*features.index[:limit], target]


def strongest_pair(corr):
    """The two features (target excluded) with the largest |r|: (name, name, r), or None with < 2."""
    features = corr.iloc[:-1, :-1].to_numpy(dtype=float)
    if len(features) < 2:
        return None
    upper = np.where(np.triu(np.ones_like(features, dtype=bool), k=1) & np.isfinite(features), np.abs(features), -1)
    i, j = np.unravel_index(np.argmax(upper), upper.shape)
    return corr.index[i], corr.columns[j], float(features[i, j])


def split_summary(y_train, y_test):
    """Rows 'train' and 'test': number of rows, share of all rows, and the target's mean, std, min, max."""
    total = len(y_train) + len(y_test)
    rows = {
        name: {
            "rows": len(y),
            "share": len(y) / total,
            "mean": np.mean(y),
            "std": np.std(y),
            "min": np.min(y),
            "max": np.max(y),
        }
        for name, y in (("train", np.asarray(y_train, float)), ("test", np.asarray(y_test, float)))
    }
    # −1e-16 is a mean of zero on standardized data; + 0.0 turns −0 into 0
    return pd.DataFrame.from_dict(rows, orient="index").round(10) + 0.0
