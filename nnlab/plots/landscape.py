"""The loss landscape (`nnlab.landscape`): contours of the plane with the path on it, and the start-to-end line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy.interpolate import RegularGridInterpolator

from ..explain_landscape import LOW_SHARE, axis_title, share_note
from ._style import MARGIN, MAX_POINTS, downsample_indices, layout, needs_log_scale, wrap_title

PATH_COLOR = "#ff4136"
START_COLOR = "#2ca02c"
END_COLOR = "#ffdc00"
LOW_SHARE_COLOR = "#b22222"
LABELLED_EPOCHS = 5  # epochs written beside the path, start and end included
CONTOURS = 24
CLEAR_OF_END = 0.15  # share of each axis's half-range around the start and the end where no epoch is written
COLOR_QUANTILE = 0.85
PATH_HEADROOM = 0.15  # of the range from the lowest point to the path's highest
NOTE_CHARS = 80  # the note wraps here: about the width of the plane's chart (3/5 of the page) at 13 px
NOTE_LINE_PX = 18
HEIGHT = 520
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def landscape_data(surface, max_points=MAX_POINTS, labelled=LABELLED_EPOCHS):
    """(grid, path): grid dict(x, y, loss, z (what is coloured), log, range (of z the colours span)),
    path frame (epoch, a, b, loss: what the run recorded there, label).

    z is log10(loss) when the loss spans more than 100× (a narrow valley's walls would take every
    colour otherwise); non-finite losses are drawn as the largest finite one. label names a few
    evenly spaced epochs between the start and the end (`labelled` counts those two).
    """
    loss = np.asarray(surface.loss, dtype=float)
    finite = loss[np.isfinite(loss)]
    top = finite.max() if finite.size else 1.0
    shown = np.where(np.isfinite(loss), loss, top)
    log = bool(needs_log_scale(shown))
    z = np.log10(shown) if log else shown
    # The colours span the lower COLOR_QUANTILE of the grid, and at least every value under the path:
    # the far walls' highest values would otherwise take most of the scale and leave the valley the
    # path walks in one colour, yet the path must never cross ground drawn as "off the scale".
    # Headroom above the path's highest point keeps the start off the scale's last colour.
    under_path = RegularGridInterpolator((surface.y, surface.x), z)(surface.path[:, ::-1]).max()
    low = float(z.min())
    zrange = (low, float(max(np.quantile(z, COLOR_QUANTILE), under_path + PATH_HEADROOM * (under_path - low))))
    grid = {"x": surface.x, "y": surface.y, "loss": shown, "z": z, "log": log, "range": zrange}
    keep = downsample_indices(len(surface.epochs), max_points)
    recorded = surface.path_loss[keep] if surface.path_loss is not None else np.full(len(keep), np.nan)
    path = pd.DataFrame(
        {"epoch": surface.epochs[keep], "a": surface.path[keep, 0], "b": surface.path[keep, 1], "loss": recorded}
    )
    # The start and the end have markers of their own; the epochs in between are written on the path.
    named = np.unique(np.linspace(0, len(path) - 1, labelled).round().astype(int))[1:-1]
    # A label beside the start's or the end's marker would hide under it: only points clear of both are named.
    for a, b in (path[["a", "b"]].iloc[0], (0.0, 0.0)):
        clear = (np.abs(path.a.iloc[named] - a) / surface.x[-1] > CLEAR_OF_END) | (
            np.abs(path.b.iloc[named] - b) / surface.y[-1] > CLEAR_OF_END
        )
        named = named[clear.to_numpy()]
    path["label"] = ""
    path.loc[path.index[named], "label"] = [f"epoch {e}" for e in path.epoch.iloc[named]]
    path.attrs = {"shown": len(keep), "recorded": len(surface.epochs)}
    return grid, path


def landscape_figure(grid, path, surface, title, loss_title="training loss"):
    """Contours of the loss, the path on them (start ●, end ★, some epochs named), the plane's share of its variance."""
    z_title = f"{loss_title} (log scale)" if grid["log"] else loss_title
    colorbar = dict(title=dict(text=z_title, side="right"), len=0.9)
    low, high = grid["range"]
    if high <= low:  # a flat plane: one colour, one level
        high = low + 1.0
    if grid["log"]:
        powers = np.arange(np.floor(low), np.ceil(high) + 1)
        colorbar |= dict(tickvals=powers, ticktext=[power_label(p) for p in powers])
    else:
        colorbar |= dict(tickvals=nice_ticks(low, high), tickformat=",.3~r")  # 0.5, 25,000: never 2.5e+4
    fig = go.Figure(
        go.Contour(
            x=grid["x"],
            y=grid["y"],
            z=grid["z"],
            customdata=grid["loss"],
            colorscale="Viridis",
            colorbar=colorbar,
            zmin=low,
            zmax=high,
            autocontour=False,
            contours=dict(coloring="heatmap", showlines=True, start=low, end=high, size=(high - low) / CONTOURS),
            line=dict(width=0.5, color="rgba(255,255,255,0.35)"),
            hovertemplate="(%{x:.3g}, %{y:.3g})<br>loss %{customdata:.4g}<extra></extra>",
            name="loss",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=path.a,
            y=path.b,
            mode="lines+markers+text",
            text=path.label,
            textposition=_label_sides(path.label),
            textfont=dict(color="white", size=11),
            line=dict(color=PATH_COLOR, width=1.5),  # thin: a zig-zag's strokes stay apart
            marker=dict(size=3, color=PATH_COLOR),
            customdata=np.c_[path.epoch, path.loss],
            # The run's own loss at that epoch: off the plane, it differs from the colour under the point.
            hovertemplate="epoch %{customdata[0]}, loss %{customdata[1]:.4g}<br>(%{x:.3g}, %{y:.3g})<extra></extra>",
            name="path of gradient descent",
        )
    )
    for row, name, symbol, color in (
        (path.iloc[0], "start", "circle", START_COLOR),
        (path.iloc[-1], "end", "star", END_COLOR),
    ):
        fig.add_trace(
            go.Scatter(
                x=[row.a],
                y=[row.b],
                mode="markers",
                marker=dict(size=15, symbol=symbol, color=color, line=dict(color="black", width=1)),
                name=f"{name}, epoch {row.epoch}",
                hovertemplate=f"{name}, epoch {row.epoch}<extra></extra>",
            )
        )
    fig.update_xaxes(range=[grid["x"][0], grid["x"][-1]])
    fig.update_yaxes(range=[grid["y"][0], grid["y"][-1]])
    text, extra_lines = wrap_title(share_note(surface.kind, surface.explained, surface.note), NOTE_CHARS)
    layout(
        fig,
        title,
        axis_title(surface.kind, 0, surface.explained_axes[0]),
        axis_title(surface.kind, 1, surface.explained_axes[1]),
        legend="below",
        hover="closest",
        height=HEIGHT,
        top=MARGIN["t"] + NOTE_LINE_PX * (1 + extra_lines),  # the note's own lines, between title and plot
    )
    return add_share_note(fig, surface, text)


def _label_sides(labels):
    """Above, below, above…: on a path that bounces, consecutive labels land on opposite sides."""
    order = (labels != "").cumsum()
    return ["top center" if n % 2 else "bottom center" for n in order]


def nice_ticks(low, high, count=5):
    """About `count` round values (steps of 1, 2 or 5 × 10ᵏ) from low to high, for a linear colour bar."""
    raw = (high - low) / count
    power = 10.0 ** np.floor(np.log10(raw))
    step = power * min((1, 2, 5, 10), key=lambda m: abs(m * power - raw))
    return np.arange(np.ceil(low / step) * step, high + step * 1e-9, step).round(12).tolist()


def power_label(power):
    """3 -> '10³', -2 -> '10⁻²': a log colour bar's tick."""
    return "10" + str(int(power)).translate(SUPERSCRIPTS)


def add_share_note(fig, surface, text):
    """The plane's share of the path's variance (text, wrapped), written above the plot; red when it is low."""
    low = surface.kind == "random" or not np.isfinite(surface.explained) or surface.explained < LOW_SHARE
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0.0,
        y=1.0,
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        align="left",
        font=dict(size=13, color=LOW_SHARE_COLOR if low else "#222"),
        bgcolor="rgba(255,255,255,0.85)",
        name="share",
    )
    return fig


def line_data(line):
    """Frame (alpha, loss) of the straight line; attrs: start and end (alpha, loss, epoch)."""
    data = pd.DataFrame({"alpha": line.alpha, "loss": np.where(np.isfinite(line.loss), line.loss, np.nan)})
    data.attrs = {
        "start": (0.0, line.start_loss, line.start_epoch),
        "end": (1.0, line.end_loss, line.end_epoch),
    }
    return data


def line_figure(data, title="The loss on the straight line from start to end", loss_title="training loss"):
    """The loss against α (0 = start, 1 = end), start ● and end ★ marked, log y when it spans > 100×."""
    fig = go.Figure(
        go.Scatter(
            x=data.alpha,
            y=data.loss,
            mode="lines",
            line=dict(color=PATH_COLOR, width=2),
            name="straight line",
            hovertemplate="α %{x:.3g}<br>loss %{y:.4g}<extra></extra>",
        )
    )
    for (alpha, loss, epoch), name, symbol, color in (
        (data.attrs["start"], "start", "circle", START_COLOR),
        (data.attrs["end"], "end", "star", END_COLOR),
    ):
        fig.add_trace(
            go.Scatter(
                x=[alpha],
                y=[loss],
                mode="markers",
                marker=dict(size=14, symbol=symbol, color=color, line=dict(color="black", width=1)),
                name=f"{name}, epoch {epoch}",
                hovertemplate=f"{name}, epoch {epoch}<br>loss %{{y:.4g}}<extra></extra>",
            )
        )
    return layout(
        fig,
        title,
        "α along the line: 0 = start, 1 = end",
        loss_title,
        hover="closest",
        log_y=needs_log_scale(data.loss),
        height=HEIGHT,
    )
