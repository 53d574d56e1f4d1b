"""The Loss landscape tab in a real browser: a link opens it, plotly draws the contours with the path, and the
plane's share of the path's variance is written on the chart. Saves the README's two screenshots
(test-output/screenshots/landscape_linear.png and landscape_deep.png: the tab, not the whole page)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PAGES = Path(__file__).resolve().parents[2] / "pages"
EXCEPTION = '[data-testid="stException"]'
TAB = "Loss landscape"
# Plotly's drawn traces and annotations of one chart, read from the page.
DRAWN = """(selector) => {
    const plot = document.querySelector(selector);
    if (!plot || !plot._fullData) return null;
    return {types: plot._fullData.map(t => t.type),
            names: plot._fullData.map(t => t.name),
            notes: (plot._fullLayout.annotations || []).map(a => a.text)};
}"""
CASES = {
    # Near the bound with the target in raw units: the bias starts far off and zig-zags across the valley.
    "linear": (
        "2_Linear_gradient_descent.py",
        {"linear-gd.view": TAB, "linear-gd.lr": "0.99", "linear-gd.epochs": "200", "target_scaling": "none"},
        ".st-key-linear-gd-landscape",
    ),
    # A rate large enough to bounce across the valley as it goes down it.
    "deep": ("4_Deep_network.py", {"deep.view": TAB, "deep.lr": "0.1"}, ".st-key-deep-landscape"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_link_opens_the_landscape_with_the_path_on_it(case, page, page_url, wait_for_app):
    file, query, chart = CASES[case]
    page.goto(page_url(PAGES / file, **query), wait_until="domcontentloaded")
    wait_for_app(page)
    plot = f"{chart} .js-plotly-plot"
    page.wait_for_selector(plot, state="visible")
    page.wait_for_function(f"() => ({DRAWN})('{plot}') !== null")
    drawn = page.evaluate(DRAWN, plot)
    assert drawn["types"] == ["contour", "scatter", "scatter", "scatter"]
    assert drawn["names"][2] == "start, epoch 0" and drawn["names"][3].startswith("end, epoch ")
    (note,) = drawn["notes"]
    assert "of the path's variance" in note
    assert page.get_by_role("tab", name=TAB, exact=True).get_attribute("aria-selected") == "true"
    assert page.locator(EXCEPTION).count() == 0
    page.wait_for_selector(f"{chart}-line .js-plotly-plot", state="visible")
    page.wait_for_timeout(500)  # plotly's transitions end before the picture is taken
    shots = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.locator('[data-testid="stTabs"]').screenshot(path=str(shots / f"landscape_{case}.png"))
