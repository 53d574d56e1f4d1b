"""What a network learned: its predictions at a recorded snapshot, and the grid to draw them on."""

from __future__ import annotations

import numpy as np

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
