"""The deep network page in a real browser: pressing Train redraws the charts.

Each click is timed for the record in test-output/timings.json (until the loss chart holds the new
run's curve, and until the whole page has finished redrawing), never asserted: speed is measured
side by side in benchmarks/browser_speed.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PAGE = Path(__file__).resolve().parents[2] / "pages" / "4_Deep_network.py"
LOSS_CHART = ".st-key-deep-loss .js-plotly-plot"
EXCEPTION = '[data-testid="stException"]'
NEW_RATE = "0.01"  # a new setting: the click trains a new run
DEFAULT_RATE = "0.03"
# Training losses of the chart's first trace, read from Plotly's decoded data (_fullData).
FIRST_LOSS = f"() => document.querySelector('{LOSS_CHART}')._fullData[0].y[0]"
LAST_LOSS = f"() => {{ const y = document.querySelector('{LOSS_CHART}')._fullData[0].y; return y[y.length - 1]; }}"
CHANGED = (
    f"(old) => {{ const chart = document.querySelector('{LOSS_CHART}');"
    f" if (!chart || !chart._fullData) return false;"
    f" const y = chart._fullData[0].y; return y[y.length - 1] !== old; }}"
)


def _train_and_time(page, wait_for_app, rate):
    """Set the learning rate and click Train: (seconds to the new loss curve, seconds to a finished page)."""
    old = page.evaluate(LAST_LOSS)
    page.get_by_label("Learning rate").fill(rate)
    start = time.perf_counter()
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(CHANGED, arg=old, polling="raf")
    chart = time.perf_counter() - start
    wait_for_app(page)
    return chart, time.perf_counter() - start


def test_train_redraws_the_charts(page, page_url, wait_for_app, click_tab, screenshot, timings):
    page.goto(page_url(PAGE), wait_until="domcontentloaded")
    wait_for_app(page)
    page.wait_for_selector(LOSS_CHART, state="visible")
    default_first, default_last = page.evaluate(FIRST_LOSS), page.evaluate(LAST_LOSS)

    trained = _train_and_time(page, wait_for_app, NEW_RATE)
    assert page.evaluate(LAST_LOSS) != pytest.approx(default_last), "a new rate: a new run"
    assert page.evaluate(FIRST_LOSS) == pytest.approx(default_first), "same seed: the same first loss"
    stored = _train_and_time(page, wait_for_app, DEFAULT_RATE)  # back to the defaults: this session's run
    assert page.evaluate(LAST_LOSS) == pytest.approx(default_last)
    assert page.locator(EXCEPTION).count() == 0
    timings["4_Deep_network: Train click"] = {
        "to_loss_chart_seconds": round(trained[0], 3),
        "to_finished_page_seconds": round(trained[1], 3),
        "stored_run_to_loss_chart_seconds": round(stored[0], 3),
    }
    screenshot(page, "4_Deep_network_after_train")

    click_tab(page, "Can you trust these numbers?")  # the tabs render when opened
    page.get_by_role("button", name="Run the checks", exact=True).click()
    page.get_by_text("test R², scikit-learn").wait_for()
    wait_for_app(page)
    assert page.get_by_text("Backprop agrees with finite differences").count() == 2
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, "4_Deep_network_checks")


def test_surface_data_draws_the_learned_surface(page, page_url, wait_for_app, screenshot):
    page.goto(
        page_url(PAGE, source="surface", **{"deep.view": "Inside the network at one epoch"}),
        wait_until="domcontentloaded",
    )  # the link opens that tab
    wait_for_app(page)
    page.wait_for_selector(".st-key-deep-function .js-plotly-plot", state="visible")
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, "4_Deep_network_surface")


def test_a_blow_up_is_a_warning_and_a_marker(page, page_url, wait_for_app, screenshot):
    page.goto(page_url(PAGE), wait_until="domcontentloaded")
    wait_for_app(page)
    page.get_by_label("Learning rate").fill("5")
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Training diverged at epoch").wait_for()
    wait_for_app(page)
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, "4_Deep_network_diverged")
