"""A run's hyperparameters (`Config`), the documented caps on them, and the checks that enforce both."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

import numpy as np

from .activations import ACTIVATIONS
from .initializers import INITIALIZERS
from .optimizers import OPTIMIZERS

# Documented caps. Every one is checked before any work starts, so nothing runs away.
MAX_EPOCHS = 100_000
MAX_DEPTH = 10  # hidden layers
MAX_WIDTH = 2048  # units per hidden layer
MAX_LR = 1e3
MAX_L2 = 100.0
MAX_WORK = 2e11  # epochs × rows × parameters: a few minutes on 2 cores at most
MAX_STEPS = 500_000  # parameter updates (epochs × batches): ~1-2 min at batch size 1
SNAPSHOT_BUDGET_BYTES = 20_000_000  # weight, bias and gradient snapshots of one run
# A sweep keeps every run's snapshots: at most this much in all, so 1,024 runs cannot fill memory.
SWEEP_SNAPSHOT_BUDGET_BYTES = 500_000_000
# Even the two snapshots every run keeps (start and end, weights and gradients) fit the budget.
MAX_PARAMS = SNAPSHOT_BUDGET_BYTES // (2 * 2 * 8)
DTYPES = ("float64", "float32")


@dataclass(frozen=True)
class Config:
    """Hyperparameters of one run; frozen so it can key a cache."""

    hidden: tuple = (64, 32)
    activation: str = "relu"
    init: str = "he"
    lr: float = 0.01
    epochs: int = 1000
    batch_size: int | None = None
    optimizer: str = "sgd"
    momentum: float = 0.9
    l2: float = 0.0
    random_state: int | None = 0
    record_every: int | None = None
    dtype: str = "float64"
    sharpness_every: int | None = None  # record the loss's sharpness every this many epochs; None: never

    def validate(self):
        """Raise ValueError naming the first argument out of its allowed range."""
        check_choice("activation", self.activation, ACTIVATIONS)
        check_choice("init", self.init, INITIALIZERS)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("dtype", self.dtype, DTYPES)
        if not isinstance(self.hidden, tuple):  # a list would make the Config unhashable, so no cache key
            raise ValueError(f"hidden must be a tuple of layer widths, got {self.hidden!r}")
        if len(self.hidden) > MAX_DEPTH:
            raise ValueError(f"hidden must be a tuple of at most {MAX_DEPTH} layer widths, got {self.hidden!r}")
        for width in self.hidden:
            if not _is_int(width) or not 1 <= width <= MAX_WIDTH:
                raise ValueError(f"hidden: every layer width must be an integer from 1 to {MAX_WIDTH}, got {width!r}")
        _check_number("lr", self.lr, 0, MAX_LR, open_low=True)
        _check_number("momentum", self.momentum, 0, 1, open_high=True)
        _check_number("l2", self.l2, 0, MAX_L2)
        _check_int("epochs", self.epochs, 1, MAX_EPOCHS)
        if self.batch_size is not None:
            _check_int("batch_size", self.batch_size, 1, None)
        if self.record_every is not None:
            _check_int("record_every", self.record_every, 1, None)
        if self.sharpness_every is not None:
            _check_int("sharpness_every", self.sharpness_every, 1, None)
        if (
            self.random_state is not None
            and not _is_int(self.random_state)
            and not isinstance(self.random_state, np.random.Generator)
        ):
            raise ValueError(
                f"random_state must be None, a non-negative integer or a numpy Generator, got {self.random_state!r}"
            )
        if _is_int(self.random_state) and self.random_state < 0:
            raise ValueError(f"random_state must be non-negative, got {self.random_state}")

    def check_size(self, rows, features):
        """Refuse a run whose amount of work would pass the documented caps."""
        n_params = self.n_params(features)
        if n_params > MAX_PARAMS:
            raise ValueError(
                f"hidden: {n_params:,} parameters with {features} input features is over the cap "
                f"of {MAX_PARAMS:,}; use fewer or narrower hidden layers"
            )
        work = self.epochs * rows * n_params
        if work > MAX_WORK:
            raise ValueError(
                f"epochs × rows × parameters = {self.epochs} × {rows} × {n_params} = {work:.2g} is over the "
                f"cap of {MAX_WORK:.0e}; use fewer epochs or smaller hidden layers"
            )
        steps = self.epochs * math.ceil(rows / self.batch_rows(rows))
        if steps > MAX_STEPS:
            raise ValueError(
                f"epochs × batches per epoch = {steps:,} is over the cap of {MAX_STEPS:,}; "
                f"use a larger batch_size or fewer epochs"
            )

    def n_params(self, features):
        """Weights and biases of this architecture on ``features`` inputs."""
        sizes = [features, *self.hidden, 1]
        return sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:]))

    def snapshot_epochs(self, n_params):
        """Epochs at which a run's weights and gradients are copied: 0, stride, 2·stride, … and the end.

        The stride is record_every, or the smallest that keeps one run's snapshots within
        SNAPSHOT_BUDGET_BYTES; it depends on the run alone, never on what it is stacked with.
        """
        affordable = max(2, SNAPSHOT_BUDGET_BYTES // self._snapshot_size(n_params))
        stride = self.record_every or max(1, math.ceil(self.epochs / (affordable - 1)))
        return np.unique(np.r_[np.arange(0, self.epochs, stride), self.epochs])

    def snapshot_bytes(self, features):
        """Bytes of one run's weight and gradient snapshots on ``features`` inputs."""
        n_params = self.n_params(features)
        return len(self.snapshot_epochs(n_params)) * self._snapshot_size(n_params)

    def _snapshot_size(self, n_params):
        """Bytes of one snapshot: a run's parameters and their gradients."""
        return 2 * n_params * np.dtype(self.dtype).itemsize

    def batch_rows(self, rows):
        """Rows per mini-batch on ``rows`` training rows (all of them for full batch)."""
        return rows if self.batch_size is None else min(self.batch_size, rows)

    def stack_key(self, rows):
        """Runs with equal keys can train in one stack: everything but lr, init, l2 (and seed) agrees."""
        shuffled = self.batch_rows(rows) < rows
        seed = self.random_state if shuffled else None
        return (
            tuple(self.hidden),
            self.activation,
            self.epochs,
            self.batch_rows(rows),
            self.optimizer,
            self.momentum,
            self.record_every,
            self.dtype,
            self.sharpness_every,
            seed if not isinstance(seed, np.random.Generator) else id(seed),
        )

    def as_dict(self):
        values = asdict(self)
        values["hidden"] = list(self.hidden)
        if isinstance(self.random_state, np.random.Generator):
            values["random_state"] = None
        return values

    @classmethod
    def from_dict(cls, values):
        """The Config that as_dict() wrote (JSON gives hidden back as a list)."""
        return cls(**{**values, "hidden": tuple(values.get("hidden", ()))})


def parse_hidden(text):
    """'64, 32' -> (64, 32); '' -> () (no hidden layer: linear regression). ValueError says what is wrong."""
    parts = [p for p in re.split(r"[\s,;]+", str(text).strip()) if p]
    widths = []
    for part in parts:
        if not re.fullmatch(r"\+?\d+", part):
            raise ValueError(
                f"'{part}' is not a whole number. Write the width of each hidden layer, "
                f"separated by commas, for example 64, 32"
            )
        width = int(part)
        if not 1 <= width <= MAX_WIDTH:
            raise ValueError(f"a layer needs from 1 to {MAX_WIDTH:,} units, got {width:,}")
        widths.append(width)
    if len(widths) > MAX_DEPTH:
        raise ValueError(f"at most {MAX_DEPTH} hidden layers, got {len(widths)}")
    return tuple(widths)


def check_choice(name, value, table, error=ValueError):
    """Raise ``error`` unless value is one of table's string keys (data errors pass `DataError`)."""
    if not isinstance(value, str) or value not in table:
        allowed = ", ".join(repr(k) for k in table)
        raise error(f"unknown {name} {value!r}; choose one of {allowed}")


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_int(name, value, low, high):
    if not _is_int(value) or value < low or (high is not None and value > high):
        allowed = f"from {low} to {high:,}" if high is not None else f"≥ {low}"
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")


def _check_number(name, value, low, high, open_low=False, open_high=False):
    try:
        ok = (
            isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, bool)
            and math.isfinite(value)
            and (value > low if open_low else value >= low)
            and (value < high if open_high else value <= high)
        )
    except OverflowError:  # an int too large for a float
        ok = False
    if not ok:
        left, right = "(" if open_low else "[", ")" if open_high else "]"
        raise ValueError(f"{name} must be a finite number in {left}{low}, {high:g}{right}, got {value!r}")
