"""What a model learned: permutation importance and partial dependence of the network beside the
linear model (data from `nnlab.importance`), and a 1-D or 2-D learned function against the true one."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._style import PALETTE, REFERENCE_GREY, downsample_indices, empty_figure, layout, set_title

MODEL_STYLE = {  # model -> (legend name, colour, dash)
    "network": ("network", PALETTE[0], "solid"),
    "linear": ("linear least squares", REFERENCE_GREY, "dash"),
}
PD_COLUMNS = 3  # partial dependence panels per row


def importance_figure(
    table, n_repeats, title="Permutation importance: how much test R² is lost when a feature is shuffled"
):
    """Horizontal bars per feature (most important to the network on top), network and linear side by
    side, each with an error bar of ± its std over the shuffles; from importance.importance_table."""
    if table.empty:
        return empty_figure(title, "Train a model first.")
    order = table.iloc[::-1]  # plotly draws the first category at the bottom
    fig = go.Figure()
    for model in ("linear", "network"):
        name, colour, _ = MODEL_STYLE[model]
        fig.add_trace(
            go.Bar(
                y=order.feature,
                x=order[model],
                error_x=dict(type="data", array=order[f"{model}_std"], thickness=1.2, width=3),
                orientation="h",
                name=name,
                marker_color=colour,
                hovertemplate=f"{name}, %{{y}}: %{{x:.3f}} ± %{{error_x.array:.3f}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    fig = layout(
        fig,
        title,
        f"drop in test R² (mean over {n_repeats} shuffles, bar: ± 1 std)",
        None,
        legend="below",
        hover="closest",
        height=max(380, 34 * len(table) + 160),
    )
    fig.update_layout(legend=dict(traceorder="reversed"))  # network first, as on the chart's top bars
    return fig.update_yaxes(type="category")  # layout() sets a linear y, which would hide the bars


def partial_dependence_figure(
    curves, target_name, title="Partial dependence: the average prediction as one feature moves"
):
    """One panel per feature of importance.partial_dependence_curves: the network's curve (solid) and
    the linear model's line (dashed), each the prediction averaged over the training rows."""
    if curves.empty:
        return empty_figure(title, "Pick at least one feature.")
    features = list(dict.fromkeys(curves.feature))
    rows, cols = math.ceil(len(features) / PD_COLUMNS), min(len(features), PD_COLUMNS)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=features, shared_yaxes=True, horizontal_spacing=0.06)
    for i, feature in enumerate(features):
        for model, (name, colour, dash) in MODEL_STYLE.items():
            part = curves[(curves.feature == feature) & (curves.model == model)]
            fig.add_trace(
                go.Scatter(
                    x=part.value,
                    y=part.average,
                    mode="lines",
                    name=name,
                    legendgroup=model,
                    showlegend=i == 0,
                    line=dict(color=colour, dash=dash, width=3 if model == "network" else 2),
                    hovertemplate=f"{name}: %{{y:.4g}} at {feature} = %{{x:.3g}}<extra></extra>",
                ),
                row=i // PD_COLUMNS + 1,
                col=i % PD_COLUMNS + 1,
            )
    fig = layout(fig, title, None, None, legend="below", hover="closest", height=300 * rows + 80, top=80)
    fig.update_yaxes(title_text=f"average predicted {target_name}", col=1)
    fig.update_xaxes(title_text="feature value")
    return fig


def true_function_data(grid, network, truth):
    """Tidy (x1[, x2], network, truth, difference) over a learned.function_grid grid (m, 1 or 2)."""
    columns = ["x1", "x2"][: np.shape(grid)[1]]
    data = pd.DataFrame(np.asarray(grid, float), columns=columns)
    data["network"], data["truth"] = np.asarray(network, float), np.asarray(truth, float)
    data["difference"] = data.network - data.truth
    return data


def true_function_figure(data, points, feature_names, target_name, formula, title=None):
    """1 feature: the data, the true function (dashed) and the network's (solid); 2: the network's
    surface, the true one on the same colours, and their difference."""
    title = title or f"Network against the true {formula}"  # ≤ 42 characters: layout() wraps longer ones
    if data.empty:
        return empty_figure(title)
    X, y = points
    keep = downsample_indices(len(y))
    if "x2" not in data:
        fig = go.Figure(
            [
                go.Scatter(
                    x=X[keep, 0],
                    y=y[keep],
                    mode="markers",
                    name="training rows",
                    marker=dict(color=PALETTE[8], size=6, opacity=0.6),
                ),
                go.Scatter(
                    x=data.x1, y=data.truth, mode="lines", name=f"true {formula}", line=dict(color="black", dash="dash")
                ),
                go.Scatter(
                    x=data.x1, y=data.network, mode="lines", name="network", line=dict(color=PALETTE[0], width=3)
                ),
            ]
        )
        return layout(fig, title, feature_names[0], target_name, legend="below", hover="closest")
    x1, x2 = np.unique(data.x1), np.unique(data.x2)
    shape = (len(x2), len(x1))  # function_grid's rows follow the second feature
    fig = make_subplots(
        rows=1,
        cols=3,
        shared_yaxes=True,
        horizontal_spacing=0.05,
        subplot_titles=["the network", f"the truth: {formula}", "network − truth"],
    )
    for col, column, axis in ((1, "network", "coloraxis"), (2, "truth", "coloraxis"), (3, "difference", "coloraxis2")):
        fig.add_trace(
            go.Heatmap(x=x1, y=x2, z=data[column].to_numpy().reshape(shape), coloraxis=axis, name=column),
            row=1,
            col=col,
        )
    fig.add_trace(
        go.Scatter(
            x=X[keep, 0],
            y=X[keep, 1],
            mode="markers",
            name="training rows",
            marker=dict(color="white", size=4, line=dict(color="black", width=0.5)),
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    low, high = float(np.min(y)), float(np.max(y))
    worst = max(float(np.nanmax(np.abs(data.difference))), 1e-9)
    fig.update_layout(
        coloraxis=dict(colorscale="Viridis", cmin=low, cmax=high, colorbar=dict(title=target_name, x=1.02)),
        coloraxis2=dict(colorscale="RdBu", cmid=0, cmin=-worst, cmax=worst, colorbar=dict(title="difference", x=1.16)),
    )
    fig.update_xaxes(title_text=feature_names[0])
    fig.update_yaxes(title_text=feature_names[1], col=1)
    return set_title(fig, title, 420, dict(l=60, r=150, t=80, b=50))
