"""Figures of the Compare runs page: each data half checked by equality, each figure by its traces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nnlab import data, health, plots
from nnlab.sweeps import sweep


@pytest.fixture(scope="module")
def dataset():
    return data.make_dataset("diabetes", "sklearn", "standardize", split_seed=42)


@pytest.fixture(scope="module")
def seeded(dataset):
    """2 inits × 3 rates × 2 seeds, 40 epochs; lr 5 blows up for he (and not for zeros)."""
    return sweep(
        dataset.X_train,
        dataset.y_train,
        grid={"init": ["zeros", "he"], "lr": [0.01, 0.1, 5.0]},
        seeds=2,
        eval_set=(dataset.X_test, dataset.y_test),
        n_jobs=1,
        base=dict(hidden=(16, 8), epochs=40, record_every=40),
    )


def table_of(rows):
    return pd.DataFrame(rows, columns=["init", "lr", "seed", "final_val_loss", "diverged_at"]).astype(
        {"diverged_at": "Int64"}
    )


def heatmap_trace(fig):
    return next(t for t in fig.data if t.type == "heatmap" and t.text is not None)


# -- heatmaps ---------------------------------------------------------------------------------------


def test_heatmap_cells_are_seed_means_with_diverged_cells_marked():
    table = table_of(
        [
            ("he", 0.01, 0, 0.5, None),
            ("he", 0.01, 1, 0.7, None),
            ("he", 2.0, 0, 9.0, 3),
            ("he", 2.0, 1, 0.9, None),
            ("zeros", 0.01, 0, 0.88, None),
            ("zeros", 0.01, 1, 0.88, None),
            ("zeros", 2.0, 0, 0.88, None),
            ("zeros", 2.0, 1, 0.88, None),
        ]
    )
    fig = plots.grid_heatmap_figure(table, "final_val_loss", "t", "test MSE", reverse=True)
    heat = heatmap_trace(fig)
    assert list(heat.x) == ["0.01", "2"] and list(heat.y) == ["he", "zeros"]
    np.testing.assert_allclose(np.array(heat.z, dtype=float), [[0.6, np.nan], [0.88, 0.88]])
    assert heat.text[0][1] == "✕ diverged"  # one seed of two blew up: the cell is marked
    assert heat.text[0][0] == "0.6"
    grey = [t for t in fig.data if t is not heat]
    assert len(grey) == 1 and not grey[0].showscale
    np.testing.assert_array_equal(np.isnan(np.array(grey[0].z, dtype=float)), [[True, False], [True, True]])
    assert fig.layout.xaxis.title.text == "learning rate" and fig.layout.yaxis.title.text == "initializer"
    assert heat.reversescale


def test_heatmap_colours_go_log_over_a_wide_range_and_clip_below_low():
    table = table_of([("he", 0.1, 0, 0.5, None), ("he", 1.0, 0, 1800.0, None)])
    heat = heatmap_trace(plots.grid_heatmap_figure(table, "final_val_loss", "t", "MSE"))
    np.testing.assert_allclose(np.array(heat.z, dtype=float), [np.log10([0.5, 1800.0])])
    assert list(heat.text[0]) == ["0.5", "1.8e+03"]  # the text keeps the real numbers
    assert "log" in heat.colorbar.title.text
    r2 = table.assign(final_val_loss=[0.45, -2082.0])
    heat = heatmap_trace(plots.grid_heatmap_figure(r2, "final_val_loss", "t", "R²", low=-1.0))
    np.testing.assert_allclose(np.array(heat.z, dtype=float), [[0.45, -1.0]])
    assert len(plots.grid_heatmap_figure(r2, "final_val_loss", "t", "R²").data) == 1  # no ✕, no grey


def test_empty_heatmap_and_preview_say_what_comes():
    fig = plots.grid_heatmap_figure(pd.DataFrame(), "final_val_loss", "Test loss", "MSE", message="Press it")
    assert not fig.data and fig.layout.annotations[0].text == "Press it"
    preview = plots.grid_preview_figure(["zeros", "he"], [0.001, 2.0], "The grid")
    (cells,) = preview.data
    assert np.shape(cells.z) == (2, 2) and list(cells.x) == ["0.001", "2"] and list(cells.y) == ["zeros", "he"]
    assert preview.layout.xaxis.title.text == "learning rate"
    assert not plots.grid_preview_figure([], [0.1], "The grid").data


# -- loss curves with bands -------------------------------------------------------------------------


def test_bands_data_is_mean_and_range_over_seeds(seeded):
    band = plots.bands_data(seeded.band("val_loss"))
    part = band[(band.init == "he") & (band.lr == 0.1)]
    runs = [h.val_loss for h, c in zip(seeded.histories, seeded.configs) if c.init == "he" and c.lr == 0.1]
    assert len(runs) == 2 and part.epoch.tolist() == list(range(40))
    np.testing.assert_allclose(part["mean"], np.mean(runs, axis=0))
    np.testing.assert_allclose(part["lower"], np.min(runs, axis=0))
    np.testing.assert_allclose(part["upper"], np.max(runs, axis=0))
    std = plots.bands_data(seeded.band("val_loss"), spread="std")
    part = std[(std.init == "he") & (std.lr == 0.1)]
    np.testing.assert_allclose(part["upper"] - part["mean"], np.std(runs, axis=0, ddof=1))


def test_bands_data_thins_long_curves_and_drops_epochs_no_run_reached():
    epochs = np.arange(5000)
    band = pd.DataFrame(
        {
            "init": "he",
            "lr": 0.1,
            "label": "init=he, lr=0.1",
            "epoch": epochs,
            "mean": 1.0 / (1 + epochs),
            "std": np.nan,
            "min": 1.0 / (1 + epochs),
            "max": 1.0 / (1 + epochs),
            "n": np.where(epochs < 4000, 1, 0),
        }
    )
    thinned = plots.bands_data(band, max_points=500)
    assert len(thinned) <= 500 and thinned.epoch.iloc[0] == 0 and thinned.epoch.iloc[-1] == 3999
    assert (thinned["lower"] == thinned["upper"]).all()


def test_bands_figure_one_line_per_grid_point_a_band_per_seeded_one_and_a_cross_per_blow_up(seeded):
    data = plots.bands_data(seeded.band("val_loss"))
    diverged = plots.diverged_runs_data(seeded.table, seeded.histories, "val_loss")
    fig = plots.bands_figure(data, "Test loss", "test loss (MSE)", diverged=diverged)
    lines = [t for t in fig.data if t.mode == "lines" and t.fill is None]
    bands = [t for t in fig.data if t.fill == "toself"]
    crosses = [t for t in fig.data if t.mode == "markers"]
    assert len(lines) == 6  # 2 inits × 3 rates
    assert len(bands) == 3  # he's; zeros starts from the same W = 0 whatever the seed: no spread, no band
    assert len(crosses) == diverged.init.nunique() >= 1
    assert all(len(t.x) <= plots.MAX_POINTS for t in fig.data)
    assert [a.text for a in fig.layout.annotations] == ["initializer: zeros", "initializer: he"]
    assert fig.layout.xaxis.title.text == "epoch" and fig.layout.yaxis.title.text == "test loss (MSE)"
    # The blow-ups leave the chart through its top; the ✕ sits on the top edge.
    top = fig.layout.yaxis.range[1]
    calm = data[~data.lr.isin(diverged.lr)]
    assert (10**top if fig.layout.yaxis.type == "log" else top) >= calm["upper"].max()
    for cross in crosses:
        assert max(cross.y) <= (10**top if fig.layout.yaxis.type == "log" else top) + 1e-9


def test_bands_figure_without_seeds_has_lines_only_and_empty_input_a_message(seeded):
    band = seeded.band("loss", by=["init", "lr", "seed"])
    one_seed = plots.bands_data(band[band.seed == 0])
    fig = plots.bands_figure(one_seed, "Loss", "MSE")
    assert len(fig.data) == 6 and all(t.fill is None for t in fig.data)
    empty = plots.bands_figure(plots.bands_data(band.iloc[:0]), "Loss", "MSE")
    assert not empty.data and "Train the grid" in empty.layout.annotations[0].text


def test_diverged_runs_data_names_each_blow_up(seeded):
    diverged = plots.diverged_runs_data(seeded.table, seeded.histories, "loss")
    expected = seeded.table[seeded.table.diverged_at.notna()]
    assert diverged[["init", "lr", "seed"]].values.tolist() == expected[["init", "lr", "seed"]].values.tolist()
    assert diverged.epoch.tolist() == expected.diverged_at.astype(int).tolist()
    for row, run in zip(diverged.itertuples(), expected.index):
        assert row.value == pytest.approx(seeded.histories[run].loss[row.epoch], nan_ok=True)


# -- first gradients --------------------------------------------------------------------------------


def test_initial_gradients_are_epoch_zero_norms_averaged_per_init(seeded):
    inits = [c.init for c in seeded.configs]
    grads = plots.initial_gradients_data(seeded.histories, inits)
    assert grads.group.unique().tolist() == ["zeros", "he"]
    assert grads.layer.unique().tolist() == ["hidden 1", "hidden 2", "output"]
    he = np.mean([h.grad_norm[0] for h, i in zip(seeded.histories, inits) if i == "he"], axis=0)
    np.testing.assert_allclose(grads[grads.group == "he"].grad_norm, he)
    assert (grads.runs == 6).all()  # 3 rates × 2 seeds each
    # With W = 0 every weight gradient of a ReLU network is exactly 0 (ReLU(0) = 0 feeds the output too).
    assert (grads[grads.group == "zeros"].grad_norm == 0).all()


def test_initial_gradients_summary_measures_balance_and_size():
    grads = pd.DataFrame(
        {
            "group": ["he"] * 3 + ["random"] * 3 + ["zeros"] * 3,
            "layer": ["hidden 1", "hidden 2", "output"] * 3,
            "grad_norm": [0.1, 0.2, 0.4, 1e-4, 1e-4, 1e-4, 0.0, 0.0, 0.0],
            "runs": 1,
        }
    )
    summary = health.initial_gradients_summary(grads).set_index("group")
    assert summary.loc["he", "spread"] == pytest.approx(4.0)
    assert summary.loc["he", "relative"] == pytest.approx(1.0)
    assert summary.loc["random", "relative"] == pytest.approx(1e-4 / 0.2)  # geometric mean of he's is 0.2
    assert summary.loc["zeros", "all_zero"] and summary.loc["zeros", "hidden_zero"]
    assert np.isnan(summary.loc["zeros", "spread"]) and not summary.loc["he", "hidden_zero"]
    sigmoid_zeros = grads.assign(grad_norm=[0.1, 0.2, 0.4, 1e-4, 1e-4, 1e-4, 0.0, 0.0, 0.3])
    zeros = health.initial_gradients_summary(sigmoid_zeros).set_index("group").loc["zeros"]
    assert zeros.hidden_zero and not zeros.all_zero


def test_initial_gradients_figure_groups_bars_on_a_log_axis(seeded):
    grads = plots.initial_gradients_data(seeded.histories, [c.init for c in seeded.configs])
    fig = plots.initial_gradients_figure(grads)
    assert [t.type for t in fig.data] == ["bar", "bar"] and fig.layout.barmode == "group"
    assert fig.data[0].name == "zeros (every one exactly 0: no bars)" and fig.data[1].name == "he"
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.title.text
    assert fig.layout.xaxis.title.text.startswith("layer")
    only_zeros = plots.initial_gradients_figure(grads[grads.group == "zeros"])
    assert only_zeros.layout.yaxis.type == "linear"  # nothing to put on a log axis
    assert not plots.initial_gradients_figure(grads.iloc[:0]).data


def test_pair_figure_calls_the_eval_set_test_rows(seeded):
    fig = plots.pair_figure({"A": seeded.histories[0], "B": seeded.histories[3]})
    assert [t.name for t in fig.data if t.mode == "lines"] == ["A", "A (test)", "B", "B (test)"]
    assert fig.layout.legend.y < 0


def test_a_group_keeps_its_colour_whatever_else_is_shown(seeded):
    grads = plots.initial_gradients_data(seeded.histories, [c.init for c in seeded.configs])
    order = ["zeros", "random", "xavier", "he"]
    both = plots.initial_gradients_figure(grads, order=order)
    he_only = plots.initial_gradients_figure(grads[grads.group == "he"], order=order)
    assert both.data[1].marker.color == he_only.data[0].marker.color == plots.PALETTE[3]
