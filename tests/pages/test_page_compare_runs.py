"""The Compare runs page under AppTest: empty state, training the grid, its charts checked against
the sweep's own table, the controls, picking two runs, and the grid in the URL."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab import data
from nnlab.sweeps import LOAD_SNIPPET, sweep

PAGE = "compare_runs"
SUBMIT = "FormSubmitter:compare-grid-Train the grid"
SMALL = {"inits": ["xavier", "he"], "lrs": ["0.01", "0.1"], "epochs": "50"}  # 4 quick runs, none diverges
KEYS = {"inits": "inits", "lrs": "lrs", "seeds": "seeds", "epochs": "epochs", "activation": "act"}


def stored(at):
    """The compare page's latest Run in the session's run store."""
    return at.session_state["nnlab.training"].latest["compare"]


def train(at):
    at.button(key=SUBMIT).click()
    return at.run()


def chart(at, key, figure_data):
    """The figure of the plotly chart drawn with this key."""
    matches = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key) or key in c.proto.id]
    assert len(matches) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return figure_data(matches[0])


def cells(figure):
    """(z, text) of the heatmap that carries the numbers (not the grey layer under ✕ cells)."""
    heat = next(t for t in figure["data"] if t["type"] == "heatmap" and "text" in t)
    return np.asarray(heat["z"], dtype=float), np.asarray(heat["text"]), heat


def expected_grid(table, value):
    """The table's value per (init, lr), mean over seeds, NaN where any seed diverged."""
    means = table.groupby(["init", "lr"], sort=False)[value].mean().unstack("lr")
    blown = table.assign(d=table.diverged_at.notna()).groupby(["init", "lr"], sort=False)["d"].any().unstack("lr")
    return means.where(~blown).to_numpy(dtype=float)


def no_problems(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_default_page_waits_for_the_button_with_the_grid_in_view(run_page, figure_data):
    at = run_page(PAGE)  # how fast, and the grid's training: benchmarks/page_speed.py
    no_problems(at)
    assert not at.warning
    assert "compare" not in at.session_state["nnlab.training"].latest
    preview = chart(at, "compare-heatmap-empty", figure_data)
    (grid,) = preview["data"]
    assert np.shape(grid["z"]) == (4, 4)
    assert list(grid["y"]) == ["zeros", "random", "xavier", "he"] and list(grid["x"]) == ["0.001", "0.01", "0.1", "2"]
    assert "16 runs" in at.info[0].value
    assert not {"inits", "lrs", "seeds", "epochs", "act"} & set(at.query_params), "defaults stay out of the URL"


def test_training_the_default_grid_fills_every_chart_from_the_sweep(run_page, figure_data):
    at = train(run_page(PAGE))
    no_problems(at)
    result = stored(at).result
    table = result.table
    assert len(table) == 16 and table.diverged_at.notna().any(), "lr 2 blows up: a result, not an error"

    z, text, heat = cells(chart(at, "compare-heatmap-loss", figure_data))
    np.testing.assert_allclose(z, expected_grid(table, "final_val_loss"), rtol=1e-12)
    assert (text == "✕ diverged").sum() == table.diverged_at.notna().sum()
    assert heat["reversescale"]  # low loss is bright, like high R²
    z, _, _ = cells(chart(at, "compare-heatmap-r2", figure_data))
    np.testing.assert_allclose(z, np.maximum(expected_grid(table, "final_val_r2"), -1.0), rtol=1e-12)
    assert any("diverged" in c.value for c in at.caption)

    curves = chart(at, "compare-curves", figure_data)
    lines = [t for t in curves["data"] if t["mode"] == "lines" and "fill" not in t]
    crosses = [t for t in curves["data"] if t["mode"] == "markers"]
    assert len(lines) == 16 and len(crosses) == table[table.diverged_at.notna()].init.nunique()
    assert not [t for t in curves["data"] if t.get("fill")], "one seed: no bands"
    he = next(t for t in lines if t["xaxis"] == "x4" and t["name"] == "learning rate 0.1")
    run = table.index[(table.init == "he") & (table.lr == 0.1)][0]
    np.testing.assert_allclose(he["y"], result.histories[run].val_loss[he["x"].astype(int)])

    grads = chart(at, "compare-gradients", figure_data)
    assert [t["type"] for t in grads["data"]] == ["bar"] * 4
    assert grads["layout"]["yaxis"]["type"] == "log"
    he_bars = next(t for t in grads["data"] if t["name"] == "he")
    np.testing.assert_allclose(he_bars["y"], result.histories[run].grad_norm[0])
    story = next(m.value for m in at.markdown if "geometric mean" in m.value)
    assert "**zeros**: every weight gradient is exactly 0." in story and "smaller than he's" in story

    pair = chart(at, "compare-pair", figure_data)
    assert len([t for t in pair["data"] if t["mode"] == "lines"]) == 4
    downloads = at.get("download_button")
    assert len(downloads) == 2
    assert downloads[1].proto.help == f"Loads back with {LOAD_SNIPPET}."  # tests/test_sweep.py runs the snippet


def test_changing_the_grid_retrains_it_and_the_numbers_match_an_independent_sweep(run_page, figure_data):
    at = run_page(PAGE)
    at.multiselect(key="inits").set_value(["he", "xavier"])
    at.multiselect(key="lrs").set_value([0.1, 0.01])
    at.select_slider(key="epochs").set_value(50)
    at.selectbox(key="act").set_value("tanh")
    at = train(at)
    no_problems(at)
    z, _, heat = cells(chart(at, "compare-heatmap-loss", figure_data))
    assert list(heat["y"]) == ["xavier", "he"] and list(heat["x"]) == ["0.01", "0.1"]
    dataset = data.make_dataset("diabetes", "sklearn", "standardize", split_seed=42)
    again = sweep(
        dataset.X_train,
        dataset.y_train,
        grid={"init": ["xavier", "he"], "lr": [0.01, 0.1]},
        eval_set=(dataset.X_test, dataset.y_test),
        n_jobs=1,
        base=dict(hidden=(64, 32), activation="tanh", epochs=50),
    )
    np.testing.assert_allclose(z, expected_grid(again.table, "final_val_loss"), rtol=1e-10)


def test_three_seeds_draw_mean_lines_with_bands(run_page, figure_data):
    at = train(run_page(PAGE, query={**SMALL, "seeds": "3"}))
    no_problems(at)
    result = stored(at).result
    assert len(result.table) == 12
    curves = chart(at, "compare-curves", figure_data)
    bands = [t for t in curves["data"] if t.get("fill") == "toself"]
    lines = [t for t in curves["data"] if t["mode"] == "lines" and "fill" not in t]
    assert len(bands) == len(lines) == 4
    assert "mean of 3 seeds" in curves["layout"]["title"]["text"].replace("<br>", " ")  # titles wrap at 1,024 px
    line = next(t for t in lines if t["xaxis"] == "x2" and t["name"] == "learning rate 0.1")
    runs = [h.val_loss for h, c in zip(result.histories, result.configs) if c.init == "he" and c.lr == 0.1]
    np.testing.assert_allclose(line["y"], np.mean(runs, axis=0))
    z, _, _ = cells(chart(at, "compare-heatmap-loss", figure_data))
    np.testing.assert_allclose(z, expected_grid(result.table, "final_val_loss"))
    assert any("mean of its 3 seeds" in c.value for c in at.caption)


def test_two_picked_runs_show_their_differences_and_curves(run_page, figure_data):
    at = train(run_page(PAGE, query=SMALL))
    result = stored(at).result
    labels = [result.label(run) for run in range(len(result))]
    run_a, run_b = (next(s for s in at.selectbox if s.label == name) for name in ("Run A", "Run B"))
    assert labels[run_a.value] == "init=he, lr=0.1, seed=0", "A starts as the lowest test loss"
    assert labels[run_b.value] == "init=xavier, lr=0.1, seed=0", "B: the same rate, another init"
    run_a.set_value(0)  # xavier, lr 0.01
    next(s for s in at.selectbox if s.label == "Run B").set_value(3)  # he, lr 0.1
    at = at.run()
    no_problems(at)
    settings, outcome = at.dataframe[0].value, at.dataframe[1].value
    assert settings.setting.tolist() == ["init", "lr"]
    assert settings["run A"].tolist() == ["xavier", "0.01"] and settings["run B"].tolist() == ["he", "0.1"]
    assert outcome["run A"][0] == f"{result.table.final_val_loss[0]:.4g}"
    pair = chart(at, "compare-pair", figure_data)
    names = [t["name"] for t in pair["data"]]
    assert names == [f"A: {labels[0]}", f"A: {labels[0]} (test)", f"B: {labels[3]}", f"B: {labels[3]} (test)"]
    np.testing.assert_allclose(pair["data"][2]["y"], result.histories[3].loss)
    next(s for s in at.selectbox if s.label == "Run B").set_value(0)
    at = at.run()
    assert any("two different runs" in i.value for i in at.info)


def test_a_link_reproduces_the_grid(run_page):
    at = run_page(
        PAGE, query={"inits": ["he", "zeros"], "lrs": ["0.05", "0.5"], "seeds": "2", "epochs": "100", "act": "tanh"}
    )
    no_problems(at)
    assert not at.warning
    assert set(at.multiselect(key="inits").value) == {"zeros", "he"}  # the grid orders them
    assert at.multiselect(key="lrs").value == [0.05, 0.5]  # 0.05 is not a preset: it joins the options
    assert at.slider(key="seeds").value == 2 and at.select_slider(key="epochs").value == 100
    assert at.selectbox(key="act").value == "tanh"
    assert "8 runs" in at.info[0].value


def test_bad_link_values_fall_back_to_the_defaults_with_a_warning(run_page):
    at = run_page(
        PAGE, query={"inits": ["he", "bogus"], "lrs": ["abc", "-1"], "seeds": "9", "epochs": "123", "act": "swish"}
    )
    no_problems(at)
    warnings = " ".join(w.value for w in at.warning)
    for name in ("inits=he&inits=bogus", "lrs=abc&lrs=-1", "seeds=9", "epochs=123", "act=swish"):
        assert name in warnings
    assert at.multiselect(key="inits").value == ["he"]  # the good part of a list is kept
    assert at.multiselect(key="lrs").value == [0.001, 0.01, 0.1, 2.0]
    assert at.slider(key="seeds").value == 1 and at.select_slider(key="epochs").value == 300
    assert at.selectbox(key="act").value == "relu"
    assert "seeds" not in at.query_params  # the URL now holds what is shown: the default
    assert not at.run().warning, "a link's warnings are shown once"


def test_an_empty_choice_keeps_the_previous_one(run_page):
    at = run_page(PAGE, query=SMALL)
    at.multiselect(key="inits").set_value([])
    at = train(at)
    no_problems(at)
    assert any("at least one initializer" in w.value for w in at.warning)
    assert at.multiselect(key="inits").value == ["xavier", "he"]
    assert len(stored(at).result.table) == 4


def test_a_grid_where_everything_diverges_is_a_result(run_page, figure_data):
    at = train(run_page(PAGE, query={"inits": "he", "lrs": ["5", "10"], "epochs": "50"}))
    no_problems(at)
    z, text, _ = cells(chart(at, "compare-heatmap-loss", figure_data))
    assert np.isnan(z).all() and (text == "✕ diverged").all()
    assert any("2 of 2 runs" in c.value or "1 of 1 runs" in c.value for c in at.caption)
    assert "Lowest test loss" not in at.markdown[1].value
    # A run with no best epoch and a loss that blew up: its table cells say "—" or a number, never None.
    shown = [str(cell) for frame in at.dataframe for cell in frame.value.to_numpy().ravel()]
    assert shown and not [cell for cell in shown if cell in ("None", "nan", "NaN", "<NA>")], shown


def test_new_data_asks_for_a_new_run(run_page):
    at = train(run_page(PAGE, query=SMALL))
    assert "compare" in at.session_state["nnlab.training"].latest
    at.sidebar.selectbox(key="source").set_value("sine")
    at = at.run()
    no_problems(at)
    assert "changed since the last run" in at.info[0].value
    assert not [c for c in at.get("plotly_chart") if "compare-heatmap-loss" in c.proto.id]


@pytest.mark.parametrize("query", [{"inits": "he", "lrs": "0.1", "epochs": "50"}])
def test_one_cell_grid(run_page, figure_data, query):
    at = train(run_page(PAGE, query=query))
    no_problems(at)
    z, _, _ = cells(chart(at, "compare-heatmap-loss", figure_data))
    assert z.shape == (1, 1)
    assert any("Pick two different runs" in i.value for i in at.info)


def test_the_curves_switch_to_training_loss(run_page, figure_data):
    at = train(run_page(PAGE, query=SMALL))
    at = at.radio(key="compare.curve").set_value("training loss").run()
    no_problems(at)
    result = stored(at).result
    curves = chart(at, "compare-curves", figure_data)
    assert curves["layout"]["title"]["text"].startswith("Training loss during training")
    line = next(t for t in curves["data"] if t["xaxis"] == "x2" and t["name"] == "learning rate 0.1")
    run = result.table.index[(result.table.init == "he") & (result.table.lr == 0.1)][0]
    np.testing.assert_allclose(line["y"], result.histories[run].loss)
