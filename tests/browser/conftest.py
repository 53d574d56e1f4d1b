"""Browser fixtures: one live `streamlit run` and one headless Chromium per test session.

Helpers for page tests are fixtures (`wait_for_app`, `click_button`, `page_url`), so a test file
never imports this module. Every wait is on the app's own state (its script state, elements
appearing or counted) and ends as soon as that holds; each has the one ceiling WAIT_MS
(live_server.WAIT_CEILING_SECONDS), so a slow machine passes and a broken page fails, never hangs.
"""

from __future__ import annotations

import json
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

# CHROMIUM is re-exported for benchmarks/browser_speed.py, which loads this file as a module.
from live_server import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    WAIT_CEILING_SECONDS,
    require_chromium,
    streamlit_server,
)

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
WAIT_MS = WAIT_CEILING_SECONDS * 1000  # ceiling of any one wait: the context default for every action
APP_TIMEOUT_MS = WAIT_MS  # one script run, cold caches included (also used by benchmarks/browser_speed.py)
ACTION_TIMEOUT_MS = WAIT_MS  # a click, a fill, a selector: under load the element may take long to draw

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Counts the app's script-state changes away from "notRunning" (rerunRequested, running,
# stopRequested) from the moment it is installed, so a rerun is seen however briefly it lasts.
WATCH_RUNS = """() => {
    window.__nnlabRunsSeen = 0;
    if (window.__nnlabRunObserver) window.__nnlabRunObserver.disconnect();
    window.__nnlabRunObserver = new MutationObserver(records => {
        for (const record of records) {
            const state = record.target.getAttribute('data-test-script-state');
            if (record.target.dataset.testid === 'stApp' && state && state !== 'notRunning') {
                window.__nnlabRunsSeen += 1;
            }
        }
    });
    window.__nnlabRunObserver.observe(document.body, {
        subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
}"""
RUN_SEEN = """() => window.__nnlabRunsSeen > 0
    || document.querySelector('[data-testid="stApp"]:not([data-test-script-state="notRunning"])') !== null"""
FRAME = '[data-testid="stSidebar"] .st-key-nnlab-frame'
PLOTLY = '[data-testid="stPlotlyChart"] .js-plotly-plot'
EXCEPTION = '[data-testid="stException"]'


def page_files() -> list[Path]:
    """The page scripts, found at collection time so a new page is tested without edits."""
    return sorted((ROOT / "pages").glob("*.py"))


def page_name(page_file: Path | None) -> str:
    return "home" if page_file is None else page_file.stem


def pytest_generate_tests(metafunc):
    """A test asking for `page_file` runs once per page, pages first and home (None) last.

    The order is deliberate: the first request a fresh server sees is then a deep link to a
    page, the case that breaks navigation set-ups.
    """
    if "page_file" in metafunc.fixturenames:
        pages = [*page_files(), None]
        metafunc.parametrize("page_file", pages, ids=[page_name(p) for p in pages])


def url_path(page_file: Path | None) -> str:
    """The URL path streamlit gives a `pages/` file ("" for the home page)."""
    if page_file is None:
        return ""
    from streamlit.source_util import page_icon_and_name

    return page_icon_and_name(page_file)[1]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium, or a skip (a failure on CI, where it must be installed)."""
    return require_chromium()


@contextmanager
def serve(script: Path, log_name: str = "streamlit.log"):
    """Run `streamlit run script` from the repo root on a free loopback port; yield its URL."""
    with streamlit_server(script, log_name) as (url, _process):
        yield url


@pytest.fixture(scope="session")
def streamlit_url(chromium_path):
    """The app (app.py and pages/) served for the whole test session: its base URL."""
    with serve(ROOT / "app.py") as url:
        yield url


@pytest.fixture
def fresh_app_url(chromium_path):
    """fresh_app_url(page_file or None, **query) -> that URL on an app server started for this test
    alone, so the URL is the first request it sees (a cold deep link)."""
    from urllib.parse import urlencode

    with serve(ROOT / "app.py", "streamlit-fresh.log") as base:

        def build(page_file: Path | None = None, **query) -> str:
            suffix = f"?{urlencode(query, doseq=True)}" if query else ""
            return f"{base}/{url_path(page_file)}{suffix}"

        yield build


@pytest.fixture
def serve_script(chromium_path, tmp_path):
    """serve_script(source) -> URL of a throwaway app with that source, served from the repo
    root (so `import ui` works); for checks that need a page of their own, like Stop."""
    with ExitStack() as stack:

        def start(source: str) -> str:
            script = tmp_path / "throwaway_app.py"
            script.write_text(source)  # the server's PYTHONPATH is the repo root: `import ui` works
            return stack.enter_context(serve(script, "streamlit-throwaway.log"))

        yield start


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_path),
            args=CHROMIUM_ARGS,
            headless=True,
            timeout=WAIT_MS,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies, no cache) and one page in it."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def page_url(streamlit_url):
    """page_url(page_file or None, **query) -> the URL that opens that page cold."""

    def build(page_file: Path | None = None, **query) -> str:
        from urllib.parse import urlencode

        suffix = f"?{urlencode(query, doseq=True)}" if query else ""  # a list: a repeated name
        return f"{streamlit_url}/{url_path(page_file)}{suffix}"

    return build


def _wait_for_app(page, timeout: float = WAIT_MS) -> None:
    """Wait until the app is connected, its script has finished, and nothing is stale."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    # "notRunning" also holds before the first run has started: wait for the page to draw too.
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stElementContainer"]', timeout=timeout)
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    # A finished run can still leave elements marked stale for a frame or two.
    page.wait_for_function("() => document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=timeout)


def _click_button(page, label: str, timeout: float = WAIT_MS) -> None:
    """Click the button with this exact label and wait for the rerun it causes to end.

    The script-state watch is installed before the click, so the rerun is seen even if it ends
    before we look; waiting for it (not for a fixed time) keeps a slow start from passing as done.
    """
    page.evaluate(WATCH_RUNS)
    page.get_by_role("button", name=label, exact=True).click(timeout=timeout)
    page.wait_for_function(RUN_SEEN, timeout=timeout)
    _wait_for_app(page, timeout)


def _click_tab(page, label: str, timeout: float = WAIT_MS) -> None:
    """Open the tab with this label (a lazy tab reruns the page to draw it); wait for that run."""
    page.evaluate(WATCH_RUNS)
    page.get_by_role("tab", name=label, exact=True).click(timeout=timeout)
    page.wait_for_function(RUN_SEEN, timeout=timeout)
    _wait_for_app(page, timeout)


@pytest.fixture
def click_tab():
    """click_tab(page, label): open a tab by its exact label, wait for the rerun."""
    return _click_tab


@pytest.fixture
def wait_for_app():
    """wait_for_app(page, timeout=WAIT_MS): block until the script run has finished."""
    return _wait_for_app


@pytest.fixture
def click_button():
    """click_button(page, label): click a button by its exact label, wait for the rerun."""
    return _click_button


def _screenshot(page, name: str) -> Path:
    """Screenshot the whole app to test-output/screenshots/<name>.png; return the path.

    Streamlit scrolls inside its own container, so the view is grown to the content first.
    """
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]')
                || document.querySelector('[data-testid="stAppViewContainer"]');
            return main ? main.scrollHeight : document.body.scrollHeight;
        }"""
    )
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": max(900, min(int(height) + 40, 12_000))})
    page.wait_for_timeout(300)  # let plotly relayout at the new size
    page.screenshot(path=str(path), full_page=True, timeout=WAIT_MS)
    return path


@pytest.fixture
def screenshot():
    """screenshot(page, name) -> Path of a full-page PNG in test-output/screenshots/."""
    return _screenshot


class _Timings(dict):
    """page -> timing record; every entry is written to test-output/timings.json at once."""

    def __setitem__(self, name, value):
        super().__setitem__(name, value)
        OUTPUT.mkdir(exist_ok=True)
        (OUTPUT / "timings.json").write_text(json.dumps(self, indent=2) + "\n")


@pytest.fixture(scope="session")
def timings() -> dict:
    """timings[page] = {...}: recorded for the report in test-output/timings.json."""
    return _Timings()
