"""The doctor's evidence on the charts: where each finding's epochs and layers are marked, and sharpness against 2/lr."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._style import REFERENCE_GREY, color, empty_figure, layout, needs_log_scale

# The History field whose chart shows each kind's evidence; None: the data, not a chart.
EVIDENCE_CHART = {
    "diverged": "loss", "diverging": "loss", "oscillating": "loss", "lr_too_small": "loss", "overfitting": "val_loss",
    "stalled": "r2", "dead_units": "dead_fraction", "saturated_units": "saturation",
    "vanishing_gradient": "grad_norm", "exploding_gradient": "grad_norm", "symmetric_units": "weights",
    "unscaled_features": None, "unscaled_target": None,
}
SEVERITY_COLORS = {"problem": "#d62728", "warning": "#ff7f0e", "note": "#1f77b4"}
SPAN_OPACITY = 0.12


def evidence_marks_data(diagnosis):
    """One row per finding drawn on a chart: kind, severity, metric (EVIDENCE_CHART), first and
    last epoch, layers (tuple), and mark: 'epoch' for a single epoch, else 'span'."""
    rows = [{"kind": f.kind, "severity": f.severity, "metric": EVIDENCE_CHART[f.kind], "first": f.epochs[0],
             "last": f.epochs[1], "layers": f.layers, "mark": "epoch" if f.epochs[0] == f.epochs[1] else "span"}
            for f in diagnosis if EVIDENCE_CHART.get(f.kind)]
    return pd.DataFrame(rows, columns=["kind", "severity", "metric", "first", "last", "layers", "mark"])


def add_evidence_marks(fig, marks, metric):
    """Mark on fig the rows of evidence_marks_data for this chart's metric: a dotted line at a single
    epoch, a shaded span over several; returns fig."""
    for row in marks[marks.metric == metric].itertuples():
        tint = SEVERITY_COLORS[row.severity]
        if row.mark == "epoch":
            fig.add_vline(x=row.first, line=dict(color=tint, dash="dot"))
        else:
            fig.add_vrect(x0=row.first, x1=row.last, fillcolor=tint, opacity=SPAN_OPACITY, line_width=0)
    return fig


def sharpness_data(history):
    """(epoch, sharpness, edge) rows: λ_max at each record and the edge of stability 2/lr; empty
    when the run did not record its sharpness (MLP(sharpness_every=k))."""
    if history.sharpness is None or history.config is None:
        return pd.DataFrame(columns=["epoch", "sharpness", "edge"])
    return pd.DataFrame({"epoch": history.sharpness_epochs, "sharpness": history.sharpness,
                         "edge": np.full(len(history.sharpness), 2.0 / history.config.lr)})


def sharpness_figure(data, title="Sharpness λ_max against the edge of stability 2/lr"):
    """Lines of λ_max over the epochs and the edge 2/lr; full-batch gradient descent climbs to the edge and hovers."""
    if data.empty:
        return empty_figure(title, "Train with sharpness_every set to record the sharpness.")
    fig = go.Figure(go.Scatter(x=data.epoch, y=data.sharpness, mode="lines+markers", name="sharpness λ_max",
                               line=dict(color=color(0))))
    fig.add_trace(go.Scatter(x=data.epoch, y=data.edge, mode="lines", name="edge 2/lr",
                             line=dict(color=REFERENCE_GREY, dash="dash")))
    log = needs_log_scale(np.r_[data.sharpness.to_numpy(float), data.edge.to_numpy(float)])
    return layout(fig, title, "epoch", "largest Hessian eigenvalue", log_y=log)
