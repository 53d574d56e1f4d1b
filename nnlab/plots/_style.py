"""What every figure shares: palette, labels, the one layout helper, the empty figure, thinning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

MAX_POINTS = 2000
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
REFERENCE_GREY = "#444"
DIVERGED_GREY = "#d9d9d9"
METRIC_LABELS = {
    "loss": "MSE loss",
    "val_loss": "MSE loss",
    "r2": "R²",
    "val_r2": "R²",
    "grad_norm": "‖∂L/∂W‖ (L2 norm)",
    "bias_grad_norm": "‖∂L/∂b‖ (L2 norm)",
    "update_ratio": "‖ΔW‖ / ‖W‖ per epoch",
    "dead_fraction": "share of dead units",
    "saturation": "share of saturated slopes",
}
GRID_TITLES = {"lr": "learning rate", "init": "initializer", "activation": "activation", "seed": "seed"}
LAYER_AXIS = "layer (input side → output side)"

HEIGHT = 380
MARGIN = dict(l=60, r=20, t=50, b=50)
# A legend under the chart starts this far below the x axis: past the tick labels and the axis
# title. The bottom margin keeps room for two rows of entries; plotly pushes it for more.
BELOW_GAP_PX = 64
BELOW_MARGIN_PX = BELOW_GAP_PX + 46
LEGENDS = {
    "above": dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),  # under the title, right
    "below": dict(orientation="h", yanchor="top", xanchor="left", x=0),  # y set from the height
    "right": dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.02),
    "inside": dict(orientation="v", yanchor="top", y=0.98, xanchor="right", x=0.98, bgcolor="rgba(255,255,255,0.7)"),
}
# "auto" keeps a legend above the plot while it and the title fit one row of a half-width chart
# (about 520 px at 8 px a character; each entry's symbol takes about 6 characters).
AUTO_CHARACTERS = 64
ENTRY_CHARACTERS = 6


def auto_legend(fig):
    """'above' for a legend that fits beside the title, else 'below', where it cannot cover it."""
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    title = (fig.layout.title.text or "").split("<br>")[0]
    width = len(title) + sum(map(len, names)) + ENTRY_CHARACTERS * len(names)
    return "above" if width <= AUTO_CHARACTERS else "below"


def place_legend(fig, where="auto", height=None):
    """Put the legend at LEGENDS[where], "auto" (auto_legend) or None (hidden), at an optional new height."""
    if height is not None:
        fig.update_layout(height=height)
    if where is None:
        return fig.update_layout(showlegend=False)
    if where == "auto":
        where = auto_legend(fig)
    legend = dict(LEGENDS[where])
    if where == "below":
        # Paper units scale with the plot's height: a fixed gap in pixels is what clears the axis title.
        height = fig.layout.height or HEIGHT
        top = fig.layout.margin.t if fig.layout.margin.t is not None else MARGIN["t"]
        legend["y"] = -BELOW_GAP_PX / max(height - top - BELOW_MARGIN_PX, 1)
    return fig.update_layout(legend=legend, margin=dict(b=BELOW_MARGIN_PX if where == "below" else MARGIN["b"]))


def legend_below(fig):
    """Move a figure's legend under the plot, where a long one cannot cover the title; returns fig."""
    return place_legend(fig, "below")


# A half-width chart at 1,024 px is ~330 px wide: about 38 characters of a 16 px title fit (42 were
# seen cut there: "Every weight W of each layer at epoch 300").
TITLE_CHARS = 38
TITLE_LINE_PX = 20  # each extra title line takes this much more top margin (and height)


def layout(
    fig,
    title,
    x_title=None,
    y_title=None,
    legend="auto",
    hover="x unified",
    log_y=False,
    height=HEIGHT,
    top=MARGIN["t"],
):
    """Title, axis titles, legend placement (see LEGENDS), hover mode, linear or log y; returns fig."""
    # No plotly template: st.plotly_chart draws with Streamlit's theme, and validating a template
    # cost 15-40 ms per figure, the largest part of a page's redraw.
    set_title(fig, title, height, dict(MARGIN, t=top))
    fig.update_layout(hovermode=hover)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear", exponentformat="power")
    return place_legend(fig, legend)


def set_title(fig, title, height, margin):
    """The title, wrapped (wrap_title), with each added line's room added to the top margin and height."""
    title, extra_lines = wrap_title(title)
    extra = TITLE_LINE_PX * extra_lines
    fig.update_layout(title=title, height=height + extra, margin=dict(margin, t=margin["t"] + extra))
    return fig


def wrap_title(title, width=TITLE_CHARS):
    """(title with <br> between lines of at most `width` characters, number of added lines).

    Plotly never wraps a title: on a half-width chart of a 1,024 px screen a long one is cut.
    """
    if not title or len(title) <= width or "<br>" in title:
        return title, 0
    lines, line = [], ""
    for word in _title_words(title):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "<br>".join(lines), len(lines) - 1


def _title_words(title):
    """The title's words, a parenthesis kept whole ("(2 seeds)" is one word): it reads as one."""
    words = []
    for word in title.split(" "):
        if words and words[-1].count("(") > words[-1].count(")"):
            words[-1] += " " + word
        else:
            words.append(word)
    return words


def empty_figure(title, message="Nothing to show yet."):
    """A titled, empty figure with a message in the middle."""
    fig = go.Figure()
    fig.add_annotation(
        text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=14, color="#666")
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, title)


def reference_line(fig, x, y, name, color=REFERENCE_GREY, dash="dash", hover=True):
    """A horizontal line at y from x[0] to x[-1], drawn as a trace; hover: True, False or a template."""
    # A trace, not add_hline: an hline's annotation is placed in log10 units on a log axis.
    extra = {} if hover is True else dict(hoverinfo="skip") if hover is False else dict(hovertemplate=hover)
    return fig.add_trace(
        go.Scatter(x=[x[0], x[-1]], y=[y, y], mode="lines", name=name, line=dict(color=color, dash=dash), **extra)
    )


def color(i):
    """The i-th palette colour, cycling."""
    return PALETTE[int(i) % len(PALETTE)]


def transparent(rgb, alpha):
    """'rgb(r, g, b)' as 'rgba(r, g, b, alpha)'."""
    return rgb.replace("rgb(", "rgba(").replace(")", f", {alpha})")


def sequential_colors(n, scale="Plasma"):
    """n colours in order along a sequential scale, dark to bright (its pale yellow end left out)."""
    from plotly.colors import sample_colorscale  # only the band chart samples a scale

    return sample_colorscale(scale, list(np.linspace(0.0, 0.75, n))) if n > 1 else sample_colorscale(scale, [0.0])


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
    finite = values[np.isfinite(values)]
    positive = finite[finite > 0]
    return positive.size > 1 and positive.max() / positive.min() > ratio and not np.any(finite < 0)


def layer_name(layer, n_layers, metric="grad_norm"):
    """'hidden 1', …, 'output'; hidden-only metrics have no output layer."""
    hidden_only = metric in ("dead_fraction", "saturation")
    if not hidden_only and layer == n_layers - 1:
        return "output"
    return f"hidden {layer + 1}"


def grid_label(value):
    """A grid value as a category label: 0.001 -> '0.001', 2.0 -> '2', 'he' -> 'he'."""
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)


def grid_title(key):
    """The axis title of a sweep key: 'lr' -> 'learning rate'; unknown keys as they are."""
    return GRID_TITLES.get(key, key)


def bin_bars(part, heights, **kwargs):
    """A go.Bar of one histogram from its bins' left and right edges: each bar spans its bin."""
    return go.Bar(x=(part.left + part.right) / 2, y=heights, width=part.right - part.left, **kwargs)


def styled_lines(fig, data, x, by, within, dashes, name):
    """One colour per ``by`` group, one dash per ``within`` value (dashes[value]); name(group, value)."""
    for i, (group, lines) in enumerate(data.groupby(by, sort=False)):
        for value, part in lines.groupby(within, sort=False):
            fig.add_trace(
                go.Scatter(
                    x=part[x],
                    y=part["value"],
                    mode="lines",
                    name=name(group, value),
                    line=dict(color=color(i), dash=dashes[value]),
                )
            )
    return fig


def tidy(frames, columns):
    """The frames stacked, in ``columns`` order; with no frames, an empty frame that has those columns."""
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
