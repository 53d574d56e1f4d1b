"""nnlab.plots._style: the layout helper's legend placements, the empty figure, thinning, reference lines."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from nnlab import plots
from nnlab.plots import _style


def lines(*names):
    return go.Figure([go.Scatter(x=[0, 1], y=[1, 2], name=name) for name in names])


@pytest.mark.parametrize("where", ["above", "right", "inside"])
def test_each_fixed_placement_is_its_table_entry(where):
    fig = plots.layout(lines("a", "b"), "t", "x", "y", legend=where)
    legend = fig.layout.legend
    for key, value in _style.LEGENDS[where].items():
        assert legend[key] == value
    assert fig.layout.margin.b == _style.MARGIN["b"]


def test_a_legend_below_starts_a_fixed_gap_under_the_axis_whatever_the_height():
    for height, top in ((380, 50), (460, 50), (420, 90)):
        fig = plots.layout(lines("a", "b"), "t", "x", "y", legend="below", height=height, top=top)
        legend, plot_height = fig.layout.legend, height - top - _style.BELOW_MARGIN_PX
        assert (legend.orientation, legend.yanchor, legend.xanchor, legend.x) == ("h", "top", "left", 0)
        assert legend.y * plot_height == pytest.approx(-_style.BELOW_GAP_PX)  # pixels below the x axis
        assert fig.layout.margin.b == _style.BELOW_MARGIN_PX > _style.BELOW_GAP_PX


def test_place_legend_can_change_the_height_and_move_the_legend_back():
    fig = plots.place_legend(plots.layout(lines("a"), "t"), "below", height=500)
    assert fig.layout.height == 500 and fig.layout.legend.y == pytest.approx(-64 / (500 - 50 - 110))
    assert plots.legend_below(fig).layout.legend.y == fig.layout.legend.y  # idempotent
    fig = plots.place_legend(fig, "above")
    assert fig.layout.legend.y == 1.0 and fig.layout.margin.b == _style.MARGIN["b"]


def test_no_legend():
    assert plots.layout(lines("a", "b"), "t", legend=None).layout.showlegend is False


def test_auto_keeps_a_short_legend_above_and_sends_a_long_one_below():
    assert _style.auto_legend(plots.layout(lines("run", "run (validation)"), "Loss")) == "above"
    long = plots.layout(lines("run", "run (validation)"), "Loss: training rows (solid), test rows (dotted)")
    assert _style.auto_legend(long) == "below" and long.layout.legend.y < 0
    many = lines(*[f"run {i}" for i in range(8)])
    assert _style.auto_legend(plots.layout(many, "Loss")) == "below"
    hidden = go.Figure([go.Scatter(name="a very long name of a trace nobody sees in the legend", showlegend=False)])
    assert _style.auto_legend(plots.layout(hidden, "Loss")) == "above"


def test_layout_titles_axes_hover_and_log_y():
    fig = plots.layout(lines("a"), "Title", "epoch", "MSE", hover="closest", log_y=True, height=440)
    assert fig.layout.title.text == "Title" and fig.layout.height == 440
    assert fig.layout.xaxis.title.text == "epoch" and fig.layout.yaxis.title.text == "MSE"
    assert fig.layout.yaxis.type == "log" and fig.layout.hovermode == "closest"
    assert plots.layout(lines("a"), "T").layout.hovermode == "x unified"


def test_empty_figure_is_titled_and_says_why():
    fig = plots.empty_figure("Loss", "Train first.")
    assert fig.data == () and fig.layout.title.text == "Loss"
    assert fig.layout.annotations[0].text == "Train first."
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_downsample_keeps_the_ends_and_the_keep_indices():
    np.testing.assert_array_equal(plots.downsample_indices(5, max_points=10), np.arange(5))
    index = plots.downsample_indices(100_000, max_points=50, keep=(12_345, 99_998))
    assert index[0] == 0 and index[-1] == 99_999 and {12_345, 99_998} <= set(index)
    assert len(index) <= 50 and np.all(np.diff(index) > 0)
    assert len(plots.downsample_indices(100_000, max_points=50, keep=(-1, 10**9))) <= 50  # out of range: ignored


def test_needs_log_scale():
    assert plots.needs_log_scale([1.0, 1000.0]) and not plots.needs_log_scale([1.0, 50.0])
    assert not plots.needs_log_scale([-1.0, 1.0, 1000.0])  # a log axis cannot show a negative value
    assert plots.needs_log_scale([np.nan, np.inf, 0.0, 1e-3, 1.0])  # only positive finite values count


@pytest.mark.parametrize(
    "hover, expected",
    [(True, (None, None)), (False, ("skip", None)), ("%{y}<extra></extra>", (None, "%{y}<extra></extra>"))],
)
def test_reference_line_is_a_horizontal_trace(hover, expected):
    fig = plots.reference_line(go.Figure(), [3, 7, 10], 2.5, "floor", hover=hover)
    (line,) = fig.data
    assert list(line.x) == [3, 10] and list(line.y) == [2.5, 2.5] and line.name == "floor"
    assert line.line.dash == "dash" and line.line.color == _style.REFERENCE_GREY
    assert (line.hoverinfo, line.hovertemplate) == expected


def test_colour_helpers():
    assert _style.color(len(plots.PALETTE) + 1) == plots.PALETTE[1]
    assert _style.transparent("rgb(1, 2, 3)", 0.5) == "rgba(1, 2, 3, 0.5)"
    assert len(plots.sequential_colors(4)) == 4 and len(plots.sequential_colors(1)) == 1


def test_labels():
    assert [plots.layer_name(i, 3) for i in range(3)] == ["hidden 1", "hidden 2", "output"]
    assert plots.layer_name(1, 2, "dead_fraction") == "hidden 2"  # hidden-only metric: no output layer
    assert [plots.grid_label(v) for v in (0.001, 2.0, "he", 3)] == ["0.001", "2", "he", "3"]
    assert _style.grid_title("lr") == "learning rate" and _style.grid_title("width") == "width"


def test_tidy_stacks_in_column_order_and_keeps_the_columns_when_empty():
    import pandas as pd

    frames = [pd.DataFrame({"b": [1], "a": [2]}), pd.DataFrame({"b": [3], "a": [4]})]
    stacked = _style.tidy(frames, ["a", "b"])
    assert stacked.columns.tolist() == ["a", "b"] and stacked.a.tolist() == [2, 4]
    assert _style.tidy([], ["a", "b"]).columns.tolist() == ["a", "b"]


def test_long_titles_wrap_between_words_and_keep_a_parenthesis_whole():
    from nnlab.plots._style import wrap_title

    assert wrap_title("Loss") == ("Loss", 0)
    title = "Loss: training rows (solid), test rows (dotted)"
    wrapped, extra = wrap_title(title, width=30)
    assert wrapped == "Loss: training rows (solid),<br>test rows (dotted)" and extra == 1
    assert (
        wrap_title("The doctor's verdict on each cell (2 seeds)", width=38)[0]
        == "The doctor's verdict on each cell<br>(2 seeds)"
    )
    fig = plots.layout(go.Figure(), title, height=300)  # each added line adds its height to the margin
    assert fig.layout.height > 300 and fig.layout.margin.t > 50


def test_an_r2_curve_clipped_at_minus_one_says_how_far_it_went():
    from types import SimpleNamespace

    r2 = np.array([-148.9, -3.0, 0.2, 0.5])
    history = SimpleNamespace(r2=r2, val_r2=np.array([0.0, 0.1, 0.2, 0.3]), diverged_at=None)
    data = plots.r2_data({"net": history})
    assert data["value"].min() == -1.0  # drawn clipped ...
    clipped = data.attrs["clipped"]
    assert clipped[["run", "split", "epoch", "value"]].values.tolist() == [["net", "train", 0, -148.9]]
    fig = plots.r2_curves_figure(data, "R²")
    assert [(a.x, a.y, a.text) for a in fig.layout.annotations] == [(0, -1.0, "-148.9")]  # ... and marked
