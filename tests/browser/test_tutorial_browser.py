"""The tutorial guide in a real browser: a step's link is one click, and the page it opens shows the
step's settings (AppTest sees the link, not what a click on it does)."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_server import WAIT_CEILING_SECONDS
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

GUIDE = Path(__file__).resolve().parents[2] / "pages" / "0_Follow_the_tutorial.py"
WAIT_MS = WAIT_CEILING_SECONDS * 1000
FIRST_LOSS = """() => {
    const plot = document.querySelector('.st-key-linear-gd-loss .js-plotly-plot');
    return plot && plot._fullData ? plot._fullData.find(t => t.name === 'lr 0.01').y[0] : null;
}"""


def test_one_click_opens_the_diabetes_step_in_the_tutorials_units(page, page_url, wait_for_app):
    page.goto(page_url(GUIDE), wait_until="domcontentloaded")
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    link = page.get_by_role("link", name="Open it in the tutorial's units: from zero, 1,000 epochs")
    with page.context.expect_page() as opened:  # Streamlit opens a markdown link in a new tab
        link.click()
    step = opened.value
    step.wait_for_load_state("domcontentloaded")
    wait_for_app(step)
    assert "/Linear_gradient_descent?" in step.url and "target_scaling=none" in step.url
    sidebar = step.get_by_test_id("stSidebar")
    expect(sidebar.locator(".st-key-target_scaling").locator("input")).to_have_value("none", timeout=WAIT_MS)
    assert not step.get_by_text("was not used as it is").count()
    step.wait_for_function(f"() => ({FIRST_LOSS})() !== null", timeout=WAIT_MS)
    # In the tutorial's units the first loss from w = 0, b = 0 is 29,711.3 (ERRATA 5).
    assert step.evaluate(FIRST_LOSS) == pytest.approx(29711.3, abs=0.05)
