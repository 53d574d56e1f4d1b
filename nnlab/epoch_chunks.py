"""History rows the trainer fills a chunk of epochs at a time: dead and saturated units, validation loss.

Each epoch keeps only a copy of what those rows need: every hidden unit's slope f′(z) summed over
the rows (one matrix product over the slopes the backward pass left in Buffers.slope_all), for
smooth activations how many rows each unit was saturated on, and the validation rows'
predictions. Every chunk of epochs, and whenever the set of active runs is about to change, the
held epochs are reduced together: a dozen small NumPy calls per chunk instead of per epoch,
where their fixed cost was about a third of what recording added to an epoch of the deep
page's default run. In float64 every value is the one an epoch-by-epoch count gives, bit for bit
(float32 leaky-ReLU saturation sums its units in another order: within 3e-7).
"""

from __future__ import annotations

import numpy as np

from .health import DEAD_SLOPE, SATURATED_SLOPE
from .network import mean_squared_error

CHUNK_EPOCHS = 64  # at most: the per-chunk calls then cost ~2% of the per-epoch ones they replace
CHUNK_BYTES = 2_000_000  # held copies at most, so many stacked runs or a large validation set use shorter chunks


class EpochChunks:
    """Fills dead_fraction, saturation (runs, epochs, hidden layers) and val_loss (runs, epochs)."""

    def __init__(self, activation, rows, hidden, y_val, dead_fraction, saturation, val_loss):
        self.activation, self.rows, self.y_val = activation, rows, y_val
        self.widths = np.asarray(hidden, dtype=np.float64)
        self.unit_starts = np.cumsum([0, *hidden])[:-1]
        self.layer_bounds = list(zip(self.unit_starts, self.unit_starts + np.asarray(hidden, dtype=int)))
        self.units = int(self.widths.sum())
        self.smooth = activation.two_slopes is None
        self.saturated_below = SATURATED_SLOPE * activation.max_slope
        self.dead_fraction, self.saturation, self.val_loss = dead_fraction, saturation, val_loss
        self.first_epoch, self.held = 0, 0

    def allocate(self, runs, dtype):
        """Room for a chunk of `runs` active runs; called again, after a flush, when the active runs change."""
        itemsize = np.dtype(dtype).itemsize
        val_rows = 0 if self.y_val is None else len(self.y_val)
        per_epoch = runs * (self.units * (itemsize + 8 * self.smooth) + val_rows * itemsize)
        self.length = int(np.clip(CHUNK_BYTES // max(per_epoch, 1), 1, CHUNK_EPOCHS))
        if self.units:
            self.slope_sums = np.empty((self.length, runs, 1, self.units), dtype)
            if self.smooth:
                self.saturated_rows = np.empty((self.length, runs, self.units), np.intp)
                self.below = np.empty((runs, self.rows, self.units), bool)
        if val_rows:
            self.val_predictions = np.empty((self.length, runs, val_rows), dtype)

    def add(self, epoch, buffers, val_prediction, active):
        """Hold this epoch's copies; `active` indexes the runs in the history arrays."""
        if self.held == 0:
            self.first_epoch = epoch
        if self.units:
            np.matmul(buffers.ones, buffers.slope_all, out=self.slope_sums[self.held])
            if self.smooth:
                below = np.less(buffers.slope_all, self.saturated_below, out=self.below)
                np.sum(below, axis=1, out=self.saturated_rows[self.held])
        if val_prediction is not None:
            self.val_predictions[self.held] = val_prediction
        self.held += 1
        if self.held == self.length:
            self.flush(active)

    def flush(self, active):
        """Write the held epochs' rows for the runs `active` (those they were held for)."""
        if self.held == 0:
            return
        held, epochs = self.held, slice(self.first_epoch, self.first_epoch + self.held)
        self.held = 0
        if self.units:
            self._unit_shares(held, active, epochs)
        if self.y_val is not None:
            predictions = self.val_predictions[:held]
            losses = mean_squared_error(predictions.reshape(-1, predictions.shape[-1]), self.y_val)
            self.val_loss[active, epochs] = losses.reshape(held, -1).T

    def _unit_shares(self, held, active, epochs):
        # A unit is dead when its slope summed over all rows is (numerically) zero; slopes are
        # non-negative except GELU's small dip, so this means zero on every row.
        total = np.abs(self.slope_sums[:held, :, 0, :])
        limit = DEAD_SLOPE * self.activation.max_slope * self.rows
        dead = np.add.reduceat(total <= limit, self.unit_starts, axis=2)
        self.dead_fraction[active, epochs] = (dead / self.widths).swapaxes(0, 1)
        self.saturation[active, epochs] = self._saturation(total, held).swapaxes(0, 1)

    def _saturation(self, total, held):
        """Share of (row, unit) pairs per hidden layer whose slope is below SATURATED_SLOPE of its maximum."""
        entries = self.rows * self.widths
        if self.smooth:
            return np.add.reduceat(self.saturated_rows[:held], self.unit_starts, axis=2) / entries
        # Two slopes: the rows' mean slope tells how many rows sit on the low one.
        low, high = self.activation.two_slopes
        if low == 0:  # sums of 0s and 1s are exact in any order
            sums = np.add.reduceat(total, self.unit_starts, axis=2)
        else:  # leaky ReLU's 0.01s are not: each layer summed the way a plain .sum() over its units does
            sums = np.stack([total[..., start:stop].sum(axis=-1) for start, stop in self.layer_bounds], axis=-1)
        return 1.0 - (sums / entries - low) / (high - low)
