"""Whole-model curves over the epochs: loss, R², the l2 objective, divergence markers, a pair of runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._style import (
    METRIC_LABELS,
    PALETTE,
    downsample_indices,
    empty_figure,
    layout,
    needs_log_scale,
    place_legend,
    reference_line,
    styled_lines,
    tidy,
)

CURVE_COLUMNS = ["run", "split", "epoch", "value"]
R2_FLOOR = -1.0  # R² charts stop here: below it a bad start would squash every other curve flat
SPLIT_NAMES = {"train": "", "validation": " (validation)", "objective": " objective (MSE + l2·Σ‖W‖²)"}
SPLIT_DASH = {"train": "solid", "validation": "dot", "objective": "dash"}


def curves_data(histories, metric="loss", validation=True):
    """Tidy DataFrame (run, split, epoch, value) of a whole-model metric for {label: History}."""
    frames = []
    for run, history in histories.items():
        splits = [("train", getattr(history, metric))]
        if validation and getattr(history, f"val_{metric}", None) is not None:
            splits.append(("validation", getattr(history, f"val_{metric}")))
        for split, values in splits:
            keep = () if history.diverged_at is None else (history.diverged_at,)
            index = downsample_indices(len(values), keep=keep)
            frames.append(pd.DataFrame({"run": run, "split": split, "epoch": index, "value": values[index]}))
    return tidy(frames, CURVE_COLUMNS)


def finite_curves(data):
    """curves_data with non-finite values (a blown-up loss) as NaN, so no axis is stretched by them."""
    values = data["value"].astype(float)
    return data.assign(value=values.where(np.isfinite(values)))


def divergence_data(histories, metric="loss"):
    """One row per diverged run: run, epoch, value (clipped to finite), bound."""
    rows = []
    for run, history in histories.items():
        if history.diverged_at is not None:
            value = getattr(history, metric)[history.diverged_at]
            rows.append(
                {
                    "run": run,
                    "epoch": history.diverged_at,
                    "value": value if np.isfinite(value) else history.divergence_bound,
                    "bound": history.divergence_bound,
                }
            )
    return pd.DataFrame(rows, columns=["run", "epoch", "value", "bound"])


def diverging_data(histories, metric="loss"):
    """One row per run diverging (History.diverging_from) at its last epoch: run, epoch, value, start."""
    rows = [
        {
            "run": run,
            "epoch": history.epochs - 1,
            "value": float(getattr(history, metric)[-1]),
            "start": history.diverging_from,
        }
        for run, history in histories.items()
        if history.diverging_from is not None
    ]
    return pd.DataFrame(rows, columns=["run", "epoch", "value", "start"])


def objective_data(histories):
    """Tidy (run, split="objective", epoch, value) of the objective, for runs whose l2 penalty is not 0."""
    frames = []
    for run, history in histories.items():
        if history.penalty is None or not np.any(history.penalty > 0):
            continue
        index = downsample_indices(len(history.objective))
        frames.append(
            pd.DataFrame({"run": run, "split": "objective", "epoch": index, "value": history.objective[index]})
        )
    return tidy(frames, CURVE_COLUMNS)


def loss_data(histories):
    """(curves, diverged, diverging): train and validation MSE, and the objective where l2 > 0."""
    data, objective = curves_data(histories, "loss"), objective_data(histories)
    if not objective.empty:
        data = pd.concat([data, objective], ignore_index=True)
    return data, divergence_data(histories, "loss"), diverging_data(histories)


def r2_data(histories):
    """curves_data of R² clipped to [−1, 1]; attrs["defined"]: any R² finite before clipping (not for a constant y)."""
    data = curves_data(histories, "r2")
    values = data["value"].astype(float)
    data["value"] = np.clip(values, R2_FLOOR, 1.0)
    data.attrs["defined"] = bool(np.isfinite(values).any())
    below = data.assign(value=values)[values < R2_FLOOR]
    # Each clipped curve's lowest point, so the chart can say how far below the axis it went.
    data.attrs["clipped"] = below.loc[below.groupby(["run", "split"], sort=False)["value"].idxmin()].reset_index(
        drop=True
    )
    return data


def _markers(fig, diverged, diverging):
    if diverging is not None and not diverging.empty:
        fig.add_trace(
            go.Scatter(
                x=diverging.epoch,
                y=diverging.value,
                mode="markers",
                name="diverging",
                marker=dict(symbol="triangle-up", size=13, color=PALETTE[3]),
                text=[f"{r}: diverging, growing since epoch {s}" for r, s in zip(diverging.run, diverging.start)],
                hoverinfo="text",
            )
        )
    if diverged is not None and not diverged.empty:
        fig.add_trace(
            go.Scatter(
                x=diverged.epoch,
                y=diverged.value,
                mode="markers",
                name="diverged",
                marker=dict(symbol="x", size=13, color="black"),
                text=[f"{r}: diverged at epoch {e}" for r, e in zip(diverged.run, diverged.epoch)],
                hoverinfo="text",
            )
        )


def curves_figure(
    data, title, y_title, log_y=None, floor=None, floor_label=None, diverged=None, diverging=None, legend="auto"
):
    """Lines per run (train solid, validation dotted, objective dashed), a floor, ▲ diverging and ✕ diverged runs."""
    if data.empty:
        return empty_figure(title, "Train a model to see its curves.")
    fig = styled_lines(
        go.Figure(), data, "epoch", "run", "split", SPLIT_DASH, lambda run, split: f"{run}{SPLIT_NAMES[split]}"
    )
    if floor is not None:
        reference_line(fig, [data.epoch.min(), data.epoch.max()], floor, floor_label or "floor")
    _markers(fig, diverged, diverging)
    if log_y is None:
        log_y = needs_log_scale(data.value)
    return layout(fig, title, "epoch", y_title, legend=legend, log_y=log_y)


def loss_figure(histories, title="Loss", floor=None, floor_label="least-squares floor", log_y=None):
    """Train and validation MSE per epoch for {label: History}; where l2 > 0, the objective too."""
    data, diverged, diverging = loss_data(histories)
    with_penalty = (data.split == "objective").any()
    y_title = "MSE (solid, dotted) and objective (dashed)" if with_penalty else METRIC_LABELS["loss"]
    return curves_figure(
        data,
        title,
        y_title,
        log_y=log_y,
        floor=floor,
        floor_label=floor_label,
        diverged=diverged,
        diverging=diverging,
        legend="below" if with_penalty else "auto",
    )  # its names are long


def r2_curves_figure(data, title):
    """curves_figure of r2_data on a fixed [−1, 1] axis."""
    fig = curves_figure(data, title, "R²", log_y=False)
    if not data.empty:
        fig.update_yaxes(range=[-1.05, 1.05])
    for row in data.attrs.get("clipped", pd.DataFrame()).itertuples():
        # An arrow down from the axis' floor with the real value: a clipped curve must not look like −1.
        fig.add_annotation(
            x=row.epoch,
            y=R2_FLOOR,
            text=f"{row.value:.4g}",
            showarrow=True,
            arrowhead=2,
            ax=0,
            ay=-28,
            font=dict(size=11),
            bgcolor="rgba(255,255,255,0.8)",
        )
    return fig


def r2_figure(histories, title="R² (share of variance explained)"):
    """Train and validation R² per epoch; clipped below at −1 so a bad start does not squash the chart."""
    return r2_curves_figure(r2_data(histories), title)


def name_test_rows(fig):
    """The legend calls the validation rows what the app's pages validate on: the test rows."""
    for trace in fig.data:
        if trace.name:
            trace.name = trace.name.replace("(validation)", "(test)")
    return fig


def as_test_rows(fig, height=430):
    """A page that scores on the test split says so in the legend, which goes below the chart."""
    return place_legend(name_test_rows(fig), "below", height=height)


def pair_figure(histories, title="Two runs: training (solid) and test (dotted) loss"):
    """`loss_figure` of a few runs, its legend below the chart where long run names fit."""
    return as_test_rows(loss_figure(histories, title=title), height=420)
