"""How a sweep's runs are laid out: stacks of one architecture, chunks of equal work, and worker processes."""

from __future__ import annotations

import math
import os
import threading
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
KEEP_WARM_SECONDS = 120  # start_workers(keep_warm=True) gives the workers a task this often
# Runs stacked in one train() call at most, by the bytes of one activation buffer (runs × rows ×
# widest layer × 8 B). 16 runs of 10-64-32-1 on 353 rows, 2,000 epochs, against one train() per run:
# stacks of 2 1.09×, 4 1.12×, 8 1.16× (1.4 MB a buffer), 16 1.13× (2.9 MB, past the 1 MB L2 cache
# per core here); `benchmarks/sweep_speed.py` prints this table (workload 5). Linear runs (2.8 KB
# each) stack by the hundred, where the saving is the NumPy calls per epoch, not the arithmetic.
STACK_BUFFER_BYTES = 1.5e6


def _plan(configs, X, eval_set, n_jobs, backend, progress=False):
    """Chunks of run indices (each one train() call) and the number of workers to use.

    progress=True cuts finer chunks (PROGRESS_CHUNKS per worker, none under MIN_CHUNK_SECONDS) so
    that a progress bar moves more than once per worker, for a little less stacking.
    """
    rows = len(X)
    stacks = {}
    for run, config in enumerate(configs):
        stacks.setdefault(config.stack_key(rows), []).append(run)
    stacks = [part for runs in stacks.values() for part in _cache_sized(runs, configs[runs[0]], rows)]
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


def _cache_sized(runs, config, rows):
    """runs (one stack) cut into stacks of at most STACK_BUFFER_BYTES per activation buffer."""
    per_run = rows * max(config.hidden, default=1) * np.dtype(config.dtype).itemsize
    size = max(1, int(STACK_BUFFER_BYTES // per_run))
    return _pieces(runs, math.ceil(len(runs) / size))


def _pieces(runs, count):
    """runs cut into `count` stacks of near-equal size, as lists of ints."""
    return [[int(run) for run in part] for part in np.array_split(runs, count)]


def start_workers(n_jobs=None, backend=None, keep_warm=False, delay=0.0):
    """Start the worker processes a sweep would use, in a background thread; returns the thread.

    A sweep's planner counts started workers as warm (WARM_START_SECONDS instead of
    COLD_START_SECONDS), so a server that calls this at start-up spreads even its first grid over
    every core. keep_warm gives them a task every KEEP_WARM_SECONDS, before loky retires them.
    delay: seconds to wait first (a server lets its first page render before the workers import
    nnlab). Returns None when the sweep would run in-process or in threads (nothing to start).
    """
    workers, threads = _workers(n_jobs, backend)
    if workers == 1 or threads:
        return None

    def warm():
        time.sleep(delay)
        while True:
            try:
                with _backend_context(backend):
                    joblib.Parallel(n_jobs=workers, batch_size=1)(joblib.delayed(_ready)() for _ in range(workers))
            except Exception:  # noqa: BLE001 - e.g. the interpreter shutting down under this daemon thread
                return  # the planner then counts the workers cold, which is what they are
            _pool_used[workers] = time.monotonic()
            if not keep_warm:
                return
            time.sleep(KEEP_WARM_SECONDS)

    thread = threading.Thread(target=warm, name="nnlab-start-workers", daemon=True)
    thread.start()
    return thread


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
        chunks += _pieces(runs, pieces)
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


def _ready():
    """A worker's first task: unpickling it imports this module, so nnlab is loaded when a sweep comes."""
    return os.getpid()


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
