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

A server starts the workers before its first sweep with `start_workers(keep_warm=True)` (the app
does at start-up), so even the first grid is planned on warm workers.

Memory: every run keeps the weight and gradient snapshots `MLP.fit` would keep for it (within
`config.SNAPSHOT_BUDGET_BYTES`, 20 MB, whatever it is stacked with, so its snapshot epochs are
those of its fit), plus per-epoch series of about (6 + 5·layers) × epochs × 8 bytes. A sweep whose
snapshots would pass `config.SWEEP_SNAPSHOT_BUDGET_BYTES` (500 MB) in all is refused before any
work: pass `base=dict(record_every=...)` to thin the snapshots, or record=False to skip them and
the per-epoch diagnostics.
"""

# The package's modules: expansion (grid -> configs), planning (stacks, chunks, workers),
# run (`sweep` itself) and result (`SweepResult`, saving and loading).
from .expansion import CONFIG_KEYS, MAX_SWEEP_RUNS, expand
from .planning import (
    COLD_START_SECONDS as COLD_START_SECONDS,
)
from .planning import (
    LOKY_IDLE_SECONDS as LOKY_IDLE_SECONDS,
)
from .planning import (
    MIN_CHUNK_SECONDS as MIN_CHUNK_SECONDS,
)
from .planning import (
    PROGRESS_CHUNKS as PROGRESS_CHUNKS,
)
from .planning import (
    WARM_START_SECONDS as WARM_START_SECONDS,
)
from .planning import (
    _plan as _plan,
)
from .planning import (
    estimate_seconds,
    start_workers,
)
from .result import CURVES, LOAD_SNIPPET, METRICS, SweepResult, load_histories, load_sweep
from .run import PROGRESS_BLOCKS, sweep

# Reachable as nnlab.sweep.start_workers too, beside the function it prepares for: the name the
# speed issue promised when nnlab.sweep was a module.
sweep.start_workers = start_workers

__all__ = [
    "CONFIG_KEYS",
    "CURVES",
    "LOAD_SNIPPET",
    "MAX_SWEEP_RUNS",
    "METRICS",
    "PROGRESS_BLOCKS",
    "SweepResult",
    "estimate_seconds",
    "expand",
    "load_histories",
    "load_sweep",
    "start_workers",
    "sweep",
]
