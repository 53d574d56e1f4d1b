"""nnlab.optimizers on their own: each update rule against hand arithmetic, per-run rates, retiring runs."""

import numpy as np
import pytest

from nnlab.optimizers import OPTIMIZERS, SGD, Adam, Momentum

GRAD = np.array([[0.5, -1.0]])


def step(optimizer, theta, grad=GRAD):
    """One in-place step of theta (runs, n) along grad; returns what step() returned."""
    return optimizer.step([theta], [grad], [np.empty_like(theta)])[0]


def test_sgd_steps_against_the_gradient():
    theta = np.array([[1.0, 2.0]])
    moved = step(SGD([theta], 0.1), theta)
    # θ − η·g = (1 − 0.1·0.5, 2 − 0.1·(−1)) = (0.95, 2.1); the returned array holds η·g.
    np.testing.assert_allclose(theta, [[0.95, 2.1]])
    np.testing.assert_allclose(moved, [[0.05, -0.1]])


def test_each_stacked_run_keeps_its_own_rate():
    theta = np.array([[1.0, 2.0], [1.0, 2.0]])
    step(SGD([theta], [0.1, 1.0]), theta, np.vstack([GRAD, GRAD]))
    # run 0: η = 0.1 as above; run 1: η = 1, (1 − 0.5, 2 + 1) = (0.5, 3).
    np.testing.assert_allclose(theta, [[0.95, 2.1], [0.5, 3.0]])


def test_momentum_accumulates_velocity():
    theta = np.array([[1.0, 2.0]])
    optimizer = Momentum([theta], 0.1, momentum=0.9)
    step(optimizer, theta)
    # v₁ = −η·g = (−0.05, 0.1); θ₁ = (0.95, 2.1)
    np.testing.assert_allclose(theta, [[0.95, 2.1]])
    velocity = step(optimizer, theta)
    # v₂ = 0.9·v₁ − η·g = (−0.045 − 0.05, 0.09 + 0.1) = (−0.095, 0.19); θ₂ = (0.855, 2.29)
    np.testing.assert_allclose(velocity, [[-0.095, 0.19]])
    np.testing.assert_allclose(theta, [[0.855, 2.29]])


def test_adams_first_step_moves_every_weight_by_the_rate():
    theta = np.array([[1.0, 2.0]])
    step(Adam([theta], 0.1), theta)
    # m = 0.1·g, v = 0.001·g², so m/√v = sign(g)·0.1/√0.001 = ±3.1623; the bias correction is
    # √(1 − 0.999)/(1 − 0.9) = 0.31623, and 0.1 · 0.31623 · 3.1623 = 0.1: θ = (0.9, 2.1), up to ε.
    np.testing.assert_allclose(theta, [[0.9, 2.1]], rtol=1e-6)


def test_adams_second_step_against_hand_arithmetic():
    theta = np.array([[1.0]])
    optimizer = Adam([theta], 0.1)
    step(optimizer, theta, np.array([[1.0]]))
    step(optimizer, theta, np.array([[3.0]]))
    # m = 0.9·0.1 + 0.1·3 = 0.39; v = 0.999·0.001 + 0.001·9 = 0.009999;
    # correction = √(1 − 0.999²)/(1 − 0.9²) = √0.001999/0.19 = 0.235319;
    # step = 0.1 · 0.235319 · 0.39/√0.009999 = 0.1 · 0.235319 · 3.900195 = 0.091779
    np.testing.assert_allclose(theta, [[0.9 - 0.091779]], rtol=1e-5)


def test_keep_drops_the_state_of_retired_runs():
    theta = np.array([[1.0], [1.0], [1.0]])
    optimizer = Momentum([theta], [0.1, 0.2, 0.3], momentum=0.5)
    step(optimizer, theta, np.ones((3, 1)))
    optimizer.keep(np.array([0, 2]))
    assert optimizer.lr.tolist() == [0.1, 0.3]
    np.testing.assert_allclose(optimizer.velocity[0], [[-0.1], [-0.3]])


def test_one_rate_per_run_or_one_for_all():
    theta = np.zeros((3, 2))
    with pytest.raises(ValueError, match="one rate per run"):
        SGD([theta], [0.1, 0.2])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_zero_gradient_leaves_the_parameters_alone(name):
    theta = np.array([[1.0, -2.0]])
    optimizer = OPTIMIZERS[name]([theta], 0.1, 0.9)
    for _ in range(3):
        step(optimizer, theta, np.zeros_like(theta))
    np.testing.assert_array_equal(theta, [[1.0, -2.0]])
