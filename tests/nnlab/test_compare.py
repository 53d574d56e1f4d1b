"""nnlab.compare: layer specs, stalled units, a run at an earlier epoch, the sampled gradient check,
and scikit-learn's twin of a run."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

import nnlab
from nnlab import diagnostics, explain, health, learned
from nnlab.config import MAX_DEPTH, MAX_WIDTH, Config, parse_hidden
from nnlab.diagnostics import gradcheck
from nnlab.twin import sklearn_settings, sklearn_twin

X_ALL, Y_ALL = load_diabetes(return_X_y=True)
X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = train_test_split(X_ALL, Y_ALL, test_size=0.2, random_state=42)
Y_MEAN, Y_STD = Y_TRAIN.mean(), Y_TRAIN.std()
Z_TRAIN, Z_TEST = (Y_TRAIN - Y_MEAN) / Y_STD, (Y_TEST - Y_MEAN) / Y_STD


def fit(**params):
    model = nnlab.MLP(**{"hidden": (8, 4), "epochs": 40, "lr": 0.05, **params})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)
        return model.fit(X_TRAIN, Z_TRAIN, eval_set=(X_TEST, Z_TEST))


def forward(weights, biases, X, f=lambda z: np.maximum(z, 0)):
    """The network written out: hidden layers f(a W + b), a linear output."""
    a = X
    for W, b in zip(weights[:-1], biases[:-1]):
        a = f(a @ W + b)
    return a @ weights[-1] + biases[-1]


# -- layer specs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, hidden", [("64, 32", (64, 32)), (" 8 ", (8,)), ("", ()), ("16,16; 4", (16, 16, 4)),
                                          ("3 2 1", (3, 2, 1)), ("+5", (5,))])
def test_parse_hidden_reads_widths(text, hidden):
    assert parse_hidden(text) == hidden


@pytest.mark.parametrize("text, message", [
    ("64, x", "'x' is not a whole number"), ("2.5", "'2.5' is not a whole number"),
    ("-3", "'-3' is not a whole number"), ("0", f"from 1 to {MAX_WIDTH:,} units, got 0"),
    (str(MAX_WIDTH + 1), f"got {MAX_WIDTH + 1:,}"), (", ".join(["4"] * (MAX_DEPTH + 1)), f"at most {MAX_DEPTH}")])
def test_parse_hidden_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_hidden(text)


# -- stalled units --------------------------------------------------------------------------------

def test_failure_mode_follows_the_derivative():
    modes = {name: health.failure_mode(name) for name in nnlab.activations.ACTIVATIONS}
    assert modes == {"relu": "dead_fraction", "leaky_relu": "dead_fraction", "elu": "dead_fraction",
                     "gelu": "dead_fraction", "softplus": "dead_fraction", "sigmoid": "saturation",
                     "tanh": "saturation", "linear": None}


def test_hidden_share_weights_layers_by_width():
    history = fit(hidden=(8, 4), lr=0.5).history_
    dead = history.dead_fraction
    np.testing.assert_allclose(health.hidden_share(history, "dead_fraction"), (8 * dead[:, 0] + 4 * dead[:, 1]) / 12)
    assert np.isnan(health.hidden_share(fit(hidden=()).history_, "saturation")).all()


def test_activation_summary_reads_the_last_good_epoch():
    runs = {"relu": fit().history_, "tanh": fit(activation="tanh", lr=80.0).history_}
    table = health.activation_summary(runs).set_index("run")
    relu, tanh = runs["relu"], runs["tanh"]
    assert table.loc["relu", "epoch"] == 39 and table.loc["relu", "loss"] == relu.loss[39]
    assert table.loc["relu", "val_r2"] == relu.val_r2[39]
    assert table.loc["relu", "gradient_reach"] == pytest.approx(relu.grad_norm[0, 0] / relu.grad_norm[0, 2])
    assert table.loc["relu", "stall"] == "dead" and table.loc["tanh", "stall"] == "saturated"
    assert tanh.diverged_at is not None and table.loc["tanh", "diverged_at"] == tanh.diverged_at
    assert table.loc["tanh", "epoch"] == tanh.diverged_at - 1


def test_activation_summary_of_a_zero_start_has_no_gradient_ratio():
    table = health.activation_summary({"relu": fit(init="zeros").history_})
    assert np.isnan(table.gradient_reach[0])  # 0 / 0: no layer gets any gradient from W = 0


# -- a run at an earlier epoch --------------------------------------------------------------------

def test_predict_at_matches_a_forward_pass_written_out():
    model = fit()
    history = model.history_
    weights = [w[0] for w in history.weights]
    biases = [b[0] for b in history.biases]
    np.testing.assert_allclose(learned.predict_at(history, 0, X_TEST, "relu"),
                               forward(weights, biases, X_TEST)[:, 0], rtol=1e-12)
    np.testing.assert_allclose(learned.predict_at(history, len(history.snapshot_epochs) - 1, X_TEST, "relu"),
                               model.predict(X_TEST), rtol=1e-12)


def test_healthy_snapshots_stop_before_the_blow_up():
    history = fit(lr=100.0).history_
    assert history.diverged_at is not None
    kept = health.healthy_snapshots(history)
    assert (history.snapshot_epochs[kept] < history.diverged_at).all()
    assert len(health.healthy_snapshots(fit().history_)) == len(fit().history_.snapshot_epochs)


def test_function_grid_spans_the_data():
    grid, axes = learned.function_grid(np.array([[0.0], [2.0]]), np.array([[-1.0]]))
    assert grid.shape == (400, 1) and grid.min() == -1 and grid.max() == 2
    grid, axes = learned.function_grid(np.array([[0.0, 10.0], [1.0, 12.0]]), points_2d=3)
    np.testing.assert_array_equal(grid[:3], [[0, 10], [0.5, 10], [1, 10]])  # the first feature varies fastest
    np.testing.assert_array_equal(axes[1], [10, 11, 12])
    with pytest.raises(ValueError, match="1 or 2 features"):
        learned.function_grid(X_TRAIN)


# -- gradient check ---------------------------------------------------------------------------------

def test_sampled_gradcheck_equals_the_full_check_on_small_layers():
    model = fit()
    ours = diagnostics.sampled_gradcheck(model, X_TRAIN[:10], Z_TRAIN[:10], per_block=1000)
    full = gradcheck(model, X_TRAIN[:10], Z_TRAIN[:10])
    np.testing.assert_allclose(ours.relative_error, full.relative_error, rtol=1e-9)
    assert (ours.checked == ours.entries).all() and ours.ok.all()


def test_sampled_gradcheck_checks_a_sample_of_big_layers():
    table = diagnostics.sampled_gradcheck(nnlab.MLP(hidden=(30, 20)), X_TRAIN[:5], Z_TRAIN[:5], per_block=25)
    assert table.checked.tolist() == [25, 25, 20, 25, 1, 20] and table.entries.sum() == 300 + 600 + 20 + 30 + 20 + 1
    passed, sentence = explain.gradcheck_verdict(table)
    assert passed and "116 of 971 gradient entries" in sentence


def test_gradcheck_verdict_catches_a_wrong_gradient(monkeypatch):
    true_objective = diagnostics.objective_and_gradient
    calls = []

    def off_by_one_percent(network, X, y):  # the first call is backprop's: make it 1% too big
        loss, grad = true_objective(network, X, y)
        calls.append(1)
        return loss, grad * 1.01 if len(calls) == 1 else grad

    monkeypatch.setattr(diagnostics, "objective_and_gradient", off_by_one_percent)
    passed, sentence = explain.gradcheck_verdict(diagnostics.sampled_gradcheck(fit(), X_TRAIN[:5], Z_TRAIN[:5]))
    assert not passed and "disagree" in sentence and "layer 1 W" in sentence


# -- scikit-learn's twin ----------------------------------------------------------------------------

def test_sklearn_settings_convert_the_objective():
    config = Config(hidden=(8,), lr=0.05, l2=0.01, optimizer="sgd", batch_size=None, epochs=30)
    settings = sklearn_settings(config, n_train=353)
    assert settings["learning_rate_init"] == 0.1 and settings["alpha"] == pytest.approx(3.53)
    assert settings["momentum"] == 0.0 and settings["batch_size"] == 353 and not settings["shuffle"]
    adam = sklearn_settings(Config(hidden=(8,), lr=0.003, l2=0.01, optimizer="adam", batch_size=32), 353)
    assert adam["learning_rate_init"] == 0.003 and adam["alpha"] == pytest.approx(0.32) and adam["shuffle"]
    assert adam["epsilon"] == 5e-9  # half of Adam's 1e-8: scikit-learn's gradient is half as large
    assert sklearn_settings(Config(hidden=(8,), optimizer="momentum", momentum=0.8), 10)["momentum"] == 0.8
    with pytest.raises(ValueError, match="no 'gelu' activation"):
        sklearn_settings(Config(hidden=(8,), activation="gelu"), 10)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        sklearn_settings(Config(hidden=()), 10)


@pytest.mark.parametrize("params", [{"optimizer": "sgd", "l2": 0.001}, {"optimizer": "momentum", "activation": "tanh"},
                                    {"optimizer": "adam", "lr": 0.005, "activation": "sigmoid", "l2": 0.01}])
def test_sklearn_twin_takes_the_same_full_batch_steps(params):
    model = fit(epochs=60, **params)
    twin = sklearn_twin(model, X_TRAIN, Z_TRAIN, X_TEST, Z_TEST)
    assert twin["exact"] and twin["max_gap"] < 1e-9
    assert explain.twin_verdict(twin)[0] is True
    assert twin["sklearn_r2"] == pytest.approx(r2_score(Z_TEST, model.predict(X_TEST)), abs=1e-9)


def test_sklearn_twin_refuses_a_diverged_run():
    with pytest.raises(ValueError, match="diverged"):
        sklearn_twin(fit(lr=100.0), X_TRAIN, Z_TRAIN, X_TEST, Z_TEST)


def test_sklearn_twin_with_mini_batches_owes_no_exact_match():
    twin = sklearn_twin(fit(batch_size=64, epochs=5), X_TRAIN, Z_TRAIN, X_TEST, Z_TEST)
    assert not twin["exact"] and twin["settings"]["shuffle"]
    agrees, sentence = explain.twin_verdict(twin)
    assert agrees is None and "do not take exactly the same steps" in sentence


def test_trust_checks_gather_both_checks_and_the_twin():
    checks = diagnostics.trust_checks(fit(activation="gelu"), X_TRAIN, Z_TRAIN, X_TEST, Z_TEST, rows=8)
    assert checks["start"].ok.all() and checks["end"].ok.all()
    assert "no 'gelu' activation" in checks["twin"]
