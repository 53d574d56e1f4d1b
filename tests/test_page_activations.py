"""The activation comparison page in AppTest: its default run, its charts' numbers recomputed by hand,
and its main interactions (learning rate, Train, other data, a blow-up, settings over the caps)."""
from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from scipy.special import expit
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

PAGE = "Activation_comparison"
NAMES = ("relu", "tanh", "sigmoid")
DEFAULT = {"hidden": (16, 16, 16, 16), "init": "he", "lr": 0.05, "epochs": 150}  # the page's defaults
BUDGET_SECONDS = 1.5  # the default run's budget (CPU seconds: other processes' load is not counted)
SLOPES = {"relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
          "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
          "sigmoid": (expit, lambda z: expit(z) * (1 - expit(z)))}

X_ALL, Y_ALL = load_diabetes(return_X_y=True)
X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = train_test_split(X_ALL, Y_ALL, test_size=0.2, random_state=42)
Z_TRAIN = (Y_TRAIN - Y_TRAIN.mean()) / Y_TRAIN.std()
Z_TEST = (Y_TEST - Y_TRAIN.mean()) / Y_TRAIN.std()


def charts(at, figure_data):
    """{key: figure} of the page's plotly charts, keyed as the page keys them ('act-loss', ...)."""
    return {chart.proto.id.split("-", 2)[-1]: figure_data(chart) for chart in at.get("plotly_chart")}


def he_init(sizes, seed=0):
    """He-initialised weights drawn as nnlab documents it: one generator per run, layer by layer."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])
    return [rng.standard_normal((i, o)) * np.sqrt(2.0 / i) for i, o in zip(sizes[:-1], sizes[1:])]


def loss_and_gradient_norms(weights, X, y, activation):
    """MSE and ‖∂L/∂W‖ per layer at zero biases, by backprop written out."""
    f, slope = SLOPES[activation]
    a, zs = X, []
    for layer, W in enumerate(weights):
        zs.append(a @ W)
        a = f(zs[-1]) if layer < len(weights) - 1 else zs[-1]
    prediction = a[:, 0]
    delta = 2 / len(y) * (prediction - y)[:, None]
    norms = []
    for layer in range(len(weights) - 1, -1, -1):
        norms.append(np.linalg.norm((X if layer == 0 else f(zs[layer - 1])).T @ delta))
        if layer:
            delta = (delta @ weights[layer].T) * slope(zs[layer - 1])
    return np.mean((prediction - y) ** 2), norms[::-1]


def fit(X, y, activation, **changes):
    import nnlab

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)  # expected where the test asks for it
        return nnlab.MLP(**{**DEFAULT, **changes}, activation=activation).fit(X, y).history_


def train_button(at):
    return next(button for button in at.button if button.label == "Train")


def test_default_run_draws_every_chart_within_budget(new_page, figure_data):
    started = time.perf_counter()
    new_page(PAGE).run()  # a server's first view also pays the imports and Plotly's first figure
    first = time.perf_counter() - started
    at = new_page(PAGE)  # a new session: it trains again
    started, cpu = time.perf_counter(), time.process_time()
    at.run()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    print(f"\nactivation page, default AppTest run: {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU "
          f"(first run in this process: {first:.2f} s)")
    assert not at.exception and not at.error and not at.warning
    figures = charts(at, figure_data)
    assert list(figures) == ["act-functions", "act-loss", "act-r2", "act-profile", "act-health", "act-layers"]
    traces = {key: len(fig["data"]) for key, fig in figures.items()}
    assert traces == {"act-functions": 6, "act-loss": 6, "act-r2": 6, "act-profile": 6, "act-health": 3,
                      "act-layers": 3 * 5}
    assert figures["act-layers"]["layout"]["yaxis"]["type"] == "log"
    assert all(len(t.get("x", [])) <= 2000 for fig in figures.values() for t in fig["data"])
    assert cpu_seconds <= BUDGET_SECONDS


def test_default_charts_match_numbers_computed_by_hand(run_page, figure_data):
    figures = charts(run_page(PAGE), figure_data)
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
        first_loss, first_norms = loss_and_gradient_norms(weights, X_TRAIN, Z_TRAIN, name)
        assert loss[name][0] == pytest.approx(first_loss, rel=1e-10)
        np.testing.assert_allclose(profile[f"{name}, epoch 0"], first_norms, rtol=1e-9)
        np.testing.assert_allclose(loss[name], fit(X_TRAIN, Z_TRAIN, name).loss, rtol=1e-12)
    # Vanishing gradient: sigmoid's first layer gets a far smaller share of the output's gradient.
    sigmoid, relu = profile["sigmoid, epoch 0"], profile["relu, epoch 0"]
    assert sigmoid[0] / sigmoid[-1] < relu[0] / relu[-1] / 100


def test_a_new_learning_rate_trains_when_train_is_pressed(new_page, figure_data):
    at = new_page(PAGE).run()
    at.number_input(key="act.lr").set_value(0.1)
    train_button(at).click().run()
    assert not at.exception and not at.error
    loss = {t["name"]: t["y"] for t in charts(at, figure_data)["act-loss"]["data"]}
    for name in NAMES:
        np.testing.assert_allclose(loss[name], fit(X_TRAIN, Z_TRAIN, name, lr=0.1).loss, rtol=1e-12)


def test_sine_data(new_page, figure_data):
    from nnlab import data

    at = new_page(PAGE).run()
    at.sidebar.selectbox(key="_nnlab.source").set_value("sine").run()
    assert not at.exception and not at.error
    sine = data.make_dataset("sine", target_scaling="standardize")
    loss = {t["name"]: t["y"] for t in charts(at, figure_data)["act-loss"]["data"]}
    for name in NAMES:
        np.testing.assert_allclose(loss[name], fit(sine.X_train, sine.y_train, name).loss, rtol=1e-12)


def test_surface_data(run_page, figure_data):
    at = run_page(PAGE, query={"source": "surface"})
    assert not at.exception and not at.error
    assert len(charts(at, figure_data)["act-layers"]["data"]) == 3 * 5


def test_a_diverging_learning_rate_warns_per_run(new_page, figure_data):
    at = new_page(PAGE).run()
    at.number_input(key="act.lr").set_value(5.0)
    train_button(at).click().run()
    assert not at.exception and not at.error
    blown = {name: fit(X_TRAIN, Z_TRAIN, name, lr=5.0).diverged_at for name in NAMES}
    blown = {name: epoch for name, epoch in blown.items() if epoch is not None}
    assert blown, "lr 5 should blow up at least one of these networks"
    assert len(at.warning) == len(blown)
    for warning, (name, epoch) in zip(at.warning, blown.items()):
        assert warning.value.startswith(f"**{name}**") and f"diverged at epoch {epoch}" in warning.value
    markers = charts(at, figure_data)["act-loss"]["data"][-1]
    assert markers["name"] == "diverged" and sorted(markers["x"].tolist()) == sorted(blown.values())


def test_settings_over_the_caps_show_an_error_not_a_traceback(new_page):
    at = new_page(PAGE).run()
    at.slider(key="act.depth").set_value(10)
    at.number_input(key="act.width").set_value(2048)
    at.number_input(key="act.epochs").set_value(100_000)
    train_button(at).click().run()
    assert not at.exception
    assert len(at.error) == 1 and "over the cap" in at.error[0].value
    assert len(at.get("plotly_chart")) == 1  # only the activation explorer


def test_no_activation_chosen_says_so(new_page, figure_data):
    at = new_page(PAGE).run()
    at.multiselect(key="act.train").set_value([])
    train_button(at).click().run()
    assert not at.exception and "Pick at least one activation" in at.info[0].value
    at.multiselect(key="act.shown").set_value(["elu"]).run()
    assert len(charts(at, figure_data)["act-functions"]["data"]) == 2
