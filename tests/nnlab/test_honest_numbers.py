"""What is reported around training is what happened: objective and penalty, divergence (stopped and
diverging), "final" numbers, and a sweep's runs equal to their fits down to the snapshot epochs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nnlab
from nnlab import config, data, divergence
from nnlab.optimizers import OPTIMIZERS


@pytest.fixture(scope="module")
def standardized():
    return data.make_dataset("diabetes", scaling="standardized", target_scaling="standardize")


@pytest.fixture(scope="module")
def raw_target():
    return data.make_dataset("diabetes", scaling="sklearn", target_scaling="none")


def fit(X, y, eval_set=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)
        return nnlab.MLP(**params).fit(X, y, eval_set=eval_set)


# -- 1. the objective, not just the data fit -------------------------------------------------------


def test_with_l2_the_objective_falls_while_the_data_loss_rises(standardized):
    """The audit's repro: the data MSE bottoms out near epoch 56 and rises; the objective never rises."""
    ds = standardized
    model = fit(ds.X_train, ds.y_train, hidden=(8,), activation="tanh", lr=0.02, epochs=300, l2=0.5, record_every=1)
    h = model.history_
    assert 40 <= int(np.argmin(h.loss)) <= 70 and h.loss[-1] > h.loss.min()  # the data fit rises ...
    assert np.all(np.diff(h.objective) <= 1e-12 * h.objective[:-1])  # ... the objective never does
    np.testing.assert_array_equal(h.objective, h.loss + h.penalty)
    np.testing.assert_allclose(h.objective - h.loss, h.penalty, rtol=1e-14)  # a subtraction rounds
    # The penalty is l2·Σ‖W‖² of the very parameters the loss was measured on (snapshots every epoch).
    for index, epoch in enumerate(h.snapshot_epochs[:-1]):
        weights = sum(float(np.sum(w[index] ** 2)) for w in h.weights)
        assert h.penalty[epoch] == pytest.approx(0.5 * weights, rel=1e-12)


def test_without_l2_the_penalty_is_zero_and_objective_is_the_loss(standardized):
    h = fit(standardized.X_train, standardized.y_train, hidden=(8,), epochs=20).history_
    assert not h.penalty.any() and np.array_equal(h.objective, h.loss)


def test_the_loss_chart_shows_both_where_l2_is_positive(standardized):
    from nnlab import plots

    ds = standardized
    with_l2 = fit(ds.X_train, ds.y_train, eval_set=(ds.X_test, ds.y_test), hidden=(8,), epochs=30, l2=0.1)
    names = [t.name for t in plots.loss_figure({"net": with_l2.history_}).data]
    assert names == ["net", "net (validation)", "net objective (MSE + l2·Σ‖W‖²)"]
    without = fit(ds.X_train, ds.y_train, hidden=(8,), epochs=30)
    assert [t.name for t in plots.loss_figure({"net": without.history_}).data] == ["net"]


def test_history_round_trips_the_new_fields(tmp_path, standardized):
    h = fit(standardized.X_train, standardized.y_train, hidden=(4,), epochs=15, l2=0.2).history_
    h.save(tmp_path / "h.npz")
    loaded = nnlab.History.load(tmp_path / "h.npz")
    assert loaded.equals(h) and np.array_equal(loaded.objective, h.objective)
    assert loaded.final_r2 == h.final_r2 and loaded.diverging_from == h.diverging_from


# -- 2. divergence: no false alarm at any scale, and no silent blow-up -----------------------------


def test_adam_on_a_tiny_target_is_not_a_false_alarm(standardized):
    """The audit's repro: stopped at epoch 1 although, unstopped, it peaks at ~3.7e-3 and converges."""
    ds = standardized
    model = fit(
        ds.X_train,
        ds.y_train * 1e-4,
        eval_set=(ds.X_test, ds.y_test * 1e-4),
        hidden=(),
        init="zeros",
        optimizer="adam",
        lr=0.01,
        epochs=500,
    )
    assert model.history_.diverged_at is None and model.history_.epochs == 500
    assert model.history_.final_val_r2 > 0.4


RUNS = {"sgd": dict(lr=0.05), "momentum": dict(lr=0.005), "adam": dict(lr=0.01)}


@pytest.mark.parametrize("scale", [1e-6, 1e-3, 1.0, 1e3, 1e6])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("hidden, init", [((), "zeros"), ((16,), "he")])
def test_a_run_that_converges_is_never_stopped_at_any_target_scale(
    monkeypatch, standardized, scale, optimizer, hidden, init
):
    ds = standardized
    params = dict(hidden=hidden, init=init, optimizer=optimizer, epochs=200, **RUNS[optimizer])
    y = ds.y_train * scale
    with monkeypatch.context() as patch:
        patch.setattr(divergence, "DIVERGENCE_FACTOR", np.inf)  # no stop: where does the run really go?
        free = fit(ds.X_train, y, **params).history_
    converged = bool(np.all(np.isfinite(free.loss)) and free.final_loss < free.loss[0])
    checked = fit(ds.X_train, y, **params).history_
    if converged:
        assert checked.diverged_at is None, f"stopped at epoch {checked.diverged_at}, yet it converges unstopped"
        assert checked.equals(free.__class__(**{**free.__dict__, "divergence_bound": checked.divergence_bound}))
    elif hidden == ():
        pytest.fail("every linear run here converges: the test would check nothing")


def test_a_geometric_blow_up_below_the_stop_bound_is_recorded_as_diverging(raw_target):
    """The audit's repro: lr 1.01 from zeros, 200 epochs: 29,711 -> 6.3e7, not stopped, but diverging."""
    ds = raw_target
    h = fit(ds.X_train, ds.y_train, hidden=(), init="zeros", lr=1.01, epochs=200).history_
    assert h.diverged_at is None and h.loss[-1] > 1e3 * h.loss[0]
    assert h.diverging_from is not None and h.diverging_from < 50
    assert divergence.growth_per_epoch(h.objective, h.diverging_from) > 1.01


@pytest.mark.parametrize(
    "params",
    [
        dict(),  # the app's default deep run
        dict(optimizer="adam", lr=0.01, batch_size=16),
        dict(hidden=(16,), batch_size=1, lr=0.003, epochs=30),
        dict(hidden=(8,), activation="tanh", lr=0.02, epochs=300, l2=0.5),
    ],
    ids=["default", "adam-minibatch", "batch-size-1", "l2"],
)
def test_healthy_runs_are_not_diverging(standardized, params):
    ds = standardized
    h = fit(ds.X_train, ds.y_train, **{"epochs": 300, "lr": 0.03, **params}).history_
    assert h.diverged_at is None and h.diverging_from is None


def test_the_diverging_rule_on_constructed_curves():
    rising = 2.0 ** np.arange(30)
    assert divergence.diverging_from(np.r_[np.linspace(5, 1, 10), rising]) == 9
    noisy = 1 + 0.1 * np.random.default_rng(0).standard_normal(200)
    assert divergence.diverging_from(np.abs(noisy)) is None
    spike = np.r_[np.ones(20), 50.0, np.ones(20)]
    assert divergence.diverging_from(spike) is None
    assert divergence.diverging_from(2.0 ** np.arange(5)) is None  # too short to call a trend


# -- 3. one "final" everywhere --------------------------------------------------------------------


def test_final_numbers_are_those_of_the_kept_parameters(standardized):
    ds = standardized
    model = fit(ds.X_train, ds.y_train, eval_set=(ds.X_test, ds.y_test), hidden=(8,), lr=0.05, epochs=5)
    h = model.history_
    assert h.final_loss == pytest.approx(np.mean((model.predict(ds.X_train) - ds.y_train) ** 2), rel=1e-12)
    assert h.final_val_r2 == pytest.approx(model.score(ds.X_test, ds.y_test), rel=1e-12)
    assert h.final_r2 == pytest.approx(model.score(ds.X_train, ds.y_train), rel=1e-12)


def test_a_diverged_run_keeps_the_last_good_parameters_and_says_which(raw_target):
    ds = raw_target
    model = fit(ds.X_train, ds.y_train, eval_set=(ds.X_test, ds.y_test), hidden=(), init="zeros", lr=1.01, epochs=1000)
    h = model.history_
    assert h.diverged_at == 238 and h.last_good_epoch == 237
    assert h.blowup_loss == h.loss[238] > h.divergence_bound
    assert h.final_loss == h.loss[237] == pytest.approx(np.mean((model.predict(ds.X_train) - ds.y_train) ** 2))
    assert h.final_val_loss == h.val_loss[237]


def test_sweep_table_final_is_after_the_last_update(standardized):
    """The audit's repro: lr 0.05, 5 epochs: the table said 0.8205 (before the last update), 0.7745 after."""
    ds = standardized
    result = nnlab.sweep(
        ds.X_train,
        ds.y_train,
        grid={"lr": [0.05]},
        eval_set=(ds.X_test, ds.y_test),
        base=dict(hidden=(8,), epochs=5),
        n_jobs=1,
    )
    row, model = result.table.iloc[0], result.model(0)
    assert row.final_loss == model.history_.final_loss != model.history_.loss[-1]
    assert row.final_val_r2 == pytest.approx(model.score(ds.X_test, ds.y_test), rel=1e-12)


# -- 4. snapshots of a sweep's run are those of its fit --------------------------------------------


@pytest.mark.parametrize("runs, n_jobs", [(4, 1), (4, 2), (16, 1)])
def test_a_sweeps_run_keeps_the_snapshots_of_its_fit(standardized, runs, n_jobs):
    ds = standardized
    X, y = ds.X_train[:60], ds.y_train[:60]
    base = dict(hidden=(64, 32), epochs=1000)
    alone = fit(X, y, **base, lr=0.001).history_
    lrs = list(np.geomspace(1e-4, 1e-3, runs))
    lrs[-1] = 0.001
    result = nnlab.sweep(X, y, grid={"lr": lrs}, base=base, n_jobs=n_jobs)
    swept = result.histories[-1]
    np.testing.assert_array_equal(swept.snapshot_epochs, alone.snapshot_epochs)
    assert swept.snapshot_epochs[swept.snapshot_at(100)] == alone.snapshot_epochs[alone.snapshot_at(100)]
    assert swept.equals(alone, rtol=1e-12)


def test_a_sweep_whose_snapshots_would_pass_the_total_is_refused(standardized):
    ds = standardized
    per_run = config.Config(hidden=(64, 32), epochs=1000).snapshot_bytes(ds.X_train.shape[1])
    runs = config.SWEEP_SNAPSHOT_BUDGET_BYTES // per_run + 1
    with pytest.raises(ValueError, match="MB of weight snapshots.*record_every"):
        nnlab.sweep(
            ds.X_train,
            ds.y_train,
            grid={"lr": list(np.geomspace(1e-4, 1e-2, runs))},
            base=dict(hidden=(64, 32), epochs=1000),
            n_jobs=1,
        )
