"""The training doctor in a real browser: a teacher's preset link opened cold shows its diagnosis, and
Try this fix draws the before/after overlay. Screenshots of every preset's diagnosis, to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlab import doctor
from ui.diagnosis import preset_link, preset_query

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PAGE = Path(__file__).resolve().parents[2] / "pages" / "4_Deep_network.py"
EXCEPTION = '[data-testid="stException"]'
PANEL = ".st-key-deep-diagnosis"
OVERLAY = ".st-key-deep-diagnosis-fix-loss .js-plotly-plot"


def _slug(name):
    return name.replace(" ", "_")


def test_kill_the_relus_link_cold_then_try_this_fix(page, fresh_app_url, wait_for_app, screenshot):
    page.goto(fresh_app_url(PAGE, **preset_query("kill the ReLUs")), wait_until="domcontentloaded")
    wait_for_app(page)
    card = page.locator(f"{PANEL}-card-dead_units")
    card.wait_for(state="visible")
    assert "Dead units" in card.inner_text() and "100% of the units" in card.inner_text()
    assert page.locator(EXCEPTION).count() == 0
    card.get_by_role("button", name="Try this fix", exact=True).click()
    page.wait_for_selector(OVERLAY, state="visible")  # the fix's run trained and drawn
    wait_for_app(page)
    overlay = page.locator(".st-key-deep-diagnosis-fix")
    assert "Gone: dead units" in overlay.inner_text()
    names = page.evaluate(f"() => document.querySelector('{OVERLAY}')._fullData.map(t => t.name)")
    assert any(n.startswith("before") for n in names) and any(n.startswith("after") for n in names)
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, "diagnosis_kill_the_ReLUs_fixed")


@pytest.mark.parametrize("name", list(doctor.PRESETS))
def test_each_preset_diagnosis(name, page, page_url, wait_for_app, screenshot):
    page.goto(page_url(PAGE, **preset_query(name)), wait_until="domcontentloaded")
    wait_for_app(page)
    card = page.locator(f"{PANEL}-card-{doctor.PRESETS[name].shows}")
    card.wait_for(state="visible")
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, f"diagnosis_preset_{_slug(name)}")


def test_a_preset_link_on_the_home_page_opens_the_deep_page(page, page_url, wait_for_app):
    page.goto(page_url(None), wait_until="domcontentloaded")
    wait_for_app(page)
    page.get_by_text("Presets for a class").click()
    link = page.get_by_role("link", name="make it diverge", exact=True)
    assert link.get_attribute("href") == preset_link("make it diverge")
    with page.context.expect_page() as opened:  # a markdown link opens a new tab: a cold link, as handed out
        link.click()
    tab = opened.value
    wait_for_app(tab)
    tab.locator(f"{PANEL}-card-diverged").wait_for(state="visible")
    assert "/Deep_network" in tab.url
    tab.close()


PAGES = Path(__file__).resolve().parents[2] / "pages"


def test_the_other_pages_diagnosis(page, page_url, wait_for_app, click_button, screenshot):
    """The linear page's crawl, the activation page's runs and the compare page's verdict map, drawn."""
    page.goto(page_url(PAGES / "2_Linear_gradient_descent.py"), wait_until="domcontentloaded")
    wait_for_app(page)
    page.locator(".st-key-linear-gd-diagnosis-card-lr_too_small").wait_for(state="visible")
    screenshot(page, "diagnosis_linear_gd")
    page.goto(page_url(PAGES / "3_Activation_comparison.py"), wait_until="domcontentloaded")
    wait_for_app(page)
    page.locator(".st-key-act-diagnosis-sigmoid-card-vanishing_gradient").wait_for(state="visible")
    screenshot(page, "diagnosis_activations")
    page.goto(page_url(PAGES / "5_Compare_runs.py", seeds="2"), wait_until="domcontentloaded")
    wait_for_app(page)
    click_button(page, "Train the grid")
    page.wait_for_selector(".st-key-compare-verdicts .js-plotly-plot", state="visible")
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, "diagnosis_compare_runs")
