"""Layer by layer: gradient, update and health lines, the gradient profile, unit health, first gradients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..health import activation_of, failure_mode, hidden_share
from ._style import (
    LAYER_AXIS,
    METRIC_LABELS,
    color,
    downsample_indices,
    empty_figure,
    layer_name,
    layout,
    reference_line,
    tidy,
)

UPDATE_RATIO_RULE = 1e-3  # rule of thumb: one step should move a layer's weights by about 1/1000
HEALTH_PANELS = {"dead_fraction": "dead (ReLU family)", "saturation": "saturated (sigmoid, tanh)"}


def layer_series_data(history, metric="grad_norm"):
    """Tidy DataFrame (layer, epoch, value) of an (epochs × layers) metric."""
    values = getattr(history, metric)
    index = downsample_indices(len(values))
    frames = [
        pd.DataFrame(
            {"layer": layer_name(layer, values.shape[1], metric), "epoch": index, "value": values[index, layer]}
        )
        for layer in range(values.shape[1])
    ]
    return tidy(frames, ["layer", "epoch", "value"])


def layer_lines_figure(data, metric, title=None, log_y=True, reference=None, reference_label=None, diverged_at=None):
    """One line per layer, an optional dashed reference level, a dotted vertical line where the run diverged."""
    title = title or METRIC_LABELS[metric]
    if data.empty:
        return empty_figure(title, "Train a model first.")
    fig = go.Figure()
    for i, (layer, part) in enumerate(data.groupby("layer", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=part.epoch, y=part.value, mode="lines", name=layer, line=dict(color=color(i)), meta={"layer": i}
            )
        )
    if reference is not None:
        reference_line(
            fig, [data.epoch.min(), data.epoch.max()], reference, reference_label or f"{reference:g}", hover=False
        )
    if diverged_at is not None:
        fig.add_vline(
            x=diverged_at,
            line=dict(color="black", dash="dot"),
            annotation_text="diverged",
            annotation_position="top left",
        )
    return layout(fig, title, "epoch", METRIC_LABELS[metric], legend="below", log_y=log_y)


def layer_comparison_data(histories, metric="grad_norm"):
    """Tidy DataFrame (run, layer, epoch, value) of an (epochs × layers) metric for {label: History}."""
    frames = [layer_series_data(history, metric).assign(run=run) for run, history in histories.items()]
    frames = [frame for frame in frames if not frame.empty]
    return tidy(frames, ["run", "layer", "epoch", "value"])


def layer_comparison_figure(data, metric="grad_norm", title=None, log_y=True):
    """One panel per layer sharing the y axis, one line per run: where in the network runs differ."""
    title = title or f"{METRIC_LABELS[metric]}, layer by layer"
    if data.empty:
        return empty_figure(title, "Train to compare the layers.")
    layers = list(dict.fromkeys(data.layer))
    fig = make_subplots(rows=1, cols=len(layers), shared_yaxes=True, subplot_titles=layers, horizontal_spacing=0.015)
    for i, (run, group) in enumerate(data.groupby("run", sort=False)):
        for column, layer in enumerate(layers, start=1):
            part = group[group.layer == layer]
            fig.add_trace(
                go.Scatter(
                    x=part.epoch,
                    y=part.value,
                    mode="lines",
                    name=str(run),
                    legendgroup=str(run),
                    showlegend=column == 1,
                    line=dict(color=color(i)),
                ),
                row=1,
                col=column,
            )
    # top: room for the panel titles under the figure's title
    fig = layout(fig, title, "epoch", None, legend="below", log_y=log_y, top=80)
    fig.update_yaxes(title_text=METRIC_LABELS[metric], row=1, col=1)
    return fig


def gradient_profile_data(histories, metric="grad_norm"):
    """Tidy (run, when, epoch, layer, value): a per-layer metric at epoch 0 ("start") and the last good one ("end")."""
    rows = []
    for run, history in histories.items():
        values = getattr(history, metric)
        for when, epoch in (("start", 0), ("end", history.last_good_epoch)):
            rows += [
                {
                    "run": run,
                    "when": when,
                    "epoch": epoch,
                    "layer": layer_name(layer, values.shape[1], metric),
                    "value": float(values[epoch, layer]),
                }
                for layer in range(values.shape[1])
            ]
    return pd.DataFrame(rows, columns=["run", "when", "epoch", "layer", "value"])


def gradient_profile_figure(data, metric="grad_norm", title="How much gradient reaches each layer"):
    """Per run, the metric from the first layer to the output: solid at the start, dotted at the end."""
    if data.empty:
        return empty_figure(title, "Train to see the gradients.")
    fig = go.Figure()
    for i, (run, group) in enumerate(data.groupby("run", sort=False)):
        for when, part in group.groupby("when", sort=False):
            start = when == "start"
            fig.add_trace(
                go.Scatter(
                    x=part.layer,
                    y=part.value,
                    mode="lines+markers",
                    name=f"{run}, epoch {int(part.epoch.iloc[0])}",
                    line=dict(color=color(i), dash="solid" if start else "dot"),
                    marker=dict(size=8, symbol="circle" if start else "circle-open"),
                )
            )
    fig = layout(fig, title, LAYER_AXIS, METRIC_LABELS[metric], legend="below", hover="closest", log_y=True)
    fig.update_xaxes(type="category")
    return fig


def unit_health_data(histories):
    """Tidy (run, order, metric, epoch, value): share of dead units (ReLU) or saturated slopes (sigmoid, tanh)."""
    # Whichever of the two stalls the run's activation; order (the run's position) keeps its colour.
    frames = []
    for order, (run, history) in enumerate(histories.items()):
        metric = failure_mode(activation_of(history, run))
        if metric is None or history.dead_fraction.shape[1] == 0:
            continue
        share = hidden_share(history, metric)
        index = downsample_indices(len(share))
        frames.append(
            pd.DataFrame({"run": run, "order": order, "metric": metric, "epoch": index, "value": share[index]})
        )
    return tidy(frames, ["run", "order", "metric", "epoch", "value"])


def unit_health_figure(data, title="Hidden units that stopped learning (all hidden layers)"):
    """Two panels: dead units of ReLU-like runs, saturated slopes of sigmoid/tanh runs."""
    if data.empty:
        return empty_figure(title, "None of these activations can die or saturate.")
    fig = make_subplots(
        rows=1, cols=2, shared_yaxes=True, subplot_titles=list(HEALTH_PANELS.values()), horizontal_spacing=0.08
    )
    for column, metric in enumerate(HEALTH_PANELS, start=1):
        part = data[data.metric == metric]
        if part.empty:
            fig.add_annotation(
                text="none of the chosen activations",
                showarrow=False,
                x=0.5,
                y=0.5,
                xref="x domain",
                yref="y domain",
                row=1,
                col=column,
                font=dict(color="#666"),
            )
        for (order, run), line in part.groupby(["order", "run"], sort=False):
            fig.add_trace(
                go.Scatter(x=line.epoch, y=line.value, mode="lines", name=str(run), line=dict(color=color(order))),
                row=1,
                col=column,
            )
    fig = layout(fig, title, "epoch", None, legend="below", top=80)
    fig.update_yaxes(range=[-0.02, 1.02], tickformat=".0%")
    fig.update_yaxes(title_text="share, all hidden layers", row=1, col=1)
    return fig


def initial_gradients_data(histories, groups):
    """Tidy (group, layer, grad_norm, runs): ‖∂L/∂W‖ per layer at epoch 0, averaged over each group's runs."""
    by_group = {}
    for history, group in zip(histories, groups):
        by_group.setdefault(group, []).append(history.grad_norm[0])
    rows = []
    for group, norms in by_group.items():
        mean = np.mean(norms, axis=0)
        rows += [
            {"group": group, "layer": layer_name(layer, len(mean)), "grad_norm": float(norm), "runs": len(norms)}
            for layer, norm in enumerate(mean)
        ]
    return pd.DataFrame(rows, columns=["group", "layer", "grad_norm", "runs"])


def initial_gradients_figure(data, title="Gradient size per layer at epoch 0", group_title="initializer", order=None):
    """Grouped bars per layer and group, log y; a gradient of exactly 0 has no bar, and its legend entry says so."""
    # order: every possible group in a fixed order, so a group keeps its colour whatever else is shown
    if data.empty:
        return empty_figure(title, "Train the grid to see its first gradients.")
    fig = go.Figure()
    for i, (group, part) in enumerate(data.groupby("group", sort=False)):
        i = list(order).index(group) if order is not None and group in order else i
        zero = part["grad_norm"] == 0
        note = " (every one exactly 0: no bars)" if zero.all() else " (0 where no bar)" if zero.any() else ""
        fig.add_trace(
            go.Bar(
                x=part["layer"],
                y=part["grad_norm"],
                name=f"{group}{note}",
                marker_color=color(i),
                text=[f"{v:.2g}" for v in part["grad_norm"]],
                textposition="outside",
                hovertemplate=f"{group_title} {group}, %{{x}}: %{{y:.3g}}<extra></extra>",
            )
        )
    log_y = bool((data["grad_norm"] > 0).any())
    fig = layout(
        fig, title, LAYER_AXIS, METRIC_LABELS["grad_norm"], legend="below", hover="closest", log_y=log_y, height=440
    )
    fig.update_layout(barmode="group", uniformtext=dict(minsize=8, mode="hide"))
    if log_y:
        fig.update_yaxes(dtick=1)  # one tick per power of ten
    return fig
