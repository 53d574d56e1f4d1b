"""`sweep`: train every run of a grid, stacked and spread over workers, reporting progress as runs finish."""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils.validation import check_array, check_X_y
from threadpoolctl import threadpool_limits

from ..config import SWEEP_SNAPSHOT_BUDGET_BYTES
from .expansion import expand
from .planning import _parallel, _plan, _train_chunk
from .result import _result, _row

PROGRESS_BLOCKS = 20  # in-process progress reports per stack


def sweep(X, y, grid=None, seeds=1, eval_set=None, base=None, n_jobs=None, backend=None, on_progress=None, record=True):
    """Train every combination of grid (× seeds) on X (rows, features), y (rows,); returns a SweepResult.

    grid: {config key: [values]}, any `Config` field (lr, init, activation, hidden, optimizer,
    batch_size, l2, epochs, ...). base: the fixed keys (the rest are Config defaults).
    seeds: k runs per grid point with random_state base + 0..k-1 (base random_state defaults to 0),
    or an explicit list of seeds. eval_set=(X_val, y_val) records validation loss and R².
    n_jobs: None picks automatically (in-process for small sweeps, else one worker per core or
    as many as `joblib.parallel_config` says); 1 trains in this process; k or -1 as joblib.
    backend: a joblib backend name or instance (None: the active `joblib.parallel_config` one).
    on_progress(done_runs, total_runs, row): once per finished run, with its table row as a dict
    (runs of one chunk finish together, and each is reported with the count after all of them);
    in-process also every 1/PROGRESS_BLOCKS of a stack, with a fractional done_runs and row=None.
    done_runs never decreases and ends at total_runs.
    record=False records the training loss only (no validation curve, no diagnostics): faster.
    """
    X, y = check_X_y(X, y, y_numeric=True, dtype=np.float64)
    eval_set = _check_eval_set(eval_set, X.shape[1])
    keys, configs = expand(grid, seeds, base)
    for config in configs:
        config.check_size(*X.shape)
    if record:
        _check_snapshot_total(configs, X.shape[1])
    chunks, workers = _plan(configs, X, eval_set, n_jobs, backend, progress=on_progress is not None)
    results = [None] * len(configs)
    rows = [None] * len(configs)
    progress = _Progress(on_progress, len(configs))
    # The parent's BLAS is pinned too: the in-process path runs here, and threads of a threading
    # backend would otherwise race to restore each other's thread limits.
    with threadpool_limits(limits=1, user_api="blas"):
        if workers == 1:
            finished = (
                _train_chunk(
                    [configs[r] for r in runs],
                    X,
                    y,
                    eval_set,
                    record,
                    runs,
                    progress.epoch_callback(runs, configs[runs[0]].epochs),
                )
                for runs in chunks
            )
        else:
            finished = _parallel(chunks, configs, X, y, eval_set, record, workers, backend)
        for runs, chunk_results in finished:
            share = chunk_results[0].history.seconds / len(runs)
            for run, result in zip(runs, chunk_results):
                results[run], rows[run] = result, _row(configs[run], result.history, keys, share)
            progress.finished([rows[r] for r in runs])
    return _result(configs, results, keys, rows)


class _Progress:
    """Reports to on_progress; done_runs never goes down, so it can drive a progress bar."""

    def __init__(self, callback, total):
        self.callback, self.total, self.done = callback, total, 0

    def finished(self, rows):
        """Runs that finished together (one chunk): each reported with the count after all of them."""
        self.done += len(rows)
        if self.callback is not None:
            for row in rows:
                self.callback(self.done, self.total, row)

    def epoch_callback(self, runs, epochs):
        if self.callback is None:
            return None
        block = max(1, math.ceil(epochs / PROGRESS_BLOCKS))

        def on_epoch(epoch, losses):
            if (epoch + 1) % block == 0 and epoch + 1 < epochs:
                self.callback(self.done + len(runs) * (epoch + 1) / epochs, self.total, None)

        return on_epoch


def _check_snapshot_total(configs, features):
    """Refuse a sweep whose runs' snapshots together would pass SWEEP_SNAPSHOT_BUDGET_BYTES."""
    total = sum(config.snapshot_bytes(features) for config in configs)
    if total > SWEEP_SNAPSHOT_BUDGET_BYTES:
        per_run = total / len(configs)
        raise ValueError(
            f"this sweep would keep {total / 1e6:,.0f} MB of weight snapshots ({len(configs)} runs × "
            f"{per_run / 1e6:,.1f} MB), over the cap of {SWEEP_SNAPSHOT_BUDGET_BYTES / 1e6:,.0f} MB; pass "
            f"base=dict(record_every=...) to copy the weights less often, or record=False"
        )


def _check_eval_set(eval_set, features):
    if eval_set is None:
        return None
    X_val, y_val = eval_set
    X_val = check_array(X_val, dtype=np.float64)
    y_val = np.asarray(y_val, dtype=np.float64).reshape(-1)
    if X_val.shape[1] != features:
        raise ValueError(f"eval_set: X_val has {X_val.shape[1]} features, X has {features}")
    if len(y_val) != len(X_val) or not np.all(np.isfinite(y_val)):
        raise ValueError("eval_set: y_val must be finite with one value per row of X_val")
    return X_val, y_val
