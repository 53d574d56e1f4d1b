"""Figures of the activation-comparison and deep-network pages: data halves by equality, figure
halves by trace count and type."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import nnlab
from nnlab import plots
from nnlab.activations import ACTIVATIONS

RNG = np.random.default_rng(0)
X = RNG.uniform(-1, 1, (40, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * RNG.standard_normal(40)
X_VAL, Y_VAL = X[:10] + 0.05, Y[:10]


def fit(activation="relu", hidden=(4, 3), epochs=12, lr=0.05, **kwargs):
    model = nnlab.MLP(hidden=hidden, activation=activation, epochs=epochs, lr=lr, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)
        return model.fit(X, Y, eval_set=(X_VAL, Y_VAL))


@pytest.fixture(scope="module")
def histories():
    return {name: fit(name).history_ for name in ("relu", "sigmoid", "linear")}


@pytest.fixture(scope="module")
def diverged():
    history = fit("tanh", lr=50.0, epochs=30).history_
    assert history.diverged_at is not None
    return history


# -- layer comparison -----------------------------------------------------------------------------


def test_layer_comparison_data_holds_every_run_and_layer(histories):
    data = plots.layer_comparison_data(histories, "grad_norm")
    assert list(data.columns) == ["run", "layer", "epoch", "value"]
    for run, history in histories.items():
        for layer, name in enumerate(["hidden 1", "hidden 2", "output"]):
            part = data[(data.run == run) & (data.layer == name)]
            np.testing.assert_array_equal(part.epoch, np.arange(12))
            np.testing.assert_array_equal(part.value, history.grad_norm[:, layer])


def test_layer_comparison_data_keeps_at_most_max_points_per_line():
    history = fit(epochs=plots.MAX_POINTS + 500, record_every=1000).history_
    data = plots.layer_comparison_data({"long": history})
    assert data.groupby("layer").size().max() <= plots.MAX_POINTS
    assert data.epoch.max() == plots.MAX_POINTS + 499  # the last epoch is kept


def test_layer_comparison_figure_has_a_panel_per_layer_and_a_line_per_run(histories):
    fig = plots.layer_comparison_figure(plots.layer_comparison_data(histories))
    assert len(fig.data) == 3 * 3 and {t.type for t in fig.data} == {"scatter"}
    assert [t.name for t in fig.data if t.showlegend] == ["relu", "sigmoid", "linear"]  # one legend entry each
    assert {t.xaxis for t in fig.data} == {"x", "x2", "x3"}
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.title.text == "epoch"
    assert [a.text for a in fig.layout.annotations] == ["hidden 1", "hidden 2", "output"]


def test_layer_comparison_figure_of_nothing_is_empty_and_titled():
    fig = plots.layer_comparison_figure(plots.layer_comparison_data({}), title="Gradients")
    assert len(fig.data) == 0 and fig.layout.title.text == "Gradients"


# -- gradient profile -----------------------------------------------------------------------------


def test_gradient_profile_data_reads_the_first_and_last_epoch(histories):
    data = plots.gradient_profile_data(histories)
    relu = data[data.run == "relu"]
    np.testing.assert_array_equal(relu[relu.when == "start"].value, histories["relu"].grad_norm[0])
    np.testing.assert_array_equal(relu[relu.when == "end"].value, histories["relu"].grad_norm[11])
    assert relu[relu.when == "end"].epoch.unique().tolist() == [11]
    assert relu.layer.tolist()[:3] == ["hidden 1", "hidden 2", "output"]


def test_gradient_profile_data_ends_before_a_blow_up(diverged):
    data = plots.gradient_profile_data({"blown": diverged})
    end = data[data.when == "end"]
    assert end.epoch.unique().tolist() == [diverged.diverged_at - 1]
    np.testing.assert_array_equal(end.value, diverged.grad_norm[diverged.diverged_at - 1])


def test_gradient_profile_figure_draws_two_lines_per_run(histories):
    fig = plots.gradient_profile_figure(plots.gradient_profile_data(histories))
    assert len(fig.data) == 6 and {t.type for t in fig.data} == {"scatter"}
    assert [t.line.dash for t in fig.data[:2]] == ["solid", "dot"]
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.type == "category"
    assert fig.layout.legend.y < 0  # under the plot, not over the title


# -- dead and saturated units ---------------------------------------------------------------------


def test_unit_health_data_picks_each_activations_failure_mode(histories):
    data = plots.unit_health_data(histories)
    assert set(data.run) == {"relu", "sigmoid"}  # a linear unit never goes flat
    relu, sigmoid = data[data.run == "relu"], data[data.run == "sigmoid"]
    assert set(relu.metric) == {"dead_fraction"} and set(sigmoid.metric) == {"saturation"}
    assert set(relu.order) == {0} and set(sigmoid.order) == {1}  # colours follow the run's position
    # Share over all hidden units: layers of 4 and 3 units, weighted by width.
    dead = histories["relu"].dead_fraction
    np.testing.assert_allclose(relu.value, (4 * dead[:, 0] + 3 * dead[:, 1]) / 7)


def test_unit_health_figure_has_two_panels(histories):
    fig = plots.unit_health_figure(plots.unit_health_data(histories))
    assert len(fig.data) == 2 and [t.xaxis for t in fig.data] == ["x", "x2"]
    assert fig.layout.yaxis.tickformat == ".0%"


def test_unit_health_figure_says_when_a_panel_has_no_run(histories):
    fig = plots.unit_health_figure(plots.unit_health_data({"relu": histories["relu"]}))
    assert len(fig.data) == 1
    assert any(a.text == "none of the chosen activations" for a in fig.layout.annotations)
    assert plots.unit_health_figure(plots.unit_health_data({"linear": histories["linear"]})).data == ()


# -- per-layer lines, reference level and divergence ----------------------------------------------


def test_layer_lines_figure_adds_the_reference_and_marks_the_blow_up(diverged):
    data = plots.layer_series_data(diverged, "update_ratio")
    fig = plots.layer_lines_figure(
        data, "update_ratio", reference=1e-3, reference_label="rule", diverged_at=diverged.diverged_at
    )
    assert len(fig.data) == 3 + 1 and fig.data[-1].name == "rule"
    np.testing.assert_array_equal(fig.data[-1].y, [1e-3, 1e-3])
    assert fig.layout.yaxis.type == "log"
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].x0 == diverged.diverged_at
    assert plots.layer_lines_figure(data.iloc[:0], "grad_norm").data == ()


# -- weight histograms ----------------------------------------------------------------------------


def test_weight_histogram_data_uses_shared_bins(histories):
    history = histories["relu"]
    data = plots.weight_histogram_data(history, 0, "weights", bins=10)
    values = [w[0].ravel() for w in history.weights]
    edges = np.histogram_bin_edges(np.concatenate(values), bins=10)
    for layer, name in enumerate(["hidden 1", "hidden 2", "output"]):
        part = data[data.layer == name]
        np.testing.assert_array_equal(part.left, edges[:-1])
        np.testing.assert_array_equal(part.share, np.histogram(values[layer], edges)[0] / values[layer].size)
        assert part.share.sum() == pytest.approx(1.0)


def test_weight_histogram_data_skips_values_that_are_not_finite(diverged):
    last = len(diverged.snapshot_epochs) - 1
    data = plots.weight_histogram_data(diverged, last, "weight_grads")
    assert np.isfinite(data[["left", "right", "share"]].to_numpy()).all()


def test_weight_histogram_figure_overlays_a_bar_trace_per_layer(histories):
    fig = plots.weight_histogram_figure(
        plots.weight_histogram_data(histories["relu"], 0, "weight_grads"), "weight_grads", epoch=0
    )
    assert [t.type for t in fig.data] == ["bar"] * 3
    assert fig.layout.barmode == "overlay" and "epoch 0" in fig.layout.title.text
    assert all(len(t.x) <= plots.MAX_POINTS for t in fig.data)
    empty = plots.weight_histogram_figure(pd.DataFrame(columns=["layer", "left", "right", "share"]))
    assert empty.data == ()


# -- the learned function -------------------------------------------------------------------------


def test_learned_function_data_one_feature():
    grid = np.linspace(-1, 1, 5)[:, None]
    curve, points = plots.learned_function_data(grid, grid[:, 0] ** 2, X[:30, :1], Y[:30], X[30:, :1], Y[30:])
    pd.testing.assert_frame_equal(curve, pd.DataFrame({"x1": grid[:, 0], "value": grid[:, 0] ** 2}))
    assert points.split.value_counts().to_dict() == {"train": 30, "test": 10}
    np.testing.assert_array_equal(points[points.split == "test"].value, Y[30:])


def test_learned_function_data_keeps_at_most_max_points_per_split():
    many = np.tile(X[:, :1], (100, 1))
    _, points = plots.learned_function_data(many[:3], np.zeros(3), many, np.tile(Y, 100), X[:5, :1], Y[:5])
    assert (points.split == "train").sum() == plots.MAX_POINTS


def test_learned_function_figure_one_feature_is_a_line_over_the_rows():
    grid = np.linspace(-1, 1, 5)[:, None]
    curve, points = plots.learned_function_data(grid, grid[:, 0], X[:30, :1], Y[:30], X[30:, :1], Y[30:])
    fig = plots.learned_function_figure(curve, points, ["x"], "y")
    assert [t.type for t in fig.data] == ["scatter"] * 3
    assert [t.mode for t in fig.data] == ["markers", "markers", "lines"]
    assert fig.layout.xaxis.title.text == "x" and fig.layout.yaxis.title.text == "y"


def test_learned_function_figure_two_features_is_a_contour_map():
    a, b = np.linspace(0, 1, 4), np.linspace(10, 12, 3)
    grid = np.column_stack([m.ravel() for m in np.meshgrid(a, b)])
    prediction = grid[:, 0] + 100 * grid[:, 1]
    curve, points = plots.learned_function_data(grid, prediction, X[:30, :2], Y[:30], X[30:, :2], Y[30:])
    fig = plots.learned_function_figure(curve, points, ["x1", "x2"], "y")
    assert [t.type for t in fig.data] == ["contour", "scatter", "scatter"]
    contour = fig.data[0]
    np.testing.assert_array_equal(contour.x, a)
    np.testing.assert_array_equal(contour.y, b)
    np.testing.assert_allclose(contour.z, a[None, :] + 100 * b[:, None])  # rows follow x2
    assert fig.data[1].marker.coloraxis == "coloraxis"  # the rows share the map's colour scale


def test_empty_learned_function_is_an_empty_figure():
    fig = plots.learned_function_figure(
        pd.DataFrame(columns=["x1", "value"]), pd.DataFrame(), ["x"], "y", title="nothing"
    )
    assert fig.data == () and fig.layout.title.text == "nothing"


def test_activation_figure_is_the_table_evaluated():
    """The activation page draws the table's own functions: checked here against the formulas."""
    data = plots.activation_data(["sigmoid", "relu"], z=np.array([-2.0, 0.5, 3.0]))
    z = np.array([-2.0, 0.5, 3.0])
    s = 1 / (1 + np.exp(-z))
    sigmoid = data[data.activation == "sigmoid"]
    np.testing.assert_allclose(sigmoid[sigmoid.curve == "f′(z)"].value, s * (1 - s))
    relu = data[data.activation == "relu"]
    np.testing.assert_array_equal(relu[relu.curve == "f(z)"].value, np.maximum(z, 0))
    assert max(s * (1 - s)) <= ACTIVATIONS["sigmoid"].max_slope


def test_the_network_diagram_draws_every_shown_weight_and_names_the_inputs_unclipped():
    coefs = [np.arange(6.0).reshape(3, 2) - 2.5, np.array([[1.0], [-1.0]])]  # 3 -> 2 -> 1: 6 + 2 weights
    nodes, edges = plots.network_data(coefs, input_names=["age", "bmi", "bp"])
    assert len(nodes) == 3 + 2 + 1 and len(edges) == 8
    assert nodes.label.tolist()[:3] == ["age", "bmi", "bp"] and not nodes.label[3:].any()
    fig = plots.network_figure(coefs, input_names=["age", "bmi", "bp"])
    labelled = [t for t in fig.data if t.mode == "markers+text"]
    assert len(labelled) == 1 and list(labelled[0].text)[:3] == ["age", "bmi", "bp"]
    assert labelled[0].cliponaxis is False  # the names left of the first column must not be cut
    assert "<br>" in fig.layout.title.text  # its long default title wraps instead of being cut
