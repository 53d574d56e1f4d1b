"""Shared fixtures: run a page under AppTest, and read back the data of its plotly charts.

Page tests use fixtures and never import this module:

    def test_my_page(run_page, figure_data, charts):
        at = run_page("Training", query={"source": "sine"})
        assert not at.exception
        fig = figure_data(at.get("plotly_chart")[0])
        assert fig["data"][0]["y"].shape == (100,)
        assert "train-loss" in charts(at)

Besides them, a few independent computations the page and figure tests compare nnlab with
(plain gradient descent, He-initialised weights, backprop written out), so each lives once.
"""

from __future__ import annotations

import base64
import json
import os
import sys

import numpy as np
import pytest
from apptest import APPTEST_TIMEOUT, make_page

# No sweep worker pool per pytest process (ui/workers.py); live servers turn it back on.
os.environ["NNLAB_WORKERS_AT_START"] = "0"


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """st.cache_data lives in the process, so it would leak across AppTest instances."""
    if "streamlit" in sys.modules:  # never import streamlit for tests of the core
        import logging

        import streamlit as st

        # Outside a script run, clear() logs "No runtime found" each time; it is expected here.
        logger = logging.getLogger("streamlit.runtime.caching.cache_data_api")
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            st.cache_data.clear()
            st.cache_resource.clear()
        finally:
            logger.setLevel(level)
    yield


@pytest.fixture
def run_page():
    """run_page(page=None, *, query=None, session=None, timeout=60) -> AppTest after one run.

    `page` is a path under pages/, a file stem, or a unique fragment of one ("training");
    None or "home" is app.py. The first run is a deep link: the query params are in the URL.
    """

    def run(page=None, *, query=None, session=None, timeout=APPTEST_TIMEOUT):
        return make_page(page, query=query, session=session, timeout=timeout).run()

    return run


@pytest.fixture
def new_page():
    """new_page(...) -> the same AppTest as run_page, not yet run (to set things up first)."""
    return make_page


def decode_arrays(value):
    """Plotly JSON with typed arrays ({"dtype": "f8", "bdata": base64, "shape": "2, 3"})
    decoded into NumPy arrays, recursively; plain lists of numbers (null as NaN) too."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            shape = value.get("shape")
            if shape:
                dims = shape if isinstance(shape, list) else str(shape).split(",")
                array = array.reshape([int(d) for d in dims])
            return array
        return {key: decode_arrays(item) for key, item in value.items()}
    if isinstance(value, list):
        numbers = [v for v in value if v is not None]
        if numbers and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
            if len(numbers) == len(value):
                return np.asarray(value)
            return np.array([np.nan if v is None else v for v in value], dtype=float)  # JSON null
        return [decode_arrays(item) for item in value]
    return value


def figure_data(chart) -> dict:
    """An AppTest plotly chart element -> {"data": [trace dicts], "layout": dict}, arrays decoded."""
    return decode_arrays(json.loads(chart.proto.spec))


@pytest.fixture(name="figure_data")
def figure_data_fixture():
    """figure_data(at.get("plotly_chart")[i]) -> the figure's dict with NumPy arrays."""
    return figure_data


def page_charts(at, prefix: str = "", suffix: str = "") -> dict:
    """{key: figure} of an AppTest's plotly charts, by the key the page drew each with, less
    `prefix` and `suffix` ("explorer.histogram-chart" -> "histogram")."""
    return {chart.key.removeprefix(prefix).removesuffix(suffix): figure_data(chart) for chart in at.get("plotly_chart")}


@pytest.fixture
def charts():
    """charts(at, prefix="", suffix="") -> {key: figure with NumPy arrays} of the page's charts."""
    return page_charts


@pytest.fixture
def labelled_button():
    """labelled_button(at, label) -> the AppTest button (a form's submit button too) with this label."""
    return lambda at, label: next(button for button in at.button if button.label == label)


# -- independent computations ----------------------------------------------------------------------


def gradient_descent(X, y, lr, epochs):
    """Plain full-batch gradient descent from w = 0, b = 0 on mean((Xw + b − y)²):
    (w, b, losses before each step)."""
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        error = X @ w + b - y
        losses.append(np.mean(error**2))
        w, b = w - lr * 2 / len(X) * X.T @ error, b - lr * 2 / len(X) * error.sum()
    return w, b, np.array(losses)


def he_init(sizes, seed=0):
    """He-initialised weights drawn as nnlab documents it: one generator per run, layer by layer."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])
    return [rng.standard_normal((i, o)) * np.sqrt(2.0 / i) for i, o in zip(sizes[:-1], sizes[1:])]


def loss_and_gradient_norms(weights, X, y, f, slope):
    """MSE and ‖∂L/∂W‖ per layer at zero biases, by backprop written out: hidden activation f
    with derivative `slope`, linear output."""
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


@pytest.fixture(name="gradient_descent")
def gradient_descent_fixture():
    """gradient_descent(X, y, lr, epochs) -> (w, b, losses before each step), from zeros."""
    return gradient_descent


@pytest.fixture(name="he_init")
def he_init_fixture():
    """he_init(sizes, seed=0) -> [W per layer] as nnlab's "he" initializer draws them."""
    return he_init


@pytest.fixture(name="loss_and_gradient_norms")
def loss_and_gradient_norms_fixture():
    """loss_and_gradient_norms(weights, X, y, f, slope) -> (MSE, [‖∂L/∂W‖ per layer]) at zero biases."""
    return loss_and_gradient_norms
