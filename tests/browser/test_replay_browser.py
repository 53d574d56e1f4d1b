"""The replay in a real browser: Play moves the diagram and the loss curve's marker to later epochs
without a message to the server; Pause holds it; the slider scrubs. And the What it learned tab.

Frame rates are measured in benchmarks/replay_speed.py, never asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PAGE = Path(__file__).resolve().parents[2] / "pages" / "4_Deep_network.py"
REPLAY = ".st-key-deep-replay .js-plotly-plot"
MARKER = 12  # the epoch marker's trace: after the diagram's 2 × 6 edge traces (nnlab.plots.replay)
# What the figure shows now, read from plotly's own state: the marker's epoch, the slider's step,
# and how many points each of the diagram's edge traces (one per sign and width class) holds.
STATE = f"""() => {{
    const gd = document.querySelector('{REPLAY}');
    if (!gd || !gd.data || !gd._fullLayout || !gd._fullLayout.sliders) return null;
    return {{epoch: gd.data[{MARKER}].x[0], active: gd._fullLayout.sliders[0].active,
             diagram: gd._fullData.slice(0, {MARKER}).map(trace => (trace.x || []).length)}};
}}"""
LATER = f"(epoch) => {{ const s = ({STATE})(); return s !== null && s.epoch > epoch; }}"


def _button(page, label):
    """A plotly updatemenu button (an SVG group) by its label."""
    return page.locator(f"{REPLAY} .updatemenu-button").filter(has_text=label)


def test_play_moves_the_replay_to_later_epochs_in_the_browser_alone(page, page_url, wait_for_app, screenshot):
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.goto(page_url(PAGE, **{"deep.view": "Replay"}), wait_until="domcontentloaded")
    wait_for_app(page)
    page.wait_for_selector(REPLAY, state="visible")
    page.wait_for_function(f"() => ({STATE})() !== null")
    start = page.evaluate(STATE)
    assert start["epoch"] == 0 and start["active"] == 0

    before = len(sent)
    assert before > 0, "the listener sees the page's own messages (the script run it asked for)"
    _button(page, "Fast").click()
    page.wait_for_function(LATER, arg=100, polling="raf")  # the marker has moved past epoch 100
    playing = page.evaluate(STATE)
    assert playing["active"] > 0, "the slider follows the frames"
    _button(page, "Pause").click()
    page.wait_for_timeout(300)  # a frame already due may still land
    paused = page.evaluate(STATE)
    page.wait_for_timeout(800)
    assert page.evaluate(STATE) == paused, "Pause holds the frame"
    assert paused["epoch"] > 100 and paused["epoch"] < 300
    assert paused["diagram"] != start["diagram"], "the diagram's lines changed width with the weights"
    assert len(sent) == before, "playing and pausing send nothing to the server"

    # Scrub: a click near the end of the slider's rail jumps there.
    rail = page.locator(f"{REPLAY} .slider-rail-rect").bounding_box()
    page.mouse.click(rail["x"] + rail["width"] * 0.99, rail["y"] + rail["height"] / 2)
    page.wait_for_function(f"() => ({STATE})().epoch === 300", polling="raf")
    assert page.evaluate(STATE)["active"] == 59
    assert len(sent) == before
    assert page.locator('[data-testid="stException"]').count() == 0

    _button(page, "Play").first.click()  # from the end, ▶ Play starts over from the first frame
    page.wait_for_function(f"() => {{ const s = ({STATE})(); return s.epoch > 20 && s.epoch < 300; }}", polling="raf")
    _button(page, "Pause").click()
    page.locator(REPLAY).scroll_into_view_if_needed()
    screenshot(page, "replay")


def test_what_it_learned_draws_importance_and_curves(page, page_url, wait_for_app, screenshot):
    page.goto(page_url(PAGE, **{"deep.view": "What it learned"}), wait_until="domcontentloaded")
    wait_for_app(page)
    page.wait_for_selector(".st-key-deep-importance .js-plotly-plot", state="visible")
    page.wait_for_selector(".st-key-deep-dependence .js-plotly-plot", state="visible")
    assert page.get_by_text("the feature it leans on most").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "learned")
