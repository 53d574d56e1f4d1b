"""Every page opened cold in a real browser renders its frame and a chart, with no exception.

`page_file` is parametrized by tests/browser/conftest.py: every file in pages/, then the home
page (None) last, so the very first request the fresh server sees is a deep link to a page.
"""

from __future__ import annotations

import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

FRAME = '[data-testid="stSidebar"] .st-key-nnlab-frame'
PLOTLY = '[data-testid="stPlotlyChart"] .js-plotly-plot'
EXCEPTION = '[data-testid="stException"]'
PROGRESS = '[data-testid="stProgress"]'
OPENED: list[str] = []  # page names in the order this session opened them


def test_page_opens_cold(page_file, request, page, page_url, wait_for_app, screenshot, timings):
    name = "home" if page_file is None else page_file.stem
    cold_server = not OPENED
    OPENED.append(name)
    if cold_server and page_file is None and _deep_links_selected(request):
        pytest.fail("the first request must be a deep link to a page; was the order changed?")

    start = time.perf_counter()
    page.goto(page_url(page_file), wait_until="domcontentloaded")
    wait_for_app(page)
    page.wait_for_selector(PLOTLY, state="visible")
    seconds = time.perf_counter() - start
    timings[name] = {"seconds": round(seconds, 3), "cold_server": cold_server}

    exceptions = page.locator(EXCEPTION)
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert page.locator(FRAME).is_visible(), "the shared sidebar frame is missing"
    assert page.locator(PLOTLY).count() >= 1
    screenshot(page, name)


def _deep_links_selected(request) -> bool:
    """Whether this session also runs this test for some page in pages/ (not just home)."""
    return any(
        getattr(item, "callspec", None) and item.callspec.params.get("page_file") is not None
        for item in request.session.items
        if item.originalname == "test_page_opens_cold"
    )


def test_a_bad_csv_upload_shows_its_error(page, page_url, wait_for_app):
    """The real uploader path: a file that cannot be read gives an error, the page carries on."""
    page.goto(page_url(None, source="csv", seed=5), wait_until="domcontentloaded")
    wait_for_app(page)
    page.get_by_text("Upload a CSV file in the sidebar").wait_for()
    page.locator('[data-testid="stSidebar"] input[type="file"]').set_input_files(
        files=[{"name": "tiny.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"}]
    )
    error = page.locator('[data-testid="stAlertContentError"]')
    error.wait_for()
    wait_for_app(page)
    assert "tiny.csv" in error.inner_text() and "at least 10" in error.inner_text()
    assert page.locator(EXCEPTION).count() == 0
    assert page.locator(PLOTLY).count() >= 1
    assert "source=csv" in page.url and "seed=5" in page.url


STOP_APP = """
import streamlit as st
from nnlab.data import make_dataset
from ui.training import last_run, train_model

# Not ui.frame: its page links point at pages/, which a script outside the repo root lacks.
dataset = make_dataset(target_scaling="standardize")
if st.button("Train"):
    model = train_model({"epochs": 20000}, dataset, restart=True)
else:
    model = last_run()
if model is not None:
    st.markdown(f"epochs recorded: {len(model.history_.loss)}")
"""


def test_stop_keeps_the_partial_run(serve_script, page, wait_for_app, click_button):
    """Stop during a long run: the rerun (a new thread, with fast reruns) shows the partial run."""
    page.goto(serve_script(STOP_APP), wait_until="domcontentloaded")
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_selector(PROGRESS, state="visible")
    page.wait_for_function(  # let it get going: a few redraws of the bar
        "() => /Epoch [0-9,]{3,} of 20,000/.test("
        "document.querySelector('[data-testid=\"stProgress\"]')?.innerText || '')"
    )
    click_button(page, "Stop")
    assert page.locator(EXCEPTION).count() == 0
    assert page.locator(PROGRESS).count() == 0
    stopped = page.get_by_text("Training was stopped after epoch")
    stopped.wait_for()
    epochs = int(page.get_by_text("epochs recorded:").inner_text().split(":")[1].replace(",", ""))
    assert 100 <= epochs < 20000
    assert f"epoch {epochs:,} of 20,000" in stopped.inner_text()
