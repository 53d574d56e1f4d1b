"""Compare runs in a real browser: press the button, the empty heatmap fills with the grid."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PAGE = Path(__file__).resolve().parents[2] / "pages" / "5_Compare_runs.py"
EXCEPTION = '[data-testid="stException"]'
HEATMAP = ".st-key-compare-heatmap-loss .js-plotly-plot"
EMPTY = ".st-key-compare-heatmap-empty .js-plotly-plot"
HEATMAP_CELLS = """sel => {
    const plot = document.querySelector(sel);
    const trace = plot && plot.data && plot.data.find(t => t.type === 'heatmap' && t.text);
    return trace ? trace.text.flat().length : 0;  // text, not z: z may arrive as a typed array
}"""


def test_train_the_grid_fills_the_heatmap(page, page_url, wait_for_app, click_button, screenshot, timings):
    page.goto(page_url(PAGE), wait_until="domcontentloaded")
    wait_for_app(page)
    page.wait_for_selector(EMPTY, state="visible")
    assert page.locator(HEATMAP).count() == 0, "nothing is trained before the button is pressed"
    assert "epochs=" not in page.url and "inits=" not in page.url, "the default grid keeps out of the URL"

    start = time.perf_counter()
    click_button(page, "Train the grid")
    page.wait_for_selector(HEATMAP, state="visible")
    seconds = time.perf_counter() - start
    timings["5_Compare_runs: click to heatmap"] = {"seconds": round(seconds, 3)}

    screenshot(page, "5_Compare_runs_trained")
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    assert page.evaluate(HEATMAP_CELLS, HEATMAP) == 16  # 4 initializers × 4 learning rates
    cells = page.locator(HEATMAP).locator("text", has_text="✕ diverged")
    assert cells.count() >= 1, "the diverged cells are drawn with their ✕"


def test_the_exports_download(page, page_url, wait_for_app, click_button, tmp_path):
    from nnlab.sweeps import load_sweep

    page.goto(page_url(PAGE, inits=["xavier", "he"], lrs=["0.01", "0.1"], epochs="50"), wait_until="domcontentloaded")
    wait_for_app(page)
    click_button(page, "Train the grid")
    page.wait_for_selector(HEATMAP, state="visible")
    with page.expect_download() as csv:
        page.get_by_role("button", name="Metrics table (CSV)").click()
    lines = Path(csv.value.path()).read_text().splitlines()
    assert lines[0].startswith("run,init,lr,seed,final_loss") and len(lines) == 5
    with page.expect_download() as npz:
        page.get_by_role("button", name="Every run's history (.npz)").click()
    result = load_sweep(npz.value.path())
    assert len(result) == 4 and [c.init for c in result.configs] == ["xavier", "xavier", "he", "he"]
    assert result.histories[0].epochs == 50
