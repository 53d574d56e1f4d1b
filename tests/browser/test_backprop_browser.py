"""The backprop page in a real browser: a link opens it cold at an operation, Next moves the highlight
on the diagram, and the backward step is photographed for the README (docs/screenshots)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "6_Backprop_step_by_step.py"
DOCS = ROOT / "docs" / "screenshots" / "6_Backprop_step_by_step.png"
DIAGRAM = ".st-key-bp-diagram .js-plotly-plot"
EXCEPTION = '[data-testid="stException"]'
# The x (layer) of the units drawn as computed now: the biggest markers, orange (plots/backprop.py).
TARGET_LAYERS = f"""() => {{
    const chart = document.querySelector('{DIAGRAM}');
    if (!chart || !chart._fullData) return null;
    const trace = chart._fullData.find(t => t.marker && t.marker.color === '#ff7f0e' && t.mode === 'markers+text');
    return trace ? Array.from(trace.x) : [];
}}"""
HEADING = "h4"


def _heading(page):
    return page.locator(f'[data-testid="stMain"] {HEADING}').filter(has_text="Step ").first.inner_text()


def test_next_moves_the_highlight(page, page_url, wait_for_app, click_button):
    page.goto(page_url(PAGE, **{"bp.step": 2}), wait_until="domcontentloaded")  # cold, at a₁ = relu(z₁)
    wait_for_app(page)
    page.wait_for_selector(DIAGRAM, state="visible")
    assert _heading(page).startswith("Step 2 of 15 · forward · a₁ = relu(z₁)")
    assert page.evaluate(TARGET_LAYERS) == [1, 1], "the hidden units are computed"
    click_button(page, "Next")
    assert _heading(page).startswith("Step 3 of 15 · forward · ŷ = z₂ = a₁·W₂ + b₂")
    page.wait_for_function(f"() => JSON.stringify(({TARGET_LAYERS})()) === '[2]'")  # now the output unit
    assert "bp.step=3" in page.url, "the link follows the walk"
    click_button(page, "Back")
    assert _heading(page).startswith("Step 2 of 15")
    assert page.locator(EXCEPTION).count() == 0


def test_the_backward_step_as_a_learner_sees_it(page, page_url, wait_for_app, screenshot):
    # δ₁ = (δ₂·W₂ᵀ) ⊙ relu′(z₁): the error passed down through W₂ and the slope of the hidden layer.
    page.goto(page_url(PAGE, **{"bp.step": 8}), wait_until="domcontentloaded")
    wait_for_app(page)
    page.wait_for_selector(DIAGRAM, state="visible")
    assert _heading(page).startswith("Step 8 of 15 · backward · δ₁")
    assert page.get_by_text("entries agree with central finite differences").count() == 1
    assert page.locator(EXCEPTION).count() == 0
    path = screenshot(page, "6_Backprop_step_by_step")
    _publish(path)


def _publish(path: Path) -> None:
    """The screenshot as the README shows the others: 900 px wide, a 256-colour palette."""
    from PIL import Image

    image = Image.open(path).convert("RGB")
    height = round(image.height * 900 / image.width)
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    image.resize((900, height), Image.LANCZOS).quantize(256).save(DOCS, optimize=True)
