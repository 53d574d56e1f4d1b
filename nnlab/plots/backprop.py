"""The backprop walk: the network diagram with one row's values on it and the current operation
highlighted, and the loss over k steps of nnlab's rule beside the tutorial's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..backprop import sub
from ._style import PALETTE, empty_figure, layout, needs_log_scale, set_title, tidy
from .weights import network_data

TARGET, SOURCE = "target", "source"  # what the operation computes, and what it reads
ROLE_COLORS = {TARGET: "#ff7f0e", SOURCE: "#9ecae1", "": "white"}
EDGE_COLORS = {TARGET: "rgba(255,127,14,0.9)", SOURCE: "rgba(31,119,180,0.75)"}
QUIET_EDGES = ((1, "rgba(31,119,180,0.22)"), (-1, "rgba(214,39,40,0.22)"))  # weights not in play: faint, by sign
LABEL_AT = 0.3  # edge labels this far along from the left node: labels of one column fan out instead of meeting
MAX_WRITTEN = 8  # a block of more weights than this is too crowded to write on: its numbers show on hover


def _value(x):
    return f"{float(x):.3g}".replace("-", "−")


def _known(trace, position):
    """Keys of the arrays computed by the steps up to and including `position` (the inputs always)."""
    return {"a0", "y", *(f"W{i}" for i in range(1, trace.n_layers + 1))} | {
        step.key for step in trace.steps[: position + 1]
    }


def _roles(trace, position):
    """({layer: role} of node columns, {weight layer (1 …): role} of edge blocks) for the step at position."""
    step, L = trace.steps[position], trace.n_layers
    nodes, edges = {}, {}
    kind, layer = step.kind, step.layer
    if kind == "z":
        nodes, edges = {layer: TARGET, layer - 1: SOURCE}, {layer: SOURCE}
    elif kind == "a":
        nodes = {layer: TARGET}
    elif kind in ("loss", "new_loss"):
        nodes = {L: TARGET}
    elif kind == "delta" and layer == L:
        nodes = {L: TARGET}
    elif kind == "delta":
        nodes, edges = {layer: TARGET, layer + 1: SOURCE}, {layer + 1: SOURCE}
    elif kind in ("dW", "W"):
        nodes, edges = {layer - 1: SOURCE, layer: SOURCE}, {layer: TARGET}
    else:  # db, b: a bias belongs to the unit it feeds
        nodes = {layer: TARGET}
    return nodes, edges


def _node_text(trace, known, layer, unit, row, name=""):
    """What one unit shows for `row`: its input (by name), or z → a (ŷ at the output), then δ, as far as known."""
    a, L = trace.arrays, trace.n_layers
    if layer == 0:
        return f"{name or 'x'} = {_value(a['a0'][row, unit])}"
    lines = []
    if f"z{layer}" in known:
        z = _value(a[f"z{layer}"][row, unit])
        if layer == L:
            lines.append(f"ŷ = {z}   (y = {_value(a['y'][row])})")
        elif f"a{layer}" in known:
            lines.append(f"z = {z} → a = {_value(a[f'a{layer}'][row, unit])}")
        else:
            lines.append(f"z = {z}")
    if f"delta{layer}" in known:
        lines.append(f"δ = {_value(a[f'delta{layer}'][row, unit])}")
    return "<br>".join(lines)


def _edge_values(trace, position, layer):
    """The numbers written on a weight block's edges at this step: W, ∂L/∂W or the updated W."""
    step, a = trace.steps[position], trace.arrays
    if step.kind == "dW" and step.layer == layer:
        return a[f"dW{layer}"], "∂L/∂W"
    if step.kind == "W" and step.layer == layer:
        return a[f"new:W{layer}"], "new W"
    return a[f"W{layer}"], "W"


def backprop_diagram_data(trace, position, row=0, input_names=None):
    """(nodes (layer, unit, x, y, label, text, role), edges (layer, x0, y0, x1, y1, weight, role, label, what,
    written)) of the diagram at the step at `position`, with `row`'s values on the units. label: the number of
    an edge in play ("" otherwise); written: whether it is drawn on the edge (else only on hover)."""
    coefs = [trace.arrays[f"W{i}"] for i in range(1, trace.n_layers + 1)]
    nodes, edges = network_data(coefs, max_units=16, input_names=input_names)
    # Unit 1 on top, as the tables and sentences count them (network_data puts it at the bottom).
    nodes["y"], edges["y0"], edges["y1"] = -nodes.y, -edges.y0, -edges.y1
    known = _known(trace, position)
    node_roles, edge_roles = _roles(trace, position)
    nodes["text"] = [_node_text(trace, known, int(r.layer), int(r.unit), row, r.label) for r in nodes.itertuples()]
    nodes["role"] = [node_roles.get(int(layer), "") for layer in nodes.layer]
    edges.insert(0, "layer", np.repeat(np.arange(1, trace.n_layers + 1), [W.size for W in coefs]))
    edges["role"] = [edge_roles.get(int(layer), "") for layer in edges.layer]
    labels, what, written = [], [], []
    for layer, W in enumerate(coefs, start=1):
        values, name = _edge_values(trace, position, layer)
        shown = edge_roles.get(layer, "") != ""
        labels += [_value(v) if shown else "" for v in values.ravel()]
        what += [f"{name}{sub(layer)}[{i + 1}, {j + 1}]" for i, j in np.ndindex(W.shape)]
        written += [shown and W.size <= MAX_WRITTEN] * W.size
    edges["label"], edges["what"], edges["written"] = labels, what, written
    return nodes.drop(columns="hidden_units"), edges


def backprop_diagram_figure(nodes, edges, title, n_layers=None):
    """The diagram: faint edges by sign, the operation's edges and units coloured (orange: computed
    now, blue: read), each unit's values beside it, and the numbers on the edges in play."""
    if nodes.empty:
        return empty_figure(title)
    fig = go.Figure()
    quiet = edges[edges.role == ""]
    for sign, line_color in QUIET_EDGES:
        _lines(fig, quiet[np.sign(quiet.weight) == sign], line_color, 1.2)
    for role in (SOURCE, TARGET):
        _lines(fig, edges[edges.role == role], EDGE_COLORS[role], 3.0 if role == TARGET else 2.0)
    labelled = edges[edges.label != ""]
    if not labelled.empty:
        fig.add_trace(
            go.Scatter(
                x=labelled.x0 + LABEL_AT * (labelled.x1 - labelled.x0),
                y=labelled.y0 + LABEL_AT * (labelled.y1 - labelled.y0),
                mode="text+markers",
                text=labelled.label.where(labelled.written, ""),
                textfont=dict(size=12, color="#333"),
                marker=dict(size=8, color="rgba(0,0,0,0)"),  # something to hover on, written or not
                hovertext=[f"{w} = {v}" for w, v in zip(labelled.what, labelled.label)],
                hoverinfo="text",
                showlegend=False,
            )
        )
    for role in ("", SOURCE, TARGET):
        part = nodes[nodes.role == role]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part.x,
                y=part.y,
                mode="markers+text",
                text=part.text,
                textposition=["middle left" if layer == 0 else "top center" for layer in part.layer],
                textfont=dict(size=12, color="#111"),
                cliponaxis=False,
                marker=dict(
                    size=22 if role == TARGET else 18, color=ROLE_COLORS[role], line=dict(color="#333", width=1.5)
                ),
                hoverinfo="skip",
                showlegend=False,
            )
        )
    layers = int(nodes.layer.max()) + 1 if n_layers is None else n_layers + 1
    names = (
        ["inputs X"] + [f"hidden {i} (a{sub(i)})" for i in range(1, layers - 1)] + [f"output ŷ = z{sub(layers - 1)}"]
    )
    fig.update_xaxes(
        tickvals=list(range(layers)), ticktext=names, showgrid=False, zeroline=False, range=[-0.6, layers - 0.6]
    )
    # Room above the top unit for its two lines of values; the height grows with the widest layer.
    fig.update_yaxes(visible=False, range=[nodes.y.min() - 0.35, nodes.y.max() + 0.6])
    widest = int(nodes.groupby("layer").size().max())
    return set_title(fig, title, 260 + 70 * widest, dict(l=110, r=30, t=50, b=40))


def _lines(fig, part, line_color, width):
    if part.empty:
        return
    xs = np.column_stack([part.x0, part.x1, np.full(len(part), np.nan)]).ravel()
    ys = np.column_stack([part.y0, part.y1, np.full(len(part), np.nan)]).ravel()
    fig.add_trace(
        go.Scatter(
            x=xs, y=ys, mode="lines", line=dict(color=line_color, width=width), hoverinfo="skip", showlegend=False
        )
    )


def descent_data(curves):
    """Tidy (rule, step, loss) from {rule name: losses (steps + 1,)}; non-finite losses left out."""
    frames = []
    for name, losses in curves.items():
        losses = np.asarray(losses, dtype=float)
        keep = np.isfinite(losses)
        frames.append(pd.DataFrame({"rule": name, "step": np.arange(len(losses))[keep], "loss": losses[keep]}))
    return tidy(frames, ["rule", "step", "loss"])


def descent_figure(data, title="Loss over the steps"):
    """One line per rule: the loss before each step and after the last."""
    if data.empty:
        return empty_figure(title, "No finite loss to draw.")
    fig = go.Figure()
    for i, (name, part) in enumerate(data.groupby("rule", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=part.step,
                y=part.loss,
                mode="lines+markers" if len(part) <= 30 else "lines",
                name=name,
                line=dict(color=PALETTE[i], dash="solid" if i == 0 else "dash"),
            )
        )
    return layout(fig, title, "step", "MSE loss", legend="below", log_y=needs_log_scale(data.loss), height=340)
