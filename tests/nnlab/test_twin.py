"""nnlab.twin: scikit-learn's MLPRegressor set up to take the same steps as a run."""

from __future__ import annotations

import pytest
from diabetes_runs import X_TEST, X_TRAIN, Z_TEST, Z_TRAIN, fit
from sklearn.metrics import r2_score

from nnlab import explain
from nnlab.config import Config
from nnlab.twin import sklearn_settings, sklearn_twin


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


@pytest.mark.parametrize(
    "params",
    [
        {"optimizer": "sgd", "l2": 0.001},
        {"optimizer": "momentum", "activation": "tanh"},
        {"optimizer": "adam", "lr": 0.005, "activation": "sigmoid", "l2": 0.01},
    ],
)
def test_sklearn_twin_takes_the_same_full_batch_steps(params):
    model = fit(epochs=60, **params)
    twin = sklearn_twin(model, X_TRAIN, Z_TRAIN, X_TEST, Z_TEST)
    assert twin["exact"] and twin["max_gap"] < 1e-9
    assert explain.twin_verdict(twin)[0] is True
    assert twin["sklearn_r2"] == pytest.approx(r2_score(Z_TEST, model.predict(X_TEST)), abs=1e-9)


def test_sklearn_twin_refuses_a_diverged_run():
    with pytest.raises(ValueError, match="diverged"):
        sklearn_twin(fit(lr=100.0), X_TRAIN, Z_TRAIN, X_TEST, Z_TEST)


def test_sklearn_twin_says_why_there_is_nothing_to_compare_without_test_rows():
    with pytest.raises(ValueError, match="compared on test rows, and these data have none"):
        sklearn_twin(fit(epochs=5), X_TRAIN, Z_TRAIN, X_TEST[:0], Z_TEST[:0])


def test_sklearn_twin_with_mini_batches_owes_no_exact_match():
    twin = sklearn_twin(fit(batch_size=64, epochs=5), X_TRAIN, Z_TRAIN, X_TEST, Z_TEST)
    assert not twin["exact"] and twin["settings"]["shuffle"]
    agrees, sentence = explain.twin_verdict(twin)
    assert agrees is None and "do not take exactly the same steps" in sentence
