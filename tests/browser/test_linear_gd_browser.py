"""In a real browser: press Train on the linear gradient-descent page and the loss chart updates.

The click is timed for the record in test-output/timings.json, never asserted: speed is measured
side by side in benchmarks/browser_speed.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PAGE_STEM = "2_Linear_gradient_descent"
PAGE_FILE = Path(__file__).resolve().parents[2] / "pages" / f"{PAGE_STEM}.py"
EXCEPTION = '[data-testid="stException"]'
# The plotly div of the loss chart and the name of its first trace (the run's learning rate).
LOSS_TRACE = """() => {
    const plot = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
        .find(p => (p.layout?.title?.text || '').includes('Loss per epoch'));
    return plot && plot.data && plot.data.length ? plot.data[0].name : null;
}"""


def test_train_updates_the_loss_chart(page, page_url, wait_for_app, screenshot, timings):
    page_file = PAGE_FILE
    page.goto(page_url(page_file), wait_until="domcontentloaded")
    wait_for_app(page)
    page.wait_for_function(f"() => ({LOSS_TRACE})() === 'lr 0.01'")

    lr = page.get_by_role("slider").first  # the form's first slider: the learning rate
    lr.focus()
    for _ in range(4):  # 0.01 → 0.011 → 0.02 → 0.03 → 0.1
        lr.press("ArrowRight")
    assert lr.get_attribute("aria-valuetext") == "0.1"
    assert page.evaluate(LOSS_TRACE) == "lr 0.01", "moving a slider in the form must not train"

    button = page.get_by_test_id("stFormSubmitButton").get_by_role("button")
    start = time.perf_counter()
    button.click()
    page.wait_for_function(f"() => ({LOSS_TRACE})() === 'lr 0.1'", polling="raf")
    seconds = time.perf_counter() - start
    wait_for_app(page)
    timings["linear GD: Train click -> loss chart"] = {"seconds": round(seconds, 3)}

    assert page.locator(EXCEPTION).count() == 0
    assert "it **converges**" not in page.content()  # markdown is rendered, not shown raw
    assert page.get_by_text("Your rate, 0.1,").count() == 1
    screenshot(page, f"{PAGE_STEM}-after-train")
