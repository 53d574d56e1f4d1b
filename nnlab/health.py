"""Whether a network's units still learn: dead and saturated shares, and gradient sizes per layer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .activations import ACTIVATIONS

DEAD_SLOPE = 1e-6  # f′(z) at or below this fraction of its maximum counts as zero
SATURATED_SLOPE = 0.05  # f′(z) below this fraction of its maximum counts as saturated


def failure_mode(name, far=20.0):
    """How an activation's units stop learning, read off its derivative far from zero.

    'saturation': f′ → 0 on both sides (sigmoid, tanh); 'dead_fraction': f′ small only for
    z < 0 (the ReLU family; leaky ReLU keeps a slope, so its share stays 0); None: never flat.
    """
    activation = ACTIVATIONS[name]
    low, high = activation.derivative(np.array([-far, far])) / activation.max_slope
    if high < SATURATED_SLOPE:
        return "saturation"
    return "dead_fraction" if low < 1.0 else None


def activation_of(history, label):
    """The activation a History's run used; label (often the activation's name) for a bare History."""
    return history.config.activation if history.config is not None else label


def hidden_share(history, metric):
    """(epochs,) share over all hidden units of an (epochs × hidden layers) metric, layers weighted by width."""
    values = getattr(history, metric)
    if values.shape[1] == 0:
        return np.full(len(values), np.nan)
    hidden = history.config.hidden if history.config is not None else ()
    widths = np.asarray(hidden or np.ones(values.shape[1]), dtype=float)
    return values @ widths / widths.sum()


def activation_summary(histories):
    """One row per run of {label: History}: at the last good epoch, the training loss, test R²
    (val_r2) and the share of stalled hidden units (``stall``: dead or saturated); gradient_reach,
    the first layer's gradient norm over the output layer's at epoch 0; and diverged_at."""
    rows = []
    for run, history in histories.items():
        end = history.last_good_epoch
        metric = failure_mode(activation_of(history, run))
        stalled = hidden_share(history, metric)[end] if metric else np.nan
        with np.errstate(divide="ignore", invalid="ignore"):  # zero init: no gradient anywhere, NaN
            reach = np.float64(history.grad_norm[0, 0]) / history.grad_norm[0, -1]
        rows.append(
            {
                "run": run,
                "epoch": end,
                "loss": float(history.loss[end]),
                "val_r2": np.nan if history.val_r2 is None else float(history.val_r2[end]),
                "stall": {"dead_fraction": "dead", "saturation": "saturated"}.get(metric, ""),
                "stalled": float(stalled),
                "gradient_reach": float(reach),
                "diverged_at": history.diverged_at,
            }
        )
    return pd.DataFrame(
        rows, columns=["run", "epoch", "loss", "val_r2", "stall", "stalled", "gradient_reach", "diverged_at"]
    )


def healthy_snapshots(history):
    """Indices of the snapshots taken before the run diverged (all of them if it did not)."""
    if history.diverged_at is None:
        return np.arange(len(history.snapshot_epochs))
    before = np.flatnonzero(history.snapshot_epochs < history.diverged_at)
    return before if before.size else np.array([0])


def initial_gradients_summary(data):
    """Per group: smallest and largest layer norm, their ratio (spread across layers), whether the
    hidden layers' gradients are exactly 0, and the geometric mean over layers relative to the
    largest group's (NaN where a norm is 0)."""
    rows = []
    for group, part in data.groupby("group", sort=False):
        norms = part["grad_norm"].to_numpy(dtype=float)
        hidden = norms[part["layer"].to_numpy() != "output"]
        positive = bool(np.all(norms > 0))
        rows.append(
            {
                "group": group,
                "smallest": norms.min(),
                "largest": norms.max(),
                "spread": norms.max() / norms.min() if positive else np.nan,
                "hidden_zero": bool(hidden.size and np.all(hidden == 0)),
                "all_zero": bool(np.all(norms == 0)),
                "geometric_mean": float(np.exp(np.mean(np.log(norms)))) if positive else np.nan,
            }
        )
    summary = pd.DataFrame(
        rows, columns=["group", "smallest", "largest", "spread", "hidden_zero", "all_zero", "geometric_mean"]
    )
    summary["relative"] = summary["geometric_mean"] / summary["geometric_mean"].max()
    return summary
