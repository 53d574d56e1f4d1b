"""nnlab.landscape: the plane through θ_final, the path on it, the straight line, checked against
computations written out here (the closed-form quadratic of a linear model, PCA on made-up paths)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

import nnlab
from nnlab import landscape

X_ALL, Y_ALL = load_diabetes(return_X_y=True)
X, Y = X_ALL[:120], (Y_ALL[:120] - Y_ALL[:120].mean()) / Y_ALL[:120].std()


@pytest.fixture(scope="module")
def deep():
    return nnlab.MLP(hidden=(8, 4), lr=0.05, epochs=60, random_state=1).fit(X, Y)


@pytest.fixture(scope="module")
def linear_model():
    return nnlab.MLP(hidden=(), init="zeros", lr=0.5, epochs=80).fit(X, Y)


def quadratic(model, surface_or_center, directions, coords):
    """mean((A θ − y)²) at θ = center + coords @ directions, A = [X 1]: the linear model's exact loss."""
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = surface_or_center + coords @ directions
    return np.mean((theta @ A.T - Y) ** 2, axis=1)


def test_the_grid_centre_is_the_final_loss_and_the_path_ends_at_the_origin(deep):
    surface = landscape.plane(deep, X, Y)
    middle = len(surface.x) // 2
    assert surface.x[middle] == surface.y[middle] == 0.0
    assert surface.center_loss == surface.loss[middle, middle]
    assert surface.center_loss == pytest.approx(deep.history_.final_loss, rel=1e-12)
    np.testing.assert_allclose(surface.path[-1], [0.0, 0.0], atol=1e-12)
    assert surface.epochs[0] == 0 and surface.epochs[-1] == deep.history_.epochs
    assert surface.loss.shape == (landscape.STEPS, landscape.STEPS) and np.all(np.isfinite(surface.loss))
    # What the run recorded along its path: the loss at the start of each snapshot's epoch, then the final one.
    np.testing.assert_array_equal(surface.path_loss[:-1], deep.history_.loss[surface.epochs[:-1]])
    assert surface.path_loss[-1] == surface.center_loss
    # PCA directions are orthonormal: a snapshot's coordinates are its dot products with them.
    snapshots, _ = landscape.path(deep)
    np.testing.assert_allclose(np.linalg.norm(surface.directions, axis=1), 1.0)
    expected = (snapshots - landscape.final_parameters(deep)) @ surface.directions.T
    np.testing.assert_allclose(surface.path, expected, atol=1e-12)


def test_the_grid_holds_the_whole_projected_path(deep):
    surface = landscape.plane(deep, X, Y)
    assert np.all(np.abs(surface.path[:, 0]) <= surface.x[-1]) and np.all(np.abs(surface.path[:, 1]) <= surface.y[-1])
    assert surface.path[0, 0] < 0 and surface.path[0, 1] <= 0, "the path comes in from the lower left"


def test_with_an_l2_penalty_the_centre_is_the_objective_gradient_descent_minimised():
    model = nnlab.MLP(hidden=(6,), lr=0.05, epochs=40, l2=0.01).fit(X, Y)
    penalty = 0.01 * sum(np.sum(W**2) for W in model.coefs_)
    surface = landscape.plane(model, X, Y, steps=5)
    assert surface.center_loss == pytest.approx(model.history_.final_loss + penalty, rel=1e-12)


@pytest.mark.parametrize("directions", landscape.DIRECTIONS)
def test_a_linear_model_has_the_exact_quadratic_surface(linear_model, directions):
    surface = landscape.plane(linear_model, X, Y, directions, steps=11)
    center = landscape.final_parameters(linear_model)
    grid = np.stack(np.meshgrid(surface.x, surface.y), axis=-1).reshape(-1, 2)
    expected = quadratic(linear_model, center, surface.directions, grid).reshape(11, 11)
    np.testing.assert_allclose(surface.loss, expected, rtol=1e-10)
    # A quadratic: second differences along each axis are one constant, 2·step²·mean((A d)²).
    A = np.hstack([X, np.ones((len(X), 1))])
    step = surface.x[1] - surface.x[0]
    curvature = 2 * step**2 * np.mean((A @ surface.directions[0]) ** 2)
    np.testing.assert_allclose(np.diff(surface.loss, 2, axis=1), curvature, rtol=1e-6)


def test_the_line_runs_from_the_first_loss_to_the_final_one(linear_model):
    section = landscape.line(linear_model, X, Y)
    history = linear_model.history_
    assert section.start_loss == pytest.approx(history.loss[0], rel=1e-12)
    assert section.end_loss == pytest.approx(history.final_loss, rel=1e-12)
    start, end = np.zeros(X.shape[1] + 1), landscape.final_parameters(linear_model)  # zeros init
    assert section.distance == pytest.approx(np.linalg.norm(end - start))
    expected = quadratic(linear_model, start, (end - start)[None], section.alpha[:, None])
    np.testing.assert_allclose(section.loss, expected, rtol=1e-10)
    assert (section.start_epoch, section.end_epoch) == (0, history.epochs)


def test_pca_of_a_path_in_a_plane_explains_all_of_it():
    rng = np.random.default_rng(0)
    u, v = np.linalg.qr(rng.standard_normal((30, 2)))[0].T
    t = np.linspace(0, 1, 50)
    snapshots = 3.0 + np.outer(np.cos(6 * t), u) * 2 + np.outer(t, v)
    directions, shares = landscape.principal_directions(snapshots)
    explained, _ = landscape.explained_variance(snapshots, directions)
    assert explained == pytest.approx(1.0) and shares.sum() == pytest.approx(1.0)
    # Any two directions spanning that plane explain it all too, orthogonal or not.
    assert landscape.explained_variance(snapshots, np.stack([u + v, u - 0.3 * v]))[0] == pytest.approx(1.0)


def test_explained_variance_of_a_path_out_of_the_plane():
    # Zero-mean coordinates along three orthogonal axes with variances 9, 4 and 1: a plane of the first
    # two holds 13/14 of the variance.
    rng = np.random.default_rng(1)
    axes = np.linalg.qr(rng.standard_normal((20, 3)))[0].T
    signs = np.array([[1, 1, 1], [-1, 1, -1], [1, -1, -1], [-1, -1, 1]], float)  # orthogonal zero-mean columns
    coords = signs * [3.0, 2.0, 1.0]
    snapshots = coords @ axes
    directions, shares = landscape.principal_directions(snapshots)
    np.testing.assert_allclose(shares, [9 / 14, 4 / 14])
    assert landscape.explained_variance(snapshots, directions)[0] == pytest.approx(13 / 14)
    assert landscape.explained_variance(snapshots, axes[[0, 2]])[0] == pytest.approx(10 / 14)


@pytest.mark.parametrize("directions", landscape.DIRECTIONS)
def test_explained_share_is_a_share(deep, directions):
    surface = landscape.plane(deep, X, Y, directions, steps=3)
    assert 0.0 <= surface.explained <= 1.0
    assert np.all((0 <= surface.explained_axes) & (surface.explained_axes <= 1))
    if directions == "pca":
        assert surface.explained == pytest.approx(surface.explained_axes.sum())
        assert surface.explained_axes[0] >= surface.explained_axes[1]


def test_filter_normalized_directions_scale_each_unit_to_its_own_norm(deep):
    directions = landscape.filter_normalized_directions(deep, seed=3)
    layout = landscape.layout_of(deep)
    weights, biases = layout.views(directions)
    for W, W_final in zip(weights, deep.coefs_):
        for d in W:
            np.testing.assert_allclose(np.linalg.norm(d, axis=0), np.linalg.norm(W_final, axis=0), rtol=1e-12)
    assert all(np.all(b == 0) for b in biases)
    assert not np.allclose(directions[0], directions[1])
    np.testing.assert_array_equal(directions, landscape.filter_normalized_directions(deep, seed=3))
    assert not np.allclose(directions, landscape.filter_normalized_directions(deep, seed=4))


def test_chunks_do_not_change_the_numbers(deep):
    center = landscape.final_parameters(deep)
    directions = landscape.filter_normalized_directions(deep)
    coords = np.random.default_rng(0).uniform(-1, 1, (23, 2))
    one = landscape.objective(deep, X, Y, center, directions, coords, chunk=1)
    np.testing.assert_allclose(landscape.objective(deep, X, Y, center, directions, coords, chunk=7), one, rtol=1e-12)
    # Two points by a forward pass written out here (ReLU hidden layers, linear output).
    layout = landscape.layout_of(deep)
    for k in (0, 22):
        W, b = layout.views(center + coords[k] @ directions)
        a = X
        for layer, (w, bias) in enumerate(zip(W, b)):
            a = a @ w + bias
            a = np.maximum(a, 0) if layer < len(W) - 1 else a
        assert one[k] == pytest.approx(np.mean((a[:, 0] - Y) ** 2), rel=1e-12)


def blown_up(**params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)
        return nnlab.MLP(**params).fit(X, Y)


def test_a_run_that_blew_up_shows_the_path_up_to_its_last_good_parameters():
    model = blown_up(hidden=(), init="zeros", lr=3.0, epochs=200)
    history = model.history_
    assert history.diverged_at is not None
    assert history.snapshot_epochs.max() > history.last_good_epoch, "a snapshot of the blow-up was recorded"
    snapshots, epochs = landscape.path(model)
    assert np.all(np.isfinite(snapshots)) and np.all(epochs <= history.last_good_epoch)
    assert epochs[-1] == history.last_good_epoch and np.all(np.diff(epochs) > 0)
    np.testing.assert_array_equal(snapshots[-1], landscape.final_parameters(model))
    surface = landscape.plane(model, X, Y)
    assert surface.center_loss == pytest.approx(history.final_loss, rel=1e-12)
    assert np.all(surface.loss > 0) and 0 <= surface.explained <= 1
    section = landscape.line(model, X, Y)
    assert section.end_loss == pytest.approx(history.final_loss, rel=1e-12) and section.end_epoch == epochs[-1]


def test_a_run_that_blew_up_at_once_falls_back_to_random_directions():
    model = blown_up(hidden=(8,), lr=500.0, epochs=50)
    assert model.history_.last_good_epoch == 0
    surface = landscape.plane(model, X, Y, steps=5)
    assert surface.kind == "random" and surface.note == landscape.NO_MOVEMENT
    assert np.isnan(surface.explained)
    assert surface.center_loss == pytest.approx(model.history_.loss[0], rel=1e-12)
    assert np.any(np.isfinite(surface.loss))


def test_bad_arguments_say_what_is_allowed(deep):
    with pytest.raises(ValueError, match="choose one of 'pca', 'random'"):
        landscape.plane(deep, X, Y, "hessian")
    with pytest.raises(ValueError, match="odd number"):
        landscape.plane(deep, X, Y, steps=40)


def test_a_straight_path_still_spans_a_plane():
    # One epoch of a linear model: two snapshots, one direction of movement.
    model = nnlab.MLP(hidden=(), init="zeros", lr=0.1, epochs=1).fit(X, Y)
    surface = landscape.plane(model, X, Y, steps=5)
    assert surface.kind == "pca" and surface.explained == pytest.approx(1.0)
    np.testing.assert_allclose(surface.explained_axes, [1.0, 0.0])
    np.testing.assert_allclose(surface.directions @ surface.directions.T, np.eye(2), atol=1e-12)
    assert surface.y[-1] == pytest.approx(landscape.MIN_ASPECT * surface.x[-1])


def test_large_networks_get_a_coarser_grid_within_the_work_cap():
    assert landscape.grid_steps(353, 2817) == landscape.STEPS  # the deep page's default: the full grid
    steps = landscape.grid_steps(1000, 50_000)
    assert steps % 2 == 1 and landscape.MIN_STEPS <= steps < landscape.STEPS
    assert steps**2 * 1000 * 50_000 <= landscape.MAX_WORK < (steps + 2) ** 2 * 1000 * 50_000
    with pytest.raises(ValueError, match="over the cap"):
        landscape.grid_steps(100_000, 600_000)


def test_units_with_no_weights_get_a_direction_of_unit_norm():
    # Zeros init with tanh: the hidden layer's weights never move from 0 (every unit gets the same, zero, gradient).
    model = nnlab.MLP(hidden=(4,), activation="tanh", init="zeros", lr=0.1, epochs=5).fit(X, Y)
    assert np.all(model.coefs_[0] == 0)
    weights, _ = landscape.layout_of(model).views(landscape.filter_normalized_directions(model))
    np.testing.assert_allclose(np.linalg.norm(weights[0], axis=1), 1.0)
    surface = landscape.plane(model, X, Y, "random", steps=5)
    assert np.ptp(surface.loss) > 0, "moving the hidden layer changes the loss: the plane is not a point"
