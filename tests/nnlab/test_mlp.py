import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

import nnlab
from nnlab import training
from nnlab.config import SNAPSHOT_BUDGET_BYTES, Config
from nnlab.history import History

X_ALL, Y_ALL = load_diabetes(return_X_y=True)
X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = train_test_split(X_ALL, Y_ALL, test_size=0.2, random_state=42)
Y_MEAN, Y_STD = Y_TRAIN.mean(), Y_TRAIN.std()


def test_tutorials_three_example_run_is_reproduced():
    """Linear GD from zeros at lr 0.01 for 1000 epochs on the tutorial's three examples."""
    x = np.array([[1, 2, 3, 4, 5], [2, 3, 4, 5, 6], [3, 4, 5, 6, 7]], dtype=float)
    y = np.array([25.0, 30.0, 35.0])
    model = nnlab.MLP(hidden=(), init="zeros", lr=0.01, epochs=1000).fit(x, y)
    # The same loop written out: loss before each update, then w -= lr·(2/n)·xᵀe, b -= lr·(2/n)·Σe.
    w, b = np.zeros(5), 0.0
    losses = []
    for _ in range(1000):
        error = x @ w + b - y
        losses.append(np.mean(error**2))
        w, b = w - 0.01 * (2 / 3) * x.T @ error, b - 0.01 * (2 / 3) * error.sum()
    np.testing.assert_allclose(model.coefs_[0].ravel(), w, rtol=0, atol=1e-12)
    assert model.intercepts_[0][0] == pytest.approx(b, abs=1e-12)
    np.testing.assert_allclose(model.history_.loss, losses, rtol=1e-9, atol=1e-12)
    # And the tutorial's printed numbers.
    assert model.history_.loss[0] == pytest.approx(916.6666666666666, rel=1e-12)
    np.testing.assert_allclose(
        model.coefs_[0].ravel(), [-0.81758997, 0.09126705, 1.00012407, 1.9089811, 2.81783812], atol=1e-8
    )
    assert model.intercepts_[0][0] == pytest.approx(0.9088570222521724, abs=1e-12)


def test_linear_gd_on_diabetes_matches_errata_reference_points():
    model = nnlab.MLP(hidden=(), init="zeros", lr=0.01, epochs=10_000).fit(X_TRAIN, Y_TRAIN)
    assert model.history_.loss[0] == pytest.approx(29711.3, abs=0.05)  # ERRATA 5
    assert model.score(X_TEST, Y_TEST) == pytest.approx(0.4167, abs=5e-4)  # ERRATA 6


def test_linear_gd_converges_below_the_bound_and_diverges_above_it():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stable = nnlab.MLP(hidden=(), init="zeros", lr=0.99, epochs=3000).fit(X_TRAIN, Y_TRAIN)
    assert stable.history_.diverged_at is None
    assert np.all(np.isfinite(stable.history_.loss))
    with pytest.warns(nnlab.DivergenceWarning, match="diverged at epoch"):
        blown = nnlab.MLP(hidden=(), init="zeros", lr=1.01, epochs=20_000).fit(X_TRAIN, Y_TRAIN)
    history = blown.history_
    # Caught long before the overflow near epoch 17,500, with the history kept up to there.
    assert history.diverged_at is not None and history.diverged_at < 2000
    assert history.epochs == history.diverged_at + 1
    assert history.loss[history.diverged_at] > history.divergence_bound
    assert np.all(np.isfinite(blown.coefs_[0])) and np.all(np.isfinite(blown.predict(X_TEST)))


def test_overflowing_run_keeps_the_last_finite_parameters():
    with pytest.warns(nnlab.DivergenceWarning, match="diverged at epoch 1"):
        model = nnlab.MLP(hidden=(32, 32), lr=1e3, epochs=50).fit(X_TRAIN, Y_TRAIN)
    assert all(np.all(np.isfinite(w)) for w in model.coefs_ + model.intercepts_)


@pytest.mark.parametrize(
    "options",
    [
        dict(optimizer="adam", lr=0.01),
        dict(batch_size=1, lr=0.001, epochs=20),
        dict(optimizer="momentum", lr=0.01, batch_size=16),
    ],
)
def test_noisy_but_converging_runs_are_never_flagged(options):
    y = (Y_TRAIN - Y_MEAN) / Y_STD
    params = dict(hidden=(64, 32), epochs=200) | options
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = nnlab.MLP(**params).fit(X_TRAIN, y)
    assert model.history_.diverged_at is None
    assert model.history_.loss[-1] < model.history_.loss[0]


def test_default_deep_run_learns_with_a_standardized_target():
    """The defaults (He, ReLU, lr 0.01) on diabetes with the target standardized, as the app sets it."""
    y_train, y_test = (Y_TRAIN - Y_MEAN) / Y_STD, (Y_TEST - Y_MEAN) / Y_STD
    model = nnlab.MLP().fit(X_TRAIN, y_train, eval_set=(X_TEST, y_test))
    assert model.score(X_TEST, y_test) > 0.4
    assert model.history_.val_r2[-1] == pytest.approx(model.score(X_TEST, y_test), abs=0.02)


def test_raw_target_at_lr_0_01_kills_every_relu():
    """Why the app standardizes the target: on the raw one the first steps push every unit dead."""
    model = nnlab.MLP(lr=0.01).fit(X_TRAIN, Y_TRAIN)
    assert model.history_.dead_fraction[-1, -1] == 1.0
    assert model.score(X_TEST, Y_TEST) < 0.0


def test_history_shapes_and_values():
    model = nnlab.MLP(hidden=(8, 4), epochs=120, record_every=10, lr=0.05).fit(
        X_TRAIN, (Y_TRAIN - Y_MEAN) / Y_STD, eval_set=(X_TEST, (Y_TEST - Y_MEAN) / Y_STD)
    )
    h = model.history_
    assert h.epochs == 120
    assert h.loss.shape == h.r2.shape == h.val_loss.shape == h.val_r2.shape == (120,)
    assert h.grad_norm.shape == h.bias_grad_norm.shape == h.update_ratio.shape == (120, 3)
    assert h.dead_fraction.shape == h.saturation.shape == (120, 2)
    assert h.snapshot_epochs.tolist() == list(range(0, 120, 10)) + [120]
    assert [w.shape for w in h.weights] == [(13, 10, 8), (13, 8, 4), (13, 4, 1)]
    assert [g.shape for g in h.weight_grads] == [(13, 10, 8), (13, 8, 4), (13, 4, 1)]
    assert all(np.all(np.isfinite(a)) for a in (h.loss, h.r2, h.grad_norm, h.update_ratio, h.saturation))
    assert h.loss[-1] < h.loss[0]
    # R² is 1 − MSE/Var(y) of the same predictions.
    np.testing.assert_allclose(h.r2, 1 - h.loss / np.var((Y_TRAIN - Y_MEAN) / Y_STD))
    # The last snapshot is the fitted model.
    for snapshot, final in zip(h.weights, model.coefs_):
        np.testing.assert_array_equal(snapshot[-1], final)
    # Snapshot at epoch 0 is the initialization: He, so std ≈ sqrt(2 / fan_in).
    assert np.std(h.weights[0][0]) == pytest.approx(np.sqrt(2 / 10), rel=0.3)


def test_grad_norm_is_the_norm_of_the_recorded_gradient():
    model = nnlab.MLP(hidden=(5,), epochs=30, record_every=1, lr=0.05).fit(X_TRAIN, (Y_TRAIN - Y_MEAN) / Y_STD)
    h = model.history_
    for epoch in (0, 7, 29):
        for layer, grads in enumerate(h.weight_grads):
            assert h.grad_norm[epoch, layer] == pytest.approx(np.linalg.norm(grads[epoch]))
        # SGD moves W by lr·g, so ‖ΔW‖/‖W‖ = lr·‖g‖/‖W‖.
        change = np.linalg.norm(h.weights[0][epoch + 1] - h.weights[0][epoch])
        assert h.update_ratio[epoch, 0] == pytest.approx(change / np.linalg.norm(h.weights[0][epoch]))


def test_update_ratio_is_nan_for_all_zero_weights_then_defined():
    model = nnlab.MLP(hidden=(), init="zeros", epochs=3, lr=0.1).fit(X_TRAIN, Y_TRAIN)
    assert np.isnan(model.history_.update_ratio[0, 0]) and np.isfinite(model.history_.update_ratio[1, 0])


def test_dead_fraction_counts_units_inactive_on_every_row():
    model = nnlab.MLP(hidden=(4,), epochs=1, record_every=1).fit(X_TRAIN, Y_TRAIN)
    W, b = model.history_.weights[0][0], model.history_.biases[0][0]
    active_somewhere = (X_TRAIN @ W + b > 0).any(axis=0)
    assert model.history_.dead_fraction[0, 0] == pytest.approx(1 - active_somewhere.mean())
    assert model.history_.saturation[0, 0] == pytest.approx(np.mean(X_TRAIN @ W + b <= 0))


def test_same_seed_gives_bit_identical_history_and_other_seed_differs():
    params = dict(hidden=(16, 8), epochs=50, batch_size=32, optimizer="adam", random_state=11)
    first = nnlab.MLP(**params).fit(X_TRAIN, Y_TRAIN / 100).history_
    second = nnlab.MLP(**params).fit(X_TRAIN, Y_TRAIN / 100).history_
    assert first.equals(second)
    third = nnlab.MLP(**params | dict(random_state=12)).fit(X_TRAIN, Y_TRAIN / 100).history_
    assert not first.equals(third)


def test_snapshot_budget_is_respected_on_long_deep_runs():
    config = Config(hidden=(256, 256, 256), epochs=20_000)
    trainer = training._Trainer([config], config, X_TRAIN[:20], Y_TRAIN[:20], None, True)
    used = trainer.snapshots.nbytes
    assert used <= SNAPSHOT_BUDGET_BYTES
    # ...and uses most of it: one more snapshot would not fit.
    assert used + used / len(trainer.snapshot_epochs) * 2 > SNAPSHOT_BUDGET_BYTES


def test_callback_sees_every_epoch_and_can_stop():
    seen = []

    def stop_after_five(epoch, loss):
        seen.append((epoch, loss))
        return epoch < 4

    model = nnlab.MLP(hidden=(4,), epochs=100).fit(X_TRAIN, Y_TRAIN / 100, on_epoch=stop_after_five)
    assert [epoch for epoch, _ in seen] == [0, 1, 2, 3, 4]
    assert model.history_.stopped_at == 4 and model.history_.epochs == 5
    assert [loss for _, loss in seen] == model.history_.loss.tolist()
    assert np.isfinite(model.predict(X_TEST)).all()


def test_float32_option():
    model = nnlab.MLP(hidden=(8,), epochs=50, dtype="float32").fit(X_TRAIN, Y_TRAIN / 100)
    assert model.coefs_[0].dtype == np.float32
    reference = nnlab.MLP(hidden=(8,), epochs=50).fit(X_TRAIN, Y_TRAIN / 100)
    np.testing.assert_allclose(model.history_.loss, reference.history_.loss, rtol=1e-4)


def test_save_and_load_round_trip(tmp_path):
    model = nnlab.MLP(hidden=(4,), epochs=20).fit(X_TRAIN, Y_TRAIN / 100, eval_set=(X_TEST, Y_TEST / 100))
    path = tmp_path / "run.npz"
    model.history_.save(path)
    loaded = History.load(path)
    assert loaded.equals(model.history_) and loaded.config == model.history_.config
    with np.load(path, allow_pickle=False) as data:
        assert "meta" in data.files


def test_to_frame_is_tidy():
    model = nnlab.MLP(hidden=(4,), epochs=10).fit(X_TRAIN, Y_TRAIN / 100)
    frame = model.history_.to_frame()
    assert list(frame.columns) == ["epoch", "metric", "layer", "value"]
    losses = frame[frame.metric == "loss"]
    np.testing.assert_array_equal(losses.value, model.history_.loss)
    assert losses.layer.isna().all()
    assert len(frame[frame.metric == "grad_norm"]) == 10 * 2


@pytest.mark.parametrize(
    "params, word",
    [
        (dict(lr=-0.1), "lr"),
        (dict(lr=float("nan")), "lr"),
        (dict(lr=1e4), "lr"),
        (dict(epochs=0), "epochs"),
        (dict(epochs=10**7), "epochs"),
        (dict(epochs=2.5), "epochs"),
        (dict(activation="swish"), "activation"),
        (dict(init="orthogonal"), "init"),
        (dict(optimizer="rmsprop"), "optimizer"),
        (dict(hidden=(0,)), "hidden"),
        (dict(hidden=(10**7,)), "hidden"),
        (dict(hidden=(4,) * 11), "hidden"),
        (dict(momentum=1.0), "momentum"),
        (dict(l2=-1), "l2"),
        (dict(batch_size=0), "batch_size"),
        (dict(record_every=0), "record_every"),
        (dict(dtype="float16"), "dtype"),
        (dict(random_state=-3), "random_state"),
        (dict(hidden=(512, 512), epochs=100_000), "epochs"),
        (dict(hidden=(2048, 2048)), "hidden"),
        (dict(batch_size=1, epochs=5000), "batch_size"),
    ],
)
def test_bad_arguments_name_the_argument(params, word):
    with pytest.raises(ValueError, match=word):
        nnlab.MLP(**params).fit(X_TRAIN, Y_TRAIN)


def test_nan_in_X_is_refused():
    X = X_TRAIN.copy()
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        nnlab.MLP().fit(X, Y_TRAIN)


def test_core_never_imports_streamlit():
    """The boundary: every module of nnlab imports in a fresh interpreter without streamlit."""
    code = (
        "import importlib, pkgutil, sys, nnlab\n"
        "for module in pkgutil.walk_packages(nnlab.__path__, 'nnlab.'):\n"
        "    importlib.import_module(module.name)\n"
        "print('streamlit' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
