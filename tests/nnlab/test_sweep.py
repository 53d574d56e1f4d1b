import json
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

import nnlab
from nnlab.sweeps import (
    CONFIG_KEYS,
    LOAD_SNIPPET,
    METRICS,
    PROGRESS_BLOCKS,
    SweepResult,
    _plan,
    expand,
    load_histories,
    load_sweep,
    planning,
    start_workers,
    sweep,
)
from nnlab.sweeps.planning import STACK_BUFFER_BYTES

X_ALL, Y_ALL = load_diabetes(return_X_y=True)
X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = train_test_split(X_ALL, Y_ALL, test_size=0.2, random_state=42)
MEAN, STD = Y_TRAIN.mean(), Y_TRAIN.std()
Y_STD, Y_TEST_STD = (Y_TRAIN - MEAN) / STD, (Y_TEST - MEAN) / STD
EVAL = (X_TEST, Y_TEST_STD)
# Two architectures (full batch, and mini-batch which stacks only runs of one seed), several lrs and
# inits stacked together, and two seeds: 2 × 2 × 2 × 2 = 16 runs in 6 stacks.
MIXED_GRID = {"batch_size": [None, 64], "lr": [0.01, 0.1], "init": ["he", "xavier"]}
MIXED_BASE = dict(hidden=(16, 8), epochs=40)


def fit_alone(config, X=X_TRAIN, y=Y_STD, eval_set=EVAL):
    params = {key: getattr(config, key) for key in CONFIG_KEYS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)
        return nnlab.MLP(**params).fit(X, y, eval_set=eval_set)


def assert_same_run(result, run, model, atol=1e-12):
    history = result.histories[run]
    for mine, theirs in zip(result.coefs[run] + result.intercepts[run], model.coefs_ + model.intercepts_):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=atol)
    np.testing.assert_allclose(history.loss, model.history_.loss, rtol=1e-12, atol=atol)
    if model.history_.val_loss is not None:
        np.testing.assert_allclose(history.val_loss, model.history_.val_loss, rtol=1e-12, atol=atol)
    assert history.diverged_at == model.history_.diverged_at


def assert_same_sweep(first, second):
    pd.testing.assert_frame_equal(first.table.drop(columns="seconds"), second.table.drop(columns="seconds"))
    assert first.configs == second.configs
    for a, b in zip(first.histories, second.histories):
        assert a.equals(b)


@pytest.fixture(scope="module")
def mixed():
    """The mixed grid through two worker processes."""
    return sweep(X_TRAIN, Y_STD, MIXED_GRID, seeds=2, eval_set=EVAL, base=MIXED_BASE, n_jobs=2)


def test_sweep_equals_mlp_fit_run_by_run(mixed):
    assert len(mixed) == 16
    for run, config in enumerate(mixed.configs):
        assert_same_run(mixed, run, fit_alone(config))
        # Nothing else either: every recorded array and the snapshots (the budget does not bind here).
        assert mixed.histories[run].equals(fit_alone(config).history_, atol=1e-12)


def test_in_process_and_two_processes_give_identical_results(mixed):
    alone = sweep(X_TRAIN, Y_STD, MIXED_GRID, seeds=2, eval_set=EVAL, base=MIXED_BASE, n_jobs=1)
    assert_same_sweep(alone, mixed)


def test_table_columns_and_row_order(mixed):
    table = mixed.table
    assert list(table.columns) == ["batch_size", "lr", "init", "seed", *METRICS]
    assert list(table.index) == list(range(16))
    # Grid points in itertools.product order, seeds innermost.
    first_rows = table.iloc[:4][["batch_size", "lr", "init", "seed"]].values.tolist()
    assert first_rows == [
        [None, 0.01, "he", 0],
        [None, 0.01, "he", 1],
        [None, 0.01, "xavier", 0],
        [None, 0.01, "xavier", 1],
    ]
    assert table["batch_size"].iloc[8:].tolist() == [64] * 8
    for run, config in enumerate(mixed.configs):
        row, history = table.iloc[run], mixed.histories[run]
        assert (config.batch_size, config.lr, config.init, config.random_state) == (
            row.batch_size,
            row.lr,
            row.init,
            row.seed,
        )
        assert row.final_loss == history.final_loss and row.final_val_loss == history.final_val_loss
        assert row.final_val_r2 == history.final_val_r2
        assert row.best_val_loss == history.val_loss.min() and row.best_epoch == history.val_loss.argmin()
        assert pd.isna(row.diverged_at) and row.seconds > 0


def diverging_sweep():
    # Linear GD on the raw target: lr 1.01 is past the stability bound and blows up near epoch 240.
    return sweep(X_TRAIN, Y_TRAIN, {"lr": [0.1, 1.01, 0.5]}, base=dict(hidden=(), init="zeros", epochs=600), n_jobs=1)


def test_diverged_run_is_marked_while_the_others_finish():
    result = diverging_sweep()
    table = result.table
    assert table["diverged_at"].isna().tolist() == [True, False, True]
    diverged = int(table["diverged_at"][1])
    assert 150 < diverged < 400
    assert [h.epochs for h in result.histories] == [600, diverged + 1, 600]
    assert np.isfinite(table["final_loss"][[0, 2]]).all() and table["final_loss"][2] < table["final_loss"][0]
    assert_same_run(result, 1, fit_alone(result.configs[1], y=Y_TRAIN, eval_set=None))
    assert result.summary()["diverged"].tolist() == [0, 1, 0]
    assert result.band("loss")["n"].iloc[-1] == 1  # past its blow-up the diverged run drops out


def test_the_survivors_of_a_divergence_match_their_solo_runs():
    result = diverging_sweep()
    for run in (0, 2):
        assert_same_run(result, run, fit_alone(result.configs[run], y=Y_TRAIN, eval_set=None))


def test_bad_settings_are_refused_up_front_naming_the_key():
    with pytest.raises(ValueError, match="lr"):
        sweep(X_TRAIN, Y_STD, {"lr": [0.1, -1.0]})
    with pytest.raises(ValueError, match="learning_rate"):
        sweep(X_TRAIN, Y_STD, {"learning_rate": [0.1]})
    with pytest.raises(ValueError, match="init"):
        sweep(X_TRAIN, Y_STD, {"lr": [0.1]}, base=dict(init="orthogonal"))
    with pytest.raises(ValueError, match="both grid and base"):
        sweep(X_TRAIN, Y_STD, {"lr": [0.1]}, base=dict(lr=0.2))
    with pytest.raises(ValueError, match="non-empty list"):
        sweep(X_TRAIN, Y_STD, {"lr": 0.1})
    with pytest.raises(ValueError, match="epochs"):  # check_size: over the work cap
        sweep(X_TRAIN, Y_STD, {"hidden": [(8,), (512, 512)]}, base=dict(epochs=100_000))
    with pytest.raises(ValueError, match="cap"):
        sweep(X_TRAIN, Y_STD, {"lr": list(np.linspace(0.01, 0.1, 600))}, seeds=2)


def test_seeds_give_bands_and_summaries(tmp_path):
    result = sweep(
        X_TRAIN,
        Y_STD,
        {"lr": np.array([0.01, 0.05])},
        seeds=3,
        eval_set=EVAL,
        base=dict(hidden=[8], epochs=np.int64(30), random_state=10),
        n_jobs=1,
    )
    assert result.table["seed"].tolist() == [10, 11, 12] * 2
    result.save_histories(tmp_path / "numpy_values.npz")  # NumPy scalars in the grid stay JSON-friendly
    band = result.band("val_loss")
    assert list(band.columns) == ["lr", "label", "epoch", "mean", "std", "min", "max", "n"]
    assert len(band) == 2 * 30 and band["n"].eq(3).all()
    curves = np.array([h.val_loss for h in result.histories[3:]])
    second = band[band.lr == 0.05]
    np.testing.assert_allclose(second["mean"], curves.mean(axis=0))
    np.testing.assert_allclose(second["std"], curves.std(axis=0, ddof=1))
    np.testing.assert_array_equal(second["max"], curves.max(axis=0))
    assert second["label"].iloc[0] == "lr=0.05"
    summary = result.summary()
    assert summary["lr"].tolist() == [0.01, 0.05] and summary["runs"].tolist() == [3, 3]
    finals = result.table["final_val_loss"].iloc[:3]
    assert summary["final_val_loss_mean"][0] == pytest.approx(finals.mean())
    assert summary["final_val_loss_std"][0] == pytest.approx(finals.std())
    # Grouping by another key, and over every run.
    assert result.summary(by="seed")["runs"].tolist() == [2, 2, 2]
    assert result.band("loss", by=[])["label"].eq("all runs").all()
    with pytest.raises(ValueError, match="metric"):
        result.band("accuracy")


def test_diff_and_curves_of_two_runs(mixed):
    diff = mixed.diff(0, 11)  # (None, 0.01, he, 0) against (64, 0.01, xavier, 1)
    assert diff.index.tolist() == ["init", "batch_size", "random_state"]
    assert diff.loc["init"].tolist() == ["he", "xavier"] and diff.loc["batch_size"].tolist() == [None, 64]
    assert list(diff.columns) == ["run 0", "run 11"]
    assert mixed.diff(3, 3).empty
    curves = mixed.curves([0, 11])
    assert list(curves.columns) == ["run", "label", "metric", "epoch", "value"]
    assert len(curves) == 2 * 2 * 40
    loss_11 = curves[(curves.run == 11) & (curves.metric == "loss")]
    np.testing.assert_array_equal(loss_11["value"], mixed.histories[11].loss)
    assert loss_11["label"].iloc[0] == "batch_size=64, lr=0.01, init=xavier, seed=1"


def test_a_joblib_backend_switch_needs_no_code_change(mixed):
    with joblib.parallel_config(backend="threading"):
        threaded = sweep(X_TRAIN, Y_STD, MIXED_GRID, seeds=2, eval_set=EVAL, base=MIXED_BASE, n_jobs=2)
    assert_same_sweep(threaded, mixed)
    named = sweep(X_TRAIN, Y_STD, MIXED_GRID, seeds=2, eval_set=EVAL, base=MIXED_BASE, n_jobs=2, backend="threading")
    assert_same_sweep(named, mixed)


def test_progress_is_reported_per_run_and_per_epoch_block():
    calls = []
    grid = {"lr": [0.01, 0.1], "hidden": [(4,), (8,)]}
    base = dict(epochs=40)
    result = sweep(X_TRAIN, Y_STD, grid, base=base, n_jobs=1, on_progress=lambda *a: calls.append(a))
    finished = [c for c in calls if c[2] is not None]
    assert [c[0] for c in finished] == [2, 2, 4, 4] and all(c[1] == 4 for c in calls)  # two stacks of two
    assert {(row["lr"], row["hidden"]) for _, _, row in finished} == {
        (0.01, (4,)),
        (0.1, (4,)),
        (0.01, (8,)),
        (0.1, (8,)),
    }
    blocks = [c[0] for c in calls if c[2] is None]
    assert len(blocks) == 2 * (PROGRESS_BLOCKS - 1)  # two stacks, each reported in blocks
    done = [c[0] for c in calls]
    assert done == sorted(done) and 0 < blocks[0] < 1
    calls.clear()
    again = sweep(X_TRAIN, Y_STD, grid, base=base, n_jobs=2, on_progress=lambda *a: calls.append(a))
    done = [c[0] for c in calls]
    assert len(done) == 4 and done == sorted(done) and done[-1] == 4 and all(c[2] is not None for c in calls)
    assert_same_sweep(result, again)


def test_small_sweeps_stay_in_process_and_big_ones_are_halved():
    configs = expand({"lr": [0.01, 0.1]}, base=dict(hidden=(4,), epochs=10))[1]
    assert _plan(configs, X_TRAIN, None, None, None)[1] == 1
    _, configs = expand(
        {"lr": [0.001, 0.01, 0.1, 0.5], "init": ["zeros", "random", "xavier", "he"]}, base=dict(epochs=2000)
    )
    chunks, workers = _plan(configs, X_TRAIN, None, 2, None)
    assert workers == 2 and sorted(map(len, chunks)) == [8, 8]
    assert sorted(run for chunk in chunks for run in chunk) == list(range(16))
    # A progress bar gets finer chunks (about 12 s of work: 4 per worker of ~1.5 s each).
    chunks, _ = _plan(configs, X_TRAIN, None, 2, None, progress=True)
    assert sorted(map(len, chunks)) == [2] * 8
    assert sorted(run for chunk in chunks for run in chunk) == list(range(16))


def test_in_process_stacks_are_cut_to_fit_the_cache_and_linear_runs_are_not():
    _, wide = expand({"lr": [0.001, 0.01, 0.1, 0.5], "init": ["zeros", "random", "xavier", "he"]})
    chunks, workers = _plan(wide, X_TRAIN, None, 1, None)
    per_run = len(X_TRAIN) * 64 * 8  # the widest layer's activation buffer of one run
    assert workers == 1 and sorted(map(len, chunks)) == [int(STACK_BUFFER_BYTES // per_run)] * (
        16 // int(STACK_BUFFER_BYTES // per_run)
    )
    assert sorted(run for chunk in chunks for run in chunk) == list(range(16))
    _, linear = expand({"lr": list(np.geomspace(0.001, 0.9, 64))}, base=dict(hidden=(), init="zeros"))
    assert [len(c) for c in _plan(linear, X_TRAIN, None, 1, None)[0]] == [64]


def test_started_workers_are_counted_warm(monkeypatch):
    """A page's default grid (16 runs × 300 epochs) is not worth a cold start of the workers, and is
    spread over them once start_workers has made them ready."""
    _, configs = expand(
        {"lr": [0.001, 0.01, 0.1, 0.5], "init": ["zeros", "random", "xavier", "he"]}, base=dict(epochs=300)
    )
    monkeypatch.setattr(planning, "_pool_used", {})
    monkeypatch.setattr(planning.os, "cpu_count", lambda: 2)
    assert _plan(configs, X_TRAIN, EVAL, None, None)[1] == 1
    thread = start_workers()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert _plan(configs, X_TRAIN, EVAL, None, None)[1] == 2
    assert start_workers(n_jobs=1) is None  # in-process: nothing to start
    assert nnlab.sweep.start_workers is start_workers


def test_export_round_trip(mixed, tmp_path):
    path = tmp_path / "sweep.npz"
    mixed.save_histories(path)
    with np.load(path, allow_pickle=False) as data:  # nothing pickled
        assert json.loads(str(data["meta"]))["keys"] == ["batch_size", "lr", "init"]
    loaded = load_sweep(path)
    assert isinstance(loaded, SweepResult)
    pd.testing.assert_frame_equal(loaded.table, mixed.table)
    assert loaded.configs == mixed.configs and loaded.keys == mixed.keys
    for a, b in zip(load_histories(path), mixed.histories):
        assert a.equals(b) and a.config == b.config
    for a, b in zip(loaded.coefs, mixed.coefs):
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
    mixed.to_csv(tmp_path / "sweep.csv")
    table = pd.read_csv(tmp_path / "sweep.csv", index_col="run")
    assert list(table.columns) == list(mixed.table.columns) and len(table) == 16
    np.testing.assert_allclose(table["final_loss"], mixed.table["final_loss"], rtol=1e-12)


def test_the_package_names_the_function_and_the_module_apart():
    assert callable(nnlab.sweep) and nnlab.sweep is sweep and nnlab.SweepResult is SweepResult
    assert nnlab.load_sweep is load_sweep and nnlab.sweeps.load_sweep is load_sweep
    assert {"sweep", "SweepResult", "load_sweep", "sweeps"} <= set(nnlab.__all__)
    # Here `from nnlab.sweeps import ...` above has bound nnlab.sweeps already; a bare `import nnlab` must too.
    check = (
        "import types, nnlab; assert isinstance(nnlab.sweeps, types.ModuleType); nnlab.sweeps.load_sweep; "
        "assert callable(nnlab.sweep) and not isinstance(nnlab.sweep, types.ModuleType)"
    )
    subprocess.run([sys.executable, "-c", check], cwd=Path(__file__).resolve().parents[2], check=True)


def test_the_load_snippet_shown_to_users_loads_a_saved_sweep(tmp_path):
    """The Compare runs page tells users LOAD_SNIPPET; run that exact text on a saved sweep."""
    result = sweep(
        X_TRAIN, Y_STD, {"lr": [0.01, 0.1]}, seeds=2, eval_set=EVAL, base=dict(hidden=(4,), epochs=10), n_jobs=1
    )
    path = tmp_path / "compare_runs.npz"
    result.save_histories(path)
    loaded = eval(LOAD_SNIPPET, {"nnlab": nnlab}, {"path": str(path)})  # all a user has: nnlab and the path
    assert isinstance(loaded, SweepResult)
    pd.testing.assert_frame_equal(loaded.table, result.table)
    assert loaded.configs == result.configs and loaded.keys == result.keys
    assert len(loaded.histories) == len(result.histories) == 4
    for a, b in zip(loaded.histories, result.histories):
        assert a.equals(b) and a.config == b.config


def test_a_run_becomes_a_fitted_model(mixed):
    model = mixed.model(5)
    assert model.get_params()["lr"] == mixed.configs[5].lr
    np.testing.assert_allclose(model.predict(X_TEST), fit_alone(mixed.configs[5]).predict(X_TEST), atol=1e-12)


def table_only(**columns):
    """A SweepResult with only a table: default_pair and outcomes read nothing else."""
    return SweepResult(pd.DataFrame(columns), [], [], [], [])


def test_default_pair_is_the_best_run_and_the_worst_init_at_its_rate_and_seed():
    # Runs: he/0.1 (best, 0.2), xavier/0.1 (0.5), zeros/0.1 (0.9: worst at the best's rate), he/2 (diverged).
    result = table_only(
        init=["he", "xavier", "zeros", "he"],
        lr=[0.1, 0.1, 0.1, 2.0],
        seed=[0, 0, 0, 0],
        final_val_loss=[0.2, 0.5, 0.9, 0.01],
        diverged_at=[np.nan, np.nan, np.nan, 5],
    )
    assert result.default_pair() == (0, 2)
    alone = table_only(
        init=["he", "he"], lr=[0.1, 2.0], seed=[0, 0], final_val_loss=[0.3, 0.1], diverged_at=[np.nan, np.nan]
    )
    assert alone.default_pair() == (1, 0)  # nothing else at lr 2: the next run
    blown = table_only(
        init=["he", "xavier"], lr=[2.0, 2.0], seed=[0, 0], final_val_loss=[np.nan, np.nan], diverged_at=[3, 4]
    )
    assert blown.default_pair() == (0, 1)


def test_outcomes_of_two_runs_as_text():
    result = table_only(
        final_val_loss=[0.123456, 1e6], final_val_r2=[0.4567, -3.0], best_epoch=[299, np.nan], diverged_at=[np.nan, 12]
    )
    outcome = result.outcomes(0, 1)
    assert outcome["result"].tolist() == [
        "final test loss",
        "final test R²",
        "best epoch (test loss)",
        "diverged at epoch",
    ]
    assert outcome["run A"].tolist() == ["0.1235", "0.457", "299", "—"]
    assert outcome["run B"].tolist() == ["1e+06", "-3.000", "—", "12"]
