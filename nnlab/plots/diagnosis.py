"""The doctor's evidence on the charts: where each finding's epochs and layers are marked, and
sharpness against 2/lr."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..doctor import RULES, VERDICT_ORDER
from ..explain import verdict_spread
from ._style import REFERENCE_GREY, color, empty_figure, grid_label, grid_title, layout, needs_log_scale

# The History field whose chart shows each kind's evidence; None: the data, not a chart.
EVIDENCE_CHART = {
    "diverged": "loss",
    "diverging": "loss",
    "oscillating": "loss",
    "lr_too_small": "loss",
    "overfitting": "val_loss",
    "stalled": "r2",
    "dead_units": "dead_fraction",
    "saturated_units": "saturation",
    "vanishing_gradient": "grad_norm",
    "exploding_gradient": "grad_norm",
    "symmetric_units": "weights",
    "unscaled_features": None,
    "unscaled_target": None,
}
SEVERITY_COLORS = {"problem": "#d62728", "warning": "#ff7f0e", "note": "#1f77b4"}
SPAN_OPACITY = 0.12
# A finding that names layers draws its layers' lines this wide and fades the others to this opacity.
EMPHASIS_WIDTH, FADED_OPACITY = 4.0, 0.3
# A finding on a chart of several runs: a marker on its run's line where the finding begins.
RUN_MARK_SYMBOL = {"problem": "x", "warning": "diamond-open", "note": "circle-open"}
# One colour per verdict: green learned, blues slow, warm colours for growth, greys for stuck.
VERDICT_COLORS = {
    "converged": "#2ca02c",
    "slow": "#5b9bd5",
    "overfitting": "#9467bd",
    "oscillating": "#ff7f0e",
    "stalled": "#7f7f7f",
    "dead": "#8c564b",
    "diverging": "#e377c2",
    "diverged": "#d62728",
}
LIGHT_VERDICTS = set()  # verdicts whose colour needs dark text (none at present; white reads on every one)


def evidence_marks_data(diagnosis):
    """One row per finding drawn on a chart: kind, severity, metric (EVIDENCE_CHART), first and
    last epoch, layers (tuple), and mark: 'epoch' for a single epoch, else 'span'."""
    rows = [
        {
            "kind": f.kind,
            "severity": f.severity,
            "metric": EVIDENCE_CHART[f.kind],
            "first": f.epochs[0],
            "last": f.epochs[1],
            "layers": f.layers,
            "mark": "epoch" if f.epochs[0] == f.epochs[1] else "span",
        }
        for f in diagnosis
        if EVIDENCE_CHART.get(f.kind)
    ]
    return pd.DataFrame(rows, columns=["kind", "severity", "metric", "first", "last", "layers", "mark"])


def add_evidence_marks(fig, marks, metric):
    """Mark on fig the rows of evidence_marks_data for this chart's metric: a dotted line at a single
    epoch, a shaded span over several; on a chart of layer lines, the finding's layers emphasised.
    Returns fig."""
    for row in marks[marks.metric == metric].itertuples():
        tint = SEVERITY_COLORS[row.severity]
        if row.mark == "epoch":
            fig.add_vline(x=row.first, line=dict(color=tint, dash="dot"))
        else:
            fig.add_vrect(x0=row.first, x1=row.last, fillcolor=tint, opacity=SPAN_OPACITY, line_width=0)
        if row.layers:
            emphasise_layers(fig, row.layers)
    return fig


def emphasise_layers(fig, layers):
    """The lines of these layers (indices, as `layer_lines_figure` tags its traces) drawn wide, the
    other layers' faded, so the eye goes to where the finding holds; returns fig."""
    for trace in fig.data:
        layer = trace.meta.get("layer") if isinstance(trace.meta, dict) else None
        if layer is None:
            continue
        if layer in layers:
            trace.line.width = EMPHASIS_WIDTH
            trace.opacity = 1.0
        elif trace.line.width != EMPHASIS_WIDTH:  # emphasised by another finding: keep it
            trace.opacity = FADED_OPACITY
    return fig


def add_run_marks(fig, marks, metric, run):
    """On a chart of several runs, mark where each of one run's findings for this metric begins: a
    marker on the line named `run`, coloured by severity, the finding on hover; returns fig.
    A blow-up is left out: `loss_figure` marks it with its own ✕."""
    line = next((t for t in fig.data if t.name == run and t.x is not None and len(t.x)), None)
    if line is None:
        return fig
    x, y = np.asarray(line.x, dtype=float), np.asarray(line.y, dtype=float)
    for row in marks[(marks.metric == metric) & (marks.kind != "diverged")].itertuples():
        at = int(np.argmin(np.abs(x - row.first)))
        fig.add_trace(
            go.Scatter(
                x=[x[at]],
                y=[y[at]],
                mode="markers",
                marker=dict(
                    symbol=RUN_MARK_SYMBOL[row.severity],
                    size=13,
                    color=SEVERITY_COLORS[row.severity],
                    line=dict(width=2.5, color=SEVERITY_COLORS[row.severity]),
                ),
                name=f"{run}: {RULES[row.kind].title.lower()}",
                showlegend=False,
                hovertemplate=f"{run}: {RULES[row.kind].title.lower()} from epoch {row.first}<extra></extra>",
            )
        )
    return fig


def sharpness_data(history):
    """(epoch, sharpness, edge) rows: λ_max at each record and the edge of stability 2/lr; empty
    when the run did not record its sharpness (MLP(sharpness_every=k))."""
    if history.sharpness is None or history.config is None:
        return pd.DataFrame(columns=["epoch", "sharpness", "edge"])
    return pd.DataFrame(
        {
            "epoch": history.sharpness_epochs,
            "sharpness": history.sharpness,
            "edge": np.full(len(history.sharpness), 2.0 / history.config.lr),
        }
    )


def sharpness_figure(data, title="Sharpness λ_max against the edge of stability 2/lr"):
    """Lines of λ_max over the epochs and the edge 2/lr; full-batch gradient descent climbs to the edge and hovers."""
    if data.empty:
        return empty_figure(title, "Train with sharpness_every set to record the sharpness.")
    fig = go.Figure(
        go.Scatter(
            x=data.epoch, y=data.sharpness, mode="lines+markers", name="sharpness λ_max", line=dict(color=color(0))
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data.epoch, y=data.edge, mode="lines", name="edge 2/lr", line=dict(color=REFERENCE_GREY, dash="dash")
        )
    )
    log = needs_log_scale(np.r_[data.sharpness.to_numpy(float), data.edge.to_numpy(float)])
    return layout(fig, title, "epoch", "largest Hessian eigenvalue", log_y=log)


def verdict_map_data(table, verdicts, x="lr", y="init"):
    """One row per grid cell (y, x): its verdict (the one most seeds got; a tie goes to the more
    serious, VERDICT_ORDER), count (seeds with it), seeds, text ('2/3 seeds diverged') and detail
    (every verdict its seeds got, most serious first: '2 diverged, 1 converged')."""
    if table.empty:
        return pd.DataFrame(columns=[y, x, "verdict", "count", "seeds", "text", "detail"])
    runs = table.assign(verdict=list(verdicts), **{x: table[x].map(grid_label), y: table[y].map(grid_label)})
    rows = []
    for (row, column), cell in runs.groupby([y, x], sort=False):
        counts = cell.verdict.value_counts()
        top = min(counts[counts == counts.max()].index, key=VERDICT_ORDER.index)
        rows.append(
            {
                y: row,
                x: column,
                "verdict": top,
                "count": int(counts[top]),
                "seeds": len(cell),
                "text": verdict_spread(top, int(counts[top]), len(cell)),
                "detail": ", ".join(f"{counts[v]} {v}" for v in VERDICT_ORDER if v in counts),
            }
        )
    return pd.DataFrame(rows, columns=[y, x, "verdict", "count", "seeds", "text", "detail"])


def verdict_map_figure(data, title="What each run did", x="lr", y="init"):
    """A categorical heatmap of verdict_map_data: one colour per verdict (legend), each cell labelled."""
    if data.empty:
        return empty_figure(title, "Train the grid to see each run's verdict.")
    columns, rows = list(dict.fromkeys(data[x])), list(dict.fromkeys(data[y]))
    fig = go.Figure()
    for verdict in [v for v in VERDICT_ORDER if v in set(data.verdict)]:
        cells = data[data.verdict == verdict].set_index([y, x])
        z = [[1.0 if (r, c) in cells.index else np.nan for c in columns] for r in rows]
        label = [
            [cells.text.get((r, c), "").replace(" seeds ", " seeds<br>") for c in columns]  # two short
            for r in rows
        ]  # lines fit a cell
        detail = [[cells.detail.get((r, c), "") for c in columns] for r in rows]
        tint = VERDICT_COLORS[verdict]
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=columns,
                y=rows,
                text=label,
                texttemplate="%{text}",
                customdata=detail,
                showscale=False,
                colorscale=[[0, tint], [1, tint]],
                xgap=2,
                ygap=2,
                name=verdict,
                textfont=dict(size=12, color="#222" if verdict in LIGHT_VERDICTS else "white"),
                hovertemplate=f"{grid_title(y)} %{{y}}, {grid_title(x)} %{{x}}<br>%{{text}}"
                "<br>seeds: %{customdata}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=verdict,
                showlegend=True,
                marker=dict(symbol="square", size=12, color=tint),
                hoverinfo="skip",
            )
        )
    fig = layout(fig, title, grid_title(x), grid_title(y), legend="below", hover="closest")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=columns)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=rows)
    return fig
