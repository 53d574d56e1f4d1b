import numpy as np
import pandas as pd
import pytest

import nnlab
from nnlab import diagnostics, linear
from nnlab.activations import ACTIVATIONS
from nnlab.initializers import INITIALIZERS
from nnlab.optimizers import OPTIMIZERS

RNG = np.random.default_rng(7)
X = RNG.standard_normal((12, 4))
Y = RNG.standard_normal(12)
DEPTHS = {0: (), 1: (5,), 3: (5, 4, 3)}


@pytest.mark.parametrize("depth", list(DEPTHS))
@pytest.mark.parametrize("init", [name for name in INITIALIZERS if name != "zeros"])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_backprop_matches_finite_differences(activation, init, depth):
    model = nnlab.MLP(hidden=DEPTHS[depth], activation=activation, init=init, l2=0.05, random_state=3)
    network = diagnostics.network_of(model, X.shape[1])
    # Nonzero biases keep ReLU inputs off the kink at exactly 0, where the derivative is undefined.
    network.theta[:, network.layout.n_weights :] = RNG.normal(
        0, 0.1, network.layout.n_params - network.layout.n_weights
    )
    errors = diagnostics.gradcheck_network(network, X, Y)
    assert len(errors) == 2 * (depth + 1)
    assert errors.ok.all(), errors
    # Round-off only excuses gradients too small to resolve, never a usable one.
    resolvable = errors.gradient_norm > 1e3 * errors.round_off
    assert (errors.relative_error[resolvable] < diagnostics.GRADCHECK_TOLERANCE).all(), errors


def test_gradcheck_of_a_model_at_initialization():
    errors = diagnostics.gradcheck(nnlab.MLP(hidden=(6, 4), activation="relu", init="he"), X, Y)
    assert errors.ok.all() and errors.relative_error.max() < 1e-6


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_zero_init_gradients_are_checked_too(activation):
    errors = diagnostics.gradcheck(nnlab.MLP(hidden=(3,), activation=activation, init="zeros"), X, Y)
    # With W = 0 the hidden weights get exactly zero gradient; the output bias does not.
    assert errors.relative_error.max() < 1e-6


def test_gradcheck_on_fitted_model_uses_fitted_parameters():
    model = nnlab.MLP(hidden=(4,), activation="tanh", epochs=50, lr=0.05).fit(X, Y)
    errors = diagnostics.gradcheck(model, X, Y)
    assert errors.relative_error.max() < 1e-6


def test_gradcheck_on_a_sample_of_each_block():
    model = nnlab.MLP(hidden=(30, 20), activation="tanh", random_state=1)
    full = diagnostics.gradcheck(model, X, Y)
    assert (full.checked == full.entries).all() and sorted(full.entries) == [1, 20, 20, 30, 120, 600]
    sampled = diagnostics.gradcheck(model, X, Y, max_per_block=25, rng=0)
    assert sampled.entries.equals(full.entries) and sampled.checked.equals(full.entries.clip(upper=25))
    assert sampled.ok.all()
    small = full.entries <= 25  # checked in full, so their rows equal the full check's
    pd.testing.assert_frame_equal(sampled[small], full[small])
    again = diagnostics.gradcheck(model, X, Y, max_per_block=25, rng=np.random.default_rng(0))
    pd.testing.assert_frame_equal(sampled, again)  # a seed, or a generator made from it: the same sample


def test_gradcheck_catches_the_tutorials_bug():
    """ERRATA 7: dropping the 2/n factor is a wrong gradient that the check must flag."""
    model = nnlab.MLP(hidden=(3,), activation="tanh", random_state=0)
    network = diagnostics.network_of(model, X.shape[1])
    _, good = diagnostics.objective_and_gradient(network, X, Y)
    wrong = good * len(X) / 2
    errors = diagnostics._per_block_errors(network.layout, wrong[0], good[0])
    assert errors.relative_error.min() > 0.5 and not errors.ok.any()


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_first_step_follows_the_optimizers_formula(optimizer):
    lr = 0.03
    model = nnlab.MLP(
        hidden=(4,),
        activation="tanh",
        init="xavier",
        optimizer=optimizer,
        lr=lr,
        momentum=0.9,
        epochs=1,
        random_state=5,
    )
    network = diagnostics.network_of(model, X.shape[1])
    before = network.theta[0].copy()
    _, gradient = diagnostics.objective_and_gradient(network, X, Y)
    model.fit(X, Y)
    after = np.concatenate([w.ravel() for w in model.coefs_] + [b.ravel() for b in model.intercepts_])
    if optimizer == "adam":
        # m = 0.1 g, v = 0.001 g², bias correction √(1−β₂)/(1−β₁): the first step is lr·g/(|g| + ε′).
        expected = before - lr * np.sqrt(0.001) / 0.1 * (0.1 * gradient[0]) / (np.sqrt(0.001 * gradient[0] ** 2) + 1e-8)
    else:
        expected = before - lr * gradient[0]  # momentum's first velocity is −lr·g as well
    np.testing.assert_allclose(after, expected, rtol=1e-10, atol=1e-14)


def test_lr_bound_of_a_known_design():
    # Columns orthogonal with squared norms n·(1, 4) and the bias column: Hessian = 2·diag(1, 4, 1).
    x1 = np.array([1.0, -1.0, 1.0, -1.0])
    x2 = np.array([2.0, 2.0, -2.0, -2.0])
    result = linear.lr_bound(np.column_stack([x1, x2]))
    assert result["lambda_max"] == pytest.approx(8.0)
    assert result["bound"] == pytest.approx(0.25)
    assert result["condition"] == pytest.approx(4.0)


def test_least_squares_recovers_exact_coefficients():
    rng = np.random.default_rng(1)
    features = rng.standard_normal((30, 3))
    target = features @ np.array([1.0, -2.0, 3.0]) + 4.0
    fit = linear.least_squares(features, target)
    np.testing.assert_allclose(fit["coef"], [1.0, -2.0, 3.0], atol=1e-10)
    assert fit["intercept"] == pytest.approx(4.0)
    assert fit["mse"] < 1e-20


def test_a_float32_model_is_checked_in_float64():
    """In float32 the differences drowned in round-off (relative error 0.39 on an exact gradient)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(40)
    model = nnlab.MLP(hidden=(8,), activation="tanh", lr=0.05, epochs=50, dtype="float32").fit(X, y)
    assert model.coefs_[0].dtype == np.float32
    table = diagnostics.gradcheck(model, X, y)
    assert table.attrs["dtype"] == "float64" and table.ok.all() and table.relative_error.max() < 1e-6
