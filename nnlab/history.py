"""What a training run recorded, epoch by epoch, as NumPy arrays."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from .config import Config

# Per-epoch series; each row of a (epochs, layers) series is one epoch.
EPOCH_SERIES = (
    "loss",
    "r2",
    "penalty",
    "objective",
    "val_loss",
    "val_r2",
    "grad_norm",
    "bias_grad_norm",
    "update_ratio",
    "dead_fraction",
    "saturation",
)
# Whole-run numbers saved beside the arrays.
SCALARS = (
    "diverged_at",
    "diverging_from",
    "stopped_at",
    "seconds",
    "divergence_bound",
    "blowup_loss",
    "final_loss",
    "final_r2",
    "final_val_loss",
    "final_val_r2",
    "config",
)
SNAPSHOT_SERIES = ("weights", "biases", "weight_grads")
# Series recorded every few epochs, at the epochs of their *_epochs partner; None when not recorded.
SPARSE_SERIES = ("sharpness", "sharpness_epochs")


@dataclass
class History:
    """A run's record.

    loss, r2: (epochs,) train MSE (the data fit alone) and R² measured at the start of each epoch,
        before its update.
    penalty: (epochs,) l2·Σ‖W‖² on the same parameters as loss (0 when l2 = 0).
    objective: (epochs,) loss + penalty, what gradient descent minimises.
    val_loss, val_r2: (epochs,) the same on the eval set, or None without one.
    grad_norm, bias_grad_norm: (epochs, layers) ‖dL/dW‖₂ and ‖dL/db‖₂ of the full training set.
    update_ratio: (epochs, layers) ‖ΔW‖ / ‖W‖ over the epoch (NaN where W = 0).
    dead_fraction: (epochs, hidden layers) share of units whose slope f′(z) is (numerically) zero
        on every training row; such a unit gets no gradient and cannot recover.
    saturation: (epochs, hidden layers) share of (row, unit) pairs with f′(z) below 5% of its maximum.
    snapshot_epochs: (k,) epochs at which weights, biases and weight_grads were copied;
        the last one is the end of training.
    weights, weight_grads: lists per layer of (k, fan_in, fan_out); biases: per layer (k, fan_out).
    final_loss, final_r2, final_val_loss, final_val_r2: the metrics of the kept parameters
        (coefs_, what predict uses): after the last update, or for a run that diverged, those of
        the last epoch before the blow-up (last_good_epoch). "Final" means this everywhere.
    diverged_at: first epoch whose loss was not finite or passed the blow-up bound (the run was
        stopped there), else None; the last epoch when its own update blew the loss up.
    blowup_loss: the loss that crossed the bound (NaN if the run did not diverge).
    diverging_from: for a run that was not stopped, the epoch where a sustained geometric growth
        of the objective began (`nnlab.divergence.diverging_from`), else None.
    stopped_at: epoch after which a callback stopped the run, else None.
    sharpness: (k,) λ_max, the largest eigenvalue of the objective's Hessian, at the start of each
        epoch in sharpness_epochs (k,), before its update; None unless the run had sharpness_every.
        Full-batch gradient descent is stable while lr < 2/λ_max.
    """

    loss: np.ndarray
    r2: np.ndarray
    grad_norm: np.ndarray
    bias_grad_norm: np.ndarray
    update_ratio: np.ndarray
    dead_fraction: np.ndarray
    saturation: np.ndarray
    snapshot_epochs: np.ndarray
    weights: list
    biases: list
    weight_grads: list
    val_loss: np.ndarray | None = None
    val_r2: np.ndarray | None = None
    penalty: np.ndarray | None = None
    objective: np.ndarray | None = None
    diverged_at: int | None = None
    diverging_from: int | None = None
    divergence_bound: float = np.inf
    blowup_loss: float = np.nan
    final_loss: float = np.nan
    final_r2: float = np.nan
    final_val_loss: float = np.nan
    final_val_r2: float = np.nan
    stopped_at: int | None = None
    seconds: float = 0.0
    config: Config | None = None  # the run's settings, as the page or the caller gave them
    sharpness: np.ndarray | None = None
    sharpness_epochs: np.ndarray | None = None

    @property
    def epochs(self):
        """Number of epochs recorded."""
        return len(self.loss)

    @property
    def last_good_epoch(self):
        """The last epoch whose loss was within the blow-up bound: the epoch of the kept parameters."""
        if self.diverged_at is None:
            return self.epochs - 1
        blown_here = not np.isfinite(self.loss[self.diverged_at]) or self.loss[self.diverged_at] > self.divergence_bound
        return max(self.diverged_at - 1, 0) if blown_here else self.diverged_at

    @property
    def n_layers(self):
        return self.grad_norm.shape[1]

    def snapshot_at(self, epoch):
        """Index of the last snapshot taken at or before ``epoch``."""
        return int(
            np.clip(np.searchsorted(self.snapshot_epochs, epoch, side="right") - 1, 0, len(self.snapshot_epochs) - 1)
        )

    def to_frame(self):
        """Tidy DataFrame: one row per (epoch, metric, layer); layer is <NA> for whole-model metrics."""
        epochs = np.arange(self.epochs)
        parts = []
        for name in EPOCH_SERIES:
            values = getattr(self, name)
            if values is None:
                continue
            if values.ndim == 1:
                parts.append(pd.DataFrame({"epoch": epochs, "metric": name, "layer": pd.NA, "value": values}))
            else:
                for layer in range(values.shape[1]):
                    parts.append(
                        pd.DataFrame({"epoch": epochs, "metric": name, "layer": layer, "value": values[:, layer]})
                    )
        frame = pd.concat(parts, ignore_index=True)
        frame["layer"] = frame["layer"].astype("Int64")
        return frame

    def save(self, path):
        """Write to a .npz file (no pickled objects, so it loads with allow_pickle=False)."""
        arrays = {name: getattr(self, name) for name in EPOCH_SERIES + SPARSE_SERIES if getattr(self, name) is not None}
        arrays["snapshot_epochs"] = self.snapshot_epochs
        for name in SNAPSHOT_SERIES:
            for layer, values in enumerate(getattr(self, name)):
                arrays[f"{name}_{layer}"] = values
        scalars = {name: _plain(getattr(self, name)) for name in SCALARS}
        scalars["n_layers"] = len(self.weights)
        arrays["meta"] = np.array(json.dumps(scalars))
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path):
        """Read a file written by save()."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            kwargs = {name: data[name] for name in EPOCH_SERIES + SPARSE_SERIES if name in data.files}
            kwargs["snapshot_epochs"] = data["snapshot_epochs"]
            for name in SNAPSHOT_SERIES:
                kwargs[name] = [data[f"{name}_{layer}"] for layer in range(meta["n_layers"])]
        for key in SCALARS:
            if key in meta:  # files from before a field existed load with its default
                kwargs[key] = meta[key]
        if kwargs.get("config"):
            kwargs["config"] = Config.from_dict(kwargs["config"])
        else:
            kwargs["config"] = None  # files from before Config travelled whole wrote {} for a bare History
        return cls(**kwargs)

    def equals(self, other, rtol=0.0, atol=0.0):
        """True when every recorded array matches (NaN equal to NaN) within the tolerances."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name in ("seconds", "config"):
                continue
            if isinstance(mine, list):
                if len(mine) != len(theirs) or not all(
                    np.allclose(m, t, rtol=rtol, atol=atol, equal_nan=True) for m, t in zip(mine, theirs)
                ):
                    return False
            elif isinstance(mine, np.ndarray) or isinstance(theirs, np.ndarray):
                if (mine is None) != (theirs is None) or np.shape(mine) != np.shape(theirs):
                    return False
                if not np.allclose(mine, theirs, rtol=rtol, atol=atol, equal_nan=True):
                    return False
            elif isinstance(mine, float) and isinstance(theirs, float):
                if not np.isclose(mine, theirs, rtol=rtol, atol=atol, equal_nan=True):
                    return False
            elif mine != theirs:
                return False
        return True


def _plain(value):
    """JSON-ready: NumPy scalars as Python ones (json writes NaN and inf as NaN and Infinity), a Config as its dict."""
    if isinstance(value, Config):
        return value.as_dict()
    return value.item() if isinstance(value, np.generic) else value
