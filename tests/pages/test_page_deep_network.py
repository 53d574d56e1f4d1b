"""The deep network page in AppTest: its default run, its charts' numbers recomputed by hand, and
its main interactions (learning rate, Train, other data, a blow-up, a bad layer spec, the checks)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from tabs import every_tab_chart, open_tab

PAGE = "Deep_network"
DEFAULT = {"hidden": (64, 32), "lr": 0.03, "epochs": 300}  # the page's defaults, as a learner sees them
RELU = (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float))  # f and its slope

X_ALL, Y_ALL = load_diabetes(return_X_y=True)
X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = train_test_split(X_ALL, Y_ALL, test_size=0.2, random_state=42)
MEAN, STD = Y_TRAIN.mean(), Y_TRAIN.std()
Z_TRAIN, Z_TEST = (Y_TRAIN - MEAN) / STD, (Y_TEST - MEAN) / STD


def forward(weights, biases, X):
    """ReLU hidden layers, linear output; returns every layer's z and the prediction."""
    a, zs = X, []
    for layer, (W, b) in enumerate(zip(weights, biases)):
        zs.append(a @ W + b)
        a = np.maximum(zs[-1], 0) if layer < len(weights) - 1 else zs[-1]
    return zs, a[:, 0]


@pytest.fixture(scope="module")
def reference():
    """The default settings trained outside the page, for the numbers that need the whole run."""
    import nnlab

    return nnlab.MLP(**DEFAULT, activation="relu", init="he", random_state=0).fit(
        X_TRAIN, Z_TRAIN, eval_set=(X_TEST, Z_TEST)
    )


VIEWS = ["Learning curves", "Layer by layer", "Inside the network at one epoch", "Can you trust these numbers?"]


def view(at, name):
    return open_tab(at, "deep.view", name)


def every_chart(at, charts):
    return every_tab_chart(at, charts, "deep.view", VIEWS)


def test_default_run_draws_every_chart(run_page, charts):
    at = run_page(PAGE)  # its speed: benchmarks/page_speed.py
    assert not at.exception and not at.error and not at.warning
    assert list(charts(at)) == ["deep-loss", "deep-r2"], "a cold visit draws the first tab only"
    figures = every_chart(at, charts)
    assert list(figures) == [
        "deep-loss",
        "deep-r2",
        "deep-grad",
        "deep-ratio",
        "deep-sharpness",
        "deep-network",
        "deep-predicted",
        "deep-hist-weights",
        "deep-hist-weight_grads",
    ]  # no learned function: 10 features
    counts = {key: [t["type"] for t in fig["data"]] for key, fig in figures.items()}
    assert counts["deep-loss"] == counts["deep-r2"] == ["scatter"] * 2  # training and test rows
    assert counts["deep-grad"] == ["scatter"] * 3 and counts["deep-ratio"] == ["scatter"] * 4
    assert counts["deep-hist-weights"] == counts["deep-hist-weight_grads"] == ["bar"] * 3
    assert all(len(t.get("x", [])) <= 2000 for fig in figures.values() for t in fig["data"])


def test_default_charts_match_numbers_computed_by_hand(run_page, charts, reference, he_init, loss_and_gradient_norms):
    figures = every_chart(run_page(PAGE), charts)
    weights = he_init([10, 64, 32, 1])
    first_loss, first_norms = loss_and_gradient_norms(weights, X_TRAIN, Z_TRAIN, *RELU)
    loss = figures["deep-loss"]["data"][0]["y"]
    assert loss.shape == (300,) and loss[0] == pytest.approx(first_loss, rel=1e-10)
    np.testing.assert_allclose(loss, reference.history_.loss, rtol=1e-12)
    grad = figures["deep-grad"]["data"]
    np.testing.assert_allclose([trace["y"][0] for trace in grad], first_norms, rtol=1e-9)
    assert figures["deep-grad"]["layout"]["yaxis"]["type"] == "log"
    ratio = figures["deep-ratio"]
    np.testing.assert_array_equal(ratio["data"][-1]["y"], [1e-3, 1e-3])  # the rule-of-thumb level
    assert ratio["layout"]["yaxis"]["type"] == "log"

    # Test R² of the last epoch: sklearn's r2_score of the snapshot taken at its start.
    history = reference.history_
    at_start = history.snapshot_at(299)
    _, prediction = forward([w[at_start] for w in history.weights], [b[at_start] for b in history.biases], X_TEST)
    assert figures["deep-r2"]["data"][1]["y"][-1] == pytest.approx(r2_score(Z_TEST, prediction), abs=1e-10)

    # Predicted vs actual, in the target's own units (diabetes progression), after the last update.
    predicted = figures["deep-predicted"]["data"][0]
    np.testing.assert_allclose(predicted["x"], Y_TEST, rtol=1e-12)
    _, final = forward(reference.coefs_, reference.intercepts_, X_TEST)
    np.testing.assert_allclose(predicted["y"], final * STD + MEAN, rtol=1e-9)


def test_the_epoch_slider_shows_the_network_at_that_epoch(new_page, charts, he_init):
    at = view(new_page(PAGE).run(), VIEWS[2])
    at.select_slider[0].set_value(0).run()
    assert not at.exception
    figures = charts(at)
    assert "epoch 0" in figures["deep-predicted"]["layout"]["title"]["text"]
    weights = he_init([10, 64, 32, 1])
    _, prediction = forward(weights, [np.zeros(W.shape[1]) for W in weights], X_TEST)
    np.testing.assert_allclose(figures["deep-predicted"]["data"][0]["y"], prediction * STD + MEAN, rtol=1e-9)
    histogram = figures["deep-hist-weights"]["data"]
    assert sum(histogram[0]["y"]) == pytest.approx(1.0)  # shares of the first layer's 640 weights


def test_a_new_learning_rate_trains_when_train_is_pressed(new_page, charts, labelled_button):
    import nnlab

    at = new_page(PAGE).run()
    default = charts(at)["deep-loss"]["data"][0]["y"]
    at.number_input(key="deep.lr").set_value(0.01).run()
    np.testing.assert_array_equal(charts(at)["deep-loss"]["data"][0]["y"], default), "a form waits for Train"

    at = new_page(PAGE).run()
    at.number_input(key="deep.lr").set_value(0.01)
    labelled_button(at, "Train").click().run()
    assert not at.exception and not at.error
    expected = nnlab.MLP(**{**DEFAULT, "lr": 0.01}).fit(X_TRAIN, Z_TRAIN).history_.loss
    np.testing.assert_allclose(charts(at)["deep-loss"]["data"][0]["y"], expected, rtol=1e-12)


def test_sine_data_draws_the_learned_function(new_page, charts):
    from nnlab import data

    at = new_page(PAGE).run()
    at.sidebar.selectbox(key="source").set_value("sine").run()
    assert not at.exception and not at.error
    figures = charts(view(at, VIEWS[2]))
    assert "deep-function" in figures
    line = figures["deep-function"]["data"][-1]
    assert line["mode"] == "lines" and line["x"].shape == (400,)
    sine = data.make_dataset("sine", target_scaling="standardize")
    import nnlab

    model = nnlab.MLP(**DEFAULT).fit(sine.X_train, sine.y_train)
    _, prediction = forward(model.coefs_, model.intercepts_, line["x"][:, None])
    np.testing.assert_allclose(line["y"], prediction * sine.target_std + sine.target_mean, rtol=1e-9)
    all_x = np.r_[sine.X_train[:, 0], sine.X_test[:, 0]]
    assert line["x"][0] == all_x.min() and line["x"][-1] == all_x.max()


def test_surface_data_draws_a_contour_map(run_page, charts):
    at = run_page(PAGE, query={"source": "surface", "deep.view": VIEWS[2]})  # a link opens the tab
    assert not at.exception and not at.error
    surface = charts(at)["deep-function"]
    assert [t["type"] for t in surface["data"]] == ["contour", "scatter", "scatter"]
    assert np.asarray(surface["data"][0]["z"]).shape == (40, 40)


def test_a_diverging_learning_rate_warns_and_marks_the_blow_up(new_page, charts, labelled_button):
    at = new_page(PAGE).run()
    at.number_input(key="deep.lr").set_value(5.0)
    labelled_button(at, "Train").click().run()
    assert not at.exception and not at.error
    assert len(at.warning) == 1 and "diverged at epoch" in at.warning[0].value
    figures = every_chart(at, charts)
    view(at, VIEWS[2])
    loss = figures["deep-loss"]["data"]
    assert loss[-1]["name"] == "diverged" and loss[-1]["mode"] == "markers"
    diverged_at = int(loss[-1]["x"][0])
    assert figures["deep-grad"]["layout"]["shapes"][0]["x0"] == diverged_at  # the dotted line
    assert max(int(option) for option in at.select_slider[0].options) < diverged_at  # only healthy epochs
    assert any("overshot" in caption.value for caption in at.caption)
    # One story: the summary names the same epoch as the warning, and the last good one.
    assert any(
        f"diverged at epoch {diverged_at}; at epoch {diverged_at - 1}, the last before the blow-up" in text.value
        for text in at.markdown
    )
    assert f"diverged at epoch {diverged_at}:" in at.warning[0].value


@pytest.mark.parametrize(
    "spec, message",
    [("64, x", "'x' is not a whole number"), ("0", "from 1 to 2,048 units"), ("4," * 11, "at most 10 hidden layers")],
)
def test_a_bad_layer_spec_shows_an_error_not_a_traceback(new_page, labelled_button, spec, message):
    at = new_page(PAGE).run()
    at.text_input(key="deep.hidden").input(spec)
    labelled_button(at, "Train").click().run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert not at.get("plotly_chart")


def test_the_checks_agree_with_finite_differences_and_scikit_learn(new_page, reference):
    at = view(new_page(PAGE).run(), VIEWS[3])
    at.button(key="deep.check").click().run()
    assert not at.exception and not at.error
    assert len(at.success) == 2 and all("Backprop agrees" in box.value for box in at.success)
    nnlab_r2, sklearn_r2 = (float(metric.value) for metric in at.metric)
    assert nnlab_r2 == pytest.approx(r2_score(Z_TEST, reference.predict(X_TEST)), abs=1e-4)
    assert sklearn_r2 == nnlab_r2
    assert any("took the same steps" in text.value for text in at.markdown)


def test_the_curves_call_the_test_rows_test_rows(run_page, charts):
    figures = charts(run_page(PAGE))
    names = [t["name"] for key in ("deep-loss", "deep-r2") for t in figures[key]["data"] if t.get("name")]
    assert "network (test)" in names and not [n for n in names if "validation" in n]


def test_the_inside_tab_predicts_the_test_rows_and_an_input_of_ones_own(run_page):
    at = view(run_page(PAGE), VIEWS[2])
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table.columns[-3:]) == ["actual", "predicted", "error"] and len(table) == 10
    first = next(m.value for m in at.markdown if m.value.startswith("For this input the network predicts"))
    assert f"progression = {table['predicted'][0]:.4g}**" in first
    at.number_input(key="deep-predict.2").set_value(0.2)  # a much larger bmi
    at.button(key="FormSubmitter:deep-predict-Predict").click().run()
    after = next(m.value for m in at.markdown if m.value.startswith("For this input the network predicts"))
    assert after != first


def test_batch_size_1_is_a_choice(run_page):
    at = run_page(PAGE)
    assert 1 in at.selectbox(key="deep.batch").options or "1" in at.selectbox(key="deep.batch").options


def test_the_tutorials_toy_network_trains_on_its_three_rows_with_its_settings(run_page, charts):
    """Picking the toy network loads the tutorial's settings (3 → 5 → 1, ReLU, He, lr 0.001, 100 epochs)
    and trains on its three rows alone; every tab renders without test rows and says so where it needs them."""
    import nnlab
    from nnlab import tutorial

    at = run_page(PAGE)
    at.segmented_control(key="deep.problem").set_value("toy").run()
    assert not at.exception and not at.error
    model = at.session_state["nnlab.training"].latest["deep"].result
    assert model.hidden == (5,) and model.lr == 0.001 and model.epochs == 100 and model.history_.val_loss is None
    expected = nnlab.MLP(hidden=(5,), init="he", lr=0.001, epochs=100).fit(tutorial.NETWORK["X"], tutorial.NETWORK["y"])
    np.testing.assert_allclose(model.history_.loss, expected.history_.loss, rtol=1e-12)
    assert "training R²" in at.markdown[1].value and "test R²" not in at.markdown[1].value
    assert any("without the 2/3" in info.value for info in at.info)
    every_view = [*VIEWS[:3], "Replay", "Loss landscape", "What it learned", VIEWS[3]]
    figures = every_tab_chart(at, charts, "deep.view", every_view)
    assert not at.exception and not at.error
    loss_names = [t.get("name") for t in figures["deep-loss"]["data"]]
    assert "network" in loss_names and not [n for n in loss_names if n and "test" in n]
    assert figures["deep-loss"]["layout"]["title"]["text"] == "Loss: training rows"
    at.segmented_control(key="deep.problem").set_value("data").run()
    assert at.session_state["nnlab.training"].latest["deep"].result.n_features_in_ == 10
