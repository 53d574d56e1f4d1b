"""nnlab.learned: the network at an earlier epoch, and the grid its function is drawn on."""

from __future__ import annotations

import numpy as np
import pytest
from diabetes_runs import X_TEST, X_TRAIN, fit, forward

from nnlab import learned


def test_predict_at_matches_a_forward_pass_written_out():
    model = fit()
    history = model.history_
    weights = [w[0] for w in history.weights]
    biases = [b[0] for b in history.biases]
    np.testing.assert_allclose(
        learned.predict_at(history, 0, X_TEST, "relu"), forward(weights, biases, X_TEST)[:, 0], rtol=1e-12
    )
    np.testing.assert_allclose(
        learned.predict_at(history, len(history.snapshot_epochs) - 1, X_TEST, "relu"), model.predict(X_TEST), rtol=1e-12
    )


def test_function_grid_spans_the_data():
    grid, axes = learned.function_grid(np.array([[0.0], [2.0]]), np.array([[-1.0]]))
    assert grid.shape == (400, 1) and grid.min() == -1 and grid.max() == 2
    grid, axes = learned.function_grid(np.array([[0.0, 10.0], [1.0, 12.0]]), points_2d=3)
    np.testing.assert_array_equal(grid[:3], [[0, 10], [0.5, 10], [1, 10]])  # the first feature varies fastest
    np.testing.assert_array_equal(axes[1], [10, 11, 12])
    with pytest.raises(ValueError, match="1 or 2 features"):
        learned.function_grid(X_TRAIN)


def test_the_predictions_table_and_one_prediction_are_in_the_targets_units():
    from nnlab.data import make_dataset

    dataset = make_dataset("diabetes", target_scaling="standardize")
    model = fit()
    table = learned.predictions_table(model, dataset, rows=5)
    assert list(table.columns) == [*dataset.feature_names, "actual", "predicted", "error"] and len(table) == 5
    np.testing.assert_allclose(table["actual"], dataset.y_test[:5] * dataset.target_std + dataset.target_mean)
    scaled = model.predict(dataset.X_test[:5])
    np.testing.assert_allclose(table["predicted"], scaled * dataset.target_std + dataset.target_mean)
    assert learned.predict_one(model, dataset, dataset.X_test[0]) == pytest.approx(table["predicted"][0])
