"""The landscape's figures: the data half by equality, the figure half by its traces and what it writes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

import nnlab
from nnlab import explain_landscape, landscape, plots

X_ALL, Y_ALL = load_diabetes(return_X_y=True)
X, Y = X_ALL[:100], Y_ALL[:100]


@pytest.fixture(scope="module")
def model():
    return nnlab.MLP(hidden=(), init="zeros", lr=0.5, epochs=30).fit(X, Y)


@pytest.fixture(scope="module")
def surface(model):
    return landscape.plane(model, X, Y, steps=9)


def test_landscape_data_colours_log10_of_a_loss_spanning_decades(surface):
    grid, path = plots.landscape_data(surface)
    np.testing.assert_array_equal(grid["loss"], surface.loss)
    assert grid["log"] == (surface.loss.max() / surface.loss.min() > 100)
    np.testing.assert_allclose(grid["z"], np.log10(surface.loss) if grid["log"] else surface.loss)
    low, high = grid["range"]
    assert low == grid["z"].min() and high >= np.quantile(grid["z"], plots.landscape.COLOR_QUANTILE)
    np.testing.assert_array_equal(path.epoch, surface.epochs)
    np.testing.assert_array_equal(path[["a", "b"]].to_numpy(), surface.path)


def test_the_colours_reach_up_to_the_highest_ground_under_the_path():
    axis = np.linspace(-1, 1, 5)
    loss = 1 + np.add.outer(axis**2, axis**2)  # 1 at the centre, 3 in the corners
    loss[0, 0] = 50.0  # one far corner: above the 85% quantile
    base = landscape.Surface(
        "pca", axis, axis, loss, np.array([[-1.0, -1.0], [0.0, 0.0]]), np.array([0, 9]), 1.0, np.ones(2), 1.0, None
    )
    grid, _ = plots.landscape_data(base)
    top = 50.0 + plots.landscape.PATH_HEADROOM * 49.0
    assert grid["range"] == (1.0, top), "the path starts in that corner: its colour is on the scale, below the top"
    base.path = np.array([[-0.5, 0.0], [0.0, 0.0]])
    grid, _ = plots.landscape_data(base)
    assert grid["range"] == (1.0, np.quantile(loss, plots.landscape.COLOR_QUANTILE))


def test_landscape_data_names_epochs_between_the_ends_and_thins_long_paths(surface):
    _, path = plots.landscape_data(surface, labelled=4)
    # 31 points, 4 names evenly spaced over them (0, 10, 20, 30): the two ends have markers instead.
    assert list(path.label[path.label != ""]) == ["epoch 10", "epoch 20"]
    _, short = plots.landscape_data(surface, max_points=10)
    assert len(short) == 10 and short.epoch.iloc[0] == 0 and short.epoch.iloc[-1] == 30
    assert short.attrs == {"shown": 10, "recorded": 31}


def test_no_epoch_is_written_under_the_markers_of_the_start_and_the_end(surface):
    near = landscape.Surface(**{**surface.__dict__, "path": surface.path.copy()})
    near.path[10] = [0.01 * near.x[-1], 0.01 * near.y[-1]]  # epoch 10 lands next to the end
    _, path = plots.landscape_data(near, labelled=4)
    assert list(path.label[path.label != ""]) == ["epoch 20"]
    near.path[20] = near.path[0] + 0.01 * near.x[-1]  # and epoch 20 next to the start
    _, path = plots.landscape_data(near, labelled=4)
    assert list(path.label[path.label != ""]) == []


def test_infinite_losses_are_drawn_as_the_largest_finite_one(surface):
    blown = landscape.Surface(**{**surface.__dict__, "loss": surface.loss.copy()})
    blown.loss[0, 0] = np.inf
    grid, _ = plots.landscape_data(blown)
    assert grid["loss"][0, 0] == np.delete(surface.loss.ravel(), 0).max()


def test_landscape_figure_has_contours_the_path_its_ends_and_the_share_written_on_it(surface):
    grid, path = plots.landscape_data(surface)
    fig = plots.landscape_figure(grid, path, surface, "Loss around the end")
    assert [t.type for t in fig.data] == ["contour", "scatter", "scatter", "scatter"]
    contour, line, start, end = fig.data
    assert (start.name, end.name) == ("start, epoch 0", "end, epoch 30")
    assert (start.x[0], start.y[0]) == tuple(surface.path[0]) and (end.x[0], end.y[0]) == (0.0, 0.0)
    assert end.marker.symbol == "star"
    note = [a.text.replace("<br>", " ") for a in fig.layout.annotations]  # wrapped to the chart's width
    assert note == [explain_landscape.share_note("pca", surface.explained)]
    assert fig.layout.xaxis.title.text == explain_landscape.axis_title("pca", 0, surface.explained_axes[0])
    assert all(len(line) <= plots.landscape.NOTE_CHARS for line in fig.layout.annotations[0].text.split("<br>"))
    assert list(fig.layout.xaxis.range) == [surface.x[0], surface.x[-1]]


def test_a_low_share_is_written_in_red():
    rng = np.random.default_rng(0)
    base = landscape.Surface(
        kind="pca",
        x=np.linspace(-1, 1, 3),
        y=np.linspace(-1, 1, 3),
        loss=rng.uniform(1, 2, (3, 3)),
        path=np.array([[-0.5, -0.5], [0.0, 0.0]]),
        epochs=np.array([0, 10]),
        explained=0.4,
        explained_axes=np.array([0.3, 0.1]),
        center_loss=1.5,
        directions=np.eye(2),
    )
    fig = plots.landscape_figure(*plots.landscape_data(base), base, "t")
    (note,) = fig.layout.annotations
    assert note.text.startswith("This plane holds only 40%") and note.font.color == plots.landscape.LOW_SHARE_COLOR
    base.explained = 0.9
    fig = plots.landscape_figure(*plots.landscape_data(base), base, "t")
    assert fig.layout.annotations[0].font.color != plots.landscape.LOW_SHARE_COLOR


def test_a_linear_colour_bar_ticks_round_numbers():
    assert plots.landscape.nice_ticks(0.4973, 0.9424) == [0.5, 0.6, 0.7, 0.8, 0.9]
    assert plots.landscape.nice_ticks(3042, 29_700) == [5000, 10_000, 15_000, 20_000, 25_000]


def test_the_colour_bar_of_a_log_landscape_ticks_powers_of_ten():
    assert plots.landscape.power_label(3) == "10³" and plots.landscape.power_label(-2) == "10⁻²"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)
        model = nnlab.MLP(hidden=(), init="zeros", lr=3.0, epochs=100).fit(X, (Y - Y.mean()) / Y.std())
    surface = landscape.plane(model, X, (Y - Y.mean()) / Y.std(), steps=9)
    grid, path = plots.landscape_data(surface)
    assert grid["log"]
    colorbar = plots.landscape_figure(grid, path, surface, "t").data[0].colorbar
    assert colorbar.title.text == "training loss (log scale)"
    low, high = grid["range"]
    assert list(colorbar.tickvals) == list(np.arange(np.floor(low), np.ceil(high) + 1))


def test_line_data_and_figure_mark_the_start_and_the_end(model):
    section = landscape.line(model, X, Y, steps=21)
    data = plots.line_data(section)
    np.testing.assert_array_equal(data.alpha, section.alpha)
    np.testing.assert_array_equal(data.loss, section.loss)
    assert data.attrs["start"] == (0.0, section.start_loss, 0) and data.attrs["end"] == (1.0, section.end_loss, 30)
    fig = plots.line_figure(data)
    assert [t.type for t in fig.data] == ["scatter"] * 3
    assert [t.name for t in fig.data[1:]] == ["start, epoch 0", "end, epoch 30"]
    assert fig.data[2].y[0] == section.end_loss
    assert fig.layout.yaxis.type == ("log" if plots.needs_log_scale(section.loss) else "linear")
