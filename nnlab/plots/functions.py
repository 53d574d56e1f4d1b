"""What a unit or a model computes: activation curves, the learned function, predicted against actual."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..activations import ACTIVATIONS
from ._style import PALETTE, REFERENCE_GREY, downsample_indices, empty_figure, layout, styled_lines, tidy

CURVE_DASH = {"f(z)": "solid", "f′(z)": "dot"}


def activation_data(names, z=None):
    """Tidy DataFrame (activation, curve ∈ {f, f′}, z, value) over z ∈ [−4, 4]."""
    z = np.linspace(-4, 4, 401) if z is None else np.asarray(z, dtype=float)
    frames = []
    for name in names:
        activation = ACTIVATIONS[name]
        frames.append(pd.DataFrame({"activation": name, "curve": "f(z)", "z": z, "value": activation.function(z)}))
        frames.append(pd.DataFrame({"activation": name, "curve": "f′(z)", "z": z, "value": activation.derivative(z)}))
    return tidy(frames, ["activation", "curve", "z", "value"])


def activation_figure(names, title="Activations (solid) and their derivatives (dotted)"):
    """Each activation and its derivative on the same axes."""
    data = activation_data(names)
    if data.empty:
        return empty_figure(title, "Pick at least one activation.")
    fig = styled_lines(go.Figure(), data, "z", "activation", "curve", CURVE_DASH, lambda name, curve: f"{name} {curve}")
    return layout(fig, title, "pre-activation z", "value", hover="closest")


def prediction_data(y_true, y_pred):
    """(points (actual, predicted), ends): the rows, and the range [low, high] the y = x line spans."""
    points = pd.DataFrame({"actual": np.asarray(y_true, float), "predicted": np.asarray(y_pred, float)})
    if points.empty:
        return points, []
    ends = [
        float(np.nanmin([points.actual.min(), points.predicted.min()])),
        float(np.nanmax([points.actual.max(), points.predicted.max()])),
    ]
    return points, ends


def prediction_figure(y_true, y_pred, title="Predicted vs actual (test rows)", units=""):
    """Scatter of predictions against targets with the y = x line a perfect model would sit on."""
    points, ends = prediction_data(y_true, y_pred)
    if points.empty:
        return empty_figure(title)
    fig = go.Figure(
        [
            go.Scatter(
                x=points.actual, y=points.predicted, mode="markers", name="test rows", marker=dict(size=7, opacity=0.7)
            ),
            go.Scatter(
                x=ends, y=ends, mode="lines", name="perfect (y = ŷ)", line=dict(color=REFERENCE_GREY, dash="dash")
            ),
        ]
    )
    suffix = f" ({units})" if units else ""
    return layout(fig, title, f"actual{suffix}", f"predicted{suffix}", hover="closest")


def learned_function_data(grid, prediction, X_train, y_train, X_test, y_test):
    """(curve (x1[, x2], value) of the model on the grid, points (split, x1[, x2], value) ≤ MAX_POINTS a split)."""
    columns = ["x1", "x2"][: np.shape(grid)[1]]
    curve = pd.DataFrame(np.asarray(grid, float), columns=columns).assign(value=np.asarray(prediction, float))
    parts = []
    for split, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
        index = downsample_indices(len(y))
        parts.append(
            pd.DataFrame(np.asarray(X, float)[index], columns=columns).assign(
                split=split, value=np.asarray(y, float)[index]
            )
        )
    return curve, pd.concat(parts, ignore_index=True)[["split", *columns, "value"]]


def learned_function_figure(curve, points, feature_names, target_label, title="What the network has learned"):
    """1 feature: the prediction as a line over the rows; 2: its contour map, the rows on the same colour scale."""
    if curve.empty:
        return empty_figure(title)
    if "x2" not in curve:
        fig = go.Figure()
        for split, split_color, symbol in (("train", PALETTE[8], "circle"), ("test", PALETTE[3], "diamond")):
            part = points[points.split == split]
            fig.add_trace(
                go.Scatter(
                    x=part.x1,
                    y=part.value,
                    mode="markers",
                    name=f"{split} rows",
                    marker=dict(color=split_color, size=6, symbol=symbol, opacity=0.75),
                )
            )
        fig.add_trace(
            go.Scatter(
                x=curve.x1,
                y=curve.value,
                mode="lines",
                name="network's prediction",
                line=dict(color=PALETTE[0], width=3),
            )
        )
        return layout(fig, title, feature_names[0], target_label, legend="below", hover="closest")
    surface = curve.pivot(index="x2", columns="x1", values="value")
    fig = go.Figure(
        go.Contour(
            x=surface.columns.to_numpy(),
            y=surface.index.to_numpy(),
            z=surface.to_numpy(),
            coloraxis="coloraxis",
            contours=dict(coloring="heatmap"),
            line=dict(width=0.5),
            name="network's prediction",
        )
    )
    for split, symbol, edge in (("train", "circle", "white"), ("test", "diamond", "black")):
        part = points[points.split == split]
        fig.add_trace(
            go.Scatter(
                x=part.x1,
                y=part.x2,
                mode="markers",
                name=f"{split} rows (colour: actual value)",
                marker=dict(
                    color=part.value, coloraxis="coloraxis", symbol=symbol, size=8, line=dict(color=edge, width=1)
                ),
            )
        )
    fig.update_layout(coloraxis=dict(colorscale="Viridis", colorbar=dict(title=target_label)))
    return layout(fig, title, feature_names[0], feature_names[1], legend="below", hover="closest", height=480)
