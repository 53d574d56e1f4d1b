"""The R-operator's Hessian-vector products and the sharpness built on them."""

import numpy as np
import pytest

import nnlab
from nnlab.activations import ACTIVATIONS
from nnlab.curvature import power_iteration
from nnlab.diagnostics import hessian_vector, network_of, objective_and_gradient, sharpness
from nnlab.linear import lr_bound
from tests.nnlab.diabetes_runs import X_TRAIN, Z_TRAIN, fit

STEP = 1e-5


def _numeric_hessian_vector(network, X, y, vector):
    """(∇L(θ + h·v) − ∇L(θ − h·v)) / 2h: central differences of backprop's gradient."""
    theta = network.theta.copy()
    network.theta[...] = theta + STEP * vector
    _, plus = objective_and_gradient(network, X, y)
    network.theta[...] = theta - STEP * vector
    _, minus = objective_and_gradient(network, X, y)
    network.theta[...] = theta
    return (plus - minus) / (2 * STEP)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("hidden", [(), (5,), (6, 4), (4, 3, 3)])
def test_hessian_vector_matches_finite_differences_of_the_gradient(activation, hidden):
    model = nnlab.MLP(hidden=hidden, activation=activation, init="xavier", l2=0.01, random_state=3)
    X, y = X_TRAIN[:20] * 10, Z_TRAIN[:20]  # ×10: units well into their curved range
    network = network_of(model, X.shape[1])
    for b in network.b:  # biases off 0, so no ReLU input sits on its kink (a row whose units are all off)
        b[...] = np.random.default_rng(0).normal(size=b.shape)
    vector = np.random.default_rng(1).standard_normal(network.theta.shape)
    analytic = hessian_vector(network, X, y, vector)
    numeric = _numeric_hessian_vector(network, X, y, vector)
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    assert np.linalg.norm(analytic - numeric) / scale < 1e-6


def test_hessian_is_symmetric():
    network = network_of(nnlab.MLP(hidden=(5, 4), activation="tanh", random_state=0), 10)
    u, v = np.random.default_rng(2).standard_normal((2, *network.theta.shape))
    uHv = np.sum(u * hessian_vector(network, X_TRAIN, Z_TRAIN, v))
    vHu = np.sum(v * hessian_vector(network, X_TRAIN, Z_TRAIN, u))
    assert uHv == pytest.approx(vHu, rel=1e-10)


def test_power_iteration_finds_the_largest_eigenvalue():
    # diag(1, 2, 5): λ_max = 5, the third axis.
    matrix = np.diag([1.0, 2.0, 5.0])
    eigenvalue, vector = power_iteration(lambda v: v @ matrix, np.ones((1, 3)), iterations=200, tolerance=1e-12)
    assert eigenvalue[0] == pytest.approx(5.0)
    assert abs(vector[0, 2]) == pytest.approx(1.0)


@pytest.mark.parametrize("off_axis, calls_needed", [(0.01, 1), (0.1, 2), (0.5, 4)])
def test_power_iteration_stops_once_its_vector_is_nearly_an_eigenvector(off_axis, calls_needed):
    # diag(4, 1, 0.5) from (1, off_axis, 0): each product shrinks the off-axis part 4-fold, and the
    # residual ‖Hv − λv‖/|λ| is about ¾ of it once small: below 0.02 after 1, 2 and 4 products.
    matrix = np.diag([4.0, 1.0, 0.5])
    calls = []
    eigenvalue, _ = power_iteration(
        lambda v: calls.append(1) or v @ matrix,
        np.array([[1.0, off_axis, 0.0]]),
        iterations=50,
        tolerance=None,
        residual=0.02,
    )
    assert len(calls) == calls_needed
    # The Rayleigh quotient's error is about the residual squared, times λ over the eigen-gap (4/3).
    assert eigenvalue[0] == pytest.approx(4.0, rel=0.02**2 * 4 / 3)


def test_power_iteration_with_a_zero_hessian_gives_zero():
    eigenvalue, vector = power_iteration(lambda v: 0 * v, np.ones((1, 3)))
    assert eigenvalue[0] == 0.0 and np.all(np.isfinite(vector))


@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_linear_sharpness_is_the_stability_bounds_lambda_max(scale):
    X = X_TRAIN * scale
    model = nnlab.MLP(hidden=(), lr=0.01, epochs=5).fit(X, Z_TRAIN)
    assert sharpness(model, X, Z_TRAIN) == pytest.approx(lr_bound(X)["lambda_max"], rel=1e-4)


def test_l2_adds_twice_its_strength_along_the_weights():
    # Linear model: H = (2/n)AᵀA + 2·l2 on the weights (not the bias); on standardized features
    # the top direction is almost all weights, so λ_max grows by almost exactly 2·l2.
    X = (X_TRAIN - X_TRAIN.mean(0)) / X_TRAIN.std(0)
    plain = sharpness(nnlab.MLP(hidden=(), epochs=5).fit(X, Z_TRAIN), X, Z_TRAIN)
    penalized = sharpness(nnlab.MLP(hidden=(), epochs=5, l2=0.5).fit(X, Z_TRAIN), X, Z_TRAIN)
    assert penalized - plain == pytest.approx(1.0, rel=1e-3)


def test_sharpness_of_a_fitted_network_is_positive_and_finite():
    model = fit(activation="tanh")
    value = sharpness(model, X_TRAIN, Z_TRAIN)
    assert np.isfinite(value) and value > 0


def _sharpness_at_snapshot(history, epoch, activation, X, y):
    """The standalone (converged) sharpness of the weights snapshotted at ``epoch``."""
    from nnlab.network import Network

    index = history.snapshot_at(epoch)
    assert history.snapshot_epochs[index] == epoch
    network = Network.from_layers([w[index] for w in history.weights], [b[index] for b in history.biases], activation)
    start = np.random.default_rng(5).standard_normal(network.theta.shape)
    eigenvalue, _ = power_iteration(lambda v: hessian_vector(network, X, y, v), start, 500, 1e-10)
    return eigenvalue[0]


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_sharpness_every_tracks_the_converged_sharpness(activation):
    model = fit(activation=activation, epochs=60, sharpness_every=10, record_every=10, lr=0.1)
    history = model.history_
    assert history.sharpness_epochs.tolist() == [0, 10, 20, 30, 40, 50]
    for epoch, value in zip(history.sharpness_epochs, history.sharpness):
        assert value == pytest.approx(_sharpness_at_snapshot(history, epoch, activation, X_TRAIN, Z_TRAIN), rel=1e-3)


def test_full_batch_gd_drives_sharpness_to_the_edge_of_stability():
    # Cohen et al. 2021: at lr 0.1 the deep default run's sharpness rises to 2/lr = 20 and stays there.
    model = nnlab.MLP(hidden=(64, 32), lr=0.1, epochs=300, sharpness_every=10).fit(X_TRAIN, Z_TRAIN)
    assert model.history_.sharpness[0] < 10
    assert model.history_.sharpness[-5:] == pytest.approx(2 / 0.1, rel=0.1)


def test_sharpness_is_off_by_default_and_survives_save_and_load(tmp_path):
    assert fit().history_.sharpness is None and fit().history_.sharpness_epochs is None
    history = fit(sharpness_every=7).history_
    history.save(tmp_path / "run.npz")
    loaded = nnlab.History.load(tmp_path / "run.npz")
    np.testing.assert_array_equal(loaded.sharpness, history.sharpness)
    np.testing.assert_array_equal(loaded.sharpness_epochs, [0, 7, 14, 21, 28, 35])
    assert loaded.equals(history)


def test_sharpness_of_a_diverged_run_stops_at_the_blow_up():
    history = fit(lr=5.0, sharpness_every=1).history_
    assert history.diverged_at is not None
    assert len(history.sharpness) == history.epochs and np.all(history.sharpness_epochs < history.epochs)


def test_stacked_runs_each_get_their_own_sharpness():
    result = nnlab.sweep(
        X_TRAIN, Z_TRAIN, grid={"lr": [0.01, 0.1]}, n_jobs=1, base=dict(hidden=(8, 4), epochs=30, sharpness_every=10)
    )
    alone = [fit(lr=lr, epochs=30, sharpness_every=10).history_.sharpness for lr in (0.01, 0.1)]
    for history, single in zip(result.histories, alone):
        np.testing.assert_allclose(history.sharpness, single, rtol=1e-9)


@pytest.mark.parametrize("value", [0, -3, 2.5, "10"])
def test_sharpness_every_is_validated(value):
    with pytest.raises(ValueError, match="sharpness_every must be an integer ≥ 1"):
        nnlab.MLP(sharpness_every=value).fit(X_TRAIN[:20], Z_TRAIN[:20])
