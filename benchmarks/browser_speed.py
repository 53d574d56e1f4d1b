"""Browser speed: every page opened cold in Chromium, and Train pressed until the chart updates.

One `streamlit run app.py` on a free loopback port and one headless Chromium, started with the
browser tests' own helpers (tests/browser/conftest.py). Pages are found as the app finds them:
app.py (home) and every file in pages/. First a visit to each page on the fresh server (imports
and first figures: printed, not in the table). Then --rounds rounds, interleaved across the pages;
each visit is a new browser context (no cookies, no cache: a new session) on a URL with a new
split seed, so the server's st.cache_data misses as on a first visit (home's chart does not depend
on the data, so it stays cached). Timed per visit:

- cold load -> interactive: from navigation to the script run finished
  (`[data-testid="stApp"][data-test-script-state="notRunning"]`, nothing stale) and a Plotly
  chart drawn;
- on the pages that train on a button, the click on it -> the chart showing the new run (the
  training, the websocket round trip and Plotly's redraw), after changing a setting so it trains;
- then the same button pressed again with nothing changed -> the script run finished with the
  chart drawn: the page redraws from this session's stored run (target AGAIN_TARGET).

Prints the median and min-max wall seconds and the server's CPU path (CPU seconds of the
streamlit process plus its busiest worker, via psutil: about what the server's share of the wall
time would be with the cores free), the targets and whether each is met.

    python benchmarks/browser_speed.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psutil
from page_speed import child_cpu  # benchmarks/ is sys.path[0] when this script runs

ROOT = Path(__file__).resolve().parents[1]

LOAD_TARGET, TRAIN_TARGET, GRID_TARGET, AGAIN_TARGET = 3.0, 1.0, 3.0, 1.0  # seconds
CHART_TIMEOUT_MS = 60_000
LOAD = "cold load -> interactive"
AGAIN = "same press, unchanged -> redrawn"
# Counts the script runs that end from now on: a rerun from a stored run can start and finish
# between two of Playwright's polls, so waiting to see the "running" state would miss it.
COUNT_RUNS = """() => {
    window.__nnlabRunsEnded = 0;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver(records => {
        for (const record of records) if (record.oldValue === 'running') window.__nnlabRunsEnded += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state'], attributeOldValue: true});
}"""
FIRST_SEED = 1000  # round r opens every page with split seed FIRST_SEED + r: new data, caches miss


def load_module(name, path):
    """The Python file at path as module `name`, registered so that later imports of it find it."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def browser_helpers():
    """tests/browser/conftest.py as a module (serve, _wait_for_app, CHROMIUM_ARGS, url_path, ...)."""
    load_module("live_server", ROOT / "tests" / "live_server.py")  # what that conftest imports
    return load_module("nnlab_browser_helpers", ROOT / "tests" / "browser" / "conftest.py")


HELPERS = browser_helpers()

# -- what a press of Train is on each page, and how to see its chart update ------------------------

LINEAR_LOSS_TRACE = """() => {
    const plot = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
        .find(p => (p.layout?.title?.text || '').includes('Loss per epoch'));
    return plot && plot.data && plot.data.length ? plot.data[0].name : null;
}"""
LAST_Y = """sel => { const chart = document.querySelector(sel);
    if (!chart || !chart._fullData || !chart._fullData.length) return null;
    const y = chart._fullData[0].y; return y[y.length - 1]; }"""
CHANGED = f"([sel, old]) => ({LAST_Y})(sel) !== null && ({LAST_Y})(sel) !== old"
GRID_HEATMAP = ".st-key-compare-heatmap-loss .js-plotly-plot"


@dataclass(frozen=True)
class Press:
    """set(tab) -> state before; click(tab); wait(tab, state) until the chart shows the new run."""

    label: str
    target: float
    set: Callable
    click: Callable
    wait: Callable


def _click(label):
    return lambda tab: tab.get_by_role("button", name=label, exact=True).click()


def _linear_set(tab):
    tab.wait_for_function(f"() => ({LINEAR_LOSS_TRACE})() === 'lr 0.01'")
    slider = tab.get_by_role("slider").first  # the form's first slider: the learning rate
    slider.focus()
    for _ in range(4):  # 0.01 → 0.011 → 0.02 → 0.03 → 0.1
        slider.press("ArrowRight")
    return None


def _linear_wait(tab, _):
    tab.wait_for_function(f"() => ({LINEAR_LOSS_TRACE})() === 'lr 0.1'", polling="raf", timeout=CHART_TIMEOUT_MS)


def _rate_press(chart, rate):
    """Press for a page whose form has a "Learning rate" box: fill in `rate`, click Train; done when
    `chart`'s first trace ends somewhere new."""
    selector = f".st-key-{chart} .js-plotly-plot"

    def set_rate(tab):
        tab.wait_for_selector(selector, state="visible")
        tab.get_by_label("Learning rate").fill(rate)
        return tab.evaluate(LAST_Y, selector)

    def wait(tab, old):
        tab.wait_for_function(CHANGED, arg=[selector, old], polling="raf", timeout=CHART_TIMEOUT_MS)

    return Press(f"Train (lr {rate}) -> loss chart", TRAIN_TARGET, set_rate, _click("Train"), wait)


def _grid_wait(tab, _):
    tab.wait_for_selector(GRID_HEATMAP, state="visible", timeout=CHART_TIMEOUT_MS)


PRESSES = {  # page-file fragment -> its press; a page not named here is timed on its cold load only
    "Linear_gradient_descent": Press(
        "Train (lr 0.1) -> loss chart",
        TRAIN_TARGET,
        _linear_set,
        lambda tab: tab.get_by_test_id("stFormSubmitButton").get_by_role("button").click(),
        _linear_wait,
    ),
    "Activation_comparison": _rate_press("act-loss", "0.1"),
    "Deep_network": _rate_press("deep-loss", "0.01"),
    "Compare_runs": Press(
        "Train the grid -> heatmap", GRID_TARGET, lambda tab: None, _click("Train the grid"), _grid_wait
    ),
}


def pages() -> list[Path | None]:
    """None for the home page (app.py), then every file in pages/ in the app's order."""
    return [None, *HELPERS.page_files()]


def page_name(page: Path | None) -> str:
    return HELPERS.page_name(page)


def press_of(page: Path | None) -> Press | None:
    return next((press for fragment, press in PRESSES.items() if page and fragment in page.stem), None)


# -- measuring ---------------------------------------------------------------------------------------


def server_process(base_url: str) -> psutil.Process | None:
    """The `streamlit run` child of this process serving `base_url`."""
    port = base_url.rsplit(":", 1)[1]
    for child in psutil.Process().children(recursive=True):
        try:
            command = child.cmdline()
        except psutil.Error:
            continue
        if "streamlit" in command and port in command:
            return child
    return None


class Stopwatch:
    """Wall seconds since start, the server's CPU path (its own CPU plus its busiest worker's) and
    the browser's CPU (every other child process: Chromium's and Playwright's, summed)."""

    def __init__(self, server):
        self.server, self.cpu, self.started = server, child_cpu(), time.perf_counter()

    def read(self) -> tuple[float, float, float]:
        wall, after = time.perf_counter() - self.started, child_cpu()
        used = {pid: seconds - self.cpu.get(pid, 0.0) for pid, seconds in after.items()}
        server = self.server.pid if self.server else None
        try:
            workers = {p.pid for p in self.server.children(recursive=True)} if self.server else set()
        except psutil.Error:
            workers = set()
        own = used.get(server, 0.0)
        busiest = max((used[pid] for pid in workers if pid in used), default=0.0)
        browser = sum(seconds for pid, seconds in used.items() if pid != server and pid not in workers)
        return wall, own + busiest, browser


def visit(browser, base_url, server, page, query, times, phases):
    """One new visitor: the cold load, then the page's press of Train if it has one; times recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(HELPERS.ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(HELPERS.APP_TIMEOUT_MS)
    tab = context.new_page()
    try:
        url = f"{base_url}/{HELPERS.url_path(page)}" + (f"?{urlencode(query)}" if query else "")
        watch = Stopwatch(server)
        tab.goto(url, wait_until="domcontentloaded")
        document = time.perf_counter() - watch.started
        tab.wait_for_selector('[data-testid="stApp"]', timeout=HELPERS.APP_TIMEOUT_MS)
        app = time.perf_counter() - watch.started
        HELPERS._wait_for_app(tab)
        idle = time.perf_counter() - watch.started
        tab.wait_for_selector(HELPERS.PLOTLY, state="visible", timeout=CHART_TIMEOUT_MS)
        loaded = watch.read()
        no_exception(tab, page)
        times[(page_name(page), LOAD)].append(loaded)
        phases[page_name(page)].append((document, app, idle, loaded[0]))
        press = press_of(page)
        if press is not None:
            state = press.set(tab)
            watch = Stopwatch(server)
            press.click(tab)
            press.wait(tab, state)
            times[(page_name(page), press.label)].append(watch.read())
            HELPERS._wait_for_app(tab)
            no_exception(tab, page)
            tab.evaluate(COUNT_RUNS)
            watch = Stopwatch(server)
            press.click(tab)
            tab.wait_for_function("() => window.__nnlabRunsEnded > 0", polling="raf", timeout=CHART_TIMEOUT_MS)
            HELPERS._wait_for_app(tab)
            tab.wait_for_selector(HELPERS.PLOTLY, state="visible", timeout=CHART_TIMEOUT_MS)
            times[(page_name(page), AGAIN)].append(watch.read())
            no_exception(tab, page)
    finally:
        context.close()


def no_exception(tab, page):
    exceptions = tab.locator(HELPERS.EXCEPTION)
    if exceptions.count():
        raise RuntimeError(f"{page_name(page)} raised: {exceptions.first.inner_text()}")


def report(times, targets, phases, rounds):
    header = (
        f"{'page':26s} {'measure':30s} {'wall median':>11s} {'min-max':>11s} {'server CPU':>10s} "
        f"{'browser CPU':>11s} {'target':>7s}  met"
    )
    print(header)
    print("-" * len(header))
    for (name, measure), values in times.items():
        wall, server, browser = (statistics.median(column) for column in zip(*values))
        walls, target = [value[0] for value in values], targets[(name, measure)]
        print(
            f"{name:26s} {measure:30s} {wall:9.2f} s {min(walls):5.2f}-{max(walls):<5.2f} {server:10.2f} "
            f"{browser:11.2f} {f'≤ {target:g} s':>7s}  {'yes' if wall <= target else 'NO'}"
        )
    print(
        f"\n{rounds} rounds; medians; 'met' compares the wall median with the target. Server CPU: the "
        f"streamlit process plus its busiest worker; browser CPU: Chromium's processes and Playwright's, summed."
    )
    print(
        "\nWhere a cold load's time goes (medians, seconds from navigation): the HTML parsed (DOMContentLoaded), "
        "the app's frame drawn, the script run finished, a Plotly chart drawn"
    )
    print(f"{'page':26s} {'HTML':>6s} {'frame':>6s} {'script':>7s} {'chart':>6s}")
    for name, values in phases.items():
        medians = [statistics.median(column) for column in zip(*values)]
        print(f"{name:26s} {medians[0]:6.2f} {medians[1]:6.2f} {medians[2]:7.2f} {medians[3]:6.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    found = pages()
    print(
        f"{len(found)} pages ({', '.join(page_name(p) for p in found)}); {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )
    times, targets = {}, {}
    for page in found:  # the table's row order
        times[(page_name(page), LOAD)], targets[(page_name(page), LOAD)] = [], LOAD_TARGET
        if (press := press_of(page)) is not None:
            times[(page_name(page), press.label)], targets[(page_name(page), press.label)] = [], press.target
            times[(page_name(page), AGAIN)], targets[(page_name(page), AGAIN)] = [], AGAIN_TARGET
    phases = {page_name(page): [] for page in found}
    with HELPERS.serve(ROOT / "app.py", "streamlit-benchmark.log") as base_url, sync_playwright() as playwright:
        server = server_process(base_url)
        browser = playwright.chromium.launch(
            executable_path=str(HELPERS.CHROMIUM),
            args=HELPERS.CHROMIUM_ARGS,
            headless=True,
            timeout=HELPERS.APP_TIMEOUT_MS,
        )
        try:
            first = {key: [] for key in times}
            started = time.perf_counter()
            for page in found:  # the fresh server's first visits: imports, first figures, worker processes
                visit(browser, base_url, server, page, {}, first, {name: [] for name in phases})
            print(
                f"first visit of every page on the fresh server ({time.perf_counter() - started:.1f} s in all): "
                + ", ".join(
                    f"{name} {values[0][0]:.2f} s" for (name, measure), values in first.items() if measure == LOAD
                )
            )
            print(
                "first presses on the fresh server: "
                + ", ".join(
                    f"{name} '{measure}' {values[0][0]:.2f} s"
                    for (name, measure), values in first.items()
                    if measure != LOAD and values
                )
                + "\n"
            )
            for round_ in range(args.rounds):
                for page in found:
                    visit(browser, base_url, server, page, {"seed": FIRST_SEED + round_}, times, phases)
        finally:
            browser.close()
    report(times, targets, phases, args.rounds)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
