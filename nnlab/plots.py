"""Figures. Each chart is two functions: a pure one that extracts the data (tested by equality)
and one that builds the `plotly.graph_objects.Figure` from it (tested by trace count and type).

Every figure has axis titles, a log axis where the range demands it, and at most MAX_POINTS
points per trace. An empty input gives an empty figure that still says what it would show.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .activations import ACTIVATIONS

MAX_POINTS = 2000
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#7f7f7f", "#bcbd22"]
METRIC_LABELS = {
    "loss": "MSE loss", "val_loss": "MSE loss", "r2": "R²", "val_r2": "R²",
    "grad_norm": "‖∂L/∂W‖ (L2 norm)", "bias_grad_norm": "‖∂L/∂b‖ (L2 norm)",
    "update_ratio": "‖ΔW‖ / ‖W‖ per epoch", "dead_fraction": "share of dead units",
    "saturation": "share of saturated slopes",
}


def _layout(fig, title, x_title, y_title, log_y=False, height=380):
    fig.update_layout(title=title, height=height, margin=dict(l=60, r=20, t=50, b=50),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
                      template="plotly_white", hovermode="x unified")
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear", exponentformat="power")
    return fig


def empty_figure(title, message="Nothing to show yet."):
    """A titled, empty figure with a message in the middle."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font=dict(size=14, color="#666"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, None, None)


def downsample_indices(length, max_points=MAX_POINTS, keep=()):
    """Evenly spaced indices into a series of ``length``, always keeping the ends and ``keep``."""
    if length <= max_points:
        return np.arange(length)
    base = np.linspace(0, length - 1, max_points - len(keep)).round().astype(int)
    extra = [k for k in keep if 0 <= k < length]
    return np.unique(np.r_[base, extra]).astype(int)


def needs_log_scale(values, ratio=100.0):
    """True when positive values span more than ``ratio`` (max / min)."""
    values = np.asarray(values, dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    return positive.size > 1 and positive.max() / positive.min() > ratio and not np.any(values[np.isfinite(values)] < 0)


# -- training curves ------------------------------------------------------------------------------

def curves_data(histories, metric="loss", validation=True):
    """Tidy DataFrame (run, split, epoch, value) of a whole-model metric for {label: History}."""
    frames = []
    for run, history in histories.items():
        splits = [("train", getattr(history, metric))]
        if validation and getattr(history, f"val_{metric}", None) is not None:
            splits.append(("validation", getattr(history, f"val_{metric}")))
        for split, values in splits:
            keep = () if history.diverged_at is None else (history.diverged_at,)
            index = downsample_indices(len(values), keep=keep)
            frames.append(pd.DataFrame({"run": run, "split": split, "epoch": index, "value": values[index]}))
    if not frames:
        return pd.DataFrame(columns=["run", "split", "epoch", "value"])
    return pd.concat(frames, ignore_index=True)


def divergence_data(histories, metric="loss"):
    """One row per diverged run: run, epoch, value (clipped to finite), bound."""
    rows = []
    for run, history in histories.items():
        if history.diverged_at is not None:
            value = getattr(history, metric)[history.diverged_at]
            rows.append({"run": run, "epoch": history.diverged_at,
                         "value": value if np.isfinite(value) else history.divergence_bound,
                         "bound": history.divergence_bound})
    return pd.DataFrame(rows, columns=["run", "epoch", "value", "bound"])


def curves_figure(data, title, y_title, log_y=None, floor=None, floor_label=None, diverged=None):
    """Lines per run (train solid, validation dotted), an optional horizontal floor, ✕ at divergence."""
    if data.empty:
        return empty_figure(title, "Train a model to see its curves.")
    fig = go.Figure()
    for i, (run, group) in enumerate(data.groupby("run", sort=False)):
        color = PALETTE[i % len(PALETTE)]
        for split, part in group.groupby("split", sort=False):
            name = run if split == "train" else f"{run} (validation)"
            fig.add_trace(go.Scatter(x=part.epoch, y=part.value, mode="lines", name=name,
                                     line=dict(color=color, dash="solid" if split == "train" else "dot")))
    if floor is not None:
        fig.add_hline(y=floor, line=dict(color="#444", dash="dash"), annotation_text=floor_label or "floor",
                      annotation_position="bottom right")
    if diverged is not None and not diverged.empty:
        fig.add_trace(go.Scatter(x=diverged.epoch, y=diverged.value, mode="markers", name="diverged",
                                 marker=dict(symbol="x", size=13, color="black"),
                                 text=[f"{r}: diverged at epoch {e}" for r, e in zip(diverged.run, diverged.epoch)],
                                 hoverinfo="text"))
    if log_y is None:
        log_y = needs_log_scale(data.value)
    return _layout(fig, title, "epoch", y_title, log_y=log_y)


def loss_figure(histories, title="Loss", floor=None, floor_label="least-squares floor", log_y=None):
    """Train and validation MSE per epoch for {label: History}."""
    return curves_figure(curves_data(histories, "loss"), title, METRIC_LABELS["loss"], log_y=log_y,
                         floor=floor, floor_label=floor_label, diverged=divergence_data(histories, "loss"))


def r2_figure(histories, title="R² (share of variance explained)"):
    """Train and validation R² per epoch; clipped below at −1 so a bad start does not squash the chart."""
    data = curves_data(histories, "r2")
    data["value"] = np.clip(data["value"].astype(float), -1.0, 1.0)
    fig = curves_figure(data, title, "R²", log_y=False)
    if not data.empty:
        fig.update_yaxes(range=[-1.05, 1.05])
    return fig


# -- per-layer series -----------------------------------------------------------------------------

def layer_series_data(history, metric="grad_norm"):
    """Tidy DataFrame (layer, epoch, value) of an (epochs × layers) metric."""
    values = getattr(history, metric)
    index = downsample_indices(len(values))
    frames = [pd.DataFrame({"layer": layer_name(layer, values.shape[1], metric), "epoch": index,
                            "value": values[index, layer]}) for layer in range(values.shape[1])]
    if not frames:
        return pd.DataFrame(columns=["layer", "epoch", "value"])
    return pd.concat(frames, ignore_index=True)


def layer_name(layer, n_layers, metric="grad_norm"):
    """'hidden 1', …, 'output'; hidden-only metrics have no output layer."""
    hidden_only = metric in ("dead_fraction", "saturation")
    if not hidden_only and layer == n_layers - 1:
        return "output"
    return f"hidden {layer + 1}"


def layer_series_figure(history, metric="grad_norm", title=None, log_y=None):
    """One line per layer of an (epochs × layers) metric."""
    data = layer_series_data(history, metric) if history is not None else pd.DataFrame()
    title = title or METRIC_LABELS[metric]
    if data.empty:
        return empty_figure(title, "No hidden layers to show." if history is not None else "Train a model first.")
    fig = go.Figure()
    for i, (layer, part) in enumerate(data.groupby("layer", sort=False)):
        fig.add_trace(go.Scatter(x=part.epoch, y=part.value, mode="lines", name=layer,
                                 line=dict(color=PALETTE[i % len(PALETTE)])))
    if log_y is None:
        log_y = metric in ("grad_norm", "bias_grad_norm", "update_ratio") and needs_log_scale(data.value, 10)
    fig = _layout(fig, title, "epoch", METRIC_LABELS[metric], log_y=log_y)
    if metric in ("dead_fraction", "saturation"):
        fig.update_yaxes(range=[-0.02, 1.02], tickformat=".0%")
    return fig


# -- activations ----------------------------------------------------------------------------------

def activation_data(names, z=None):
    """Tidy DataFrame (activation, curve ∈ {f, f′}, z, value) over z ∈ [−4, 4]."""
    z = np.linspace(-4, 4, 401) if z is None else np.asarray(z, dtype=float)
    frames = []
    for name in names:
        activation = ACTIVATIONS[name]
        frames.append(pd.DataFrame({"activation": name, "curve": "f(z)", "z": z, "value": activation.function(z)}))
        frames.append(pd.DataFrame({"activation": name, "curve": "f′(z)", "z": z,
                                    "value": activation.derivative(z)}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["activation", "curve", "z", "value"])


def activation_figure(names, title="Activations (solid) and their derivatives (dotted)"):
    """Each activation and its derivative on the same axes."""
    data = activation_data(names)
    if data.empty:
        return empty_figure(title, "Pick at least one activation.")
    fig = go.Figure()
    for i, (name, group) in enumerate(data.groupby("activation", sort=False)):
        color = PALETTE[i % len(PALETTE)]
        for curve, part in group.groupby("curve", sort=False):
            fig.add_trace(go.Scatter(x=part.z, y=part.value, mode="lines", name=f"{name} {curve}",
                                     line=dict(color=color, dash="solid" if curve == "f(z)" else "dot")))
    fig = _layout(fig, title, "pre-activation z", "value")
    fig.update_layout(hovermode="closest")
    return fig


# -- weights, gradients, predictions --------------------------------------------------------------

def histogram_data(history, snapshot, kind="weights"):
    """Tidy DataFrame (layer, value) of every weight (or weight gradient) at one snapshot index."""
    arrays = getattr(history, kind)
    frames = [pd.DataFrame({"layer": layer_name(layer, len(arrays)), "value": values[snapshot].ravel()})
              for layer, values in enumerate(arrays)]
    return pd.concat(frames, ignore_index=True)


def histogram_figure(history, snapshot, kind="weights"):
    """Overlaid histograms per layer at one snapshot."""
    what = "weights W" if kind == "weights" else "gradients ∂L/∂W"
    epoch = int(history.snapshot_epochs[snapshot])
    data = histogram_data(history, snapshot, kind)
    data = data[np.isfinite(data.value)]
    title = f"Distribution of {what} at epoch {epoch}"
    if data.empty:
        return empty_figure(title, "No finite values at this epoch.")
    fig = go.Figure()
    for i, (layer, part) in enumerate(data.groupby("layer", sort=False)):
        fig.add_trace(go.Histogram(x=part.value, name=layer, opacity=0.6, nbinsx=60,
                                   histnorm="probability", marker_color=PALETTE[i % len(PALETTE)]))
    fig.update_layout(barmode="overlay")
    fig = _layout(fig, title, what, "share of values")
    fig.update_layout(hovermode="closest")
    return fig


def prediction_figure(y_true, y_pred, title="Predicted vs actual (test rows)", units=""):
    """Scatter of predictions against targets with the y = x line a perfect model would sit on."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    if y_true.size == 0:
        return empty_figure(title)
    low, high = float(np.nanmin([y_true.min(), np.nanmin(y_pred)])), float(np.nanmax([y_true.max(), np.nanmax(y_pred)]))
    fig = go.Figure([
        go.Scatter(x=y_true, y=y_pred, mode="markers", name="test rows", marker=dict(size=7, opacity=0.7)),
        go.Scatter(x=[low, high], y=[low, high], mode="lines", name="perfect (y = ŷ)",
                   line=dict(color="#444", dash="dash")),
    ])
    suffix = f" ({units})" if units else ""
    fig = _layout(fig, title, f"actual{suffix}", f"predicted{suffix}")
    fig.update_layout(hovermode="closest")
    return fig


def network_data(coefs, max_units=16):
    """Node positions and edges of a network diagram: (nodes, edges) DataFrames.

    Layers wider than ``max_units`` show their first max_units units (the diagram says so).
    edges: x0, y0, x1, y1, weight.
    """
    sizes = [coefs[0].shape[0]] + [w.shape[1] for w in coefs]
    shown = [min(s, max_units) for s in sizes]
    nodes = pd.DataFrame([{"layer": layer, "unit": unit, "x": float(layer),
                           "y": unit - (shown[layer] - 1) / 2, "hidden_units": sizes[layer] - shown[layer]}
                          for layer in range(len(sizes)) for unit in range(shown[layer])])
    edges = []
    for layer, W in enumerate(coefs):
        for i in range(shown[layer]):
            for j in range(shown[layer + 1]):
                edges.append({"x0": float(layer), "y0": i - (shown[layer] - 1) / 2, "x1": float(layer + 1),
                              "y1": j - (shown[layer + 1] - 1) / 2, "weight": float(W[i, j])})
    return nodes, pd.DataFrame(edges, columns=["x0", "y0", "x1", "y1", "weight"])


def network_figure(coefs, title="Network (line width ∝ |w|, blue > 0, red < 0)", input_names=None, max_units=16):
    """A diagram of the network: one line per weight, width |w|, colour sign."""
    if not coefs:
        return empty_figure(title)
    nodes, edges = network_data(coefs, max_units)
    fig = go.Figure()
    biggest = max(float(np.nanmax(np.abs(edges.weight))), 1e-12) if not edges.empty else 1.0
    # Lines grouped into a few width classes: one trace per class keeps the figure light.
    classes = np.minimum((np.abs(edges.weight.fillna(0)) / biggest * 6).astype(int), 5)
    for sign, color in ((1, "rgba(31,119,180,0.7)"), (-1, "rgba(214,39,40,0.7)")):
        for width in range(6):
            part = edges[(np.sign(edges.weight) == sign) & (classes == width)]
            if part.empty:
                continue
            xs = np.column_stack([part.x0, part.x1, np.full(len(part), np.nan)]).ravel()
            ys = np.column_stack([part.y0, part.y1, np.full(len(part), np.nan)]).ravel()
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=color, width=0.5 + width * 1.2),
                                     hoverinfo="skip", showlegend=False))
    labels = []
    for _, node in nodes.iterrows():
        if node.layer == 0 and input_names is not None and node.unit < len(input_names):
            labels.append(input_names[int(node.unit)])
        else:
            labels.append("")
    fig.add_trace(go.Scatter(x=nodes.x, y=nodes.y, mode="markers+text", text=labels, textposition="middle left",
                             marker=dict(size=12, color="white", line=dict(color="#333", width=1.5)),
                             hoverinfo="skip", showlegend=False))
    n_layers = len(coefs) + 1
    names = ["inputs"] + [f"hidden {i}" for i in range(1, n_layers - 1)] + ["output"]
    hidden_counts = nodes.groupby("layer").hidden_units.first()
    ticks = [f"{name}<br>(+{hidden_counts[i]} not drawn)" if hidden_counts[i] else name for i, name in enumerate(names)]
    fig.update_xaxes(tickvals=list(range(n_layers)), ticktext=ticks, showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(title=title, template="plotly_white", height=420, margin=dict(l=80, r=20, t=50, b=60))
    return fig


# -- grids of runs ----------------------------------------------------------------------------------

def heatmap_figure(table, x, y, value, title, diverged="diverged_at", value_label=None, fmt=".3g", reverse=False):
    """Heatmap of ``value`` over the grid (x, y) from a sweep table; diverged cells are marked ✕."""
    if table.empty:
        return empty_figure(title, "Run a sweep to fill the grid.")
    grid = table.groupby([y, x], sort=False)[value].mean().unstack(x)
    blown = table.assign(_d=table[diverged].notna()).groupby([y, x], sort=False)["_d"].any().unstack(x)
    blown = blown.reindex(index=grid.index, columns=grid.columns).fillna(False).astype(bool)
    text = [[("✕ diverged" if blown.iloc[i, j] else format(grid.iloc[i, j], fmt))
             for j in range(grid.shape[1])] for i in range(grid.shape[0])]
    z = grid.where(~blown).to_numpy(dtype=float)
    fig = go.Figure(go.Heatmap(z=z, x=[str(c) for c in grid.columns], y=[str(r) for r in grid.index], text=text,
                               texttemplate="%{text}", colorscale="Viridis", reversescale=reverse,
                               colorbar=dict(title=value_label or value), hoverongaps=False))
    fig = _layout(fig, title, x, y)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig
