"""A linear model trained by gradient descent: loss and R² against least squares, the curvature
spectrum, several learning rates side by side, the tutorial's bug, the home page's two rates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._style import METRIC_LABELS, PALETTE, downsample_indices, empty_figure, layout, place_legend, reference_line
from .curves import (
    as_test_rows,
    curves_data,
    curves_figure,
    divergence_data,
    diverging_data,
    finite_curves,
    r2_curves_figure,
    r2_data,
)

TEST_REFERENCE_GREY = "#999"
TUTORIAL_NOTE = " (the tutorial's)"
LEARNING_RATE_COLORS = (PALETTE[1], PALETTE[0])  # the tutorial's rate red, the fast one blue


def linear_loss_figure(
    histories,
    floor=None,
    test_reference=None,
    y_title=METRIC_LABELS["loss"],
    title="Loss per epoch: train (solid) and test (dotted)",
):
    """Train and test MSE, the least-squares floor (unless 0) and test MSE as lines, ✕ where a run diverged."""
    # A floor of 0 (an exact fit) cannot sit on a log axis: not drawn.
    data = finite_curves(curves_data(histories, "loss"))
    scale = float(np.nanmax(np.abs(data.value))) if data.value.notna().any() else 0.0
    drawn = floor if floor is not None and floor > 1e-12 * scale else None
    fig = curves_figure(
        data,
        title,
        y_title,
        floor=drawn,
        floor_label="least-squares floor (train)",
        diverged=divergence_data(histories, "loss"),
        diverging=diverging_data(histories),
    )
    if test_reference is not None and np.isfinite(test_reference) and not data.empty:
        reference_line(
            fig,
            [data.epoch.min(), data.epoch.max()],
            test_reference,
            "least squares on the test rows",
            color=TEST_REFERENCE_GREY,
            dash="dot",
            hover="least squares, test MSE %{y:.4g}<extra></extra>",
        )
    return as_test_rows(fig)


def linear_r2_figure(histories, test_reference=None, title="R² per epoch: train (solid) and test (dotted)"):
    """r2_figure with the closed-form solution's test R² as a reference line."""
    data = r2_data(histories)
    if data.empty or not data.attrs["defined"]:
        return empty_figure(title, "R² is undefined here: it needs targets that vary.")
    fig = r2_curves_figure(data, title)
    if test_reference is not None and np.isfinite(test_reference):
        reference_line(
            fig,
            [data.epoch.min(), data.epoch.max()],
            test_reference,
            f"least squares, test R² {test_reference:.3f}",
            color=TEST_REFERENCE_GREY,
            dash="dot",
            hover=False,
        )
    return as_test_rows(fig)


def spectrum_data(eigenvalues, lr):
    """Tidy (direction, eigenvalue, factor = |1 − lr·λ|, stable) of the loss's curvatures, largest first."""
    lam = np.sort(np.asarray(eigenvalues, dtype=float))[::-1]
    factor = np.abs(1.0 - lr * lam)
    return pd.DataFrame(
        {"direction": np.arange(1, len(lam) + 1), "eigenvalue": lam, "factor": factor, "stable": factor < 1}
    )


def spectrum_figure(data, lr, title="Curvature of the loss along each eigen-direction"):
    """The Hessian's eigenvalues on a log axis under the line 2 / lr, above which a step of lr blows up."""
    # Numerically zero eigenvalues (directions the data cannot see) are counted in the title, not drawn.
    positive = data[data.eigenvalue > data.eigenvalue.max() * 1e-12] if not data.empty else data
    if positive.empty:
        return empty_figure(title, "No curvature to show.")
    fig = go.Figure()
    for stable, name, dot_color in (
        (True, "stable: |1 − lr·λ| < 1", PALETTE[2]),
        (False, "unstable: |1 − lr·λ| ≥ 1", PALETTE[1]),
    ):
        part = positive[positive.stable == stable]
        if len(part):
            fig.add_trace(
                go.Scatter(
                    x=part.direction,
                    y=part.eigenvalue,
                    mode="markers",
                    name=name,
                    marker=dict(size=11, color=dot_color),
                    customdata=part.factor,
                    hovertemplate="λ = %{y:.4g}<br>error × %{customdata:.4g} per epoch<extra></extra>",
                )
            )
    edges = [0.5, len(data) + 0.5]
    reference_line(
        fig, edges, 2.0 / lr, f"2 / lr = {2.0 / lr:.4g}: directions above it blow up", color=PALETTE[1], hover=False
    )
    dropped = len(data) - len(positive)
    if dropped:
        title = f"{title}<br><sup>{dropped} flat direction{'s' * (dropped != 1)} with λ ≈ 0 not drawn</sup>"
    values = np.r_[positive.eigenvalue, 2.0 / lr]
    fig = layout(
        fig,
        title,
        "eigen-direction (largest curvature first)",
        "curvature λ (eigenvalue of the Hessian)",
        legend="below",
        hover="closest",
        log_y=True,
    )
    fig.update_yaxes(range=[np.log10(values.min()) - 0.3, np.log10(values.max()) + 0.3])
    fig.update_xaxes(dtick=1, range=edges)
    fig.update_layout(showlegend=True)  # even one kind of dot needs its name next to the 2 / lr line's
    return fig


def rate_overlay_data(histories, floor=0.0, headroom=100.0):
    """(curves, diverged): each run's training loss − floor per epoch, NaN where ≤ 0; attrs["cap"]: the chart's top."""
    # The cap, `headroom` × the largest starting gap, is the chart's top: a blow-up leaves through it
    # instead of squashing the other lines, and its ✕ sits on the edge.
    data = finite_curves(curves_data(histories, "loss", validation=False))
    data["value"] = data["value"] - floor
    data["value"] = data["value"].where(data["value"] > 0)
    starts = data[data.epoch == 0].value
    cap = headroom * float(starts.max()) if starts.notna().any() else np.inf
    diverged = divergence_data(histories, "loss")
    diverged["value"] = np.minimum(diverged["value"].astype(float) - floor, cap)
    data.attrs["cap"] = cap
    return data, diverged


def rate_overlay_figure(
    data,
    diverged,
    y_title="training loss − least-squares floor",
    title="Training loss above the floor, for several learning rates",
):
    """One line per learning rate on a log axis up to data.attrs["cap"]; ✕ where a run was stopped for diverging."""
    # On a log axis a straight line is steady convergence.
    if data.empty or not data.value.notna().any():
        return empty_figure(title, "Pick at least one learning rate to compare.")
    fig = curves_figure(data, title, y_title, log_y=True, diverged=diverged, legend="below")
    low = float(data.value.min())
    high = min(float(np.nanmax(np.r_[data.value, diverged.value])), data.attrs.get("cap", np.inf))
    decades = np.log10(high / low)
    fig.update_yaxes(range=[np.log10(low) - 0.2, np.log10(high) + 0.05], dtick=1 if 3 < decades <= 10 else None)
    return fig


def bug_demo_data(bug):
    """Tidy (curve, epoch, value): tutorial.one_example_bug()'s printed and true loss, without exact zeros (log y)."""
    frames = []
    for key, curve in (
        ("printed", "loss the tutorial printed: mean((w ⊙ x + b − y)²)"),
        ("true", "true loss of its prediction: (w·x + b − y)²"),
    ):
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
        fig.add_trace(
            go.Scatter(
                x=part.epoch,
                y=part.value,
                mode="lines+markers" if len(part) < 50 else "lines",
                name=curve,
                line=dict(color=PALETTE[i + 1 if i else 3], width=3),
            )
        )
    return layout(fig, title, "epoch", "squared error (target units²)", legend="below", log_y=True)


def learning_rate_data(histories, floor, tutorial_rate=None):
    """curves_data of the training loss of {lr: History}, named by rate and final test R²; attrs["floor"]."""
    named = {
        f"learning rate {lr:g}{TUTORIAL_NOTE if lr == tutorial_rate else ''}: test R² {history.val_r2[-1]:.2f}": history
        for lr, history in histories.items()
    }
    data = curves_data(named, "loss", validation=False)
    data.attrs["floor"] = floor
    return data


def learning_rate_figure(data, title="Same model, same data, same start: only the learning rate differs"):
    """learning_rate_data as thick lines over the least-squares floor, on a log axis with plain-number ticks."""
    floor = data.attrs["floor"]
    fig = curves_figure(
        data,
        title,
        "training loss (MSE, log scale)",
        log_y=True,
        floor=floor,
        floor_label="least squares: the best a linear model can do",
    )
    values = [floor, *data.value]
    positive = [v for v in values if 0 < v < math.inf]
    fig.update_yaxes(
        tickvals=log_ticks(values),
        tickformat=",.0f",  # room under the floor
        range=[math.log10(0.75 * min(positive)), math.log10(1.1 * max(positive))],
    )
    for trace, line_color in zip(fig.data, LEARNING_RATE_COLORS):
        trace.line.color, trace.line.width = line_color, 3
    return place_legend(fig, "below", height=430)


def log_ticks(values):
    """1-2-3-5 ticks across the positive finite values, so a log axis reads as plain numbers."""
    values = [float(v) for v in values if 0 < float(v) < math.inf]
    if not values:
        return []
    low, high = min(values), max(values)
    ticks, decade = [], 10.0 ** math.floor(math.log10(low))
    while decade <= high:
        ticks += [m * decade for m in (1, 2, 3, 5) if low <= m * decade <= high]
        decade *= 10
    return ticks
