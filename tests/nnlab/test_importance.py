"""nnlab.importance: scikit-learn's permutation importance and partial dependence, arranged for the
network beside the linear model; and the true functions of the synthetic sets (nnlab.learned)."""

from __future__ import annotations

import numpy as np
import pytest
from diabetes_runs import X_TEST, X_TRAIN, Y_MEAN, Y_STD, Z_TEST, Z_TRAIN, fit
from sklearn.base import is_regressor
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LinearRegression

from nnlab import data, importance, learned

NAMES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


@pytest.fixture(scope="module")
def models():
    return {"network": fit(epochs=200), "linear": importance.linear_model(X_TRAIN, Z_TRAIN)}


def test_the_network_is_a_regressor_to_scikit_learn(models):
    # partial_dependence refuses an estimator it cannot tell is a regressor or a classifier.
    assert is_regressor(models["network"])


def test_the_linear_model_is_least_squares_on_the_training_rows(models):
    coef, *_ = np.linalg.lstsq(np.column_stack([X_TRAIN, np.ones(len(X_TRAIN))]), Z_TRAIN, rcond=None)
    np.testing.assert_allclose(models["linear"].coef_, coef[:-1], rtol=1e-8)
    np.testing.assert_allclose(models["linear"].intercept_, coef[-1], rtol=1e-8, atol=1e-12)


def test_importance_equals_scikit_learns_own_call(models):
    tidy = importance.permutation_table(models, X_TEST, Z_TEST, NAMES, n_repeats=7, random_state=3)
    for name, model in models.items():
        expected = permutation_importance(model, X_TEST, Z_TEST, n_repeats=7, random_state=3)
        part = tidy[tidy.model == name]
        assert list(part.feature) == NAMES
        np.testing.assert_array_equal(part["mean"], expected.importances_mean)
        np.testing.assert_array_equal(part["std"], expected.importances_std)
        np.testing.assert_array_equal(np.stack(part.repeats), expected.importances)


def test_the_table_puts_the_networks_most_important_feature_first(models):
    tidy = importance.permutation_table(models, X_TEST, Z_TEST, NAMES)
    table = importance.importance_table(tidy)
    assert list(table.columns) == ["feature", "network", "network_std", "linear", "linear_std"]
    assert sorted(table.feature) == sorted(NAMES)
    assert np.all(np.diff(table.network) <= 0)
    for row in table.itertuples():
        for model in ("network", "linear"):
            expected = tidy[(tidy.model == model) & (tidy.feature == row.feature)].iloc[0]
            assert getattr(row, model) == expected["mean"] and getattr(row, f"{model}_std") == expected["std"]


def test_a_linear_models_partial_dependence_is_a_line_whose_slope_is_its_coefficient(models):
    to_units = lambda y: np.asarray(y) * Y_STD + Y_MEAN  # noqa: E731
    curves = importance.partial_dependence_curves(models, X_TRAIN, [2, 8], NAMES, to_units, grid_resolution=20)
    coef = models["linear"].coef_
    for j in (2, 8):
        line = curves[(curves.model == "linear") & (curves.feature == NAMES[j])]
        assert len(line) == 20
        slopes = np.diff(line.average) / np.diff(line.value)
        np.testing.assert_allclose(slopes, coef[j] * Y_STD, rtol=1e-9)  # in the target's units
        assert importance.straightness(line.value, line.average) == pytest.approx(1.0, abs=1e-12)


def test_the_networks_curve_is_scikit_learns_partial_dependence(models):
    curves = importance.partial_dependence_curves(models, X_TRAIN, [0], NAMES, grid_resolution=15)
    expected = partial_dependence(models["network"], X_TRAIN, [0], grid_resolution=15, kind="average")
    network = curves[curves.model == "network"]
    np.testing.assert_array_equal(network.value, expected["grid_values"][0])
    np.testing.assert_array_equal(network.average, expected["average"][0])


def test_straightness_is_one_for_a_line_and_near_zero_for_a_symmetric_bend():
    x = np.linspace(-1, 1, 51)
    assert importance.straightness(x, 3 * x - 2) == pytest.approx(1.0)
    assert importance.straightness(x, x**2) == pytest.approx(0.0, abs=1e-12)  # a line through a U explains nothing
    assert importance.straightness(x, np.full_like(x, 5.0)) == 1.0  # flat: nothing to explain
    # A quarter of a bend: the least-squares line through (x, x + x²) on [-1, 1].
    y = x + x**2
    slope, intercept = np.polyfit(x, y, 1)
    assert importance.straightness(x, y) == pytest.approx(1 - np.var(y - slope * x - intercept) / np.var(y))


def test_a_run_that_predicts_nan_has_no_importance(models):
    class Broken:
        def predict(self, X):
            return np.full(len(X), np.nan)

    with pytest.raises(ValueError, match="not all finite"):
        importance.permutation_table({"network": Broken()}, X_TEST, Z_TEST, NAMES)


@pytest.mark.parametrize("source", ["sine", "surface"])
def test_the_true_functions_are_the_generators_without_noise(source):
    dataset = data.make_dataset(source)
    formula, function = learned.true_function(dataset)
    generate = data.make_sine if source == "sine" else data.make_surface
    X, y = generate(noise=0.0)
    np.testing.assert_allclose(function(X.to_numpy()), y.to_numpy(), rtol=1e-15)
    assert formula in dataset.name
    assert learned.true_function(data.make_dataset("diabetes")) is None


def test_against_truth_measures_the_gap_on_the_grid_and_the_noise_on_the_rows():
    import nnlab

    dataset = data.make_dataset("sine", target_scaling="standardize")
    model = nnlab.MLP(hidden=(16,), lr=0.05, epochs=50).fit(dataset.X_train, dataset.y_train)
    formula, grid, network, truth, rms, noise = learned.against_truth(model, dataset)
    assert formula == "sin(x)" and grid.shape == (400, 1)
    np.testing.assert_allclose(network, dataset.to_original_units(model.predict(grid)))
    np.testing.assert_allclose(truth, np.sin(grid[:, 0]))
    assert rms == pytest.approx(np.sqrt(np.mean((network - truth) ** 2)))
    residual = dataset.to_original_units(dataset.y_train) - np.sin(dataset.X_train[:, 0])
    assert noise == pytest.approx(np.sqrt(np.mean(residual**2)))
    assert 0.07 < noise < 0.13  # make_sine draws its noise with std 0.1


def test_linear_regression_is_scikit_learns(models):
    assert isinstance(models["linear"], LinearRegression)
