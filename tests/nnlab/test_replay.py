"""nnlab.plots.replay: which snapshots a replay plays, and that every frame shows that snapshot."""

from __future__ import annotations

import numpy as np
import pytest
from diabetes_runs import X_TEST, Y_MEAN, Y_STD, Z_TEST, fit, forward

import nnlab
from nnlab import data, learned, plots
from nnlab.plots import replay
from nnlab.plots.weights import WIDTH_CLASSES

DIAGRAM = 2 * WIDTH_CLASSES  # the diagram's edge traces, one per sign × width class: the frame's first traces


def units(y):
    return np.asarray(y) * Y_STD + Y_MEAN


@pytest.fixture(scope="module")
def run():
    """150 epochs, a snapshot every epoch: 151 snapshots, more than a replay plays."""
    return fit(epochs=150)


@pytest.fixture(scope="module")
def played(run):
    replayed = replay.replay_data(run.history_, "relu", X_TEST, Z_TEST, units)
    return replayed, replay.replay_figure(replayed, [f"f{i}" for i in range(10)], "progression")


def test_frames_are_evenly_spread_over_the_snapshots_first_and_last_in(run):
    snapshots = replay.frame_snapshots(run.history_)
    assert len(run.history_.snapshot_epochs) == 151
    assert len(snapshots) == replay.MAX_FRAMES == 60
    assert snapshots[0] == 0 and snapshots[-1] == 150
    assert set(np.diff(snapshots)) <= {2, 3}  # 150 / 59 ≈ 2.54: steps of 2 and 3, no gaps beyond
    few = fit(epochs=20).history_
    np.testing.assert_array_equal(replay.frame_snapshots(few), np.arange(21))  # ≤ 60 snapshots: every one


def test_a_run_that_blew_up_replays_only_what_came_before():
    history = fit(lr=50.0, epochs=60).history_
    assert history.diverged_at is not None
    epochs = history.snapshot_epochs[replay.frame_snapshots(history)]
    assert epochs.max() < history.diverged_at


def test_the_figure_has_one_frame_per_snapshot_and_a_slider_step_each(run, played):
    replayed, fig = played
    epochs = run.history_.snapshot_epochs[replay.frame_snapshots(run.history_)]
    assert [frame.name for frame in fig.frames] == [str(e) for e in epochs]
    assert [step.label for step in fig.layout.sliders[0].steps] == [str(e) for e in epochs]
    assert [list(step.args[0]) for step in fig.layout.sliders[0].steps] == [[str(e)] for e in epochs]
    buttons = fig.layout.updatemenus[0].buttons
    speeds = {b.label: b.args[1]["frame"]["duration"] for b in buttons if b.args[0] is None}
    assert speeds == replay.FRAME_MS  # three speeds of Play
    assert [b.label for b in buttons if b.args[0] is not None and list(b.args[0]) == [None]] == ["Pause"]
    # Frames change the traces in place: a redraw of all six panels per frame plays at a third of the rate.
    steps = [b.args[1] for b in buttons if b.args[0] is None] + [s.args[1] for s in fig.layout.sliders[0].steps]
    assert all(step["frame"]["redraw"] is False for step in steps)


def _frame(fig, k):
    """{trace index in the figure: the trace frame k puts there}."""
    frame = fig.frames[k]
    return dict(zip(frame.traces, frame.data))


def test_frame_k_shows_the_snapshot_at_its_epoch(run, played):
    history = run.history_
    replayed, fig = played
    layers = len(history.weights)
    biggest = max(np.abs(history.weights[layer][s][:12, :12]).max() for s in replayed.snapshots for layer in range(3))
    for k in (0, 17, len(fig.frames) - 1):
        snapshot, traces = replayed.snapshots[k], _frame(fig, k)
        assert history.snapshot_epochs[snapshot] == replayed.epochs[k]
        weights = [w[snapshot] for w in history.weights]
        # The diagram: per (sign, width class), as many line segments as drawn weights in that class.
        drawn = np.concatenate([W[:12, :12].ravel() for W in weights])
        classes = np.minimum((np.abs(drawn) / biggest * 6).astype(int), 5)
        for i, sign in enumerate((1, -1)):
            for width in range(6):
                segments = np.asarray(traces[i * 6 + width].x).size // 3
                assert segments == np.sum((np.sign(drawn) == sign) & (classes == width))
        # The epoch marker: on the training loss, at the frame's epoch.
        marker = traces[DIAGRAM]
        epoch = replayed.epochs[k]
        loss = history.loss[epoch] if epoch < history.epochs else history.final_loss
        assert list(marker.x) == [epoch] and marker.y[0] == pytest.approx(loss)
        # The histograms: each layer's W and ∂L/∂W of this snapshot on the shared bins.
        for layer in range(layers):
            values = history.weights[layer][snapshot].ravel()
            counts = np.histogram(values, replayed.weight_edges)[0] / values.size
            np.testing.assert_allclose(traces[DIAGRAM + 1 + layer].y, counts, rtol=1e-6)
            # Gradients by size, log10 |g|: an exact zero (a dead unit's weight) counts in the first bin.
            grads = np.abs(history.weight_grads[layer][snapshot].ravel())
            low, high = replayed.grad_edges[0], replayed.grad_edges[-1]
            sizes = np.log10(np.where(grads > 0, grads, 10.0**low))
            counts = np.histogram(np.clip(sizes, low, high), replayed.grad_edges)[0] / grads.size
            np.testing.assert_allclose(traces[DIAGRAM + 1 + layers + layer].y, counts, rtol=1e-6)
        # Predicted vs actual: the network written out at this snapshot.
        biases = [b[snapshot] for b in history.biases]
        np.testing.assert_allclose(
            traces[DIAGRAM + 1 + 2 * layers].y, units(forward(weights, biases, X_TEST)[:, 0]), rtol=1e-6
        )


def test_the_first_frame_is_the_figure_as_it_opens(played):
    replayed, fig = played
    for index, trace in _frame(fig, 0).items():
        for axis in ("x", "y"):
            if trace[axis] is not None:
                np.testing.assert_allclose(np.asarray(fig.data[index][axis], float), np.asarray(trace[axis], float))


def test_no_trace_in_any_frame_has_more_than_2000_points():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6000, 2))
    y = np.sin(X[:, 0])
    model = nnlab.MLP(hidden=(8, 4), epochs=5, lr=0.05).fit(X[:3000], y[:3000])
    grid = learned.function_grid(X[:3000], X[3000:])
    replayed = replay.replay_data(model.history_, "relu", X[3000:], y[3000:], grid=grid, train=(X[:3000], y[:3000]))
    fig = replay.replay_figure(replayed, ["x1", "x2"], "y")
    traces = list(fig.data) + [trace for frame in fig.frames for trace in frame.data]
    for trace in traces:
        for axis in ("x", "y", "z"):
            values = getattr(trace, axis, None)
            if values is not None:
                assert np.asarray(values).size <= plots.MAX_POINTS, (trace.type, axis)
    assert len(replayed.actual) == plots.MAX_POINTS  # 3,000 test rows thinned to the cap


@pytest.mark.parametrize("source", ["sine", "surface"])
def test_on_1d_and_2d_data_each_frame_draws_the_function_at_its_snapshot(source):
    dataset = data.make_dataset(source)
    model = nnlab.MLP(hidden=(8, 4), epochs=80, lr=0.05).fit(dataset.X_train, dataset.y_train)
    grid = learned.function_grid(dataset.X_train, dataset.X_test)
    replayed = replay.replay_data(
        model.history_, "relu", dataset.X_test, dataset.y_test, grid=grid, train=(dataset.X_train, dataset.y_train)
    )
    fig = replay.replay_figure(replayed, dataset.feature_names, "y")
    for k in (0, len(fig.frames) - 1):
        function = fig.frames[k].data[-1]
        expected = learned.predict_at(model.history_, replayed.snapshots[k], grid[0], "relu")
        if source == "sine":
            np.testing.assert_allclose(function.y, expected, rtol=1e-5, atol=1e-6)
        else:  # the surface as coloured squares, one per grid point (a scatter updates in place)
            np.testing.assert_allclose(function.marker.color, expected, rtol=1e-5, atol=1e-6)
    surface = fig.data[len(fig.frames[0].data) - 1]
    if source == "surface":
        np.testing.assert_array_equal(np.c_[surface.x, surface.y], grid[0])
        assert surface.marker.symbol == "square"


def test_every_frame_keeps_the_axes_of_the_whole_run(played):
    replayed, fig = played
    # Plotly does not rescale an axis while it animates: each range must hold every frame.
    low, high = fig.layout.xaxis5.range
    assert low <= np.nanmin(replayed.predicted) and high >= np.nanmax(replayed.predicted)
    assert fig.layout.yaxis3.range[1] >= replayed.weight_shares.max()


def test_the_activation_replay_has_each_layers_gradient_at_each_frames_epoch():
    histories = {"relu": fit(epochs=100).history_, "tanh": fit(epochs=100, activation="tanh").history_}
    epochs, norms, losses = replay.layer_replay_data(histories)
    assert len(epochs) == 60 and epochs[0] == 0 and epochs[-1] == 99
    fig = replay.layer_replay_figure(epochs, norms, losses)
    for k in (0, 30, 59):
        traces = fig.frames[k].data
        for i, history in enumerate(histories.values()):
            np.testing.assert_allclose(traces[i].y, history.grad_norm[epochs[k]])
            assert list(traces[2 + i].x) == [epochs[k]]
            assert traces[2 + i].y[0] == pytest.approx(history.loss[epochs[k]])
    assert len(fig.layout.sliders[0].steps) == 60


def test_no_run_gives_an_empty_titled_figure():
    assert len(replay.replay_figure(None, [], "y").data) == 0
    assert replay.layer_replay_figure(np.array([]), {}, {}).layout.title.text


def test_the_training_rows_behind_the_function_are_thinned_and_kept_in_units():
    dataset = data.make_dataset("sine", target_scaling="standardize")
    model = nnlab.MLP(hidden=(8, 4), epochs=10, lr=0.05).fit(dataset.X_train, dataset.y_train)
    grid = learned.function_grid(dataset.X_train)
    replayed = replay.replay_data(
        model.history_,
        "relu",
        dataset.X_test,
        dataset.y_test,
        dataset.to_original_units,
        grid=grid,
        train=(dataset.X_train, dataset.y_train),
    )
    np.testing.assert_allclose(replayed.points[1], dataset.to_original_units(dataset.y_train))
    np.testing.assert_allclose(replayed.actual, dataset.to_original_units(dataset.y_test))


def test_gradient_histograms_count_exact_zeros_in_the_first_bin():
    sizes = replay.gradient_sizes(np.array([0.0, -1e-3, 1e-2, 1e-1]))
    assert sizes[0] == -np.inf
    np.testing.assert_allclose(sizes[1:], [-3, -2, -1])
    shares, edges = replay.shared_histograms([[np.where(np.isneginf(sizes), -3.0, sizes)]], (-3.0, -1.0), bins=2)
    np.testing.assert_array_equal(edges, [-3, -2, -1])
    # bins [-3, -2) and [-2, -1]: the zero and 1e-3 in the first, 1e-2 and 1e-1 in the last
    np.testing.assert_array_equal(shares[0, 0], [0.5, 0.5])
