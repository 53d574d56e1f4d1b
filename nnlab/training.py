"""The training loop: runs of one architecture trained side by side, recording their history.

A single model is a stack of one run; `nnlab.sweep` stacks many. Each run keeps its own
learning rate, initializer, L2 strength and seed, so a run's result does not depend on what it
was stacked with.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

from . import divergence
from .curvature import FIRST_ITERATIONS, TRACKING_ITERATIONS, TRACKING_RESIDUAL, power_iteration
from .epoch_chunks import EpochChunks
from .history import History
from .network import Layout, Network, initial_parameters, mean_squared_error
from .optimizers import OPTIMIZERS, SGD

_blas = ThreadpoolController()
SHARPNESS_SEED = 0  # the power iteration's random start


@dataclass
class RunResult:
    """One run's final parameters (2-D per layer) and history."""

    coefs: list
    intercepts: list
    history: History


def train(configs, X, y, eval_set=None, on_epoch=None, record=True):
    """Train runs that share a stack key on X (rows, features), y (rows,); returns a RunResult each.

    on_epoch(epoch, losses) is called after every epoch with the active runs' losses; returning
    False stops every run there, keeping what was recorded.
    """
    configs = list(configs)
    first = configs[0]
    keys = {c.stack_key(len(X)) for c in configs}
    if len(keys) != 1:
        raise ValueError("train() stacks runs that differ only in lr, init, l2 and random_state")
    with _blas.limit(limits=1, user_api="blas"), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _Trainer(configs, first, X, y, eval_set, record).run(on_epoch)


class _Trainer:
    def __init__(self, configs, shared, X, y, eval_set, record):
        dtype = np.dtype(shared.dtype)
        self.configs, self.shared, self.record = configs, shared, record
        self.X = np.ascontiguousarray(X, dtype=dtype)
        self.y = np.ascontiguousarray(y, dtype=dtype)
        self.eval = (
            None
            if eval_set is None
            else (np.ascontiguousarray(eval_set[0], dtype=dtype), np.ascontiguousarray(eval_set[1], dtype=dtype))
        )
        init_rngs, self.shuffle_rng = _generators(configs)
        self.layout = Layout([self.X.shape[1], *shared.hidden, 1])
        theta = initial_parameters(self.layout, [c.init for c in configs], init_rngs, dtype)
        self.net = Network(theta, self.layout, shared.activation, [c.l2 for c in configs])
        self.optimizer = OPTIMIZERS[shared.optimizer]([self.net.theta], [c.lr for c in configs], shared.momentum)
        self.rates = self.optimizer.lr.copy()  # per run, in the parameters' dtype, as the steps use them
        self.active = np.arange(len(configs))
        self.has_penalty = any(c.l2 > 0 for c in configs)
        self.sel = slice(None)  # the active runs' rows in the history arrays; a slice while all are
        self.rows = len(self.X)
        self.batch_rows = shared.batch_rows(self.rows)
        # With an eval set recorded, the full pass carries the validation rows after the training
        # rows: one forward pass per layer for both, instead of a second pass with its own calls.
        self.joint = self.eval is not None and record
        self.X_forward = np.concatenate([self.X, self.eval[0]]) if self.joint else self.X
        self.forward_only_rows = len(self.eval[0]) if self.joint else 0
        self._allocate(dtype)
        self._allocate_scratch()

    def _allocate(self, dtype):
        runs, epochs, layers = len(self.configs), self.shared.epochs, self.layout.n_layers
        self.loss = np.full((runs, epochs), np.nan)
        self.penalty = np.zeros((runs, epochs))
        self.val_loss = np.full((runs, epochs), np.nan)
        # Σθ² and Σg² per block (weights of each layer, then biases), before the epoch's update; and
        # Σ(Δθ)² of its weight blocks. Norms and update ratios are taken from them at the end.
        self.squared_norms = np.full((runs, epochs, 2, 2 * layers), np.nan)
        self.squared_moves = np.full((runs, epochs, layers), np.nan)
        # Plain full-batch gradient descent moves θ by exactly lr·g, so Σ(Δθ)² = lr²·Σg² needs no
        # pass of its own.
        self.moves_from_gradient = isinstance(self.optimizer, SGD) and self.batch_rows == self.rows
        self.updated = np.full(runs, epochs)  # epochs whose update was applied, per run
        self.dead_fraction = np.full((runs, epochs, layers - 1), np.nan)
        self.saturation = np.full((runs, epochs, layers - 1), np.nan)
        y_val = self.eval[1] if self.joint else None
        self.chunks = EpochChunks(
            self.net.activation,
            self.rows,
            self.shared.hidden,
            y_val,
            self.dead_fraction,
            self.saturation,
            self.val_loss,
        )
        self.snapshot_epochs = self.shared.snapshot_epochs(self.layout.n_params)
        # Not NaN-filled: a result keeps only the snapshots that were taken (see _result).
        # θ and g of a snapshot side by side, as in Network.state: one copy takes both.
        self.snapshots = np.empty((runs, len(self.snapshot_epochs), 2, self.layout.n_params), dtype)
        self.next_snapshot = 0
        self.diverged_at = [None] * runs
        self.finals = [None] * runs
        self.final_loss = np.full(runs, np.nan)
        self.final_val_loss = np.full(runs, np.nan)
        self.blowup_loss = np.full(runs, np.nan)
        self.ended = np.full(runs, epochs)
        self.stopped_at = None
        self.y_scale = float(np.mean(self.y.astype(np.float64) ** 2))
        self.y_variance = float(np.var(self.y.astype(np.float64)))
        self.val_variance = None if self.eval is None else float(np.var(self.eval[1].astype(np.float64)))
        self.bound = np.full(runs, np.inf)
        every = self.shared.sharpness_every
        self.sharpness_epochs = None if every is None else np.arange(0, epochs, every)
        if every is not None:
            self.sharpness = np.full((runs, len(self.sharpness_epochs)), np.nan)
            # The same start for every run, so a run's numbers do not depend on its stack.
            start = np.random.default_rng(SHARPNESS_SEED).standard_normal(self.layout.n_params)
            self.sharpness_vector = np.tile(start.astype(dtype), (runs, 1))

    def _allocate_scratch(self):
        # The parameters before each update, to fall back on if the update blows up.
        self.previous = self.net.theta.copy()
        self.scratch = np.empty_like(self.net.theta)
        self.state_scratch = np.empty_like(self.net.state)
        if self.record:
            self.chunks.allocate(len(self.active), self.net.theta.dtype)

    # -- the loop -----------------------------------------------------------------------------
    def run(self, on_epoch):
        started = time.perf_counter()
        for epoch in range(self.shared.epochs):
            # Looked up each epoch: retiring a diverged run reallocates the buffers.
            full = self._full_buffers()
            losses = self._full_pass(full)
            if epoch == 0:
                self._set_bound(losses)
            elif epoch == 1 and self.optimizer.scale_free_steps:
                self._set_bound(self.first_losses, losses)
            self._record_epoch(epoch, losses, full)
            if not self._drop_diverged(epoch, losses):
                break
            np.copyto(self.previous, self.net.theta)
            if self.batch_rows == self.rows:
                updates = self.optimizer.step([self.net.theta], [self.net.grad], [self.scratch])[0]
            else:
                self._minibatch_epoch()
                updates = np.subtract(self.net.theta, self.previous, out=self.scratch)
            if self.record and not self.moves_from_gradient:
                self._record_moves(epoch, updates)
            if on_epoch is not None and on_epoch(epoch, losses) is False:
                self.stopped_at = epoch
                self.ended[self.active] = epoch + 1
                break
        self._finish()
        seconds = time.perf_counter() - started
        return [self._result(k, seconds) for k in range(len(self.configs))]

    def _set_bound(self, first_losses, after_first_update=None):
        """Blow-up bound per active run, by `nnlab.divergence.bound`."""
        if after_first_update is None:
            self.first_losses = np.array(first_losses)
        else:
            first_losses = self.first_losses[self.active]  # runs retired at epoch 0 are gone
        self.bound[self.active] = divergence.bound(first_losses, self.y_scale, after_first_update)
        self.active_bound = self.bound[self.active]

    def _full_buffers(self):
        return self.net.buffers(self.rows, forward_only_rows=self.forward_only_rows)

    def _full_pass(self, buffers):
        """Training losses per active run, after a forward and backward pass over every training row
        (and, with an eval set recorded, the validation rows' predictions in self.val_prediction)."""
        prediction = self.net.forward(self.X_forward, buffers)
        losses = self.net.loss(prediction[:, : self.rows], self.y, buffers)
        self.val_prediction = prediction[:, self.rows :] if self.joint else None
        self.net.backward(self.X, buffers)
        return losses

    def _minibatch_epoch(self):
        order = self.shuffle_rng.permutation(self.rows)
        for begin in range(0, self.rows, self.batch_rows):
            rows = order[begin : begin + self.batch_rows]
            X, y = self.X[rows], self.y[rows]
            buffers = self.net.buffers(len(rows))
            prediction = self.net.forward(X, buffers)
            self.net.loss(prediction, y, buffers)
            self.net.backward(X, buffers)
            self.optimizer.step([self.net.theta], [self.net.grad], [self.scratch])

    # -- recording ----------------------------------------------------------------------------
    def _record_epoch(self, epoch, losses, buffers):
        self.loss[self.sel, epoch] = losses
        if self.has_penalty:
            self.penalty[self.sel, epoch] = self.net.penalty()
        if not self.record:
            return
        # θ and g in one call: the weight norms are those the update ratio divides by.
        self.squared_norms[self.sel, epoch] = self.layout.layer_squared_norms(
            self.net.state, self.state_scratch
        ).swapaxes(0, 1)
        self.chunks.add(epoch, buffers, self.val_prediction, self.sel)
        if self.next_snapshot < len(self.snapshot_epochs) and self.snapshot_epochs[self.next_snapshot] == epoch:
            self._snapshot(self.next_snapshot)
            self.next_snapshot += 1
        if self.sharpness_epochs is not None and epoch % self.shared.sharpness_every == 0:
            self._record_sharpness(epoch // self.shared.sharpness_every, buffers)

    def _record_sharpness(self, index, buffers):
        """λ_max of the objective's Hessian, tracked by one or a few power iterations from the last record's vector."""
        iterations = FIRST_ITERATIONS if index == 0 else TRACKING_ITERATIONS
        hessian_vector = functools.partial(self.net.hessian_vector, self.X, buffers)
        eigenvalue, self.sharpness_vector = power_iteration(
            hessian_vector, self.sharpness_vector, iterations, tolerance=None, residual=TRACKING_RESIDUAL
        )
        self.sharpness[self.sel, index] = eigenvalue

    def _unrecorded_validation_losses(self):
        """Validation losses of the final parameters when no full pass carried the validation rows."""
        if self.eval is None:
            return None
        X_val, y_val = self.eval
        return mean_squared_error(self.net.forward(X_val, self.net.buffers(len(X_val), purpose="validation")), y_val)

    def _snapshot(self, index):
        self.snapshots[self.sel, index] = self.net.state.swapaxes(0, 1)

    def _record_moves(self, epoch, updates):
        self.squared_moves[self.sel, epoch] = self.layout.layer_squared_norms(updates, self.state_scratch[0])[
            :, : self.layout.n_layers
        ]

    def _update_ratio(self, run, length):
        """‖ΔW‖ / ‖W‖ per layer (length, layers); NaN where W was all zeros or no update was applied."""
        layers = self.layout.n_layers
        weights = self.squared_norms[run, :length, 0, :layers]
        if self.moves_from_gradient:
            rate = float(self.rates[run])
            moves = rate * rate * self.squared_norms[run, :length, 1, :layers]
        else:
            moves = self.squared_moves[run, :length]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.sqrt(moves / weights)
        ratio[weights == 0] = np.nan
        ratio[self.updated[run] :] = np.nan
        return ratio

    # -- divergence and the end ---------------------------------------------------------------
    def _drop_diverged(self, epoch, losses):
        """Retire runs whose loss blew up; False when none is left."""
        blown = self._blown(losses)
        if not blown.any():
            return True
        if self.record:
            self.chunks.flush(self.sel)  # before the active runs change
        for position in np.flatnonzero(blown):
            run = self.active[position]
            self.diverged_at[run] = epoch
            self.updated[run] = epoch
            self.ended[run] = epoch + 1
            self.blowup_loss[run] = losses[position]
            # The kept parameters are the last good ones, from before the update that blew up.
            source = self.net.theta if epoch == 0 else self.previous
            self._keep(run, source[position], good=max(epoch - 1, 0))
        keep = np.flatnonzero(~blown)
        self.active = self.active[keep]
        if len(keep) == 0:
            return False
        self.net.keep(keep)
        self.optimizer.keep(keep)
        self.active_bound = self.active_bound[keep]
        self.sel = self.active
        if self.sharpness_epochs is not None:
            self.sharpness_vector = self.sharpness_vector[keep]
        self._allocate_scratch()
        return True

    def _blown(self, losses):
        """Active runs whose loss is not finite or passed its bound (an infinite bound included)."""
        return ~(np.isfinite(losses) & (losses <= self.active_bound))

    def _finish(self):
        """One more pass over the final parameters: it checks the last update and fills the end snapshot."""
        if self.record:
            self.chunks.flush(self.sel)
        if len(self.active) == 0:
            return
        losses = self._full_pass(self._full_buffers())
        if self.shared.epochs == 1 and self.optimizer.scale_free_steps:
            self._set_bound(self.first_losses, losses)
        blown = self._blown(losses)
        if self.record and self.stopped_at is None:
            self._snapshot(len(self.snapshot_epochs) - 1)
        val_losses = (
            mean_squared_error(self.val_prediction, self.eval[1])
            if self.joint
            else self._unrecorded_validation_losses()
        )
        for position, run in enumerate(self.active):
            last = int(self.ended[run]) - 1
            if blown[position]:
                # The last update blew up: keep the parameters from before it, measured at `last`.
                self.diverged_at[run] = last
                self.blowup_loss[run] = losses[position]
                self._keep(run, self.previous[position], good=last)
            else:
                self.finals[run] = self.net.theta[position].copy()
                self.final_loss[run] = losses[position]
                if val_losses is not None:
                    self.final_val_loss[run] = val_losses[position]

    def _keep(self, run, params, good):
        """Keep a diverged run's last good parameters, those measured at epoch ``good``, as its final."""
        self.finals[run] = params.copy()
        self.final_loss[run] = self.loss[run, good]
        self.final_val_loss[run] = self.val_loss[run, good]

    def _result(self, run, seconds):
        length = int(self.ended[run])
        layers = self.layout.n_layers
        keep = self.snapshot_epochs < length
        if self.diverged_at[run] is None and self.stopped_at is None:
            keep[-1] = True
        taken = slice(None) if keep.all() else keep  # a slice keeps views: no copy of the snapshots
        weights, biases = self.layout.views(self.snapshots[run, taken, 0])
        weight_grads, _ = self.layout.views(self.snapshots[run, taken, 1])
        coefs, intercepts = self.layout.views(self.finals[run])
        val_loss = None if self.eval is None else self.val_loss[run, :length].copy()
        loss, penalty = self.loss[run, :length].copy(), self.penalty[run, :length].copy()
        objective = loss + penalty
        diverging = None if self.diverged_at[run] is not None else divergence.diverging_from(objective)
        history = History(
            loss=loss,
            r2=_r2(loss, self.y_variance),
            penalty=penalty,
            objective=objective,
            grad_norm=np.sqrt(self.squared_norms[run, :length, 1, :layers]),
            bias_grad_norm=np.sqrt(self.squared_norms[run, :length, 1, layers:]),
            update_ratio=self._update_ratio(run, length),
            dead_fraction=self.dead_fraction[run, :length].copy(),
            saturation=self.saturation[run, :length].copy(),
            snapshot_epochs=self.snapshot_epochs[keep],
            weights=weights,
            biases=biases,
            weight_grads=weight_grads,
            val_loss=val_loss,
            val_r2=None if val_loss is None else _r2(val_loss, self.val_variance),
            diverged_at=self.diverged_at[run],
            diverging_from=diverging,
            divergence_bound=float(self.bound[run]),
            blowup_loss=float(self.blowup_loss[run]),
            final_loss=float(self.final_loss[run]),
            final_r2=float(_r2(self.final_loss[run], self.y_variance)),
            final_val_loss=float(self.final_val_loss[run]),
            final_val_r2=np.nan if self.eval is None else float(_r2(self.final_val_loss[run], self.val_variance)),
            stopped_at=self.stopped_at,
            seconds=seconds,
            config=self.configs[run],
            **self._sharpness_of(run, length),
        )
        return RunResult(coefs=[c.copy() for c in coefs], intercepts=[b.copy() for b in intercepts], history=history)

    def _sharpness_of(self, run, length):
        """History's sharpness fields for one run: the records taken before it ended."""
        if self.sharpness_epochs is None or not self.record:
            return {}
        taken = self.sharpness_epochs < length
        return {"sharpness": self.sharpness[run, taken].copy(), "sharpness_epochs": self.sharpness_epochs[taken]}


def _r2(loss, variance):
    """R² = 1 − MSE / Var(y), the coefficient of determination of the same predictions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - loss / variance if variance > 0 else np.full_like(loss, np.nan)


def _generators(configs):
    """Per run, an init generator; and one shuffling generator shared by the stack (same seed)."""
    init_rngs, shuffle_rngs = [], []
    for config in configs:
        seed = config.random_state
        if isinstance(seed, np.random.Generator):
            init_rng, shuffle_rng = seed.spawn(2)
        else:
            init_rng, shuffle_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
        init_rngs.append(init_rng)
        shuffle_rngs.append(shuffle_rng)
    return init_rngs, shuffle_rngs[0]
