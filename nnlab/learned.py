"""What a network learned: its predictions at a recorded snapshot, and the grid to draw them on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .network import Network


def predict_at(history, snapshot, X, activation):
    """Predictions (rows,) of the network as it was at snapshot index ``snapshot``; NaN where they overflow."""
    weights = [w[snapshot] for w in history.weights]
    network = Network.from_layers(weights, [b[snapshot] for b in history.biases], activation)
    X = np.asarray(X, dtype=weights[0].dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        prediction = network.forward(X, network.buffers(len(X)))[0].astype(np.float64)
    return np.where(np.isfinite(prediction), prediction, np.nan)


def function_grid(X, *more, points_1d=400, points_2d=40):
    """A grid over the range of 1 or 2 features in X (and more arrays with the same columns):
    (grid (m, d), axes: one (n,) array per feature); a 2-D grid's rows follow the second feature."""
    X = np.vstack([np.asarray(a, dtype=float) for a in (X, *more)])
    if X.shape[1] not in (1, 2):
        raise ValueError(f"a learned function can be drawn over 1 or 2 features, not {X.shape[1]}")
    n = points_1d if X.shape[1] == 1 else points_2d
    axes = [np.linspace(X[:, j].min(), X[:, j].max(), n) for j in range(X.shape[1])]
    return np.column_stack([m.ravel() for m in np.meshgrid(*axes)]), axes


def predictions_table(model, dataset, rows=10):
    """The first `rows` test rows: features, the actual target and the model's prediction, both in the
    target's original units (Dataset.to_original_units), and the error."""
    X, y = dataset.X_test[:rows], dataset.y_test[:rows]
    table = pd.DataFrame(X, columns=list(dataset.feature_names))
    table["actual"] = dataset.to_original_units(y)
    table["predicted"] = dataset.to_original_units(model.predict(X))
    table["error"] = table["predicted"] - table["actual"]
    return table


def predict_one(model, dataset, values):
    """The model's prediction for one input (one value per feature, in the features' units as the
    network sees them), in the target's original units."""
    x = np.asarray(values, dtype=np.float64).reshape(1, -1)
    return float(dataset.to_original_units(model.predict(x))[0])


# The synthetic sets' noise-free targets, by the name nnlab.data.make_dataset gives each set;
# tests check them against the generators with noise=0.
TRUE_FUNCTIONS = {
    "Noisy sine: y = sin(x) + noise": ("sin(x)", lambda X: np.sin(X[:, 0])),
    "Surface: y = sin(x1)·cos(x2) + noise": ("sin(x1)·cos(x2)", lambda X: np.sin(X[:, 0]) * np.cos(X[:, 1])),
}


def true_function(dataset):
    """(formula, f) of the function a synthetic dataset's target was drawn from, f: X (m, d) -> (m,)
    in the target's original units; None for data whose truth nobody knows (diabetes, a CSV)."""
    return TRUE_FUNCTIONS.get(dataset.name)


def against_truth(model, dataset):
    """The learned function beside the true one of a synthetic set, in the target's original units:
    (formula, grid (m, d), network (m,), truth (m,), rms of network − truth on the grid, noise: rms of
    the training targets around the truth); None where the truth is unknown."""
    known = true_function(dataset)
    if known is None:
        return None
    formula, function = known
    grid, _ = function_grid(dataset.X_train, dataset.X_test)
    network, truth = dataset.to_original_units(model.predict(grid)), function(grid)
    with np.errstate(over="ignore", invalid="ignore"):
        rms = float(np.sqrt(np.mean((network - truth) ** 2)))
    noise = float(np.sqrt(np.mean((dataset.to_original_units(dataset.y_train) - function(dataset.X_train)) ** 2)))
    return formula, grid, network, truth, rms, noise
