"""Every page's link reproduces its view: a cold deep link with non-default settings, on a server
that has seen no other request, shows those settings in the widgets and charts of that run.

Also: the data choice follows a page switch in the URL, and a form's Train writes its settings
into the URL (both done by Streamlit's `bind="query-params"`, which AppTest cannot see).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from live_server import WAIT_CEILING_SECONDS
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PAGES = Path(__file__).resolve().parents[2] / "pages"
EXCEPTION = '[data-testid="stException"]'
WAIT_MS = WAIT_CEILING_SECONDS * 1000
DATA = {"source": "sine", "seed": "7"}  # a non-default sidebar choice on every link
TRACE_NAMES = """key => {
    const plot = document.querySelector(`.st-key-${key.replaceAll('.', '-')} .js-plotly-plot`);
    return plot && plot.data ? plot.data.map(t => t.name) : null;
}"""


def key(name: str) -> str:
    """The CSS selector of a keyed element (Streamlit's class turns the key's dots into dashes)."""
    return f".st-key-{name.replace('.', '-')}"


def open_cold(page, url, wait_for_app):
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app(page)
    exceptions = page.locator(EXCEPTION)
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert not page.get_by_text("was not used as it is").count(), "a good link warns of nothing"
    sidebar = page.get_by_test_id("stSidebar")
    shows(sidebar.locator(key("source")).locator("input"), "sine")
    shows(sidebar.locator(key("seed")).locator("input"), "7")


def shows(locator, value: str) -> None:
    """The input shows value; waited for, as a number input may repaint just after the run ends."""
    expect(locator).to_have_value(value, timeout=WAIT_MS)


def traces(page, chart_key):
    page.wait_for_function(f"() => ({TRACE_NAMES})('{chart_key}') !== null")
    return page.evaluate(TRACE_NAMES, chart_key)


def test_dataset_explorer_link_opens_its_tab(page, fresh_app_url, wait_for_app):
    url = fresh_app_url(PAGES / "1_Dataset_explorer.py", **DATA, **{"explorer.view": "Training and test rows"})
    open_cold(page, url, wait_for_app)
    assert page.get_by_role("tab", name="Training and test rows").get_attribute("aria-selected") == "true"
    assert page.get_by_text("Split seed 7 (sidebar)").count() == 1
    assert traces(page, "explorer.split-chart") == ["train rows", "test rows"]
    assert page.get_by_text("Noisy sine").count() >= 1


def test_linear_gd_link(page, fresh_app_url, wait_for_app):
    url = fresh_app_url(
        PAGES / "2_Linear_gradient_descent.py",
        **DATA,
        **{"linear-gd.lr": "0.1", "linear-gd.epochs": "200", "linear-gd.rates": ["0.01", "0.5"]},
    )
    open_cold(page, url, wait_for_app)
    expect(page.locator(key("linear-gd.lr")).get_by_role("slider")).to_have_attribute(
        "aria-valuetext", "0.1", timeout=WAIT_MS
    )
    expect(page.locator(key("linear-gd.epochs")).get_by_role("slider")).to_have_attribute(
        "aria-valuetext", "200", timeout=WAIT_MS
    )
    assert traces(page, "linear-gd.loss")[0] == "lr 0.1"
    overlay = " ".join(traces(page, "linear-gd.overlay"))
    assert "lr 0.01" in overlay and "lr 0.5" in overlay and "lr 0.1 " not in overlay


def test_activation_comparison_link(page, fresh_app_url, wait_for_app):
    url = fresh_app_url(
        PAGES / "3_Activation_comparison.py",
        **DATA,
        **{"act.train": ["tanh", "elu"], "act.depth": "2", "act.lr": "0.02"},
    )
    open_cold(page, url, wait_for_app)
    shows(page.locator(key("act.lr")).locator("input"), "0.02")
    expect(page.locator(key("act.depth")).get_by_role("slider")).to_have_attribute(
        "aria-valuetext", "2", timeout=WAIT_MS
    )
    names = traces(page, "act-loss")
    assert {n.split(" ")[0] for n in names} == {"tanh", "elu"}, names
    assert page.get_by_text("Trained 2 networks of 2 hidden layers").count() == 1


def test_deep_network_link_and_train_writes_the_url(page, fresh_app_url, wait_for_app, click_button):
    url = fresh_app_url(
        PAGES / "4_Deep_network.py",
        **DATA,
        **{"deep.hidden": "8", "deep.activation": "tanh", "deep.lr": "0.01", "deep.epochs": "100"},
    )
    open_cold(page, url, wait_for_app)
    shows(page.locator(key("deep.hidden")).locator("input"), "8")
    shows(page.locator(key("deep.activation")).locator("input"), "tanh")
    # The sine data has 1 feature: 1·8 + 8 weights and biases into the layer, 8 + 1 out of it.
    page.get_by_text("100 epochs in").filter(has_text="25 parameters").wait_for()
    assert traces(page, "deep-loss")
    page.locator(key("deep.lr")).locator("input").fill("0.02")
    click_button(page, "Train")
    assert "deep.lr=0.02" in page.url and "deep.hidden=8" in page.url and "source=sine" in page.url


def test_compare_runs_link_and_the_data_follows_a_page_switch(page, fresh_app_url, wait_for_app):
    url = fresh_app_url(
        PAGES / "5_Compare_runs.py", **DATA, inits=["he", "zeros"], lrs=["0.05", "0.5"], epochs="100", act="tanh"
    )
    open_cold(page, url, wait_for_app)
    assert page.get_by_text("train these 4 runs of the 64-32 tanh network, 100 epochs each").count() == 1
    traces(page, "compare-heatmap-empty")  # drawn
    preview = page.evaluate("""() => {
        const t = document.querySelector('.st-key-compare-heatmap-empty .js-plotly-plot').data[0];
        return [Array.from(t.y), Array.from(t.x)]; }""")
    assert preview == [["zeros", "he"], ["0.05", "0.5"]]
    page.get_by_test_id("stSidebar").get_by_role("link", name="Deep network").click()
    page.wait_for_url("**/Deep_network**")
    wait_for_app(page)
    assert "source=sine" in page.url and "seed=7" in page.url and "inits=" not in page.url
    shows(page.get_by_test_id("stSidebar").locator(key("source")).locator("input"), "sine")
