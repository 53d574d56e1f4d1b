"""The activation comparison page in AppTest: its default run, its charts' numbers recomputed by hand,
and its main interactions (learning rate, Train, other data, a blow-up, settings over the caps)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.special import expit
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from tabs import every_tab_chart, open_tab

PAGE = "Activation_comparison"
NAMES = ("relu", "tanh", "sigmoid")
DEFAULT = {"hidden": (16, 16, 16, 16), "init": "he", "lr": 0.05, "epochs": 150}  # the page's defaults
SLOPES = {
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "sigmoid": (expit, lambda z: expit(z) * (1 - expit(z))),
}

X_ALL, Y_ALL = load_diabetes(return_X_y=True)
X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = train_test_split(X_ALL, Y_ALL, test_size=0.2, random_state=42)
Z_TRAIN = (Y_TRAIN - Y_TRAIN.mean()) / Y_TRAIN.std()
Z_TEST = (Y_TEST - Y_TRAIN.mean()) / Y_TRAIN.std()


def fit(X, y, activation, **changes):
    import nnlab

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)  # expected where the test asks for it
        return nnlab.MLP(**{**DEFAULT, **changes}, activation=activation).fit(X, y).history_


VIEWS = ["Learning curves", "Gradients and units, layer by layer"]


def view(at, name):
    return open_tab(at, "act.view", name)


def every_chart(at, charts):
    return every_tab_chart(at, charts, "act.view", VIEWS)


def test_default_run_draws_every_chart(run_page, charts):
    at = run_page(PAGE)  # its speed: benchmarks/page_speed.py
    assert not at.exception and not at.error and not at.warning
    assert list(charts(at)) == ["act-functions", "act-loss", "act-r2"], "a cold visit draws the first tab"
    figures = every_chart(at, charts)
    assert list(figures) == [
        "act-functions",
        "act-loss",
        "act-r2",
        "act-profile",
        "act-health",
        "act-layers",
        "act-replay",
    ]
    # The doctor's marks (one marker trace per finding on a run's line) are checked on their own below.
    traces = {key: len([t for t in fig["data"] if not is_doctor_mark(t)]) for key, fig in figures.items()}
    assert traces == {
        "act-functions": 6,
        "act-loss": 6,
        "act-r2": 6,
        "act-profile": 6,
        "act-health": 3,
        "act-layers": 3 * 5,
        "act-replay": 3 * 3,  # per activation: its gradient profile, its loss and the epoch's dot on it
    }
    assert figures["act-layers"]["layout"]["yaxis"]["type"] == "log"
    assert all(len(t.get("x", [])) <= 2000 for fig in figures.values() for t in fig["data"])


def test_default_charts_match_numbers_computed_by_hand(run_page, charts, he_init, loss_and_gradient_norms):
    figures = every_chart(run_page(PAGE), charts)
    functions = {t["name"]: t for t in figures["act-functions"]["data"]}
    z = functions["relu f(z)"]["x"]
    np.testing.assert_array_equal(z, np.linspace(-4, 4, 401))
    for name, (f, slope) in SLOPES.items():
        np.testing.assert_allclose(functions[f"{name} f(z)"]["y"], f(z), atol=1e-15)
        np.testing.assert_allclose(functions[f"{name} f′(z)"]["y"], slope(z), atol=1e-15)

    weights = he_init([10, 16, 16, 16, 16, 1])  # the same start for every activation
    loss = {t["name"]: t["y"] for t in figures["act-loss"]["data"]}
    profile = {t["name"]: t["y"] for t in figures["act-profile"]["data"]}
    for name in NAMES:
        first_loss, first_norms = loss_and_gradient_norms(weights, X_TRAIN, Z_TRAIN, *SLOPES[name])
        assert loss[name][0] == pytest.approx(first_loss, rel=1e-10)
        np.testing.assert_allclose(profile[f"{name}, epoch 0"], first_norms, rtol=1e-9)
        np.testing.assert_allclose(loss[name], fit(X_TRAIN, Z_TRAIN, name).loss, rtol=1e-12)
    # Vanishing gradient: sigmoid's first layer gets a far smaller share of the output's gradient.
    sigmoid, relu = profile["sigmoid, epoch 0"], profile["relu, epoch 0"]
    assert sigmoid[0] / sigmoid[-1] < relu[0] / relu[-1] / 100


def test_a_new_learning_rate_trains_when_train_is_pressed(new_page, charts, labelled_button):
    at = new_page(PAGE).run()
    at.number_input(key="act.lr").set_value(0.1)
    labelled_button(at, "Train").click().run()
    assert not at.exception and not at.error
    loss = {t["name"]: t["y"] for t in charts(at)["act-loss"]["data"]}
    for name in NAMES:
        np.testing.assert_allclose(loss[name], fit(X_TRAIN, Z_TRAIN, name, lr=0.1).loss, rtol=1e-12)


def test_sine_data(new_page, charts):
    from nnlab import data

    at = new_page(PAGE).run()
    at.sidebar.selectbox(key="source").set_value("sine").run()
    assert not at.exception and not at.error
    sine = data.make_dataset("sine", target_scaling="standardize")
    loss = {t["name"]: t["y"] for t in charts(at)["act-loss"]["data"]}
    for name in NAMES:
        np.testing.assert_allclose(loss[name], fit(sine.X_train, sine.y_train, name).loss, rtol=1e-12)


def test_surface_data(run_page, charts):
    at = run_page(PAGE, query={"source": "surface", "act.view": VIEWS[1]})  # a link opens the tab
    assert not at.exception and not at.error
    assert len(charts(at)["act-layers"]["data"]) == 3 * 5


def test_a_diverging_learning_rate_warns_per_run(new_page, charts, labelled_button):
    at = new_page(PAGE).run()
    at.number_input(key="act.lr").set_value(5.0)
    labelled_button(at, "Train").click().run()
    assert not at.exception and not at.error
    blown = {name: fit(X_TRAIN, Z_TRAIN, name, lr=5.0).diverged_at for name in NAMES}
    blown = {name: epoch for name, epoch in blown.items() if epoch is not None}
    assert blown, "lr 5 should blow up at least one of these networks"
    assert len(at.warning) == len(blown)
    for warning, (name, epoch) in zip(at.warning, blown.items()):
        assert warning.value.startswith(f"**{name}**") and f"diverged at epoch {epoch}" in warning.value
    markers = charts(at)["act-loss"]["data"][-1]
    assert markers["name"] == "diverged" and sorted(markers["x"].tolist()) == sorted(blown.values())


def test_settings_over_the_caps_show_an_error_not_a_traceback(new_page, labelled_button):
    at = new_page(PAGE).run()
    at.slider(key="act.depth").set_value(10)
    at.number_input(key="act.width").set_value(2048)
    at.number_input(key="act.epochs").set_value(100_000)
    labelled_button(at, "Train").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "over the cap" in at.error[0].value
    assert len(at.get("plotly_chart")) == 1  # only the activation explorer
    assert not at.get("progress") and not [b for b in at.button if b.label == "Stop"], (
        "no progress bar or Stop button stays after a run that ended in an error"
    )


def test_no_activation_chosen_says_so(new_page, charts, labelled_button):
    at = new_page(PAGE).run()
    at.multiselect(key="act.train").set_value([])
    labelled_button(at, "Train").click().run()
    assert not at.exception and "Pick at least one activation" in at.info[0].value
    at.multiselect(key="act.shown").set_value(["elu"]).run()
    assert len(charts(at)["act-functions"]["data"]) == 2


def is_doctor_mark(trace):
    return trace.get("mode") == "markers" and trace.get("showlegend") is False and ": " in trace.get("name", "")


def test_each_runs_findings_are_marked_on_its_own_line(run_page, charts):
    """The Diagnosis cards of the default run, as nnlab.diagnose gives them, each marked on its run's
    line in the loss or R² chart where the finding begins."""
    import nnlab
    from nnlab.doctor import RULES
    from nnlab.plots import EVIDENCE_CHART

    at = run_page(PAGE)
    figures = charts(at)
    expected = {"act-loss": set(), "act-r2": set()}
    for name in NAMES:
        model = nnlab.MLP(**DEFAULT, activation=name).fit(X_TRAIN, Z_TRAIN, eval_set=(X_TEST, Z_TEST))
        for finding in nnlab.diagnose(model, X_TRAIN, Z_TRAIN):
            chart = {"loss": "act-loss", "r2": "act-r2"}.get(EVIDENCE_CHART[finding.kind])
            if chart and finding.kind != "diverged":
                expected[chart].add((f"{name}: {RULES[finding.kind].title.lower()}", finding.epochs[0]))
    assert expected["act-loss"] or expected["act-r2"], "the default run should show at least one finding"
    for key, marks in expected.items():
        shown = {(t["name"], int(t["x"][0])) for t in figures[key]["data"] if is_doctor_mark(t)}
        assert shown == marks, key
    assert any("where one of its findings" in c.value for c in at.caption)


def test_the_curves_call_the_test_rows_test_rows(run_page, charts):
    figures = charts(run_page(PAGE))
    names = [t["name"] for key in ("act-loss", "act-r2") for t in figures[key]["data"] if t.get("name")]
    assert "relu (test)" in names and not [n for n in names if "validation" in n]
