"""The data before any model: feature histograms, correlations, one feature against the target, the split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..linear import feature_line
from ._style import MARGIN, PALETTE, bin_bars, downsample_indices, empty_figure, layout, tidy

HISTOGRAM_COLUMNS = ["feature", "left", "right", "count"]


def histograms_data(X, names, bins=30):
    """Tidy DataFrame (feature, left, right, count): a `bins`-bin histogram of each column of X (n, d)."""
    frames = []
    for j, name in enumerate(names):
        column = np.asarray(X, dtype=float)[:, j]
        counts, edges = np.histogram(column[np.isfinite(column)], bins=bins)
        frames.append(pd.DataFrame({"feature": name, "left": edges[:-1], "right": edges[1:], "count": counts}))
    return tidy(frames, HISTOGRAM_COLUMNS)


def histograms_figure(data, title="Distribution of each feature", columns=5):
    """A grid of small bar histograms, `columns` a row, each x axis titled with its feature, y counting rows."""
    # The grid is laid out by hand in one layout dict: make_subplots with per-panel updates costs
    # about five times as much, and this chart is drawn on every rerun of its page.
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
        traces.append(
            bin_bars(
                part,
                part["count"],
                name=feature,
                marker_color=PALETTE[0],
                showlegend=False,
                xaxis=f"x{n}",
                yaxis=f"y{n}",
                hovertemplate=f"{feature}: %{{x:.3g}}<br>%{{y}} rows<extra></extra>",
            )
        )
        left, top = col * (width + hgap), 1 - row * (height + vgap)
        x_domain = [max(0.0, left), min(1.0, left + width)]  # round-off must not step outside [0, 1]
        y_domain = [max(0.0, top - height), min(1.0, top)]
        axes[f"xaxis{n}"] = dict(domain=x_domain, anchor=f"y{n}", title=dict(text=f"<b>{feature}</b>", standoff=4))
        axes[f"yaxis{n}"] = dict(domain=y_domain, anchor=f"x{n}", title=dict(text="rows" if col == 0 else None))
    return go.Figure(
        traces,
        layout=dict(
            axes, title=title, height=60 + 220 * rows, bargap=0, margin=dict(MARGIN, t=60), hovermode="closest"
        ),
    )


def correlation_figure(corr, title="Correlation between columns (Pearson r)"):
    """Heatmap of a correlation matrix (k, k) with r printed in each cell; red −1, blue +1."""
    if corr.empty:
        return empty_figure(title, "No columns to correlate.")
    labels = [str(c) for c in corr.columns]
    values = corr.to_numpy(dtype=float)
    text = [["" if not np.isfinite(v) else f"{v:.2f}" for v in row] for row in values]
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=labels,
            y=labels,
            text=text,
            texttemplate="%{text}",
            colorscale="RdBu",
            zmin=-1,
            zmax=1,
            zmid=0,
            colorbar=dict(title="r"),
            hovertemplate="%{y} vs %{x}: r = %{z:.3f}<extra></extra>",
        )
    )
    fig = layout(fig, title, "column", "column", hover="closest", height=max(380, 120 + 34 * len(labels)))
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def feature_target_data(dataset, feature):
    """(points (split, x, y) ≤ MAX_POINTS a split, line (x, y) at the ends; attrs: linear.feature_line on train)."""
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
        fig.add_trace(
            go.Scatter(
                x=part.x,
                y=part.y,
                mode="markers",
                name=f"{split} rows",
                marker=dict(size=6, opacity=0.6, color=PALETTE[i]),
            )
        )
    fig.add_trace(
        go.Scatter(
            x=line.x,
            y=line.y,
            mode="lines",
            line=dict(color="#222", width=3),
            name=f"least-squares line (train R² {line.attrs.get('r2', float('nan')):.3f})",
        )
    )
    return layout(fig, title, x_title, y_title, legend="below", hover="closest", height=440)


def split_target_data(y_train, y_test, bins=30):
    """Tidy (split, left, right, share): the target's histogram per split on common bins, as shares of its rows."""
    # shares, not counts, so splits of different sizes compare
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
        fig.add_trace(bin_bars(part, part.share, name=f"{split} rows", opacity=0.55, marker_color=PALETTE[i]))
    fig.update_layout(barmode="overlay", bargap=0)
    fig = layout(fig, title, y_title, "share of the split's rows", hover="closest")
    fig.update_yaxes(tickformat=".0%")
    return fig
