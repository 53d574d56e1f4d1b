"""Replays: a run's recorded snapshots as plotly animation frames, played in the browser.

Everything a replay shows is in one figure (one set of frames, one Play button, one slider), so
the network diagram, the histograms, the predictions and the loss curve's epoch marker move in
step, and playing, pausing and scrubbing send nothing to the server. Each chart is a data half
(`replay_data`, `layer_replay_data`: plain arrays, tested by equality) and a figure half.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..health import healthy_snapshots
from ..learned import predict_at
from ._style import (
    LAYER_AXIS,
    METRIC_LABELS,
    PALETTE,
    REFERENCE_GREY,
    color,
    downsample_indices,
    empty_figure,
    layer_name,
    needs_log_scale,
    set_title,
)
from .weights import WIDTH_CLASSES, network_data, network_edge_lines, network_ticks, network_traces

# At most this many frames, spread evenly over the snapshots (first and last always in): 60 frames
# of the default 64-32 network are ~1 MB of JSON, sent once, and at the normal speed play in ~10 s.
MAX_FRAMES = 60
# Milliseconds a frame stays on screen. Chromium draws on 60 Hz ticks, so these play at about 6, 2
# and 20 frames a second (benchmarks/replay_speed.py).
FRAME_MS = {"▶ Play": 150, "▶ Slowly": 500, "▶▶ Fast": 40}
BINS = 30
# Gradients are drawn as log10 |g|: during a run they shrink or grow by orders of magnitude, which one
# linear axis cannot show. The axis starts at this quantile's lower tail (smaller ones, exact zeros
# included, count in the first bin).
GRADIENT_QUANTILE = 0.99
# Frames update the traces in place (scatter and bar data), never redraw the figure: with a full redraw
# of the six panels the Fast button played 3.7 frames a second on a loaded machine, in place 8-12.
REDRAW = False
SURFACE_MARKER_PX = 9  # a 40 × 40 grid in a panel ~350 px wide: squares that just touch
REPLAY_HEIGHT = 1200
REPLAY_MARGIN = dict(l=80, r=30, t=160, b=60)  # the top holds the title, the Play buttons and the slider
MAX_UNITS = 12  # units drawn per layer in the replayed diagram (fewer than the still one's 16: smaller frames)


@dataclass
class ReplayData:
    """What a replay's frames show, one row per frame (k frames).

    epochs (k,), snapshots (k,): the epoch and snapshot index of each frame.
    weights: per frame, the list of W (fan_in, fan_out) at that snapshot.
    weight_shares, grad_shares: (k, layers, BINS) share of each layer's W (of its log10 |∂L/∂W|) per
    bin; weight_edges, grad_edges: (BINS + 1,) bins shared by every frame.
    actual (n,), predicted (k, n): test rows (≤ MAX_POINTS), in the target's units.
    loss_epochs, loss, val_loss: the loss curve (≤ MAX_POINTS points); marker (k,): the training
    loss at each frame's epoch (the loss recorded at the start of that epoch, or the final loss
    after the last update).
    grad_norm: (len(loss_epochs), layers) ‖∂L/∂W‖ per layer on the loss curve's epochs, drawn where
    there is no function to draw.
    grid (m, d), function (k, m): the network's prediction over the feature range (1-D, 2-D data),
    axes its grid's axes; points: (X, y) of the training rows; None for more features.
    """

    epochs: np.ndarray
    snapshots: np.ndarray
    weights: list
    weight_shares: np.ndarray
    weight_edges: np.ndarray
    grad_shares: np.ndarray
    grad_edges: np.ndarray
    actual: np.ndarray
    predicted: np.ndarray
    loss_epochs: np.ndarray
    loss: np.ndarray
    val_loss: np.ndarray | None
    marker: np.ndarray
    grad_norm: np.ndarray | None = None
    grid: np.ndarray | None = None
    axes: list | None = None
    function: np.ndarray | None = None
    points: tuple | None = None

    @property
    def n_layers(self):
        return self.weight_shares.shape[1]


def frame_snapshots(history, max_frames=MAX_FRAMES):
    """Indices (≤ max_frames,) of the snapshots a replay plays: evenly spread over those taken before
    any blow-up, the first and the last always in."""
    healthy = healthy_snapshots(history)
    if len(healthy) <= max_frames:
        return healthy
    return healthy[np.unique(np.linspace(0, len(healthy) - 1, max_frames).round().astype(int))]


def loss_at(history, epoch):
    """The training loss of the parameters copied at `epoch`: loss[epoch] (measured before that
    epoch's update), or final_loss for the snapshot taken after the last update."""
    return float(history.loss[epoch]) if epoch < history.epochs else float(history.final_loss)


def shared_histograms(stacks, span=None, bins=BINS):
    """(shares (k, layers, bins), edges (bins + 1,)): each layer's finite values per frame, as shares of
    them, on bins shared by every frame over span (low, high; default: all the values), values beyond
    counted in the end bins."""
    finite = [v[np.isfinite(v)] for frame in stacks for v in frame]
    finite = np.concatenate(finite) if finite else np.zeros(1)
    low, high = span if span is not None else (float(finite.min()), float(finite.max())) if finite.size else (0, 1)
    if not high > low:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, bins + 1)
    shares = np.zeros((len(stacks), len(stacks[0]) if stacks else 0, bins))
    for k, frame in enumerate(stacks):
        for layer, values in enumerate(frame):
            values = values[np.isfinite(values)]
            if values.size:
                shares[k, layer] = np.histogram(np.clip(values, low, high), edges)[0] / values.size
    return shares, edges


def gradient_sizes(grads):
    """log10 |g| of gradients (n,), exact zeros (a dead unit's weights) as −inf, NaN kept NaN."""
    with np.errstate(divide="ignore"):
        return np.log10(np.abs(grads))


def size_span(stacks):
    """(low, high) of log10 |g| over every frame: from GRADIENT_QUANTILE's lower tail up to the largest,
    so the first epochs' large gradients and the last ones' small ones share one axis."""
    finite = [v[np.isfinite(v)] for frame in stacks for v in frame]
    finite = np.concatenate(finite) if finite else np.zeros(0)
    if finite.size == 0:
        return (-1.0, 0.0)
    return (float(np.quantile(finite, 1 - GRADIENT_QUANTILE)), float(finite.max()))


def replay_data(history, activation, X_test, y_test, to_units=None, grid=None, train=None, max_frames=MAX_FRAMES):
    """ReplayData of a run: its snapshots at frame_snapshots, predictions by `nnlab.learned.predict_at`.

    to_units maps the network's target scale to the learner's (Dataset.to_original_units); grid
    (m, 1 or 2) and axes (learned.function_grid) with train=(X_train, y_train) add the learned function.
    """
    units = to_units or (lambda y: np.asarray(y, dtype=float))
    snapshots = frame_snapshots(history, max_frames)
    epochs = np.asarray(history.snapshot_epochs)[snapshots]
    rows = downsample_indices(len(y_test))
    weight_stacks = [[w[s].ravel() for w in history.weights] for s in snapshots]
    grad_stacks = [[gradient_sizes(g[s].ravel()) for g in history.weight_grads] for s in snapshots]
    weight_shares, weight_edges = shared_histograms(weight_stacks)
    # −inf (exact zeros) is not finite: clip it into the lowest bin rather than drop a dead unit's weights.
    low, high = size_span(grad_stacks)
    grad_stacks = [[np.where(np.isneginf(g), low, g) for g in frame] for frame in grad_stacks]
    grad_shares, grad_edges = shared_histograms(grad_stacks, (low, high))
    curve = downsample_indices(history.epochs)
    data = ReplayData(
        epochs=epochs,
        snapshots=snapshots,
        weights=[[w[s] for w in history.weights] for s in snapshots],
        weight_shares=weight_shares,
        weight_edges=weight_edges,
        grad_shares=grad_shares,
        grad_edges=grad_edges,
        actual=units(np.asarray(y_test)[rows]),
        predicted=np.array([units(predict_at(history, s, np.asarray(X_test)[rows], activation)) for s in snapshots]),
        loss_epochs=curve,
        loss=np.asarray(history.loss)[curve],
        val_loss=None if history.val_loss is None else np.asarray(history.val_loss)[curve],
        marker=np.array([loss_at(history, e) for e in epochs]),
        grad_norm=np.asarray(history.grad_norm, dtype=float)[curve],
    )
    if grid is not None:
        grid, axes = grid
        data.grid, data.axes = grid, axes
        data.function = np.array([units(predict_at(history, s, grid, activation)) for s in snapshots])
        X_train, y_train = train
        keep = downsample_indices(len(y_train))
        data.points = (np.asarray(X_train)[keep], units(np.asarray(y_train)[keep]))
    return data


# -- the figure ------------------------------------------------------------------------------------


def _span(*arrays, pad=0.05):
    """[low, high] over the finite values of arrays, padded by `pad` of the span."""
    values = np.concatenate([np.ravel(a) for a in arrays])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return [0.0, 1.0]
    low, high = float(values.min()), float(values.max())
    extra = (high - low) * pad or 0.5
    return [low - extra, high + extra]


def _diagram(weights, biggest, names):
    nodes, edges = network_data(weights, MAX_UNITS, names)
    return nodes, network_traces(nodes, edges, biggest, keep_empty=True)


def _biggest(data):
    """The largest drawn |w| over every frame: one width scale, so a growing weight is seen to grow."""
    # network_data draws the first MAX_UNITS units of each layer: these weights are the drawn ones.
    drawn = [np.abs(W[:MAX_UNITS, :MAX_UNITS]) for frame in data.weights for W in frame]
    return max(max(float(np.nanmax(w)) if np.isfinite(w).any() else 0.0 for w in drawn), 1e-12)


def _histogram_bars(shares, edges, legend):
    centres, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    return [
        go.Bar(
            x=centres,
            y=shares[layer],
            width=width,
            name=layer_name(layer, len(shares)),
            marker_color=color(layer),
            opacity=0.55,
            legendgroup=str(layer),
            showlegend=legend,
        )
        for layer in range(len(shares))
    ]


def _frame_traces(data, k, biggest, names):
    """Frame k's traces as plain dicts of what changes: a frame's trace is merged into the figure's,
    so styles and fixed x stay; dicts, because validating 60 frames of plotly objects took a second."""
    _, edges = network_data(data.weights[k], MAX_UNITS, names)
    # float32: the diagram's coordinates are small halves, exact in 4 bytes; half the payload of float64.
    traces = [
        dict(type="scatter", x=xs.astype(np.float32), y=ys.astype(np.float32))
        for _, _, xs, ys in network_edge_lines(edges, biggest)
    ]
    traces.append(dict(type="scatter", x=[int(data.epochs[k])], y=[float(data.marker[k])]))
    # The rest in float32 too: 7 significant digits, where a chart shows 3 or 4.
    traces += [dict(type="bar", y=share.astype(np.float32)) for share in data.weight_shares[k]]
    traces += [dict(type="bar", y=share.astype(np.float32)) for share in data.grad_shares[k]]
    traces.append(dict(type="scatter", y=data.predicted[k].astype(np.float32)))
    if data.function is not None:
        function = data.function[k].astype(np.float32)
        if data.grid.shape[1] == 1:
            traces.append(dict(type="scatter", y=function))
        else:
            traces.append(dict(type="scatter", marker=dict(color=function)))
    else:
        traces.append(dict(type="scatter", x=[int(data.epochs[k])] * 2))
    return traces


def _changing_traces(data, k, biggest, names):
    """Frame k's changing traces as full plotly traces: the figure's own, in the frames' order."""
    traces = _diagram(data.weights[k], biggest, names)[1][:-1]  # the nodes never move
    traces.append(go.Scatter(x=[data.epochs[k]], y=[data.marker[k]]))
    traces += _histogram_bars(data.weight_shares[k], data.weight_edges, legend=True)
    traces += _histogram_bars(data.grad_shares[k], data.grad_edges, legend=False)
    traces.append(go.Scatter(x=data.actual, y=data.predicted[k]))
    if data.function is not None:
        if data.grid.shape[1] == 1:
            traces.append(go.Scatter(x=data.grid[:, 0], y=data.function[k]))
        else:
            traces.append(go.Scatter(x=data.grid[:, 0], y=data.grid[:, 1], marker=dict(color=data.function[k])))
    else:
        traces.append(go.Scatter(x=[data.epochs[k]] * 2, y=_gradient_span(data)))
    return traces


def _gradient_span(data):
    """[low, high] of the positive gradient norms (the epoch line's ends on their log axis)."""
    positive = data.grad_norm[np.isfinite(data.grad_norm) & (data.grad_norm > 0)]
    return [float(positive.min()), float(positive.max())] if positive.size else [1e-12, 1.0]


def replay_figure(data, feature_names, target_name, title="Replay of the run"):
    """One figure, five or six panels and one set of frames: the diagram, the loss with its epoch marker,
    the weight and gradient histograms, predicted vs actual, and (1-D, 2-D data) the learned function."""
    if data is None or len(data.epochs) == 0:
        return empty_figure(title, "Train a model first.")
    names, has_function = list(feature_names), data.function is not None
    panels = [
        "The network: line width ∝ |w|, blue > 0, red < 0",
        "Training loss: the dot is the epoch shown",
        "Every weight W of each layer",
        "Size of every gradient |∂L/∂W| of each layer",
        f"Predicted vs actual, {len(data.actual)} test rows",
        "The function the network computes" if has_function else "‖∂L/∂W‖ of each layer: the line is the epoch shown",
    ]
    fig = make_subplots(rows=3, cols=2, subplot_titles=panels, vertical_spacing=0.1, horizontal_spacing=0.1)
    biggest = _biggest(data)
    nodes, diagram = _diagram(data.weights[0], biggest, names)
    # The changing traces first, so frame k lists them in the same order; the still ones after.
    cells = [(1, 1)] * (len(diagram) - 1) + [(1, 2)] + [(2, 1)] * data.n_layers + [(2, 2)] * data.n_layers + [(3, 1)]
    cells += [(3, 2)]
    first = _changing_traces(data, 0, biggest, names)
    _style_first(first, data, target_name)
    for trace, (row, col) in zip(first, cells):
        fig.add_trace(trace, row=row, col=col)
    changing = list(range(len(first)))
    _still_traces(fig, data, diagram[-1], target_name)
    fig.frames = [
        go.Frame(data=_frame_traces(data, k, biggest, names), traces=changing, name=str(int(epoch)))
        for k, epoch in enumerate(data.epochs)
    ]
    _axes(fig, data, nodes, names, target_name)
    _controls(fig, data.epochs, above_px=30, plot_px=REPLAY_HEIGHT - REPLAY_MARGIN["t"] - REPLAY_MARGIN["b"])
    fig.update_layout(barmode="overlay", bargap=0, hovermode="closest")
    # The layers' colours are the histograms': their legend sits in the weights' panel, top right.
    top, right = fig.layout.yaxis3.domain[1], fig.layout.xaxis3.domain[1]
    fig.update_layout(
        legend=dict(
            orientation="v",
            yanchor="top",
            y=top,
            xanchor="right",
            x=right,
            bgcolor="rgba(255,255,255,0.7)",
            title_text="layer",
        )
    )
    fig = set_title(fig, title, REPLAY_HEIGHT, REPLAY_MARGIN)
    return fig.update_layout(title=dict(y=0.99, yanchor="top"))


def _style_first(traces, data, target_name):
    """Names and styles of the changing traces (a frame carries only their data)."""
    diagram = 2 * WIDTH_CLASSES
    marker = traces[diagram]
    marker.update(mode="markers", name="epoch shown", marker=dict(size=12, color="black"), showlegend=False)
    predicted = traces[diagram + 1 + 2 * data.n_layers]
    predicted.update(mode="markers", name="test rows", marker=dict(size=6, color=PALETTE[0], opacity=0.7))
    predicted.update(showlegend=False, hovertemplate="actual %{x:.3g}, predicted %{y:.3g}<extra></extra>")
    if data.function is None:
        traces[-1].update(mode="lines", line=dict(color="black", width=2), showlegend=False, hoverinfo="skip")
    else:
        function = traces[-1]
        if data.grid.shape[1] == 1:
            function.update(mode="lines", line=dict(color=PALETTE[0], width=3), name="network", showlegend=False)
        else:
            # The surface as square markers, not a heatmap: plotly redraws a heatmap's frame from
            # scratch, while a scatter's colours change in place (REDRAW).
            function.update(
                mode="markers",
                marker=dict(symbol="square", size=SURFACE_MARKER_PX, coloraxis="coloraxis", line=dict(width=0)),
                name="network",
                showlegend=False,
                hovertemplate="network: %{marker.color:.3g}<extra></extra>",
            )


def _still_traces(fig, data, nodes_trace, target_name):
    """What every frame shares: the diagram's nodes, the loss curves, y = x, the data points."""
    fig.add_trace(nodes_trace, row=1, col=1)
    fig.add_trace(
        go.Scatter(
            x=data.loss_epochs,
            y=data.loss,
            mode="lines",
            name="training loss",
            showlegend=False,
            line=dict(color=PALETTE[0]),
        ),
        row=1,
        col=2,
    )
    if data.val_loss is not None:
        fig.add_trace(
            go.Scatter(
                x=data.loss_epochs,
                y=data.val_loss,
                mode="lines",
                name="test loss",
                showlegend=False,
                line=dict(color=PALETTE[0], dash="dot"),
            ),
            row=1,
            col=2,
        )
    ends = _span(data.actual, data.predicted, pad=0)
    fig.add_trace(
        go.Scatter(
            x=ends,
            y=ends,
            mode="lines",
            name="perfect (y = ŷ)",
            showlegend=False,
            line=dict(color=REFERENCE_GREY, dash="dash"),
            hoverinfo="skip",
        ),
        row=3,
        col=1,
    )
    if data.function is None:
        for layer in range(data.n_layers):
            fig.add_trace(
                go.Scatter(
                    x=data.loss_epochs,
                    y=data.grad_norm[:, layer],
                    mode="lines",
                    name=layer_name(layer, data.n_layers),
                    line=dict(color=color(layer)),
                    legendgroup=str(layer),
                    showlegend=False,
                ),
                row=3,
                col=2,
            )
        return
    X, y = data.points
    if data.grid.shape[1] == 1:
        fig.add_trace(
            go.Scatter(
                x=X[:, 0],
                y=y,
                mode="markers",
                name="training rows",
                showlegend=False,
                marker=dict(color=PALETTE[8], size=5, opacity=0.6),
            ),
            row=3,
            col=2,
        )
    else:
        fig.add_trace(
            go.Scatter(
                x=X[:, 0],
                y=X[:, 1],
                mode="markers",
                name="training rows",
                showlegend=False,
                marker=dict(color=y, coloraxis="coloraxis", size=6, line=dict(color="white", width=1)),
            ),
            row=3,
            col=2,
        )


def _axes(fig, data, nodes, names, target_name):
    """Fixed ranges: an animation does not rescale its axes, so each spans every frame."""
    tickvals, _ = network_ticks(nodes, len(data.weights[0]))
    # Shorter than the still diagram's "(+52 not drawn)": a third of the width holds four columns.
    sizes = [data.weights[0][0].shape[0]] + [W.shape[1] for W in data.weights[0]]
    columns = ["inputs"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["output"]
    ticktext = [
        f"{column}<br>{min(size, MAX_UNITS)} of {size}" if size > MAX_UNITS else column
        for column, size in zip(columns, sizes)
    ]
    fig.update_xaxes(
        tickvals=tickvals,
        ticktext=ticktext,
        showgrid=False,
        zeroline=False,
        row=1,
        col=1,
        range=[-0.6, len(tickvals) - 0.6],
        tickangle=0,
    )
    fig.update_yaxes(visible=False, row=1, col=1)
    losses = np.r_[data.loss, data.marker, [] if data.val_loss is None else data.val_loss]
    # Log from a 10× range: an early spike (a bounce of the loss) would flatten the rest of the curve.
    log = needs_log_scale(losses, ratio=10.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss_span = _span(np.log10(losses) if log else losses)
    # The last snapshot is taken after the last epoch's update: one epoch past the curve's end.
    epochs = _span([0, data.epochs[-1], data.loss_epochs[-1]], pad=0.02)
    fig.update_xaxes(title_text="epoch", range=epochs, row=1, col=2)
    fig.update_yaxes(
        title_text=METRIC_LABELS["loss"],
        type="log" if log else "linear",
        range=loss_span,
        dtick=1 if log else None,  # decades only: plotly would label 2, 3, … 9 within each
        exponentformat="power",
        row=1,
        col=2,
    )
    for col, edges, shares in ((1, data.weight_edges, data.weight_shares), (2, data.grad_edges, data.grad_shares)):
        fig.update_xaxes(range=[edges[0], edges[-1]], row=2, col=col)
        fig.update_yaxes(
            title_text="share of the layer", range=[0, max(float(shares.max()) * 1.05, 1e-3)], row=2, col=col
        )
    fig.update_xaxes(title_text="value of W", row=2, col=1)
    powers = np.arange(np.ceil(data.grad_edges[0]), np.floor(data.grad_edges[-1]) + 1)
    fig.update_xaxes(
        title_text="|∂L/∂W| (log scale; the first bar holds all smaller, and zeros)",
        tickvals=powers,
        ticktext=[f"10<sup>{int(k)}</sup>" for k in powers],
        row=2,
        col=2,
    )
    span = _span(data.actual, data.predicted)
    fig.update_xaxes(title_text=f"actual {target_name}", range=span, row=3, col=1)
    fig.update_yaxes(title_text=f"predicted {target_name}", range=span, row=3, col=1)
    if data.function is None:
        # Log only where the norms span more than 100×: within one decade plotly labels 2, 3, … 9.
        low, high = _gradient_span(data)
        log = needs_log_scale([low, high])
        span = [np.log10(low) - 0.1, np.log10(high) + 0.1] if log else _span([low, high, 0.0])
        fig.update_xaxes(title_text="epoch", row=3, col=2)
        fig.update_yaxes(
            title_text=METRIC_LABELS["grad_norm"], type="log" if log else "linear", range=span, row=3, col=2
        )
        return
    fig.update_xaxes(title_text=names[0], row=3, col=2)
    if data.grid.shape[1] == 1:
        fig.update_yaxes(title_text=target_name, range=_span(data.points[1], pad=0.25), row=3, col=2)
    else:
        fig.update_yaxes(title_text=names[1], row=3, col=2)
        low, high = _span(data.points[1], pad=0)
        fig.update_layout(
            coloraxis=dict(
                colorscale="Viridis", cmin=low, cmax=high, colorbar=dict(title=target_name, len=0.28, y=0.14)
            )
        )


def _play(duration):
    return dict(
        frame=dict(duration=duration, redraw=REDRAW), transition=dict(duration=0), fromcurrent=True, mode="immediate"
    )


def _controls(fig, epochs, above_px, plot_px):
    """Play buttons at three speeds, Pause, and a slider over the frames' epochs to scrub, their
    bottom edge above_px above the plots (of plot_px height): above, so they are on screen with the
    charts they drive."""
    y = 1 + above_px / plot_px
    buttons = [dict(label=label, method="animate", args=[None, _play(ms)]) for label, ms in FRAME_MS.items()]
    buttons.append(
        dict(
            label="Pause",
            method="animate",
            args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")],
        )
    )
    fig.update_layout(
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                buttons=buttons,
                x=0,
                xanchor="left",
                y=y + 8 / plot_px,  # level with the slider's rail
                yanchor="bottom",
                pad=dict(t=0, r=10),
                showactive=False,
            )
        ],
        sliders=[
            dict(
                active=0,
                x=0.36,
                len=0.64,
                y=y,
                yanchor="bottom",
                currentvalue=dict(prefix="epoch ", visible=True, xanchor="left"),
                pad=dict(t=10, b=0),
                steps=[
                    dict(
                        label=str(int(e)),
                        method="animate",
                        args=[
                            [str(int(e))],
                            dict(frame=dict(duration=0, redraw=REDRAW), transition=dict(duration=0), mode="immediate"),
                        ],
                    )
                    for e in epochs
                ],
            )
        ],
    )


# -- the activation page: the per-layer gradient profile, replayed ----------------------------------


def frame_epochs(epochs, max_frames=MAX_FRAMES):
    """Epochs (≤ max_frames,) evenly spread over 0 … epochs − 1, both ends in."""
    return np.unique(np.linspace(0, epochs - 1, min(max_frames, epochs)).round().astype(int))


def layer_replay_data(histories, max_frames=MAX_FRAMES):
    """(epochs (k,), {run: (k, layers) ‖∂L/∂W‖ per layer}, {run: loss (epochs,)}), each run up to
    its last good epoch."""
    longest = max(h.epochs for h in histories.values())
    epochs = frame_epochs(longest, max_frames)
    norms, losses = {}, {}
    for run, history in histories.items():
        last = history.last_good_epoch
        at = np.minimum(epochs, last)  # a run that stopped early holds its last good epoch
        norms[run] = np.asarray(history.grad_norm, dtype=float)[at]
        losses[run] = np.asarray(history.loss, dtype=float)[: last + 1]
    return epochs, norms, losses


def layer_replay_figure(epochs, norms, losses, title="Gradient per layer, epoch by epoch"):
    """Left: ‖∂L/∂W‖ from the first layer to the output, one line per run; right: the loss with the
    epoch's marker; one Play and slider drive both."""
    if not norms:
        return empty_figure(title, "Train to see the gradients.")
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.55, 0.45],
        horizontal_spacing=0.12,
        subplot_titles=["‖∂L/∂W‖ of each layer (log scale)", "Training loss: the dots are the epoch shown"],
    )
    runs = list(norms)
    layers = [layer_name(i, next(iter(norms.values())).shape[1]) for i in range(next(iter(norms.values())).shape[1])]

    def changing(k):
        traces = [go.Scatter(x=layers, y=norms[run][k]) for run in runs]
        for run in runs:
            epoch = min(int(epochs[k]), len(losses[run]) - 1)
            traces.append(go.Scatter(x=[epoch], y=[losses[run][epoch]]))
        return traces

    for i, trace in enumerate(changing(0)):
        run = runs[i % len(runs)]
        if i < len(runs):
            trace.update(mode="lines+markers", name=str(run), line=dict(color=color(i)), legendgroup=str(run))
            fig.add_trace(trace, row=1, col=1)
        else:
            trace.update(
                mode="markers",
                marker=dict(size=11, color=color(i - len(runs))),
                showlegend=False,
                name=f"{run}, epoch shown",
            )
            fig.add_trace(trace, row=1, col=2)
    for i, run in enumerate(runs):
        index = downsample_indices(len(losses[run]))
        fig.add_trace(
            go.Scatter(
                x=index,
                y=losses[run][index],
                mode="lines",
                line=dict(color=color(i)),
                showlegend=False,
                name=f"{run} loss",
                legendgroup=str(run),
            ),
            row=1,
            col=2,
        )
    fig.frames = [
        go.Frame(data=changing(k), traces=list(range(2 * len(runs))), name=str(int(e))) for k, e in enumerate(epochs)
    ]
    every = np.concatenate([n.ravel() for n in norms.values()])
    positive = every[np.isfinite(every) & (every > 0)]
    if positive.size:
        fig.update_yaxes(
            type="log",
            range=[np.log10(positive.min()) - 0.2, np.log10(positive.max()) + 0.2],
            dtick=1,  # decades only
            row=1,
            col=1,
            title_text=METRIC_LABELS["grad_norm"],
            exponentformat="power",
        )
    fig.update_xaxes(type="category", title_text=LAYER_AXIS, row=1, col=1)
    loss = np.concatenate(list(losses.values()))
    log = needs_log_scale(loss)
    fig.update_yaxes(
        type="log" if log else "linear",
        range=_span(np.log10(loss) if log else loss),
        row=1,
        col=2,
        title_text=METRIC_LABELS["loss"],
    )
    fig.update_xaxes(title_text="epoch", row=1, col=2)
    height, margin = 530, dict(l=70, r=20, t=140, b=110)
    _controls(fig, epochs, above_px=35, plot_px=height - margin["t"] - margin["b"])
    fig.update_layout(hovermode="closest", legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0))
    fig = set_title(fig, title, height, margin)
    return fig.update_layout(title=dict(y=0.99, yanchor="top"))
