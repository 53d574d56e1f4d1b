"""The README's claim, proven: `nnlab.sweep` runs on a Dask cluster through joblib, unchanged.

    with joblib.parallel_config(backend="dask"):
        result = nnlab.sweep(X, y, grid, n_jobs=-1)

A real `LocalCluster` (two worker processes on loopback, no dashboard) trains the sweep; the
scheduler's task stream shows the chunks ran on its workers, and every run equals the same sweep
trained in this process.
"""

import os
from pathlib import Path

import distributed  # pinned in requirements.txt: a missing one fails here, it is never skipped
import joblib
import numpy as np
import pandas as pd
import pytest

import nnlab

ROOT = Path(__file__).resolve().parents[2]
GRID = {"lr": [0.01, 0.1], "init": ["he", "xavier"]}
BASE = dict(hidden=(8,), epochs=50)
SEEDS = 2
RUNS = 2 * 2 * SEEDS
# joblib's dask backend names each task after the batch it runs (joblib/_dask.py, Batch.__repr__).
TASK_PREFIX = "batch_of__train_chunk_"


def where_nnlab_is():
    """Run on a worker: the nnlab it imports (the test module is importable there, like nnlab)."""
    return nnlab.__file__


def synthetic(rows, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, 4))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2] + 0.1 * rng.standard_normal(rows)
    return X, y


@pytest.fixture(scope="module")
def client():
    """A Client of a two-process LocalCluster on 127.0.0.1, closed (cluster too) afterwards.

    Worker processes get the repo root and tests/ on PYTHONPATH, so they import this checkout's
    nnlab (and this module, for client.run) however the multiprocessing start method sets sys.path.
    """
    from distributed import Client, LocalCluster

    paths = [str(ROOT), str(ROOT / "tests")]
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(paths + ([old] if old else []))
    cluster = client = None
    try:
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
        client = Client(cluster)
        client.wait_for_workers(2, timeout=120)
        yield client
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


@pytest.mark.timeout(180)
def test_sweep_on_a_dask_cluster_equals_the_local_sweep(client):
    X, y = synthetic(120, seed=0)
    X_val, y_val = synthetic(40, seed=1)
    kwargs = dict(grid=GRID, seeds=SEEDS, eval_set=(X_val, y_val), base=BASE)

    # The workers are other processes, and they import nnlab from this checkout.
    worker_pids = client.run(os.getpid)
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids.values()
    for path in client.run(where_nnlab_is).values():
        assert Path(path).resolve().is_relative_to(ROOT), path

    with distributed.get_task_stream(client=client) as stream:
        with joblib.parallel_config(backend="dask"):
            on_dask = nnlab.sweep(X, y, n_jobs=-1, **kwargs)
    local = nnlab.sweep(X, y, n_jobs=1, **kwargs)

    # The work went through the scheduler: each chunk of runs is one task, run by a worker.
    tasks = [task for task in stream.data if str(task["key"]).startswith(TASK_PREFIX)]
    assert len(tasks) >= 2, [task["key"] for task in stream.data]
    assert {task["worker"] for task in tasks} <= set(worker_pids)

    assert len(on_dask) == len(local) == RUNS
    assert on_dask.configs == local.configs
    assert list(on_dask.table.columns) == list(local.table.columns)
    pd.testing.assert_frame_equal(
        on_dask.table.drop(columns="seconds"),
        local.table.drop(columns="seconds"),
        check_exact=False,
        rtol=1e-12,
        atol=0,
    )
    for run, (remote, here) in enumerate(zip(on_dask.histories, local.histories)):
        assert remote.equals(here, rtol=1e-12, atol=0), f"run {run}: {on_dask.label(run)}"
        for mine, theirs in zip(on_dask.coefs[run] + on_dask.intercepts[run], local.coefs[run] + local.intercepts[run]):
            np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=0)
