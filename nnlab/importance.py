"""What a trained model learned about each feature, by scikit-learn's own inspection tools:
permutation importance (`sklearn.inspection.permutation_importance`) and partial dependence
(`sklearn.inspection.partial_dependence`), for the network beside the linear least-squares model
fitted on the same training rows. Nothing here re-implements them: nnlab arranges their output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LinearRegression

N_REPEATS = 10  # shuffles per feature: enough for a spread, ~0.1 s for the default network on 89 rows
PD_POINTS = 50  # grid points of a partial dependence curve (scikit-learn's grid_resolution)
STRAIGHT = 0.98  # a curve a straight line explains this share of is drawn as straight; below, it bends
MODELS = ("network", "linear")


def linear_model(X_train, y_train):
    """scikit-learn's LinearRegression on the network's training rows: the least-squares line."""
    return LinearRegression().fit(X_train, y_train)


def check_finite(model, X):
    """Raise ValueError when a model's predictions on X are not finite (a run that blew up)."""
    if not np.all(np.isfinite(model.predict(X))):
        raise ValueError("the network's predictions are not all finite, so shuffling a feature has no score")


def permutation_table(models, X, y, feature_names, n_repeats=N_REPEATS, random_state=0):
    """Tidy (model, feature, mean, std, repeats) of permutation_importance for {name: fitted model}
    on X (n, d), y (n,): the drop in R² (the models' score) when one feature's column is shuffled."""
    rows = []
    for name, model in models.items():
        check_finite(model, X)
        result = permutation_importance(model, X, y, n_repeats=n_repeats, random_state=random_state)
        for j, feature in enumerate(feature_names):
            rows.append(
                {
                    "model": name,
                    "feature": str(feature),
                    "mean": float(result.importances_mean[j]),
                    "std": float(result.importances_std[j]),
                    "repeats": result.importances[j],
                }
            )
    return pd.DataFrame(rows, columns=["model", "feature", "mean", "std", "repeats"])


def importance_table(tidy):
    """One row per feature: network and linear mean drop in R² with their std, most important to the
    network first."""
    wide = tidy.pivot(index="feature", columns="model", values=["mean", "std"])
    table = pd.DataFrame(
        {
            "feature": wide.index,
            **{f"{model}": wide[("mean", model)].to_numpy() for model in MODELS},
            **{f"{model}_std": wide[("std", model)].to_numpy() for model in MODELS},
        }
    )
    order = list(dict.fromkeys(tidy.feature))  # ties keep the features' own order
    table["order"] = table.feature.map(order.index)
    table = table.sort_values(["network", "order"], ascending=[False, True], kind="stable")
    return table.drop(columns="order").reset_index(drop=True)[
        ["feature", "network", "network_std", "linear", "linear_std"]
    ]


def partial_dependence_curves(models, X, features, feature_names, to_units=None, grid_resolution=PD_POINTS):
    """Tidy (model, feature, value, average): partial_dependence of each {name: model} on X for the
    feature indices `features`, the average prediction mapped by to_units (the target's own units)."""
    units = to_units or (lambda y: np.asarray(y, dtype=float))
    frames = []
    for name, model in models.items():
        for j in features:
            result = partial_dependence(model, X, [j], grid_resolution=grid_resolution, kind="average")
            frames.append(
                pd.DataFrame(
                    {
                        "model": name,
                        "feature": str(feature_names[j]),
                        "value": result["grid_values"][0],
                        "average": units(result["average"][0]),
                    }
                )
            )
    columns = ["model", "feature", "value", "average"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def straightness(value, average):
    """Share (0..1) of a curve's variance a straight line explains: R² of the least-squares line
    through (value, average); 1 for a flat curve (nothing to explain)."""
    value, average = np.asarray(value, float), np.asarray(average, float)
    spread = np.var(average)
    if spread <= 1e-12 * max(1.0, float(np.mean(average**2))):
        return 1.0
    slope, intercept = np.polyfit(value, average, 1)
    return float(1.0 - np.var(average - (slope * value + intercept)) / spread)


def curve_shapes(curves):
    """Per feature of partial_dependence_curves: the network curve's straightness and its rise (max − min)."""
    network = curves[curves.model == "network"]
    rows = [
        {
            "feature": feature,
            "straightness": straightness(part.value, part.average),
            "rise": float(part.average.max() - part.average.min()),
        }
        for feature, part in network.groupby("feature", sort=False)
    ]
    return pd.DataFrame(rows, columns=["feature", "straightness", "rise"])
