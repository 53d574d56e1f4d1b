"""Hyperparameter sweeps: every combination of a grid (× seeds), stacked, and spread over processes.

    result = sweep(X, y, grid={"lr": [0.001, 0.01, 0.1], "init": ["he", "xavier"]}, seeds=3,
                   eval_set=(X_val, y_val), base=dict(hidden=(64, 32), epochs=500))
    result.table            # one row per run: grid keys, seed, final/best metrics, diverged_at, seconds
    result.summary()        # mean/std/min/max over seeds, one row per grid point
    result.band("val_loss") # per grid point and epoch: mean, std, min, max (for mean ± spread charts)
    result.diff(0, 5)       # the config keys on which runs 0 and 5 differ
    result.save_histories(path)   # everything in one .npz; nnlab.load_sweep(path) reads it back

How the work is done. Runs that share an architecture (equal `Config.stack_key`) train in one
`nnlab.training.train` call, their parameters stacked along a leading run axis, so one NumPy call
serves all of them; each run keeps its own lr, init, l2 and seed, and a diverged run is retired
alone. A run's numbers equal those of `MLP.fit` with the same config. What remains is spread over
worker processes: the stacks are cut into chunks of about equal estimated work
(`estimate_seconds`), and the chunks go through `joblib.Parallel`, so they run on whatever
backend joblib is configured with. Beyond one machine, with no change here (nnlab must be
importable on the cluster's workers; n_jobs=-1 asks for all of them):

    client = dask.distributed.Client("scheduler:8786")
    with joblib.parallel_config(backend="dask"):
        result = sweep(X, y, grid, n_jobs=-1)

    ray.init(address="auto"); ray.util.joblib.register_ray()
    with joblib.parallel_config(backend="ray"):
        result = sweep(X, y, grid, n_jobs=-1)

Each chunk ships X, y and the eval set to its worker (joblib memory-maps large arrays for local
processes) and pickles its runs' results back. Small sweeps, where starting processes would take
longer than they save, run in-process: `_plan` weighs the estimated time saved against
COLD_START_SECONDS, or WARM_START_SECONDS when a sweep used the workers recently.

Memory: every run keeps the weight and gradient snapshots `MLP.fit` would keep for it (within
`training.SNAPSHOT_BUDGET_BYTES`, 20 MB, whatever it is stacked with, so its snapshot epochs are
those of its fit), plus per-epoch series of about (6 + 5·layers) × epochs × 8 bytes. A sweep whose
snapshots would pass `training.SWEEP_SNAPSHOT_BUDGET_BYTES` (500 MB) in all is refused before any
work: pass `base=dict(record_every=...)` to thin the snapshots, or record=False to skip them and
the per-epoch diagnostics.
"""
from __future__ import annotations

import io
import itertools
import json
import math
import os
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, fields

import joblib
import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array, check_X_y
from threadpoolctl import threadpool_limits

from .history import History
from .training import SWEEP_SNAPSHOT_BUDGET_BYTES, Config, train

MAX_RUNS = 1024                 # runs in one sweep (grid points × seeds)
PROGRESS_BLOCKS = 20            # in-process progress reports per stack
PROGRESS_CHUNKS = 4             # with on_progress, chunks per worker process ...
MIN_CHUNK_SECONDS = 1.0         # ... unless they would be estimated shorter than this
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
LOKY_IDLE_SECONDS = 250         # loky retires idle workers after 300 s
CONFIG_KEYS = tuple(f.name for f in fields(Config))
METRICS = ("final_loss", "final_val_loss", "final_val_r2", "best_val_loss", "best_epoch", "diverged_at", "seconds")
CURVES = ("loss", "r2", "val_loss", "val_r2")
# The code that reads a saved sweep back, as the dashboard shows it to users (the Compare runs
# page's download help); tests/test_sweep.py runs this very text, with `nnlab` imported and `path`
# bound to a file written by SweepResult.save_histories().
LOAD_SNIPPET = "nnlab.load_sweep(path)"


@dataclass
class SweepResult:
    """Runs of a sweep, in grid order (grid points in `itertools.product` order, seeds innermost).

    table: one row per run; histories, configs, coefs, intercepts: lists in the table's row order;
    keys: the grid keys, the columns that tell runs apart (with `seed`). The table's `seconds` is
    the run's share of its train() call (that call's wall time over the runs stacked in it);
    `best_epoch` is that of the lowest validation loss, or of the lowest training loss without
    an eval set.
    """

    table: pd.DataFrame
    histories: list
    configs: list
    coefs: list
    intercepts: list
    keys: tuple = ()

    def __len__(self):
        return len(self.configs)

    def label(self, run):
        """A short name for a run: its grid values and seed, e.g. 'lr=0.1, init=he, seed=0'."""
        config = self.configs[run]
        parts = [f"{key}={_text(getattr(config, key))}" for key in self.keys]
        return ", ".join(parts + [f"seed={_text(config.random_state)}"])

    def summary(self, by=None):
        """Per grid point (or per the `by` keys): runs, diverged, and mean/std/min/max of each metric."""
        by = self._by(by)
        rows = []
        for values, runs in self._groups(by).items():
            part = self.table.iloc[runs]
            row = dict(zip(by, values), runs=len(runs), diverged=int(part["diverged_at"].notna().sum()))
            for metric in ("final_loss", "final_val_loss", "final_val_r2", "best_val_loss", "best_epoch"):
                column = part[metric].astype(float)
                row |= {f"{metric}_mean": column.mean(), f"{metric}_std": column.std(),
                        f"{metric}_min": column.min(), f"{metric}_max": column.max()}
            rows.append(row)
        return pd.DataFrame(rows)

    def band(self, metric="loss", by=None):
        """Per grid point (or `by` keys) and epoch: mean, std, min and max of a curve over its runs.

        metric: one of CURVES. Tidy: columns by…, label, epoch, mean, std, min, max, n; n counts the
        runs with a finite value at that epoch (a diverged run drops out from its blow-up on).
        """
        _check_curve(metric, self.histories)
        by = self._by(by)
        parts = []
        for values, runs in self._groups(by).items():
            curves = _padded([getattr(self.histories[r], metric) for r in runs])
            curves[~np.isfinite(curves)] = np.nan  # a blown-up last value would flatten the chart
            n = np.sum(~np.isnan(curves), axis=0)
            with warnings.catch_warnings():  # an epoch no run reached gives all-NaN columns
                warnings.simplefilter("ignore", RuntimeWarning)
                stats = {"mean": np.nanmean(curves, axis=0),
                         "std": np.nanstd(curves, axis=0, ddof=1) if len(runs) > 1 else np.full(len(n), np.nan),
                         "min": np.nanmin(curves, axis=0), "max": np.nanmax(curves, axis=0)}
            label = ", ".join(f"{key}={_text(value)}" for key, value in zip(by, values)) or "all runs"
            frame = pd.DataFrame({"epoch": np.arange(curves.shape[1]), **stats, "n": n})
            for key, value in reversed(list(zip(by, values))):
                frame.insert(0, key, [value] * len(frame))
            frame.insert(len(by), "label", label)
            parts.append(frame)
        return pd.concat(parts, ignore_index=True)

    def curves(self, runs, metric=("loss", "val_loss")):
        """Tidy curves of some runs to overlay: columns run, label, metric, epoch, value."""
        metrics = [metric] if isinstance(metric, str) else list(metric)
        parts = []
        for run in runs:
            history = self.histories[run]
            for name in metrics:
                _check_curve(name, self.histories)
                values = getattr(history, name)
                if values is None:
                    continue
                parts.append(pd.DataFrame({"run": run, "label": self.label(run), "metric": name,
                                           "epoch": np.arange(len(values)), "value": values}))
        if not parts:
            return pd.DataFrame(columns=["run", "label", "metric", "epoch", "value"])
        return pd.concat(parts, ignore_index=True)

    def diff(self, i, j):
        """The config keys on which runs i and j differ: index key, columns 'run i', 'run j'."""
        first, second = self.configs[i].as_dict(), self.configs[j].as_dict()
        keys = [key for key in CONFIG_KEYS if first[key] != second[key]]
        frame = pd.DataFrame({f"run {i}": [_cell(first[k]) for k in keys],
                              f"run {j}": [_cell(second[k]) for k in keys]}, index=pd.Index(keys, name="key"))
        return frame

    def model(self, run):
        """A fitted `MLP` holding run's final parameters and history, ready to predict."""
        from .mlp import MLP  # mlp imports scikit-learn's estimator machinery; only needed here

        config = self.configs[run]
        model = MLP(**{key: getattr(config, key) for key in CONFIG_KEYS})
        model.coefs_, model.intercepts_ = self.coefs[run], self.intercepts[run]
        model.history_ = self.histories[run]
        model.n_features_in_ = self.coefs[run][0].shape[0]
        return model

    def to_csv(self, path):
        """Write the table (tuples such as hidden as their text)."""
        self.table.to_csv(path, index_label="run")

    def save_histories(self, path):
        """Everything in one .npz that loads with allow_pickle=False: see `load_sweep`."""
        arrays = {}
        for run, history in enumerate(self.histories):
            buffer = io.BytesIO()
            history.save(buffer)
            arrays[f"history_{run}"] = np.frombuffer(buffer.getvalue(), dtype=np.uint8)
            for layer, (coef, intercept) in enumerate(zip(self.coefs[run], self.intercepts[run])):
                arrays[f"coef_{run}_{layer}"] = coef
                arrays[f"intercept_{run}_{layer}"] = intercept
        meta = {"keys": list(self.keys), "seconds": self.table["seconds"].tolist(),
                "layers": [len(c) for c in self.coefs]}
        arrays["meta"] = np.array(json.dumps(meta))
        np.savez(path, **arrays)

    # -- grouping -----------------------------------------------------------------------------
    def _by(self, by):
        by = list(self.keys) if by is None else [by] if isinstance(by, str) else list(by)
        unknown = [key for key in by if key not in CONFIG_KEYS and key != "seed"]
        if unknown:
            raise ValueError(f"by: {unknown} are not config keys; choose from {list(CONFIG_KEYS)}")
        return by

    def _groups(self, by):
        """{values of the by keys: [runs]} in order of first appearance."""
        groups = {}
        for run, config in enumerate(self.configs):
            values = tuple(config.random_state if key == "seed" else getattr(config, key) for key in by)
            groups.setdefault(values, []).append(run)
        return groups


def sweep(X, y, grid=None, seeds=1, eval_set=None, base=None, n_jobs=None, backend=None,
          on_progress=None, record=True):
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
    seconds = [0.0] * len(configs)
    progress = _Progress(on_progress, len(configs))
    # The parent's BLAS is pinned too: the in-process path runs here, and threads of a threading
    # backend would otherwise race to restore each other's thread limits.
    with threadpool_limits(limits=1, user_api="blas"):
        if workers == 1:
            finished = (_train_chunk([configs[r] for r in runs], X, y, eval_set, record, runs,
                                     progress.epoch_callback(runs, configs[runs[0]].epochs)) for runs in chunks)
        else:
            finished = _parallel(chunks, configs, X, y, eval_set, record, workers, backend)
        for runs, chunk_results in finished:
            share = chunk_results[0].history.seconds / len(runs)
            for run, result in zip(runs, chunk_results):
                results[run], seconds[run] = result, share
            progress.finished([_row(configs[r], results[r].history, keys, share) for r in runs])
    return _result(configs, results, keys, seconds)


def expand(grid=None, seeds=1, base=None):
    """(grid keys, validated Configs) of every combination of grid × seeds, seeds innermost."""
    grid, base = dict(grid or {}), dict(base or {})
    for name, table in (("grid", grid), ("base", base)):
        unknown = [key for key in table if key not in CONFIG_KEYS]
        if unknown:
            raise ValueError(f"{name}: {unknown} are not config keys; choose from {list(CONFIG_KEYS)}")
    both = sorted(set(grid) & set(base))
    if both:
        raise ValueError(f"{both} are in both grid and base; put each key in one of them")
    for key, values in grid.items():
        if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
            raise ValueError(f"grid[{key!r}] must be a non-empty list of values, got {values!r}")
        grid[key] = [_plain(value) for value in values]
        if not grid[key]:
            raise ValueError(f"grid[{key!r}] must be a non-empty list of values, got an empty one")
    base = {key: _plain(value) for key, value in base.items()}
    seed_list = _seeds(seeds, base, grid)
    keys = tuple(grid)
    combos = list(itertools.product(*[grid[key] for key in keys]))
    if len(combos) * len(seed_list) > MAX_RUNS:
        raise ValueError(f"grid × seeds = {len(combos)} × {len(seed_list)} runs is over the cap of "
                         f"{MAX_RUNS}; use fewer values or seeds")
    configs = []
    for combo in combos:
        for seed in seed_list:
            params = base | dict(zip(keys, combo))
            if seed is not _GRID_SEED:
                params["random_state"] = seed
            config = Config(**params)
            try:
                config.validate()
            except ValueError as error:
                where = ", ".join(f"{k}={_text(v)}" for k, v in zip(keys, combo))
                raise ValueError(f"{error} (in the run with {where or 'the base settings'})") from None
            if isinstance(config.random_state, np.random.Generator):
                raise ValueError("random_state: a sweep needs integer seeds (or None), not a Generator")
            configs.append(config)
    return keys, configs


_GRID_SEED = object()  # random_state comes from the grid itself


def _seeds(seeds, base, grid):
    if "random_state" in grid:
        if seeds != 1:
            raise ValueError("seeds: random_state is already a grid key; leave seeds=1")
        return [_GRID_SEED]
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive integer or a list of seeds, got {seeds!r}")
        start = base.get("random_state", 0)
        if start is None:
            if seeds > 1:
                raise ValueError("seeds: with random_state=None the seeds cannot be numbered; "
                                 "give an integer random_state or a list of seeds")
            return [None]
        if not isinstance(start, (int, np.integer)):
            raise ValueError(f"random_state must be None or a non-negative integer, got {start!r}")
        return [int(start) + i for i in range(seeds)]
    if not hasattr(seeds, "__iter__"):
        raise ValueError(f"seeds must be a positive integer or a list of seeds, got {seeds!r}")
    seeds = [_plain(seed) for seed in seeds]
    if not seeds:
        raise ValueError("seeds: the list of seeds is empty")
    return seeds


# -- planning: stacks, chunks, workers ---------------------------------------------------------
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
    sizes = [features, *config.hidden, 1]
    params = sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:]))
    layers, units = len(sizes) - 1, sum(sizes[1:])
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
            yield from parallel(joblib.delayed(_train_chunk)([configs[r] for r in runs], X, y, eval_set, record,
                                                             runs) for runs in chunks)
        finally:
            _pool_used[workers] = time.monotonic()


def _train_chunk(configs, X, y, eval_set, record, runs, on_epoch=None):
    """One train() call: the unit of work a joblib worker gets."""
    return runs, train(configs, X, y, eval_set=eval_set, on_epoch=on_epoch, record=record)


# -- results -----------------------------------------------------------------------------------
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


def _row(config, history, keys, seconds):
    """One table row: grid values, seed and the run's summary numbers."""
    val_loss = history.val_loss
    has_val = val_loss is not None and np.any(~np.isnan(val_loss))
    best_of = val_loss if has_val else history.loss
    best_epoch = int(np.nanargmin(np.where(np.isnan(best_of), np.inf, best_of))) \
        if np.any(~np.isnan(best_of)) else None
    row = {key: getattr(config, key) for key in keys}
    row |= {
        "seed": config.random_state,
        # "Final" as History defines it: the kept parameters, after the last update.
        "final_loss": history.final_loss,
        "final_val_loss": history.final_val_loss,
        "final_val_r2": history.final_val_r2,
        "best_val_loss": float(np.nanmin(val_loss)) if has_val else np.nan,
        "best_epoch": best_epoch,
        "diverged_at": history.diverged_at,
        "seconds": seconds,
    }
    return row


def _result(configs, results, keys, seconds):
    rows = [_row(config, result.history, keys, share) for config, result, share in zip(configs, results, seconds)]
    table = pd.DataFrame(rows, columns=[*keys, "seed", *METRICS])
    for key in keys:  # keep None and tuples as they are (pandas would turn None into NaN)
        values = [row[key] for row in rows]
        if any(value is None or isinstance(value, tuple) for value in values):
            table[key] = pd.Series(values, dtype=object)
    for column in ("best_epoch", "diverged_at"):
        table[column] = table[column].astype("Int64")
    if all(c.random_state is not None for c in configs):
        table["seed"] = table["seed"].astype("int64")
    return SweepResult(table=table, histories=[r.history for r in results], configs=list(configs),
                       coefs=[r.coefs for r in results], intercepts=[r.intercepts for r in results],
                       keys=tuple(keys))


def load_sweep(path):
    """Read a file written by SweepResult.save_histories() back into a SweepResult (also `nnlab.load_sweep`)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        histories, coefs, intercepts = [], [], []
        for run, layers in enumerate(meta["layers"]):
            histories.append(History.load(io.BytesIO(data[f"history_{run}"].tobytes())))
            coefs.append([data[f"coef_{run}_{layer}"] for layer in range(layers)])
            intercepts.append([data[f"intercept_{run}_{layer}"] for layer in range(layers)])
    configs = [_config(history.config) for history in histories]
    results = [_Loaded(c, i, h) for c, i, h in zip(coefs, intercepts, histories)]
    return _result(configs, results, meta["keys"], meta["seconds"])


def load_histories(path):
    """Just the histories of a file written by SweepResult.save_histories(), in run order."""
    return load_sweep(path).histories


@dataclass
class _Loaded:
    coefs: list
    intercepts: list
    history: History


def _config(values):
    values = dict(values)
    values["hidden"] = tuple(values["hidden"])
    return Config(**values)


# -- small helpers -----------------------------------------------------------------------------
def _check_snapshot_total(configs, features):
    """Refuse a sweep whose runs' snapshots together would pass SWEEP_SNAPSHOT_BUDGET_BYTES."""
    total = sum(config.snapshot_bytes(features) for config in configs)
    if total > SWEEP_SNAPSHOT_BUDGET_BYTES:
        per_run = total / len(configs)
        raise ValueError(
            f"this sweep would keep {total / 1e6:,.0f} MB of weight snapshots ({len(configs)} runs × "
            f"{per_run / 1e6:,.1f} MB), over the cap of {SWEEP_SNAPSHOT_BUDGET_BYTES / 1e6:,.0f} MB; pass "
            f"base=dict(record_every=...) to copy the weights less often, or record=False")


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


def _check_curve(metric, histories):
    if metric not in CURVES:
        raise ValueError(f"metric must be one of {list(CURVES)}, got {metric!r}")
    if metric.startswith("val_") and histories and histories[0].val_loss is None:
        raise ValueError(f"{metric}: this sweep ran without an eval_set")


def _padded(curves):
    """(runs, longest) with NaN after each shorter curve's end."""
    out = np.full((len(curves), max(len(c) for c in curves)), np.nan)
    for row, curve in zip(out, curves):
        row[:len(curve)] = curve
    return out


def _text(value):
    """Compact text of a config value: (64, 32) -> '64x32', () -> '()', 0.001 -> '0.001'."""
    if isinstance(value, tuple):
        return "x".join(map(str, value)) or "()"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _plain(value):
    """NumPy scalars as Python ones, so configs stay JSON-friendly (History.save); lists as tuples."""
    if isinstance(value, np.generic):
        return value.item()
    return tuple(value) if isinstance(value, list) else value


def _cell(value):
    return tuple(value) if isinstance(value, list) else value
