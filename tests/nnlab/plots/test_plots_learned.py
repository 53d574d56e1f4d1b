"""nnlab.plots.learned: the importance bars, the partial dependence panels, the function against the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nnlab import plots

TABLE = pd.DataFrame(
    {
        "feature": ["bmi", "s5", "age"],
        "network": [0.23, 0.13, -0.01],
        "network_std": [0.04, 0.03, 0.01],
        "linear": [0.22, 0.51, 0.0],
        "linear_std": [0.03, 0.05, 0.002],
    }
)


def test_importance_bars_put_the_first_row_on_top_with_its_spread():
    fig = plots.importance_figure(TABLE, 10)
    assert [t.type for t in fig.data] == ["bar", "bar"] and [t.name for t in fig.data] == [
        "linear least squares",
        "network",
    ]
    network = fig.data[1]
    assert list(network.y) == ["age", "s5", "bmi"]  # plotly's first category is the bottom one
    np.testing.assert_array_equal(network.x, [-0.01, 0.13, 0.23])
    np.testing.assert_array_equal(network.error_x.array, [0.01, 0.03, 0.04])
    assert fig.layout.yaxis.type == "category", "a linear y axis draws no bars for named features"
    assert "10 shuffles" in fig.layout.xaxis.title.text


def test_partial_dependence_has_a_panel_per_feature_with_both_models():
    value = np.linspace(0, 1, 5)
    curves = pd.concat(
        [
            pd.DataFrame({"model": model, "feature": feature, "value": value, "average": value * k})
            for feature in ("bmi", "bp", "s5", "age")
            for model, k in (("network", 1.0), ("linear", 2.0))
        ]
    )
    fig = plots.partial_dependence_figure(curves, "progression")
    assert len(fig.data) == 8 and [a.text for a in fig.layout.annotations] == ["bmi", "bp", "s5", "age"]
    assert [t.showlegend for t in fig.data[:2]] == [True, True] and not any(t.showlegend for t in fig.data[2:])
    assert fig.data[1].line.dash == "dash" and fig.data[0].line.dash == "solid"
    np.testing.assert_array_equal(fig.data[3].y, value * 2)  # bp, linear
    assert fig.layout.yaxis4.anchor == "x4"  # four features: two rows of three panels
    assert (
        plots.partial_dependence_figure(curves.iloc[:0], "y").layout.annotations[0].text == "Pick at least one feature."
    )


def test_the_true_function_data_is_the_difference_on_the_grid():
    grid = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    data = plots.true_function_data(grid, [1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0])
    assert list(data.columns) == ["x1", "x2", "network", "truth", "difference"]
    np.testing.assert_array_equal(data.difference, [0, 1, 2, 3])
    fig = plots.true_function_figure(data, (grid, np.array([0.0, 1.0, 2.0, 3.0])), ["x1", "x2"], "y", "f")
    assert [t.type for t in fig.data] == ["heatmap"] * 3 + ["scatter"]
    np.testing.assert_array_equal(fig.data[2].z, [[0, 1], [2, 3]])  # rows follow x2
    assert fig.layout.coloraxis2.cmin == -3 and fig.layout.coloraxis2.cmax == 3


def test_in_one_dimension_the_truth_is_dashed_under_the_network():
    grid = np.linspace(-3, 3, 7)[:, None]
    data = plots.true_function_data(grid, np.sin(grid[:, 0]) + 0.1, np.sin(grid[:, 0]))
    fig = plots.true_function_figure(data, (grid, np.sin(grid[:, 0])), ["x"], "y", "sin(x)")
    assert [t.name for t in fig.data] == ["training rows", "true sin(x)", "network"]
    assert fig.data[1].line.dash == "dash"
    assert fig.layout.title.text == "Network against the true sin(x)"
