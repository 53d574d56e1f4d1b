"""The deep page's Replay and What it learned tabs, and the activation page's replay, in AppTest:
each renders with its frames, and the importance table holds nnlab's (scikit-learn's) numbers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from tabs import open_tab

from nnlab import importance
from nnlab.plots.weights import WIDTH_CLASSES

PAGE = "Deep_network"
DEFAULT = {"hidden": (64, 32), "lr": 0.03, "epochs": 300}  # the page's defaults, as a learner sees them
NAMES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
X_ALL, Y_ALL = load_diabetes(return_X_y=True)
X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = train_test_split(X_ALL, Y_ALL, test_size=0.2, random_state=42)
MEAN, STD = Y_TRAIN.mean(), Y_TRAIN.std()
Z_TRAIN, Z_TEST = (Y_TRAIN - MEAN) / STD, (Y_TEST - MEAN) / STD
MARKER = 2 * WIDTH_CLASSES  # the replay's epoch marker: the trace after the diagram's edges


@pytest.fixture(scope="module")
def reference():
    """The page's default run, trained outside the page."""
    import nnlab

    return nnlab.MLP(**DEFAULT, activation="relu", init="he", random_state=0).fit(
        X_TRAIN, Z_TRAIN, eval_set=(X_TEST, Z_TEST)
    )


def test_the_replay_tab_has_a_frame_per_played_snapshot(run_page, charts, reference):
    at = open_tab(run_page(PAGE), "deep.view", "Replay")
    assert not at.exception and not at.error
    figures = charts(at)
    assert list(figures) == ["deep-replay"], "only the open tab is drawn"
    fig = figures["deep-replay"]
    assert len(fig["frames"]) == 60  # 301 snapshots, thinned to MAX_FRAMES
    epochs = [int(frame["name"]) for frame in fig["frames"]]
    assert epochs[0] == 0 and epochs[-1] == 300 and epochs == sorted(epochs)
    history = reference.history_
    for frame, epoch in zip(fig["frames"], epochs):
        marker = dict(zip(frame["traces"], frame["data"]))[MARKER]
        loss = history.loss[epoch] if epoch < history.epochs else history.final_loss
        assert list(marker["x"]) == [epoch] and marker["y"][0] == pytest.approx(loss, rel=1e-9)
    steps = fig["layout"]["sliders"][0]["steps"]
    assert [int(step["label"]) for step in steps] == epochs
    labels = [button["label"] for button in fig["layout"]["updatemenus"][0]["buttons"]]
    assert labels == ["▶ Play", "▶ Slowly", "▶▶ Fast", "Pause"]
    assert any("60 of the 301 recorded weight snapshots" in caption.value for caption in at.caption)
    assert all(len(t.get("x", [])) <= 2000 for f in [fig, *fig["frames"]] for t in f["data"])


def test_what_it_learned_shows_nnlabs_importance_and_curves(run_page, charts, reference):
    at = open_tab(run_page(PAGE), "deep.view", "What it learned")
    assert not at.exception and not at.error
    figures = charts(at)
    assert list(figures) == ["deep-importance", "deep-dependence"]  # no true function on diabetes
    models = {"network": reference, "linear": importance.linear_model(X_TRAIN, Z_TRAIN)}
    expected = importance.importance_table(importance.permutation_table(models, X_TEST, Z_TEST, NAMES))
    shown = next(table.value for table in at.dataframe if "network_std" in table.value.columns)
    assert list(shown.feature) == list(expected.feature)
    for column in ("network", "network_std", "linear", "linear_std"):
        np.testing.assert_allclose(shown[column], expected[column], rtol=1e-9)
    bars = {trace["name"]: trace for trace in figures["deep-importance"]["data"]}
    np.testing.assert_allclose(bars["network"]["x"], expected.network[::-1], rtol=1e-9)  # top bar: first row
    top = expected.iloc[0]
    assert any(f"Shuffling **{top.feature}** across the 89 test rows" in m.value for m in at.markdown)
    # The curves start at the network's three most important features; a pick redraws them.
    picker = at.multiselect(key="deep.dependence")
    assert picker.value == list(expected.feature[:3])
    panels = [a["text"] for a in figures["deep-dependence"]["layout"]["annotations"]]
    assert panels == list(expected.feature[:3])
    at = picker.set_value(["age"]).run()
    curves = charts(at)["deep-dependence"]["data"]
    assert [trace["name"] for trace in curves] == ["network", "linear least squares"]
    line = curves[1]
    slope = np.diff(line["y"]) / np.diff(line["x"])
    np.testing.assert_allclose(slope, models["linear"].coef_[0] * STD, rtol=1e-6)  # a line, its coefficient


def test_on_the_surface_the_replay_draws_the_surface_and_the_truth_is_shown(run_page, charts):
    at = open_tab(run_page(PAGE, query={"source": "surface"}), "deep.view", "Replay")
    assert not at.exception and not at.error
    fig = charts(at)["deep-replay"]
    surface = fig["frames"][-1]["data"][-1]
    assert np.asarray(surface["marker"]["color"]).shape == (40 * 40,)  # a colour per grid point
    at = open_tab(at, "deep.view", "What it learned")
    figures = charts(at)
    assert list(figures) == ["deep-importance", "deep-dependence", "deep-truth"]
    assert [t["type"] for t in figures["deep-truth"]["data"]] == ["heatmap"] * 3 + ["scatter"]
    assert any("from the true sin(x1)·cos(x2)" in m.value for m in at.markdown)


def test_the_activation_page_replays_its_gradient_profile(run_page, charts):
    at = open_tab(run_page("Activation_comparison"), "act.view", "Gradients and units, layer by layer")
    assert not at.exception and not at.error
    fig = charts(at)["act-replay"]
    assert len(fig["frames"]) == 60 and fig["frames"][-1]["name"] == "149"  # 150 epochs, 60 frames
    assert [len(frame["data"]) for frame in fig["frames"]] == [6] * 60  # 3 profiles and 3 dots each
