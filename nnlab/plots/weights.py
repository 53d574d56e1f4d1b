"""The parameters themselves: the network diagram, a linear model's weight paths, weight histograms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._style import (
    bin_bars,
    color,
    downsample_indices,
    empty_figure,
    layer_name,
    layout,
    set_title,
    tidy,
)

SIGN_COLORS = ((1, "rgba(31,119,180,0.7)"), (-1, "rgba(214,39,40,0.7)"))  # PALETTE 0 and 1, see-through
WIDTH_CLASSES = 6


def network_data(coefs, max_units=16, input_names=None):
    """(nodes (layer, unit, x, y, hidden_units, label), edges (x0, y0, x1, y1, weight)) of a network diagram."""
    # Layers wider than max_units show their first max_units units; the diagram says how many are not.
    sizes = [coefs[0].shape[0]] + [w.shape[1] for w in coefs]
    shown = [min(s, max_units) for s in sizes]
    names = list(input_names) if input_names is not None else []
    nodes = pd.DataFrame(
        [
            {
                "layer": layer,
                "unit": unit,
                "x": float(layer),
                "y": unit - (shown[layer] - 1) / 2,
                "hidden_units": sizes[layer] - shown[layer],
                "label": names[unit] if layer == 0 and unit < len(names) else "",
            }
            for layer in range(len(sizes))
            for unit in range(shown[layer])
        ]
    )
    edges = []
    for layer, W in enumerate(coefs):
        for i in range(shown[layer]):
            for j in range(shown[layer + 1]):
                edges.append(
                    {
                        "x0": float(layer),
                        "y0": i - (shown[layer] - 1) / 2,
                        "x1": float(layer + 1),
                        "y1": j - (shown[layer + 1] - 1) / 2,
                        "weight": float(W[i, j]),
                    }
                )
    return nodes, pd.DataFrame(edges, columns=["x0", "y0", "x1", "y1", "weight"])


def network_figure(coefs, title="Network (line width ∝ |w|, blue > 0, red < 0)", input_names=None, max_units=16):
    """A diagram of the network: one line per weight, width |w|, colour sign."""
    if not coefs:
        return empty_figure(title)
    nodes, edges = network_data(coefs, max_units, input_names)
    biggest = max(float(np.nanmax(np.abs(edges.weight))), 1e-12) if not edges.empty else 1.0
    fig = go.Figure(network_traces(nodes, edges, biggest))
    tickvals, ticktext = network_ticks(nodes, len(coefs))
    fig.update_xaxes(tickvals=tickvals, ticktext=ticktext, showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False)
    return set_title(fig, title, 420, dict(l=80, r=20, t=50, b=60))


def network_edge_lines(edges, biggest):
    """[(colour, width class, xs, ys)] for every (sign, width class), width class ∝ |w| / biggest;
    xs, ys hold each edge of the class as its two ends and a NaN (a break in the line)."""
    # Lines grouped into a few width classes: one trace per class keeps the figure light.
    classes = np.minimum((np.abs(edges.weight.fillna(0)) / biggest * WIDTH_CLASSES).astype(int), WIDTH_CLASSES - 1)
    lines = []
    for sign, line_color in SIGN_COLORS:
        for width in range(WIDTH_CLASSES):
            part = edges[(np.sign(edges.weight) == sign) & (classes == width)]
            xs = np.column_stack([part.x0, part.x1, np.full(len(part), np.nan)]).ravel()
            ys = np.column_stack([part.y0, part.y1, np.full(len(part), np.nan)]).ravel()
            lines.append((line_color, width, xs, ys))
    return lines


def network_edge_traces(edges, biggest, keep_empty=False):
    """One line trace per (sign, width class) of network_edge_lines; keep_empty keeps all
    2 · WIDTH_CLASSES (an animation frame must have the same traces as the figure it updates)."""
    return [
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line=dict(color=line_color, width=0.5 + width * 1.2),
            hoverinfo="skip",
            showlegend=False,
        )
        for line_color, width, xs, ys in network_edge_lines(edges, biggest)
        if xs.size or keep_empty
    ]


def network_traces(nodes, edges, biggest, keep_empty=False):
    """The diagram's traces: its edges (network_edge_traces), then its nodes."""
    return [
        *network_edge_traces(edges, biggest, keep_empty),
        go.Scatter(
            x=nodes.x,
            y=nodes.y,
            mode="markers+text",
            text=nodes.label,
            textposition="middle left",
            cliponaxis=False,  # the input names sit left of the first column: clipped, "bmi" read "omi"
            marker=dict(size=12, color="white", line=dict(color="#333", width=1.5)),
            hoverinfo="skip",
            showlegend=False,
        ),
    ]


def network_ticks(nodes, n_weight_layers):
    """(tickvals, ticktext) naming the diagram's columns, with how many units of each are not drawn."""
    n_layers = n_weight_layers + 1
    names = ["inputs"] + [f"hidden {i}" for i in range(1, n_layers - 1)] + ["output"]
    hidden_counts = nodes.groupby("layer").hidden_units.first()
    ticks = [f"{name}<br>(+{hidden_counts[i]} not drawn)" if hidden_counts[i] else name for i, name in enumerate(names)]
    return list(range(n_layers)), ticks


def weight_paths_data(history, names, max_lines=12):
    """Tidy (parameter, epoch, value): a linear model's weights and bias per snapshot, ≤ max_lines of them."""
    # Beyond max_lines parameters, the largest final |w| are drawn: the ones that carry the model.
    epochs = np.asarray(history.snapshot_epochs)
    W = np.asarray(history.weights[0])[:, :, 0]
    values = np.column_stack([W, np.asarray(history.biases[0])[:, 0]])
    labels = [*names, "bias b"]
    order = np.arange(values.shape[1])
    if len(order) > max_lines:
        last = np.nan_to_num(np.abs(values[-1]), nan=np.inf)
        order = np.sort(np.argsort(-last, kind="stable")[:max_lines])
    index = downsample_indices(len(epochs))
    frames = [pd.DataFrame({"parameter": labels[k], "epoch": epochs[index], "value": values[index, k]}) for k in order]
    data = tidy(frames, ["parameter", "epoch", "value"])
    data.attrs["hidden"] = values.shape[1] - len(order)
    return data


def weight_paths_figure(data, targets=None, title="Paths of the weights during training", y_title="parameter value"):
    """One line per parameter over the epochs; ★ at the end marks each one's closed-form value."""
    if data.empty:
        return empty_figure(title, "Train a model to see its weights move.")
    fig = go.Figure()
    for i, (name, part) in enumerate(data.groupby("parameter", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=part.epoch,
                y=part.value,
                mode="lines",
                name=name,
                line=dict(color=color(i), dash="solid" if i < 10 else "dash"),
            )
        )
    if targets:
        names = [n for n in dict.fromkeys(data.parameter) if n in targets]
        fig.add_trace(
            go.Scatter(
                x=[data.epoch.max()] * len(names),
                y=[targets[n] for n in names],
                mode="markers",
                name="least-squares values",
                text=names,
                marker=dict(symbol="star", size=11, color="black"),
                hovertemplate="%{text}: %{y:.4g} (closed form)<extra></extra>",
            )
        )
    hidden = data.attrs.get("hidden", 0)
    if hidden:
        title = f"{title}<br><sup>the {data.parameter.nunique()} largest at the end; {hidden} more not drawn</sup>"
    fig = layout(fig, title, "epoch", y_title, legend="below", height=460)
    fig.update_layout(legend_entrywidth=70)  # twelve short names in even columns
    return fig


def weight_histogram_data(history, snapshot, kind="weights", bins=40):
    """Tidy (layer, left, right, share): each layer's weights (or gradients) at a snapshot, on shared bins."""
    finite = [values[snapshot].ravel() for values in getattr(history, kind)]
    finite = [values[np.isfinite(values)] for values in finite]
    pooled = np.concatenate(finite) if finite else np.array([])
    columns = ["layer", "left", "right", "share"]
    if pooled.size == 0:
        return pd.DataFrame(columns=columns)
    edges = np.histogram_bin_edges(pooled, bins=bins)
    frames = [
        pd.DataFrame(
            {
                "layer": layer_name(layer, len(finite)),
                "left": edges[:-1],
                "right": edges[1:],
                "share": np.histogram(values, edges)[0] / values.size,
            }
        )
        for layer, values in enumerate(finite)
        if values.size
    ]
    return tidy(frames, columns)


def weight_histogram_figure(data, kind="weights", epoch=None):
    """Overlaid per-layer histograms (bars on shared bins) from weight_histogram_data."""
    what = "weight W" if kind == "weights" else "gradient ∂L/∂W"
    title = f"Every {what} of each layer" + (f" at epoch {epoch}" if epoch is not None else "")
    if data.empty:
        return empty_figure(title, "No finite values at this epoch.")
    fig = go.Figure()
    for i, (layer, part) in enumerate(data.groupby("layer", sort=False)):
        fig.add_trace(bin_bars(part, part.share, name=layer, opacity=0.55, marker_color=color(i)))
    fig.update_layout(barmode="overlay", bargap=0)
    return layout(fig, title, f"value of the {what}", "share of the layer's values", legend="below", hover="closest")
