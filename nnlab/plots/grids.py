"""Grids of runs (sweeps): heatmaps of a final metric, the grid about to be trained, curve bands per grid point."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._style import (
    DIVERGED_GREY,
    MAX_POINTS,
    downsample_indices,
    empty_figure,
    grid_label,
    grid_title,
    layout,
    needs_log_scale,
    sequential_colors,
    tidy,
    transparent,
)

BAND_OPACITY = 0.18
DIVERGED_TEXT = "✕ diverged"
GREY_SCALE = [[0, DIVERGED_GREY], [1, DIVERGED_GREY]]


def grid_heatmap_data(table, value, x="lr", y="init", diverged="diverged_at"):
    """(means, blown): y × x frames of ``value``'s mean over seeds and of whether any seed diverged."""
    shown = table.assign(**{x: table[x].map(grid_label), y: table[y].map(grid_label)})
    means = shown.groupby([y, x], sort=False)[value].mean().unstack(x)
    blown = shown.assign(_d=shown[diverged].notna()).groupby([y, x], sort=False)["_d"].any().unstack(x)
    blown = blown.reindex(index=means.index, columns=means.columns).fillna(False).astype(bool)
    return means, blown


def _hover(x, y, value_label=None):
    where = f"{grid_title(y)} %{{y}}, {grid_title(x)} %{{x}}"
    return f"{where}<br>{value_label}: %{{text}}<extra></extra>" if value_label else f"{where}<extra></extra>"


def _grid_axes(fig, title, x, y):
    fig = layout(fig, title, grid_title(x), grid_title(y), hover="closest")
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig


def grid_heatmap_figure(
    table,
    value,
    title,
    value_label,
    x="lr",
    y="init",
    reverse=False,
    low=None,
    message="Train the grid to fill this heatmap.",
):
    """Heatmap of a sweep's mean ``value`` over (x, y), ✕ where a seed diverged; the cells print the real numbers."""
    # Colours follow log10 of the value when it spans more than 100×, and values below ``low``
    # (an R² of −2000) get the lowest colour, so one bad cell cannot wash out the rest.
    if table.empty:
        return empty_figure(title, message)
    means, blown = grid_heatmap_data(table, value, x, y)
    text = np.where(blown, DIVERGED_TEXT, [[format(v, ".3g") for v in row] for row in means.to_numpy(float)])
    z = means.where(~blown).to_numpy(dtype=float)
    if low is not None:
        z = np.where(z < low, low, z)
    colorbar = dict(title=value_label)
    if needs_log_scale(z):
        powers = np.arange(np.floor(np.log10(np.nanmin(z))), np.ceil(np.log10(np.nanmax(z))) + 1)
        colorbar = dict(
            title=f"{value_label}<br>(log colour)", tickvals=powers, ticktext=[f"{10**p:g}" for p in powers]
        )
        z = np.log10(z)
    columns, rows = [str(c) for c in means.columns], [str(r) for r in means.index]
    heat = go.Heatmap(
        z=z,
        x=columns,
        y=rows,
        text=text.tolist(),
        texttemplate="%{text}",
        colorscale="Viridis",
        reversescale=reverse,
        colorbar=colorbar,
        hoverongaps=True,
        hovertemplate=_hover(x, y, value_label),
    )
    traces = [heat]
    if blown.to_numpy().any():  # grey under the ✕ cells, which the heatmap leaves empty
        traces.insert(
            0,
            go.Heatmap(
                z=np.where(blown, 0.0, np.nan),
                x=columns,
                y=rows,
                showscale=False,
                colorscale=GREY_SCALE,
                hoverinfo="skip",
            ),
        )
    return _grid_axes(go.Figure(traces), title, x, y)


def grid_preview_figure(rows, columns, title, x="lr", y="init", message="to be trained"):
    """The empty grid x × y, every cell grey and labelled: what a sweep is about to fill."""
    if not len(rows) or not len(columns):
        return empty_figure(title, "Pick at least one value for each axis.")
    fig = go.Figure(
        go.Heatmap(
            z=np.zeros((len(rows), len(columns))),
            x=[grid_label(c) for c in columns],
            y=[grid_label(r) for r in rows],
            text=[[message] * len(columns)] * len(rows),
            texttemplate="%{text}",
            colorscale=GREY_SCALE,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate=_hover(x, y),
        )
    )
    return _grid_axes(fig, title, x, y)


def bands_data(band, spread="range", max_points=MAX_POINTS // 2):
    """A SweepResult.band() frame thinned for plotting: its keys, label, epoch, mean, lower, upper, n."""
    # spread="range": lower, upper = min, max over the seeds; "std": mean ± one standard deviation.
    # Epochs no run reached are dropped; a band's outline is twice max_points long.
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
        parts.append(
            part[columns].assign(
                mean=part["mean"].to_numpy(), lower=lower.to_numpy(), upper=upper.to_numpy(), n=part["n"].to_numpy()
            )
        )
    return tidy(parts, [*columns, "mean", "lower", "upper", "n"])


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


def _calm_values(data, diverged, facet, color):
    """The values the y axis must show: the grid points where no run diverged, and every curve's start."""
    # A diverged curve climbs out of the top of the chart; its ✕ sits on the top edge.
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


def _band_traces(fig, part, name, line_color, column, hover):
    if (part["upper"] - part["lower"]).abs().max() > 0:
        fig.add_trace(
            go.Scatter(
                x=np.r_[part.epoch, part.epoch.to_numpy()[::-1]],
                y=np.r_[part.upper, part.lower.to_numpy()[::-1]],
                fill="toself",
                fillcolor=transparent(line_color, BAND_OPACITY),
                line=dict(width=0),
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                legendgroup=name,
                name=f"{name} spread",
            ),
            row=1,
            col=column,
        )
    fig.add_trace(
        go.Scatter(
            x=part.epoch,
            y=part["mean"],
            mode="lines",
            name=name,
            legendgroup=name,
            showlegend=column == 1,
            line=dict(color=line_color, width=2),
            hovertemplate=f"{hover}, {name}<br>epoch %{{x}}: %{{y:.4g}}<extra></extra>",
        ),
        row=1,
        col=column,
    )


def _crosses(fig, blown, color, column, top):
    shown = np.where(np.isfinite(blown.value) & (blown.value < top), blown.value, top)
    fig.add_trace(
        go.Scatter(
            x=blown.epoch,
            y=shown,
            mode="markers",
            name="diverged (✕)",
            legendgroup="diverged",
            showlegend=not any(t.name == "diverged (✕)" for t in fig.data),
            marker=dict(symbol="x", size=12, color="black"),
            cliponaxis=False,
            text=[
                f"{grid_title(color)} {grid_label(c)}, seed {s}: diverged at epoch {e} (value {v:.3g})"
                for c, s, e, v in zip(blown[color], blown.seed, blown.epoch, blown.value)
            ],
            hoverinfo="text",
        ),
        row=1,
        col=column,
    )


def bands_figure(data, title, y_title, facet="init", color="lr", diverged=None, log_y=None):
    """A panel per ``facet``, a line per ``color`` (mean over seeds), its spread shaded, ✕ on top for a blow-up."""
    if data.empty:
        return empty_figure(title, "Train the grid to see its curves.")
    facets = list(dict.fromkeys(data[facet]))
    levels = sorted(dict.fromkeys(data[color]))
    colors = dict(zip(levels, sequential_colors(len(levels))))
    fig = make_subplots(
        rows=1,
        cols=len(facets),
        shared_yaxes=True,
        horizontal_spacing=0.015,
        subplot_titles=[f"{grid_title(facet)}: {grid_label(f)}" for f in facets],
    )
    calm = _calm_values(data, diverged, facet, color)
    if log_y is None:
        log_y = needs_log_scale(calm)
    y_range = _axis_range(calm, log_y)
    for column, value in enumerate(facets, start=1):
        for level in levels:
            part = data[(data[facet] == value) & (data[color] == level)]
            if not part.empty:
                _band_traces(
                    fig, part, f"{grid_title(color)} {grid_label(level)}", colors[level], column, grid_label(value)
                )
        blown = diverged[diverged[facet] == value] if diverged is not None else pd.DataFrame()
        if not blown.empty:
            top = 10 ** y_range[1] if log_y and y_range else (y_range[1] if y_range else blown.value.max())
            _crosses(fig, blown, color, column, top)
    fig = layout(fig, title, "epoch", None, legend="below", hover="closest", log_y=log_y, height=420, top=90)
    if y_range is not None:
        fig.update_yaxes(range=y_range)
    fig.update_yaxes(title_text=y_title, row=1, col=1)
    return fig
