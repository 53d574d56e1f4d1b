"""How a sweep's runs are laid out: stacks of one architecture, chunks of equal work, and worker processes."""

from __future__ import annotations

import math
import os
import time
from contextlib import nullcontext

import joblib
import numpy as np

from ..training import train

PROGRESS_CHUNKS = 4  # with on_progress, chunks per worker process ...
MIN_CHUNK_SECONDS = 1.0  # ... unless they would be estimated shorter than this
# Cost of one stack on one core, fitted within ±25% over 1-64 runs of linear to 128-64 networks
# (process time on this machine): per pass over `rows` rows,
#   EPOCH_SECONDS + runs × (LAYER_SECONDS·layers + UNIT_SECONDS·rows·units + WEIGHT_SECONDS·rows·params)
# where units counts hidden and output units (elementwise work) and params the weights (matmuls).
EPOCH_SECONDS = 48e-6
LAYER_SECONDS = 3.2e-6
UNIT_SECONDS = 7.2e-9
WEIGHT_SECONDS = 0.114e-9
# Starting the work in worker processes: a cold start spawns them and imports nnlab (NumPy, pandas,
# scikit-learn) in each; afterwards joblib's loky executor keeps them for LOKY_IDLE_SECONDS.
COLD_START_SECONDS = 2.0
WARM_START_SECONDS = 0.1
LOKY_IDLE_SECONDS = 250  # loky retires idle workers after 300 s


def _plan(configs, X, eval_set, n_jobs, backend, progress=False):
    """Chunks of run indices (each one train() call) and the number of workers to use.

    progress=True cuts finer chunks (PROGRESS_CHUNKS per worker, none under MIN_CHUNK_SECONDS) so
    that a progress bar moves more than once per worker, for a little less stacking.
    """
    rows = len(X)
    stacks = {}
    for run, config in enumerate(configs):
        stacks.setdefault(config.stack_key(rows), []).append(run)
    stacks = list(stacks.values())
    workers, threads = _workers(n_jobs, backend)
    if workers > 1 and n_jobs is None:
        # Worth it when the time saved, serial·(1 − 1/workers), exceeds the cost of starting.
        serial = sum(estimate_seconds([configs[r] for r in runs], X.shape, eval_set) for runs in stacks)
        warm = threads or time.monotonic() - _pool_used.get(workers, -math.inf) < LOKY_IDLE_SECONDS
        if serial * (1 - 1 / workers) < (WARM_START_SECONDS if warm else COLD_START_SECONDS):
            workers = 1
    if workers == 1 or len(configs) == 1:
        return stacks, 1
    return _split(stacks, configs, X.shape, eval_set, workers, PROGRESS_CHUNKS if progress else 1), workers


_pool_used = {}  # workers -> time.monotonic() when a sweep last used that many worker processes


def _workers(n_jobs, backend):
    """(number of workers, whether they are threads) for n_jobs under the active joblib config."""
    if n_jobs == 1:
        return 1, False
    with _backend_context(backend):
        active, configured = joblib.parallel.get_active_backend()
        if n_jobs is None:
            n_jobs = configured if configured is not None else (os.cpu_count() or 1)
        return max(1, joblib.effective_n_jobs(n_jobs)), bool(getattr(active, "uses_threads", False))


def _split(stacks, configs, shape, eval_set, workers, per_worker=1):
    """Cut stacks into chunks of about 1/(workers·per_worker) of the total work each, largest first."""
    cost = {r: estimate_seconds([configs[r]], shape, eval_set) for runs in stacks for r in runs}
    total = sum(cost.values())
    target = max(total / (workers * per_worker), min(MIN_CHUNK_SECONDS, total / workers))
    chunks = []
    for runs in stacks:
        pieces = min(len(runs), max(1, math.ceil(sum(cost[r] for r in runs) / target - 1e-9)))
        chunks += [[int(run) for run in part] for part in np.array_split(runs, pieces)]
    return sorted(chunks, key=lambda runs: -sum(cost[r] for r in runs))


def estimate_seconds(configs, shape, eval_set=None):
    """Estimated single-core seconds to train configs (one stack) on data of shape (rows, features)."""
    rows, features = shape
    config, runs = configs[0], len(configs)
    params = config.n_params(features)
    layers, units = len(config.hidden) + 1, sum(config.hidden) + 1
    batches = math.ceil(rows / config.batch_rows(rows))
    passes = 1 if batches == 1 else 1 + batches  # mini-batch: the recording pass, then the batches
    rows_seen = rows if batches == 1 else 2 * rows
    if eval_set is not None:  # a forward pass: about 0.4 of a forward and backward one
        passes += 0.4
        rows_seen += 0.4 * len(eval_set[0])
    per_row = UNIT_SECONDS * units + WEIGHT_SECONDS * params
    return config.epochs * (passes * (EPOCH_SECONDS + runs * LAYER_SECONDS * layers) + runs * rows_seen * per_row)


def _backend_context(backend):
    return nullcontext() if backend is None else joblib.parallel_config(backend=backend)


def _parallel(chunks, configs, X, y, eval_set, record, workers, backend):
    """Yield (runs, results) per chunk as workers finish them."""
    with _backend_context(backend):
        # n_jobs stays `workers` even for fewer chunks: loky restarts its workers when it changes.
        parallel = joblib.Parallel(n_jobs=workers, batch_size=1, return_as="generator_unordered")
        try:
            yield from parallel(
                joblib.delayed(_train_chunk)([configs[r] for r in runs], X, y, eval_set, record, runs)
                for runs in chunks
            )
        finally:
            _pool_used[workers] = time.monotonic()


def _train_chunk(configs, X, y, eval_set, record, runs, on_epoch=None):
    """One train() call: the unit of work a joblib worker gets."""
    return runs, train(configs, X, y, eval_set=eval_set, on_epoch=on_epoch, record=record)
