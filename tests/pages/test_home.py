"""The home page in AppTest: its learning-rate chart, its list of pages, the frame's navigation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "pages").glob("*.py"))


def test_home_runs_and_draws_the_learning_rate_chart(run_page, figure_data):
    at = run_page()
    assert not at.exception
    assert not at.error and not at.warning
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    figure = figure_data(charts[0])
    slow, fast, floor_line = figure["data"]
    assert [t["type"] for t in (slow, fast)] == ["scatter", "scatter"]
    assert "learning rate 0.01" in slow["name"] and "learning rate 0.9" in fast["name"]
    assert slow["y"].shape == fast["y"].shape == (1000,)
    # From w = 0, b = 0 the first MSE is mean(y²) of the 353 training rows (ERRATA 5).
    np.testing.assert_allclose([slow["y"][0], fast["y"][0]], 29711.3, rtol=1e-5)
    assert np.all(np.diff(slow["y"]) < 0), "at lr 0.01 the loss falls every epoch, slowly"
    assert fast["y"][-1] < 0.6 * slow["y"][-1]
    assert figure["layout"]["yaxis"]["type"] == "log"
    assert floor_line["name"].startswith("least squares")
    floor = floor_line["y"][0]  # least squares on the training rows
    assert floor_line["y"][1] == floor == pytest.approx(2868.55, rel=1e-4) and fast["y"][-1] < 1.02 * floor


def test_home_lists_every_page(run_page):
    at = run_page()
    assert len(at.main.get("page_link")) == len(PAGES)
    # .streamlit/config.toml hides Streamlit's own list, so the frame draws one, "Home" first.
    links = at.sidebar.get("page_link")
    assert len(links) == len(PAGES) + 1 and links[0].proto.label == "Home"


def test_frame_draws_its_own_navigation_when_streamlits_is_hidden(run_page):
    from streamlit import config

    name = "client.showSidebarNavigation"
    shown = config.get_option(name)
    config.set_option(name, False)
    try:
        at = run_page()
    finally:
        config.set_option(name, shown)
    assert not at.exception
    links = at.sidebar.get("page_link")
    assert len(links) == len(PAGES) + 1 and links[0].proto.label == "Home"


def test_learning_rate_runs_match_the_errata():
    from ui.home import learning_rate_runs

    runs = learning_rate_runs()
    slow, fast = runs["histories"][0.01], runs["histories"][0.9]
    # ERRATA 6: closed-form least squares reaches test R² 0.4526; lr 0.9 gets there in 1,000 epochs.
    assert fast.val_r2[-1] == pytest.approx(0.4526, abs=0.01)
    assert slow.val_r2[-1] < 0.2
    assert slow.diverged_at is None and fast.diverged_at is None
    assert runs["bound"] == pytest.approx(1.0, abs=0.01)  # ERRATA 3: lr 0.99 converges, 1.01 not
