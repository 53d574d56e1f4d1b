"""The Loss landscape tab of the linear and deep pages in AppTest: what the charts and sentences show
equals nnlab.landscape of the same run trained here, and the linear surface is least squares' quadratic."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from tabs import open_tab

import nnlab
from nnlab import explain_landscape, landscape

LINEAR, DEEP = "Linear_gradient_descent", "Deep_network"
TAB = "Loss landscape"
LINEAR_CHARTS = {"prefix": "linear-gd."}
DEEP_CHARTS = {"prefix": "deep-"}


@pytest.fixture(scope="module")
def split():
    """The pages' default data: the tutorial's split, target standardized with the training rows' mean and std."""
    X, y = load_diabetes(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=42)
    return X_train, (y_train - y_train.mean()) / y_train.std()


def fitted(split, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)
        return nnlab.MLP(**params).fit(*split)


def note(figure):
    (annotation,) = figure["layout"]["annotations"]
    return annotation["text"].replace("<br>", " ")  # wrapped to the chart's width


def centre(figure):
    contour = figure["data"][0]
    middle = len(contour["x"]) // 2
    return contour["x"][middle], contour["y"][middle], contour["customdata"][middle][middle]


def test_the_linear_tab_draws_least_squares_quadratic_and_nnlab_s_share(run_page, charts, split):
    at = run_page(LINEAR, query={"linear-gd.view": TAB})  # a link opens the tab
    assert not at.exception and not at.error
    figures = charts(at, **LINEAR_CHARTS)
    assert {"landscape", "landscape-line"} <= set(figures) and "loss" not in figures, "only the open tab draws"
    plane, line = figures["landscape"], figures["landscape-line"]
    assert [t["type"] for t in plane["data"]] == ["contour", "scatter", "scatter", "scatter"]

    # The page's default run, trained here: its plane's share is what the chart says.
    model = fitted(split, hidden=(), init="zeros", lr=0.01, epochs=1000, record_every=1)
    surface = landscape.plane(model, *split)
    assert note(plane) == explain_landscape.share_note("pca", surface.explained)
    shown = float(re.search(r"holds (?:> )?([\d.]+)%", note(plane)).group(1))
    assert shown == pytest.approx(100 * surface.explained, abs=0.1)

    # The surface is least squares' loss mean((Aθ − y)²), A = [X 1], at θ_final + a·d₁ + b·d₂.
    X, y = split
    A = np.c_[X, np.ones(len(X))]
    theta = np.r_[model.coefs_[0][:, 0], model.intercepts_[0]]
    contour = plane["data"][0]
    grid = np.stack(np.meshgrid(contour["x"], contour["y"]), axis=-1).reshape(-1, 2)
    expected = np.mean(((theta + grid @ surface.directions) @ A.T - y) ** 2, axis=1)
    np.testing.assert_allclose(np.asarray(contour["customdata"]).ravel(), expected, rtol=1e-9)
    assert centre(plane) == (0.0, 0.0, pytest.approx(model.history_.final_loss, rel=1e-12))

    # The line: the first loss at α = 0, the final one at α = 1, as the run's history has them.
    start, end = line["data"][1], line["data"][2]
    assert start["y"][0] == pytest.approx(model.history_.loss[0], rel=1e-12)
    assert end["y"][0] == pytest.approx(model.history_.final_loss, rel=1e-12)
    stories = [m.value for m in at.markdown]
    assert explain_landscape.line_story(landscape.line(model, *split)) in " ".join(stories)


def test_the_linear_tab_follows_a_run_that_blew_up(run_page, charts, split):
    at = run_page(LINEAR, query={"linear-gd.view": TAB, "linear-gd.lr": "1.5", "linear-gd.epochs": "500"})
    assert not at.exception
    model = fitted(split, hidden=(), init="zeros", lr=1.5, epochs=500, record_every=1)
    history = model.history_
    assert history.diverged_at is not None
    plane = charts(at, **LINEAR_CHARTS)["landscape"]
    surface = landscape.plane(model, *split)
    # The end marker is the last good epoch, at the centre; the loss there is the kept parameters'.
    assert plane["data"][3]["name"] == f"end, epoch {history.last_good_epoch}"
    assert centre(plane)[2] == pytest.approx(history.final_loss, rel=1e-12)
    assert plane["data"][0]["colorbar"]["title"]["text"].endswith("(log scale)")
    blew = explain_landscape.lowest_point_story(surface, diverged=True)
    assert blew.startswith("The run blew up") and any(blew in m.value for m in at.markdown)


def test_random_directions_say_the_path_is_a_shadow(new_page, charts):
    at = open_tab(new_page(LINEAR).run(), "linear-gd.view", TAB)
    assert note(charts(at, **LINEAR_CHARTS)["landscape"]).startswith("This plane holds")
    at.segmented_control(key="linear-gd.landscape-plane").set_value("random").run()
    assert not at.exception
    plane = charts(at, **LINEAR_CHARTS)["landscape"]
    assert note(plane).startswith("Random directions: this plane holds")
    assert plane["layout"]["xaxis"]["title"]["text"] == "random direction 1 (filter-normalised)"


def test_the_deep_tab_shows_nnlab_s_plane_of_the_page_s_run(run_page, charts, split):
    at = run_page(DEEP, query={"deep.view": TAB})
    assert not at.exception and not at.error
    figures = charts(at, **DEEP_CHARTS)
    assert set(figures) == {"landscape", "landscape-line"}, "only the open tab draws"
    plane = figures["landscape"]
    model = fitted(split, hidden=(64, 32), activation="relu", init="he", lr=0.03, epochs=300)
    surface = landscape.plane(model, *split)
    assert note(plane) == explain_landscape.share_note("pca", surface.explained)
    assert plane["layout"]["xaxis"]["title"]["text"] == explain_landscape.axis_title(
        "pca", 0, surface.explained_axes[0]
    )
    np.testing.assert_allclose(plane["data"][0]["customdata"], surface.loss, rtol=1e-10)
    assert centre(plane)[2] == pytest.approx(model.history_.final_loss, rel=1e-12)
    path = plane["data"][1]
    np.testing.assert_allclose(np.c_[path["x"], path["y"]], surface.path, atol=1e-9)
    assert path["customdata"][-1][0] == 300 and plane["data"][2]["name"] == "start, epoch 0"
    # Hovering the path shows the loss the run recorded at each epoch, not the plane's.
    np.testing.assert_allclose(path["customdata"][:-1, 1], model.history_.loss[:300], rtol=1e-12)


def test_the_deep_tab_is_computed_once_per_run(new_page, charts, monkeypatch):
    calls = []
    plane = landscape.plane
    monkeypatch.setattr(landscape, "plane", lambda *a, **k: calls.append(1) or plane(*a, **k))
    at = open_tab(new_page(DEEP).run(), "deep.view", TAB)
    first = charts(at, **DEEP_CHARTS)["landscape"]
    at.run()  # a rerun (any widget) redraws from the cache
    assert not at.exception and len(calls) == 1
    np.testing.assert_array_equal(charts(at, **DEEP_CHARTS)["landscape"]["data"][0]["z"], first["data"][0]["z"])


def test_a_cold_visit_does_not_compute_the_landscape(run_page, charts, monkeypatch):
    calls = []
    monkeypatch.setattr(landscape, "plane", lambda *a, **k: calls.append(1))
    at = run_page(DEEP)
    assert not at.exception and calls == [] and "landscape" not in charts(at, **DEEP_CHARTS)


def test_a_network_too_large_to_map_says_so(run_page, monkeypatch):
    monkeypatch.setattr(landscape, "MAX_WORK", 1e6)  # the default run's 11×11 grid would be 4e7
    at = run_page(DEEP, query={"deep.view": TAB})
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("**The loss around this run cannot be mapped:** a 11×11 grid")
    assert not [c for c in at.get("plotly_chart") if c.key.startswith("deep-landscape")]
