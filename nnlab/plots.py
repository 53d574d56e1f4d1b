"""Figures. Each chart is two functions: a pure one that extracts the data (tested by equality)
and one that builds the `plotly.graph_objects.Figure` from it (tested by trace count and type).

Every figure has axis titles, a log axis where the range demands it, and at most MAX_POINTS
points per trace. An empty input gives an empty figure that still says what it would show.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import compare
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
    # No plotly template: st.plotly_chart draws with Streamlit's theme, and validating a template
    # cost 15-40 ms per figure, the largest part of a page's redraw.
    fig.update_layout(title=title, height=height, margin=dict(l=60, r=20, t=50, b=50),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
                      hovermode="x unified")
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


def objective_data(histories):
    """Tidy (run, split="objective", epoch, value) of the objective, for runs whose l2 penalty is not 0."""
    frames = []
    for run, history in histories.items():
        if history.penalty is None or not np.any(history.penalty > 0):
            continue
        index = downsample_indices(len(history.objective))
        frames.append(pd.DataFrame({"run": run, "split": "objective", "epoch": index,
                                    "value": history.objective[index]}))
    if not frames:
        return pd.DataFrame(columns=["run", "split", "epoch", "value"])
    return pd.concat(frames, ignore_index=True)


def diverging_data(histories, metric="loss"):
    """One row per run that is diverging (History.diverging_from) at its last epoch: run, epoch,
    value, start (the epoch the growth began)."""
    rows = [{"run": run, "epoch": history.epochs - 1, "value": float(getattr(history, metric)[-1]),
             "start": history.diverging_from}
            for run, history in histories.items() if history.diverging_from is not None]
    return pd.DataFrame(rows, columns=["run", "epoch", "value", "start"])


SPLIT_NAMES = {"train": "", "validation": " (validation)", "objective": " objective (MSE + l2·Σ‖W‖²)"}
SPLIT_DASH = {"train": "solid", "validation": "dot", "objective": "dash"}


def curves_figure(data, title, y_title, log_y=None, floor=None, floor_label=None, diverged=None, diverging=None):
    """Lines per run (train solid, validation dotted, objective dashed), an optional horizontal
    floor, ▲ where a run is diverging and ✕ where one was stopped for diverging."""
    if data.empty:
        return empty_figure(title, "Train a model to see its curves.")
    fig = go.Figure()
    for i, (run, group) in enumerate(data.groupby("run", sort=False)):
        color = PALETTE[i % len(PALETTE)]
        for split, part in group.groupby("split", sort=False):
            name = f"{run}{SPLIT_NAMES[split]}"
            fig.add_trace(go.Scatter(x=part.epoch, y=part.value, mode="lines", name=name,
                                     line=dict(color=color, dash=SPLIT_DASH[split])))
    if floor is not None:
        # A trace, not add_hline: an hline's annotation is placed in log10 units on a log axis.
        fig.add_trace(go.Scatter(x=[data.epoch.min(), data.epoch.max()], y=[floor, floor], mode="lines",
                                 name=floor_label or "floor", line=dict(color="#444", dash="dash")))
    if diverging is not None and not diverging.empty:
        fig.add_trace(go.Scatter(x=diverging.epoch, y=diverging.value, mode="markers", name="diverging",
                                 marker=dict(symbol="triangle-up", size=13, color=PALETTE[3]),
                                 text=[f"{r}: diverging, growing since epoch {s}" for r, s in
                                       zip(diverging.run, diverging.start)], hoverinfo="text"))
    if diverged is not None and not diverged.empty:
        fig.add_trace(go.Scatter(x=diverged.epoch, y=diverged.value, mode="markers", name="diverged",
                                 marker=dict(symbol="x", size=13, color="black"),
                                 text=[f"{r}: diverged at epoch {e}" for r, e in zip(diverged.run, diverged.epoch)],
                                 hoverinfo="text"))
    if log_y is None:
        log_y = needs_log_scale(data.value)
    return _layout(fig, title, "epoch", y_title, log_y=log_y)


def loss_figure(histories, title="Loss", floor=None, floor_label="least-squares floor", log_y=None):
    """Train and validation MSE per epoch for {label: History}; where l2 > 0, the objective too."""
    data, objective = curves_data(histories, "loss"), objective_data(histories)
    if not objective.empty:
        data = pd.concat([data, objective], ignore_index=True)
    with_penalty = (data.split == "objective").any()
    y_title = "MSE (solid, dotted) and objective (dashed)" if with_penalty else METRIC_LABELS["loss"]
    fig = curves_figure(data, title, y_title, log_y=log_y, floor=floor, floor_label=floor_label,
                        diverged=divergence_data(histories, "loss"), diverging=diverging_data(histories))
    return legend_below(fig) if with_penalty else fig  # three entries a run would cover the title


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
    fig.update_layout(title=title, height=420, margin=dict(l=80, r=20, t=50, b=60))
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


# -- page: dataset explorer and linear gradient descent ---------------------------------------

def histograms_data(X, names, bins=30):
    """Tidy DataFrame (feature, left, right, count): a `bins`-bin histogram of each column of X (n, d)."""
    frames = []
    for j, name in enumerate(names):
        column = np.asarray(X, dtype=float)[:, j]
        counts, edges = np.histogram(column[np.isfinite(column)], bins=bins)
        frames.append(pd.DataFrame({"feature": name, "left": edges[:-1], "right": edges[1:], "count": counts}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["feature", "left", "right", "count"])


_LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0)


def histograms_figure(data, title="Distribution of each feature", columns=5):
    """One small bar histogram per feature, in a grid of `columns` panels per row; each panel's
    x axis is titled with its feature, the y axes count rows.

    The grid is laid out by hand in one layout dict: make_subplots with per-panel updates costs
    about five times as much, and this chart is drawn on every rerun of its page.
    """
    if data.empty:
        return empty_figure(title, "Pick at least one feature.")
    features = list(dict.fromkeys(data.feature))
    columns = min(columns, len(features))
    rows = -(-len(features) // columns)
    hgap, vgap = 0.05, 0.35 / rows
    width, height = (1 - hgap * (columns - 1)) / columns, (1 - vgap * (rows - 1)) / rows
    traces, axes = [], {}
    for i, (feature, part) in enumerate(data.groupby("feature", sort=False)):
        row, col = divmod(i, columns)
        n = str(i + 1) if i else ""
        traces.append(go.Bar(x=(part.left + part.right) / 2, y=part["count"], width=part.right - part.left,
                             name=feature, marker_color=PALETTE[0], showlegend=False, xaxis=f"x{n}", yaxis=f"y{n}",
                             hovertemplate=f"{feature}: %{{x:.3g}}<br>%{{y}} rows<extra></extra>"))
        left, top = col * (width + hgap), 1 - row * (height + vgap)
        x_domain = [max(0.0, left), min(1.0, left + width)]  # round-off must not step outside [0, 1]
        y_domain = [max(0.0, top - height), min(1.0, top)]
        axes[f"xaxis{n}"] = dict(domain=x_domain, anchor=f"y{n}", title=dict(text=f"<b>{feature}</b>", standoff=4))
        axes[f"yaxis{n}"] = dict(domain=y_domain, anchor=f"x{n}", title=dict(text="rows" if col == 0 else None))
    return go.Figure(traces, layout=dict(axes, title=title, height=60 + 220 * rows,
                                         bargap=0, margin=dict(l=60, r=20, t=60, b=50), hovermode="closest"))


def correlation_figure(corr, title="Correlation between columns (Pearson r)"):
    """Heatmap of a correlation matrix (k, k) with r printed in each cell; red −1, blue +1."""
    if corr.empty:
        return empty_figure(title, "No columns to correlate.")
    labels = [str(c) for c in corr.columns]
    values = corr.to_numpy(dtype=float)
    text = [["" if not np.isfinite(v) else f"{v:.2f}" for v in row] for row in values]
    fig = go.Figure(go.Heatmap(z=values, x=labels, y=labels, text=text, texttemplate="%{text}",
                               colorscale="RdBu", zmin=-1, zmax=1, zmid=0, colorbar=dict(title="r"),
                               hovertemplate="%{y} vs %{x}: r = %{z:.3f}<extra></extra>"))
    fig = _layout(fig, title, "column", "column", height=max(380, 120 + 34 * len(labels)))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def feature_target_data(dataset, feature):
    """Points (split, x, y) of one feature against the target, at most MAX_POINTS per split, and
    the least-squares line fitted on the training rows: (points, line (x, y) at the data's ends)."""
    from .explore import feature_line

    j = list(dataset.feature_names).index(feature)
    frames = []
    for split, X, y in (("train", dataset.X_train, dataset.y_train), ("test", dataset.X_test, dataset.y_test)):
        index = downsample_indices(len(y))
        frames.append(pd.DataFrame({"split": split, "x": X[index, j], "y": y[index]}))
    points = pd.concat(frames, ignore_index=True)
    fit = feature_line(dataset.X_train[:, j], dataset.y_train)
    ends = np.array([points.x.min(), points.x.max()]) if len(points) else np.array([])
    line = pd.DataFrame({"x": ends, "y": fit["slope"] * ends + fit["intercept"]})
    line.attrs.update(fit)
    return points, line


def feature_target_figure(points, line, x_title, y_title, title=None):
    """Scatter of train and test rows and the training rows' least-squares line."""
    title = title or f"{y_title} against {x_title}"
    if points.empty:
        return empty_figure(title, "No rows to show.")
    fig = go.Figure()
    for i, (split, part) in enumerate(points.groupby("split", sort=False)):
        fig.add_trace(go.Scatter(x=part.x, y=part.y, mode="markers", name=f"{split} rows",
                                 marker=dict(size=6, opacity=0.6, color=PALETTE[i])))
    fit = line.attrs
    fig.add_trace(go.Scatter(x=line.x, y=line.y, mode="lines", line=dict(color="#222", width=3),
                             name=f"least-squares line (train R² {fit.get('r2', float('nan')):.3f})"))
    fig = _layout(fig, title, x_title, y_title, height=440)
    fig.update_layout(hovermode="closest", legend=_LEGEND_BELOW, margin=dict(b=110))
    return fig


def split_target_data(y_train, y_test, bins=30):
    """Tidy DataFrame (split, left, right, share): the target's histogram per split on common bins,
    as shares of each split's rows so splits of different sizes compare."""
    y_train, y_test = np.asarray(y_train, float), np.asarray(y_test, float)
    edges = np.histogram_bin_edges(np.r_[y_train, y_test], bins=bins)
    frames = []
    for split, y in (("train", y_train), ("test", y_test)):
        counts, _ = np.histogram(y, bins=edges)
        share = counts / len(y) if len(y) else counts.astype(float)
        frames.append(pd.DataFrame({"split": split, "left": edges[:-1], "right": edges[1:], "share": share}))
    return pd.concat(frames, ignore_index=True)


def split_target_figure(data, y_title, title="The target in the training and the test rows"):
    """Overlaid histograms of the target, train and test, as shares of each split's rows."""
    if data.empty or not data.share.any():
        return empty_figure(title, "No rows to show.")
    fig = go.Figure()
    for i, (split, part) in enumerate(data.groupby("split", sort=False)):
        fig.add_trace(go.Bar(x=(part.left + part.right) / 2, y=part.share, width=part.right - part.left,
                             name=f"{split} rows", opacity=0.55, marker_color=PALETTE[i]))
    fig.update_layout(barmode="overlay", bargap=0)
    fig = _layout(fig, title, y_title, "share of the split's rows")
    fig.update_yaxes(tickformat=".0%")
    fig.update_layout(hovermode="closest")
    return fig


def _finite(data):
    """curves_data with non-finite values (a blown-up loss) as NaN, so no axis is stretched by them."""
    data = data.copy()
    data["value"] = data["value"].astype(float).where(np.isfinite(data["value"].astype(float)))
    return data


def linear_loss_figure(histories, floor=None, test_reference=None, y_title=METRIC_LABELS["loss"],
                       title="Loss per epoch: train (solid) and test (dotted)"):
    """Train and test MSE per epoch, the least-squares floor of the training loss, and the closed-form
    solution's test MSE; ✕ where a run diverged. A floor of 0 (an exact fit) is not drawn on a log axis."""
    data = _finite(curves_data(histories, "loss"))
    scale = float(np.nanmax(np.abs(data.value))) if data.value.notna().any() else 0.0
    drawn = floor if floor is not None and floor > 1e-12 * scale else None
    fig = curves_figure(data, title, y_title, floor=drawn, floor_label="least-squares floor (train)",
                        diverged=divergence_data(histories, "loss"), diverging=diverging_data(histories))
    if test_reference is not None and np.isfinite(test_reference) and not data.empty:
        fig.add_trace(go.Scatter(x=[data.epoch.min(), data.epoch.max()], y=[test_reference] * 2, mode="lines",
                                 name="least squares on the test rows", line=dict(color="#999", dash="dot"),
                                 hovertemplate="least squares, test MSE %{y:.4g}<extra></extra>"))
    return _test_not_validation(fig)


def _test_not_validation(fig):
    """These pages score on the test split: say so in the legend, which goes below the chart."""
    for trace in fig.data:
        if trace.name:
            trace.name = trace.name.replace("(validation)", "(test)")
    fig.update_layout(legend=_LEGEND_BELOW, margin=dict(b=120), height=430)
    return fig


def linear_r2_figure(histories, test_reference=None, title="R² per epoch: train (solid) and test (dotted)"):
    """r2_figure with the closed-form solution's test R² as a reference line."""
    data = curves_data(histories, "r2")
    if data.empty or not np.isfinite(data.value.astype(float)).any():
        return empty_figure(title, "R² is undefined here: it needs targets that vary.")
    fig = r2_figure(histories, title=title)
    if test_reference is not None and np.isfinite(test_reference):
        fig.add_trace(go.Scatter(x=[data.epoch.min(), data.epoch.max()], y=[test_reference] * 2, mode="lines",
                                 name=f"least squares, test R² {test_reference:.3f}",
                                 line=dict(color="#999", dash="dot"), hoverinfo="skip"))
    return _test_not_validation(fig)


def weight_paths_data(history, names, max_lines=12):
    """Tidy DataFrame (parameter, epoch, value): each weight and the bias of a linear model at every
    snapshot (at most MAX_POINTS per parameter). Beyond `max_lines` parameters, the largest final |w|."""
    epochs = np.asarray(history.snapshot_epochs)
    W = np.asarray(history.weights[0])[:, :, 0]
    values = np.column_stack([W, np.asarray(history.biases[0])[:, 0]])
    labels = [*names, "bias b"]
    order = np.arange(values.shape[1])
    if len(order) > max_lines:
        last = np.nan_to_num(np.abs(values[-1]), nan=np.inf)
        order = np.sort(np.argsort(-last, kind="stable")[:max_lines])
    index = downsample_indices(len(epochs))
    frames = [pd.DataFrame({"parameter": labels[k], "epoch": epochs[index], "value": values[index, k]})
              for k in order]
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["parameter", "epoch", "value"])
    data.attrs["hidden"] = values.shape[1] - len(order)
    return data


def weight_paths_figure(data, targets=None, title="Paths of the weights during training",
                        y_title="parameter value"):
    """One line per parameter over the epochs; ★ at the end marks each one's closed-form value."""
    if data.empty:
        return empty_figure(title, "Train a model to see its weights move.")
    fig = go.Figure()
    for i, (name, part) in enumerate(data.groupby("parameter", sort=False)):
        fig.add_trace(go.Scatter(x=part.epoch, y=part.value, mode="lines", name=name,
                                 line=dict(color=PALETTE[i % len(PALETTE)], dash="solid" if i < 10 else "dash")))
    if targets:
        names = [n for n in dict.fromkeys(data.parameter) if n in targets]
        fig.add_trace(go.Scatter(x=[data.epoch.max()] * len(names), y=[targets[n] for n in names],
                                 mode="markers", name="least-squares values", text=names,
                                 marker=dict(symbol="star", size=11, color="black"),
                                 hovertemplate="%{text}: %{y:.4g} (closed form)<extra></extra>"))
    hidden = data.attrs.get("hidden", 0)
    if hidden:
        title = f"{title}<br><sup>the {data.parameter.nunique()} largest at the end; {hidden} more not drawn</sup>"
    fig = _layout(fig, title, "epoch", y_title, height=460)
    fig.update_layout(legend=dict(_LEGEND_BELOW, entrywidth=70), margin=dict(b=130))
    return fig


def spectrum_data(eigenvalues, lr):
    """Tidy DataFrame (direction, eigenvalue, factor, stable) of the loss's curvatures, largest first:
    a step of lr multiplies the error along each eigen-direction by factor = |1 − lr·λ|."""
    lam = np.sort(np.asarray(eigenvalues, dtype=float))[::-1]
    factor = np.abs(1.0 - lr * lam)
    return pd.DataFrame({"direction": np.arange(1, len(lam) + 1), "eigenvalue": lam, "factor": factor,
                         "stable": factor < 1})


def spectrum_figure(data, lr, title="Curvature of the loss along each eigen-direction"):
    """Eigenvalues of the Hessian on a log axis, with the line λ = 2 / lr above which a step of lr blows up.

    Numerically zero eigenvalues (directions the data cannot see) are left out and counted in the title."""
    positive = data[data.eigenvalue > data.eigenvalue.max() * 1e-12] if not data.empty else data
    if positive.empty:
        return empty_figure(title, "No curvature to show.")
    fig = go.Figure()
    for stable, name, color in ((True, "stable: |1 − lr·λ| < 1", PALETTE[2]),
                                (False, "unstable: |1 − lr·λ| ≥ 1", PALETTE[1])):
        part = positive[positive.stable == stable]
        if len(part):
            fig.add_trace(go.Scatter(x=part.direction, y=part.eigenvalue, mode="markers", name=name,
                                     marker=dict(size=11, color=color), customdata=part.factor,
                                     hovertemplate="λ = %{y:.4g}<br>error × %{customdata:.4g} per epoch<extra></extra>"))
    fig.add_trace(go.Scatter(x=[0.5, len(data) + 0.5], y=[2.0 / lr] * 2, mode="lines",
                             name=f"2 / lr = {2.0 / lr:.4g}: directions above it blow up",
                             line=dict(color=PALETTE[1], dash="dash"), hoverinfo="skip"))
    dropped = len(data) - len(positive)
    if dropped:
        title = f"{title}<br><sup>{dropped} flat direction{'s' * (dropped != 1)} with λ ≈ 0 not drawn</sup>"
    values = np.r_[positive.eigenvalue, 2.0 / lr]
    fig = _layout(fig, title, "eigen-direction (largest curvature first)", "curvature λ (eigenvalue of the Hessian)",
                  log_y=True)
    fig.update_yaxes(range=[np.log10(values.min()) - 0.3, np.log10(values.max()) + 0.3])
    fig.update_xaxes(dtick=1, range=[0.5, len(data) + 0.5])
    fig.update_layout(hovermode="closest", showlegend=True, legend=_LEGEND_BELOW, margin=dict(b=110))
    return fig


def rate_overlay_data(histories, floor=0.0, headroom=100.0):
    """How far each run's training loss is above the floor, per epoch: (curves, diverged).

    curves: tidy (run, split, epoch, value = loss − floor), values ≤ 0 (the floor reached to
    round-off) and non-finite ones as NaN; curves.attrs["cap"] = `headroom` × the largest starting
    gap, the top of the chart, so a blow-up leaves it there instead of squashing the other lines.
    diverged: divergence_data(), its value set to the cap so the ✕ sits on the chart's top edge.
    """
    data = _finite(curves_data(histories, "loss", validation=False))
    data["value"] = data["value"] - floor
    data["value"] = data["value"].where(data["value"] > 0)
    starts = data[data.epoch == 0].value
    cap = headroom * float(starts.max()) if starts.notna().any() else np.inf
    diverged = divergence_data(histories, "loss")
    diverged["value"] = np.minimum(diverged["value"].astype(float) - floor, cap)
    data.attrs["cap"] = cap
    return data, diverged


def rate_overlay_figure(data, diverged, y_title="training loss − least-squares floor",
                        title="Training loss above the floor, for several learning rates"):
    """One line per learning rate on a log axis (straight lines mean steady convergence), the axis
    ending at data.attrs["cap"]; ✕ where a run was stopped for diverging."""
    if data.empty or not data.value.notna().any():
        return empty_figure(title, "Pick at least one learning rate to compare.")
    fig = curves_figure(data, title, y_title, log_y=True, diverged=diverged)
    low = float(data.value.min())
    high = min(float(np.nanmax(np.r_[data.value, diverged.value])), data.attrs.get("cap", np.inf))
    decades = np.log10(high / low)
    fig.update_yaxes(range=[np.log10(low) - 0.2, np.log10(high) + 0.05], dtick=1 if 3 < decades <= 10 else None)
    fig.update_layout(legend=_LEGEND_BELOW, margin=dict(b=100))
    return fig


def bug_demo_data(bug):
    """Tidy DataFrame (curve, epoch, value) of the tutorial's printed loss and the true loss per
    epoch, from explore.one_example_bug(); exact zeros of the true loss are left out (log axis)."""
    frames = []
    for key, curve in (("printed", "loss the tutorial printed: mean((w ⊙ x + b − y)²)"),
                       ("true", "true loss of its prediction: (w·x + b − y)²")):
        values = np.asarray(bug[key], dtype=float)
        index = downsample_indices(len(values), keep=np.flatnonzero(values > 0)[-1:])
        index = index[values[index] > 0]
        frames.append(pd.DataFrame({"curve": curve, "epoch": index, "value": values[index]}))
    return pd.concat(frames, ignore_index=True)


def bug_demo_figure(data, title="Two losses for the same training run"):
    """The printed and the true loss of the tutorial's first example on a log axis."""
    if data.empty:
        return empty_figure(title)
    fig = go.Figure()
    for i, (curve, part) in enumerate(data.groupby("curve", sort=False)):
        fig.add_trace(go.Scatter(x=part.epoch, y=part.value, mode="lines+markers" if len(part) < 50 else "lines",
                                 name=curve, line=dict(color=PALETTE[i + 1 if i else 3], width=3)))
    fig = _layout(fig, title, "epoch", "squared error (target units²)", log_y=True)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0))
    return fig


# -- page: activations and deep network ---------------------------------------------------------

UPDATE_RATIO_RULE = 1e-3  # rule of thumb: one step should move a layer's weights by about 1/1000
HEALTH_PANELS = {"dead_fraction": "dead (ReLU family)", "saturation": "saturated (sigmoid, tanh)"}


def legend_below(fig):
    """Move a figure's legend under the plot, where a long one cannot cover the title; returns fig."""
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.24, xanchor="left", x=0))
    return fig


def layer_comparison_data(histories, metric="grad_norm"):
    """Tidy DataFrame (run, layer, epoch, value) of an (epochs × layers) metric for {label: History}."""
    frames = [layer_series_data(history, metric).assign(run=run) for run, history in histories.items()]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=["run", "layer", "epoch", "value"])
    return pd.concat(frames, ignore_index=True)[["run", "layer", "epoch", "value"]]


def layer_comparison_figure(data, metric="grad_norm", title=None, log_y=True):
    """One panel per layer sharing the y axis, one line per run: where in the network runs differ."""
    title = title or f"{METRIC_LABELS[metric]}, layer by layer"
    if data.empty:
        return empty_figure(title, "Train to compare the layers.")
    layers = list(dict.fromkeys(data.layer))
    fig = make_subplots(rows=1, cols=len(layers), shared_yaxes=True, subplot_titles=layers,
                        horizontal_spacing=0.015)
    for i, (run, group) in enumerate(data.groupby("run", sort=False)):
        for column, layer in enumerate(layers, start=1):
            part = group[group.layer == layer]
            fig.add_trace(go.Scatter(x=part.epoch, y=part.value, mode="lines", name=str(run), legendgroup=str(run),
                                     showlegend=column == 1, line=dict(color=PALETTE[i % len(PALETTE)])),
                          row=1, col=column)
    fig = legend_below(_layout(fig, title, "epoch", None, log_y=log_y))
    fig.update_yaxes(title_text=METRIC_LABELS[metric], row=1, col=1)
    fig.update_layout(margin=dict(t=80))  # room for the panel titles under the figure's title
    return fig


def gradient_profile_data(histories, metric="grad_norm"):
    """Tidy DataFrame (run, when, epoch, layer, value): a per-layer metric across the network at the
    first epoch ("start") and at the last one before any blow-up ("end")."""
    rows = []
    for run, history in histories.items():
        values = getattr(history, metric)
        for when, epoch in (("start", 0), ("end", history.last_good_epoch)):
            rows += [{"run": run, "when": when, "epoch": epoch, "layer": layer_name(layer, values.shape[1], metric),
                      "value": float(values[epoch, layer])} for layer in range(values.shape[1])]
    return pd.DataFrame(rows, columns=["run", "when", "epoch", "layer", "value"])


def gradient_profile_figure(data, metric="grad_norm", title="How much gradient reaches each layer"):
    """Per run, the metric from the first layer to the output: solid at the start, dotted at the end."""
    if data.empty:
        return empty_figure(title, "Train to see the gradients.")
    fig = go.Figure()
    for i, (run, group) in enumerate(data.groupby("run", sort=False)):
        for when, part in group.groupby("when", sort=False):
            start = when == "start"
            fig.add_trace(go.Scatter(x=part.layer, y=part.value, mode="lines+markers",
                                     name=f"{run}, epoch {int(part.epoch.iloc[0])}",
                                     line=dict(color=PALETTE[i % len(PALETTE)], dash="solid" if start else "dot"),
                                     marker=dict(size=8, symbol="circle" if start else "circle-open")))
    fig = legend_below(_layout(fig, title, "layer (input side → output side)", METRIC_LABELS[metric], log_y=True))
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest")
    return fig


def unit_health_data(histories):
    """Tidy DataFrame (run, order, metric, epoch, value): the share of a run's hidden units that are dead
    (ReLU family) or of its slopes that are saturated (sigmoid, tanh), whichever stalls its activation;
    order is the run's position in ``histories`` (its colour elsewhere)."""
    frames = []
    for order, (run, history) in enumerate(histories.items()):
        metric = compare.failure_mode(compare.activation_of(history, run))
        if metric is None or history.dead_fraction.shape[1] == 0:
            continue
        share = compare.hidden_share(history, metric)
        index = downsample_indices(len(share))
        frames.append(pd.DataFrame({"run": run, "order": order, "metric": metric, "epoch": index,
                                    "value": share[index]}))
    if not frames:
        return pd.DataFrame(columns=["run", "order", "metric", "epoch", "value"])
    return pd.concat(frames, ignore_index=True)


def unit_health_figure(data, title="Hidden units that stopped learning (all hidden layers)"):
    """Two panels: dead units of ReLU-like runs, saturated slopes of sigmoid/tanh runs."""
    if data.empty:
        return empty_figure(title, "None of these activations can die or saturate.")
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=list(HEALTH_PANELS.values()),
                        horizontal_spacing=0.08)
    for column, metric in enumerate(HEALTH_PANELS, start=1):
        part = data[data.metric == metric]
        if part.empty:
            fig.add_annotation(text="none of the chosen activations", showarrow=False, x=0.5, y=0.5,
                               xref="x domain", yref="y domain", row=1, col=column, font=dict(color="#666"))
        for (order, run), line in part.groupby(["order", "run"], sort=False):
            fig.add_trace(go.Scatter(x=line.epoch, y=line.value, mode="lines", name=str(run),
                                     line=dict(color=PALETTE[int(order) % len(PALETTE)])), row=1, col=column)
    fig = legend_below(_layout(fig, title, "epoch", None))
    fig.update_yaxes(range=[-0.02, 1.02], tickformat=".0%")
    fig.update_yaxes(title_text="share, all hidden layers", row=1, col=1)
    fig.update_layout(margin=dict(t=80))
    return fig


def layer_lines_figure(data, metric, title=None, log_y=True, reference=None, reference_label=None,
                       diverged_at=None):
    """One line per layer (data from layer_series_data), an optional dashed reference level, and a
    dotted vertical line where the run diverged."""
    title = title or METRIC_LABELS[metric]
    if data.empty:
        return empty_figure(title, "Train a model first.")
    fig = go.Figure()
    for i, (layer, part) in enumerate(data.groupby("layer", sort=False)):
        fig.add_trace(go.Scatter(x=part.epoch, y=part.value, mode="lines", name=layer,
                                 line=dict(color=PALETTE[i % len(PALETTE)])))
    if reference is not None:
        ends = [data.epoch.min(), data.epoch.max()]
        fig.add_trace(go.Scatter(x=ends, y=[reference, reference], mode="lines", hoverinfo="skip",
                                 name=reference_label or f"{reference:g}", line=dict(color="#444", dash="dash")))
    if diverged_at is not None:
        fig.add_vline(x=diverged_at, line=dict(color="black", dash="dot"), annotation_text="diverged",
                      annotation_position="top left")
    return legend_below(_layout(fig, title, "epoch", METRIC_LABELS[metric], log_y=log_y))


def weight_histogram_data(history, snapshot, kind="weights", bins=40):
    """Tidy DataFrame (layer, left, right, share): each layer's weights (or weight gradients) at one
    snapshot, counted on bin edges shared by all layers; share = count / the layer's finite values."""
    finite = [values[snapshot].ravel() for values in getattr(history, kind)]
    finite = [values[np.isfinite(values)] for values in finite]
    pooled = np.concatenate(finite) if finite else np.array([])
    columns = ["layer", "left", "right", "share"]
    if pooled.size == 0:
        return pd.DataFrame(columns=columns)
    edges = np.histogram_bin_edges(pooled, bins=bins)
    frames = [pd.DataFrame({"layer": layer_name(layer, len(finite)), "left": edges[:-1], "right": edges[1:],
                            "share": np.histogram(values, edges)[0] / values.size})
              for layer, values in enumerate(finite) if values.size]
    return pd.concat(frames, ignore_index=True)[columns]


def weight_histogram_figure(data, kind="weights", epoch=None):
    """Overlaid per-layer histograms (bars on shared bins) from weight_histogram_data."""
    what = "weight W" if kind == "weights" else "gradient ∂L/∂W"
    title = f"Every {what} of each layer" + (f" at epoch {epoch}" if epoch is not None else "")
    if data.empty:
        return empty_figure(title, "No finite values at this epoch.")
    fig = go.Figure()
    for i, (layer, part) in enumerate(data.groupby("layer", sort=False)):
        fig.add_trace(go.Bar(x=(part.left + part.right) / 2, y=part.share, width=part.right - part.left,
                             name=layer, opacity=0.55, marker_color=PALETTE[i % len(PALETTE)]))
    fig.update_layout(barmode="overlay", bargap=0)
    fig = legend_below(_layout(fig, title, f"value of the {what}", "share of the layer's values"))
    fig.update_layout(hovermode="closest")
    return fig


def learned_function_data(grid, prediction, X_train, y_train, X_test, y_test):
    """(curve, points) for 1 or 2 features: curve (x1[, x2], value) is the model over the grid,
    points (split, x1[, x2], value) the data rows, at most MAX_POINTS per split."""
    columns = ["x1", "x2"][:np.shape(grid)[1]]
    curve = pd.DataFrame(np.asarray(grid, float), columns=columns).assign(value=np.asarray(prediction, float))
    parts = []
    for split, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
        index = downsample_indices(len(y))
        parts.append(pd.DataFrame(np.asarray(X, float)[index], columns=columns)
                     .assign(split=split, value=np.asarray(y, float)[index]))
    return curve, pd.concat(parts, ignore_index=True)[["split", *columns, "value"]]


def learned_function_figure(curve, points, feature_names, target_label, title="What the network has learned"):
    """1 feature: the prediction as a line over the data. 2 features: a contour map of the prediction
    with the data rows drawn on the same colour scale (a dot that stands out is a miss)."""
    if curve.empty:
        return empty_figure(title)
    if "x2" not in curve:
        fig = go.Figure()
        for split, color, symbol in (("train", "#7f7f7f", "circle"), ("test", PALETTE[3], "diamond")):
            part = points[points.split == split]
            fig.add_trace(go.Scatter(x=part.x1, y=part.value, mode="markers", name=f"{split} rows",
                                     marker=dict(color=color, size=6, symbol=symbol, opacity=0.75)))
        fig.add_trace(go.Scatter(x=curve.x1, y=curve.value, mode="lines", name="network's prediction",
                                 line=dict(color=PALETTE[0], width=3)))
        fig = legend_below(_layout(fig, title, feature_names[0], target_label))
        fig.update_layout(hovermode="closest")
        return fig
    surface = curve.pivot(index="x2", columns="x1", values="value")
    fig = go.Figure(go.Contour(x=surface.columns.to_numpy(), y=surface.index.to_numpy(), z=surface.to_numpy(),
                               coloraxis="coloraxis", contours=dict(coloring="heatmap"), line=dict(width=0.5),
                               name="network's prediction"))
    for split, symbol, edge in (("train", "circle", "white"), ("test", "diamond", "black")):
        part = points[points.split == split]
        fig.add_trace(go.Scatter(x=part.x1, y=part.x2, mode="markers", name=f"{split} rows (colour: actual value)",
                                 marker=dict(color=part.value, coloraxis="coloraxis", symbol=symbol, size=8,
                                             line=dict(color=edge, width=1))))
    fig.update_layout(coloraxis=dict(colorscale="Viridis", colorbar=dict(title=target_label)))
    fig = legend_below(_layout(fig, title, feature_names[0], feature_names[1], height=480))
    fig.update_layout(hovermode="closest")
    return fig


# -- page: compare runs ---------------------------------------------------------------------------

GRID_TITLES = {"lr": "learning rate", "init": "initializer", "activation": "activation", "seed": "seed"}
BAND_OPACITY = 0.18
DIVERGED_GREY = "#d9d9d9"


def grid_label(value):
    """A grid value as a category label: 0.001 -> '0.001', 2.0 -> '2', 'he' -> 'he'."""
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)


def grid_heatmap_figure(table, value, title, value_label, x="lr", y="init", reverse=False, low=None,
                        message="Train the grid to fill this heatmap."):
    """`heatmap_figure` of a sweep table (mean over seeds; ✕ where any seed diverged), readable labels.

    Colours follow log10 of the value when it spans more than 100×, and values below ``low`` get
    the lowest colour; the cell text always keeps the real number.
    """
    if table.empty:
        return empty_figure(title, message)
    shown = table.assign(**{x: table[x].map(grid_label), y: table[y].map(grid_label)})
    fig = heatmap_figure(shown, x, y, value, title, value_label=value_label, reverse=reverse)
    heat = fig.data[0]
    z = np.array(heat.z, dtype=float)
    if low is not None:
        z = np.where(z < low, low, z)
    if needs_log_scale(z):
        powers = np.arange(np.floor(np.log10(np.nanmin(z))), np.ceil(np.log10(np.nanmax(z))) + 1)
        heat.colorbar.update(tickvals=powers, ticktext=[f"{10 ** p:g}" for p in powers],
                             title_text=f"{value_label}<br>(log colour)")
        z = np.log10(z)
    heat.update(z=z, hoverongaps=True, hovertemplate=(
        f"{GRID_TITLES.get(y, y)} %{{y}}, {GRID_TITLES.get(x, x)} %{{x}}<br>{value_label}: %{{text}}<extra></extra>"))
    blown = np.array([[str(t).startswith("✕") for t in row] for row in heat.text])
    if blown.any():  # grey under the ✕ cells, which the heatmap leaves empty
        fig.add_trace(go.Heatmap(z=np.where(blown, 0.0, np.nan), x=heat.x, y=heat.y, showscale=False,
                                 colorscale=[[0, DIVERGED_GREY], [1, DIVERGED_GREY]], hoverinfo="skip"))
        fig.data = fig.data[::-1]
    fig.update_xaxes(title_text=GRID_TITLES.get(x, x))
    fig.update_yaxes(title_text=GRID_TITLES.get(y, y))
    return fig


def grid_preview_figure(rows, columns, title, x="lr", y="init", message="to be trained"):
    """The empty grid x × y, every cell grey and labelled: what a sweep is about to fill."""
    if not len(rows) or not len(columns):
        return empty_figure(title, "Pick at least one value for each axis.")
    fig = go.Figure(go.Heatmap(z=np.zeros((len(rows), len(columns))), x=[grid_label(c) for c in columns],
                               y=[grid_label(r) for r in rows], text=[[message] * len(columns)] * len(rows),
                               texttemplate="%{text}", colorscale=[[0, DIVERGED_GREY], [1, DIVERGED_GREY]],
                               showscale=False, xgap=2, ygap=2,
                               hovertemplate=f"{GRID_TITLES.get(y, y)} %{{y}}, {GRID_TITLES.get(x, x)} %{{x}}"
                                             "<extra></extra>"))
    fig = _layout(fig, title, GRID_TITLES.get(x, x), GRID_TITLES.get(y, y))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig


def bands_data(band, spread="range", max_points=MAX_POINTS // 2):
    """A `SweepResult.band()` frame thinned for plotting: its key columns, label, epoch, mean, lower, upper, n.

    spread="range": lower and upper are the min and max over the seeds; "std": mean ± one standard
    deviation. With one run per grid point lower = upper = mean. Epochs no run reached are dropped,
    and each curve keeps at most ``max_points`` epochs (a band's outline is twice that).
    """
    columns = [c for c in band.columns if c not in ("mean", "std", "min", "max", "n")]
    parts = []
    for _, part in band.groupby("label", sort=False):
        part = part[part["n"] > 0]
        part = part.iloc[downsample_indices(len(part), max_points)]
        if spread == "range":
            lower, upper = part["min"], part["max"]
        else:
            std = part["std"].fillna(0.0)
            lower, upper = part["mean"] - std, part["mean"] + std
        parts.append(part[columns].assign(mean=part["mean"].to_numpy(), lower=lower.to_numpy(),
                                          upper=upper.to_numpy(), n=part["n"].to_numpy()))
    if not parts:
        return pd.DataFrame(columns=[*columns, "mean", "lower", "upper", "n"])
    return pd.concat(parts, ignore_index=True)


def diverged_runs_data(table, histories, metric="val_loss", keys=("init", "lr")):
    """One row per diverged run of a sweep: its keys, seed, epoch of the blow-up and the metric there."""
    rows = []
    for run in np.flatnonzero(table["diverged_at"].notna().to_numpy()):
        row = table.iloc[run]
        epoch = int(row["diverged_at"])
        values = getattr(histories[run], metric)
        value = float(values[epoch]) if values is not None and epoch < len(values) else np.nan
        rows.append({**{key: row[key] for key in keys}, "seed": row["seed"], "epoch": epoch, "value": value})
    return pd.DataFrame(rows, columns=[*keys, "seed", "epoch", "value"])


def sequential_colors(n, scale="Plasma"):
    """n colours in order along a sequential scale, dark to bright (its pale yellow end left out)."""
    from plotly.colors import sample_colorscale  # only this figure samples a scale

    return sample_colorscale(scale, list(np.linspace(0.0, 0.75, n))) if n > 1 else sample_colorscale(scale, [0.0])


def _transparent(rgb, alpha):
    return rgb.replace("rgb(", "rgba(").replace(")", f", {alpha})")


def _calm_values(data, diverged, facet, color):
    """The values the y axis must show: every point of the grid points where no run diverged, and
    where every curve started. A diverged curve climbs out of the top; its ✕ sits on the top edge."""
    blown = set(zip(diverged[facet], diverged[color])) if diverged is not None else set()
    calm = data[[(f, c) not in blown for f, c in zip(data[facet], data[color])]]
    values = np.r_[calm["lower"], calm["upper"], data.loc[data.epoch == 0, "mean"]].astype(float)
    return values[np.isfinite(values)]


def _axis_range(values, log_y):
    values = values[values > 0] if log_y else values
    if values.size == 0:
        return None
    low, high = values.min(), values.max()
    if log_y:
        return [np.log10(low) - 0.05, np.log10(high) + 0.1]
    pad = 0.05 * (high - low or abs(high) or 1.0)
    return [low - pad, high + pad]


def bands_figure(data, title, y_title, facet="init", color="lr", diverged=None, log_y=None):
    """One panel per ``facet`` value, one line per ``color`` value (mean over seeds) with its spread
    as a shaded band when there is one; a black ✕ on the top edge where a run diverged."""
    if data.empty:
        return empty_figure(title, "Train the grid to see its curves.")
    facets = list(dict.fromkeys(data[facet]))
    levels = sorted(dict.fromkeys(data[color]))
    colors = dict(zip(levels, sequential_colors(len(levels))))
    fig = make_subplots(rows=1, cols=len(facets), shared_yaxes=True, horizontal_spacing=0.015,
                        subplot_titles=[f"{GRID_TITLES.get(facet, facet)}: {grid_label(f)}" for f in facets])
    calm = _calm_values(data, diverged, facet, color)
    if log_y is None:
        log_y = needs_log_scale(calm)
    y_range = _axis_range(calm, log_y)
    for column, value in enumerate(facets, start=1):
        for level in levels:
            part = data[(data[facet] == value) & (data[color] == level)]
            if part.empty:
                continue
            name = f"{GRID_TITLES.get(color, color)} {grid_label(level)}"
            if (part["upper"] - part["lower"]).abs().max() > 0:
                fig.add_trace(go.Scatter(
                    x=np.r_[part.epoch, part.epoch.to_numpy()[::-1]], y=np.r_[part.upper, part.lower.to_numpy()[::-1]],
                    fill="toself", fillcolor=_transparent(colors[level], BAND_OPACITY), line=dict(width=0),
                    mode="lines", hoverinfo="skip", showlegend=False, legendgroup=name, name=f"{name} spread"),
                    row=1, col=column)
            fig.add_trace(go.Scatter(x=part.epoch, y=part["mean"], mode="lines", name=name, legendgroup=name,
                                     showlegend=column == 1, line=dict(color=colors[level], width=2),
                                     hovertemplate=f"{grid_label(value)}, {name}<br>epoch %{{x}}: %{{y:.4g}}"
                                                   "<extra></extra>"), row=1, col=column)
        blown = diverged[diverged[facet] == value] if diverged is not None else pd.DataFrame()
        if not blown.empty:
            top = 10 ** y_range[1] if log_y and y_range else (y_range[1] if y_range else blown.value.max())
            shown = np.where(np.isfinite(blown.value) & (blown.value < top), blown.value, top)
            fig.add_trace(go.Scatter(
                x=blown.epoch, y=shown, mode="markers", name="diverged (✕)", legendgroup="diverged",
                showlegend=not any(t.name == "diverged (✕)" for t in fig.data),
                marker=dict(symbol="x", size=12, color="black"), cliponaxis=False,
                text=[f"{GRID_TITLES.get(color, color)} {grid_label(c)}, seed {s}: diverged at epoch {e} "
                      f"(value {v:.3g})" for c, s, e, v in zip(blown[color], blown.seed, blown.epoch, blown.value)],
                hoverinfo="text"), row=1, col=column)
    fig = _layout(fig, title, None, y_title, log_y=log_y, height=420)
    fig.update_layout(hovermode="closest", margin=dict(t=90),
                      legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0))
    fig.update_xaxes(title_text="epoch")
    if y_range is not None:
        fig.update_yaxes(range=y_range)
    fig.update_yaxes(title_text=None)
    fig.update_yaxes(title_text=y_title, row=1, col=1)
    return fig


def initial_gradients_data(histories, groups):
    """Tidy (group, layer, grad_norm, runs): ‖∂L/∂W‖ per layer at epoch 0, averaged over each group's runs."""
    by_group = {}
    for history, group in zip(histories, groups):
        by_group.setdefault(group, []).append(history.grad_norm[0])
    rows = []
    for group, norms in by_group.items():
        mean = np.mean(norms, axis=0)
        rows += [{"group": group, "layer": layer_name(layer, len(mean)), "grad_norm": float(norm),
                  "runs": len(norms)} for layer, norm in enumerate(mean)]
    return pd.DataFrame(rows, columns=["group", "layer", "grad_norm", "runs"])


def initial_gradients_summary(data):
    """Per group: smallest and largest layer norm, their ratio (spread across layers), whether the
    hidden layers' gradients are exactly 0, and the geometric mean over layers relative to the
    largest group's (NaN where a norm is 0)."""
    rows = []
    for group, part in data.groupby("group", sort=False):
        norms = part["grad_norm"].to_numpy(dtype=float)
        hidden = norms[part["layer"].to_numpy() != "output"]
        positive = bool(np.all(norms > 0))
        rows.append({"group": group, "smallest": norms.min(), "largest": norms.max(),
                     "spread": norms.max() / norms.min() if positive else np.nan,
                     "hidden_zero": bool(hidden.size and np.all(hidden == 0)), "all_zero": bool(np.all(norms == 0)),
                     "geometric_mean": float(np.exp(np.mean(np.log(norms)))) if positive else np.nan})
    summary = pd.DataFrame(rows, columns=["group", "smallest", "largest", "spread", "hidden_zero", "all_zero",
                                          "geometric_mean"])
    summary["relative"] = summary["geometric_mean"] / summary["geometric_mean"].max()
    return summary


def initial_gradients_figure(data, title="Gradient size per layer at epoch 0", group_title="initializer",
                             order=None):
    """Grouped bars: one bar per layer and group, log y; a gradient of exactly 0 has no bar, and says so.

    order: every possible group in a fixed order, so a group keeps its colour whatever else is shown.
    """
    if data.empty:
        return empty_figure(title, "Train the grid to see its first gradients.")
    fig = go.Figure()
    for i, (group, part) in enumerate(data.groupby("group", sort=False)):
        i = list(order).index(group) if order is not None and group in order else i
        zero = part["grad_norm"] == 0
        note = " (every one exactly 0: no bars)" if zero.all() else " (0 where no bar)" if zero.any() else ""
        fig.add_trace(go.Bar(x=part["layer"], y=part["grad_norm"], name=f"{group}{note}",
                             marker_color=PALETTE[i % len(PALETTE)],
                             text=[f"{v:.2g}" for v in part["grad_norm"]], textposition="outside",
                             hovertemplate=f"{group_title} {group}, %{{x}}: %{{y:.3g}}<extra></extra>"))
    log_y = bool((data["grad_norm"] > 0).any())
    fig = _layout(fig, title, "layer (input side → output side)", METRIC_LABELS["grad_norm"], log_y=log_y,
                  height=440)
    fig.update_layout(barmode="group", hovermode="closest", uniformtext=dict(minsize=8, mode="hide"),
                      legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0))
    if log_y:
        fig.update_yaxes(dtick=1)  # one tick per power of ten
    return fig


def pair_figure(histories, title="Two runs: training (solid) and test (dotted) loss"):
    """`loss_figure` of a few runs, its legend below the chart where long run names fit."""
    fig = loss_figure(histories, title=title)
    for trace in fig.data:  # the eval set of a page is its test rows
        trace.name = trace.name.replace("(validation)", "(test)")
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0), height=420)
    return fig
