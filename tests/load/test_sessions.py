"""Load test on loopback: N browser sessions train different networks at once on one live server.

    make test                                           # N = 3 (part of the suite)
    NNLAB_LOAD_SESSIONS=10 .venv/bin/python -m pytest tests/load -q -s    # the full 10 sessions

One headless Chromium, one browser context (= one streamlit session) per user, driven
concurrently with Playwright's async API. Every session opens the Deep network page, sets its own
learning rate, epochs and layers in the form, and presses Train at the same moment. Checked:

- every session finishes with no exception, and shows its own run: its epochs, its parameter
  count, and the final training loss that the same config gives when trained here, in-process;
  no other session's run shows up (nothing leaks through caches or module globals);
- the server's memory (RSS of the process and its children, sampled every 0.1 s) goes back to
  within MEMORY_MARGIN of the baseline once the tabs are closed and streamlit has dropped their
  sessions (after --server.disconnectedSessionTTL, see conftest.py);
- Stop, a page switch and a reload in the middle of a long run: the server's CPU goes idle
  within a few seconds (no training left running without a session to show it) and the
  session keeps working (a new run trains and shows its own numbers);
- the live server refuses an upload that lacks the XSRF token.

Numbers go to test-output/load.json and are printed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
SESSIONS = int(os.environ.get("NNLAB_LOAD_SESSIONS", "3"))
PAGE = "Deep_network"  # URL path of pages/4_Deep_network.py
MEMORY_MARGIN = 64 * 2**20 + SESSIONS * 8 * 2**20  # bytes over the baseline allowed after close
IDLE_TIMEOUT = 10.0  # seconds for the server to go idle after a run is interrupted
APP_TIMEOUT_MS = 120_000  # one script run while N sessions share 2 cores
ACTION_TIMEOUT_MS = 60_000  # a fill or click: widgets are disabled while a slow run is pending
HIDDEN_LABEL = "Hidden layers: units per layer, input side first"  # the page's text_input
LONG_RUN = {"hidden": "64, 32", "epochs": 20_000}  # ~15 s alone: long enough to interrupt

APP = '[data-testid="stApp"]'
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
PROGRESS = '[data-testid="stProgress"]'
DEFAULT_RUN = re.compile(r"^300 epochs in ")  # the Deep network page trains its defaults on arrival
SUMMARY = re.compile(
    r"([\d,]+) epochs in ([\d.]+) s · ([\d,]+) parameters · final training loss (\S+) · "
    r"test R² (\S+)"
)
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300 + 60 * SESSIONS)]
RESULTS: dict = {"sessions": SESSIONS}


@dataclass(frozen=True)
class Setting:
    """One session's form values: all different, all quick to train (< 1 s alone)."""

    hidden: str
    lr: float
    epochs: int

    @property
    def hidden_tuple(self) -> tuple:
        return tuple(int(w) for w in self.hidden.split(",") if w.strip())


def settings_for(n: int) -> list[Setting]:
    shapes = ["32, 16", "16", "24, 8", "8, 8, 8", "40"]
    return [Setting(shapes[i % len(shapes)], round(0.01 + 0.002 * i, 4), 150 + 10 * i) for i in range(n)]


def expected_summary(setting: Setting) -> tuple[int, str]:
    """(parameters, final training loss as the page prints it) of this setting, trained here."""
    import nnlab
    from nnlab import data

    dataset = data.make_dataset("diabetes", "sklearn", "standardize", split_seed=42)  # the sidebar's default
    model = nnlab.MLP(
        hidden=setting.hidden_tuple,
        activation="relu",
        init="he",
        optimizer="sgd",
        lr=setting.lr,
        epochs=setting.epochs,
        batch_size=None,
        l2=0.0,
        random_state=0,
    )
    model.fit(dataset.X_train, dataset.y_train, eval_set=(dataset.X_test, dataset.y_test))
    n_params = sum(w.size + b.size for w, b in zip(model.coefs_, model.intercepts_))
    return n_params, f"{model.history_.final_loss:.4g}"  # "final": the kept parameters' loss


# -- browser helpers (async) -------------------------------------------------------------------


async def wait_for_app(page, timeout: float = APP_TIMEOUT_MS) -> None:
    await page.wait_for_selector(APP, timeout=timeout)
    await page.wait_for_selector(APP_IDLE, timeout=timeout)
    await page.wait_for_function(
        "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=timeout
    )


async def open_page(browser, url: str, frames: list | None = None, ready: str | re.Pattern | None = None):
    """A new context (= a new session) with one page at url, its first script run finished.

    ready: a text the finished page shows (the app reports "not running" before its first run
    starts too). frames, if given, collects (seconds, bytes, head) of the websocket messages sent."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(APP_TIMEOUT_MS)
    page = await context.new_page()
    if frames is not None:
        t0 = time.monotonic()
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framesent",
                lambda payload: frames.append(
                    (round(time.monotonic() - t0, 2), len(payload), repr(bytes(payload)[:40]))
                ),
            ),
        )
    await page.goto(url, wait_until="domcontentloaded")
    if ready is not None:
        await page_ready(page, ready)
    await wait_for_app(page)
    return context, page


async def page_ready(page, ready) -> None:
    """Wait until the page shows `ready` (a text, pattern or locator), failing at once with the
    exception's text if the page shows one instead."""
    shown = ready if hasattr(ready, "or_") else page.get_by_text(ready)
    await shown.or_(page.locator(EXCEPTION)).first.wait_for(timeout=APP_TIMEOUT_MS)
    await no_exception(page)


async def fill_form(page, setting: Setting) -> None:
    await page.get_by_label(HIDDEN_LABEL, exact=True).fill(setting.hidden)
    await page.get_by_label("Learning rate", exact=True).fill(f"{setting.lr:g}")
    await page.get_by_label("Epochs", exact=True).fill(str(setting.epochs))


async def summary(page, epochs: int) -> dict:
    """The page's run summary once it shows `epochs` epochs; its numbers."""
    line = page.get_by_text(re.compile(rf"^{epochs:,} epochs in "))
    await page_ready(page, line)
    match = SUMMARY.search(await line.first.inner_text())
    assert match, await line.first.inner_text()
    return {
        "epochs": int(match[1].replace(",", "")),
        "seconds": float(match[2]),
        "parameters": int(match[3].replace(",", "")),
        "loss": match[4],
        "r2": match[5],
    }


async def no_exception(page) -> None:
    exceptions = page.locator(EXCEPTION)
    assert await exceptions.count() == 0, await exceptions.first.inner_text()


async def start_long_run(page, lr: float) -> None:
    """Submit a long run and return once its progress bar has counted a few hundred epochs.

    Each call needs its own lr: the same settings as a stopped run bring that run back, with
    a "Train in full" button, instead of training again."""
    await fill_form(page, Setting(LONG_RUN["hidden"], lr, LONG_RUN["epochs"]))
    await page.get_by_role("button", name="Train", exact=True).click()
    await page.wait_for_selector(PROGRESS, state="visible", timeout=APP_TIMEOUT_MS)
    await page.wait_for_function(
        "() => /Epoch [0-9,]{3,} of 20,000/.test("
        "document.querySelector('[data-testid=\"stProgress\"]')?.innerText || '')",
        timeout=APP_TIMEOUT_MS,
    )


async def settle(browser, server) -> None:
    """Let streamlit drop closed tabs' sessions: they are kept DISCONNECTED_TTL s for a reconnect,
    then removed at the next session write, which a short visit to the home page makes."""
    await asyncio.sleep(server.disconnected_ttl + 1)
    context, page = await open_page(browser, server.url, ready="Try it first")
    await context.close()
    await asyncio.sleep(2)
    await asyncio.to_thread(server.wait_idle, IDLE_TIMEOUT)


# -- the load test -----------------------------------------------------------------------------


async def one_session(browser, server, number: int, setting: Setting, start: asyncio.Barrier) -> dict:
    context = page = None
    try:
        context, page = await open_page(browser, f"{server.url}/{PAGE}", ready=DEFAULT_RUN)
        await no_exception(page)
        await fill_form(page, setting)
    except BaseException:
        await start.abort()  # the others would wait for this session forever
        await _failure_screenshot(page, f"load-session-{number}")
        if context is not None:
            await context.close()
        raise
    try:
        await start.wait()  # every session presses Train at the same moment
        began = time.perf_counter()
        await page.get_by_role("button", name="Train", exact=True).click()
        shown = await summary(page, setting.epochs)
        await wait_for_app(page)
        shown["click_to_done_seconds"] = round(time.perf_counter() - began, 2)
        await no_exception(page)
        shown["text"] = await page.locator('[data-testid="stMain"]').inner_text()
        return shown
    except BaseException as exc:
        if not isinstance(exc, asyncio.BrokenBarrierError):
            await _failure_screenshot(page, f"load-session-{number}")
        raise
    finally:
        await context.close()


async def _failure_screenshot(page, name: str) -> None:
    if page is None:
        return
    shot = OUTPUT / "screenshots" / f"{name}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    try:
        await page.screenshot(path=str(shot), full_page=True, timeout=30_000)
    except Exception:  # noqa: BLE001 - a diagnostic only
        pass


async def run_sessions(server, launch_options, settings: list[Setting]) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**launch_options)
        try:
            # Warm-up: the first visit imports scikit-learn and plotly and fills streamlit's caches;
            # the baseline is the server after that, with no session left.
            context, page = await open_page(browser, f"{server.url}/{PAGE}", ready=DEFAULT_RUN)
            await context.close()
            await settle(browser, server)
            RESULTS["baseline_rss_mb"] = round(server.rss() / 2**20, 1)
            RESULTS["baseline_threads"] = server.threads()

            start = asyncio.Barrier(len(settings))
            began = time.perf_counter()
            with server.sample_memory() as sampler:
                outcomes = await asyncio.gather(
                    *(one_session(browser, server, i, s, start) for i, s in enumerate(settings)), return_exceptions=True
                )
                RESULTS["all_sessions_seconds"] = round(time.perf_counter() - began, 1)
                RESULTS["peak_rss_mb"] = round(sampler.peak / 2**20, 1)
                RESULTS["rss_right_after_close_mb"] = round(server.rss() / 2**20, 1)
                settle_began = time.perf_counter()
                await settle(browser, server)
                RESULTS["settle_seconds"] = round(time.perf_counter() - settle_began, 1)
            RESULTS["after_close_rss_mb"] = round(server.rss() / 2**20, 1)
            RESULTS["after_close_threads"] = server.threads()
            return outcomes
        finally:
            await browser.close()


def test_sessions_train_at_once_and_each_sees_only_its_own_run(load_server, launch_options):
    settings = settings_for(SESSIONS)
    assert len(set(settings)) == SESSIONS
    outcomes = run_async(run_sessions(load_server, launch_options, settings))

    failures = {i: repr(o) for i, o in enumerate(outcomes) if isinstance(o, BaseException)}
    RESULTS["failed_sessions"] = failures
    RESULTS["per_session"] = [
        {**asdict(s), **({k: v for k, v in o.items() if k != "text"} if isinstance(o, dict) else {"error": repr(o)})}
        for s, o in zip(settings, outcomes)
    ]
    done = [o["click_to_done_seconds"] for o in outcomes if isinstance(o, dict)]
    RESULTS["slowest_click_to_done_seconds"] = max(done, default=None)
    _write_results()
    assert not failures, failures

    for i, (setting, shown) in enumerate(zip(settings, outcomes)):
        n_params, loss = expected_summary(setting)
        assert (shown["epochs"], shown["parameters"], shown["loss"]) == (setting.epochs, n_params, loss), (
            f"session {i} ({setting}) shows another run: {shown}"
        )
        others = [s for s in settings if s.epochs != setting.epochs]
        leaked = [s for s in others if f"{s.epochs:,} epochs in" in shown["text"]]
        assert not leaked, f"session {i} shows other sessions' runs: {leaked}"

    baseline, after = RESULTS["baseline_rss_mb"] * 2**20, RESULTS["after_close_rss_mb"] * 2**20
    assert after <= baseline + MEMORY_MARGIN, (
        f"server RSS {after / 2**20:.0f} MB after the sessions closed, baseline {baseline / 2**20:.0f} MB "
        f"(margin {MEMORY_MARGIN / 2**20:.0f} MB)"
    )
    # Thread counts are recorded, not asserted: the web server's worker pool (anyio) keeps idle
    # threads after a burst. Work left running shows as CPU instead (settle() waits for idle).


# -- interrupting a run ------------------------------------------------------------------------


async def interruptions(server, launch_options) -> dict:
    from playwright.async_api import async_playwright

    found = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**launch_options)
        sent = []
        context, page = await open_page(browser, f"{server.url}/{PAGE}", frames=sent, ready=DEFAULT_RUN)
        try:
            # 1. Stop: the partial run is shown, and nothing keeps training. First a control: while
            # the run goes on, the idle check must see the server busy, or it proves nothing.
            await start_long_run(page, lr=0.01)
            await assert_busy(server)
            began = time.monotonic()
            await page.get_by_role("button", name="Stop", exact=True).click()
            stopped = page.get_by_text(re.compile(r"Training was stopped after epoch [\d,]+ of 20,000"))
            await stopped.wait_for(timeout=APP_TIMEOUT_MS)
            await wait_for_app(page)
            await no_exception(page)
            partial = await summary(
                page, int(re.search(r"epoch ([\d,]+)", await stopped.inner_text())[1].replace(",", ""))
            )
            assert partial["epochs"] < LONG_RUN["epochs"]
            found["stop"] = {
                "epochs_kept": partial["epochs"],
                "click_to_shown_seconds": round(time.monotonic() - began, 2),
                "seconds_to_idle": round(await asyncio.to_thread(server.wait_idle, IDLE_TIMEOUT), 2),
            }

            # 2. Switch pages mid-run, then come back: the page works and trains.
            await start_long_run(page, lr=0.011)
            began = time.monotonic()
            await page.get_by_role("link", name="Dataset explorer").click()
            await page.get_by_role("heading", name="Dataset explorer").wait_for(timeout=APP_TIMEOUT_MS)
            await wait_for_app(page)
            await no_exception(page)
            found["switch_page"] = {
                "seconds_to_idle": round(await asyncio.to_thread(server.wait_idle, IDLE_TIMEOUT), 2),
                "switch_seconds": round(time.monotonic() - began, 2),
            }
            await page.get_by_role("link", name="Deep network").click()
            await page.get_by_role("heading", name="Deep network").wait_for(timeout=APP_TIMEOUT_MS)
            await wait_for_app(page)
            await no_exception(page)
            found["switch_page"]["after_return"] = await _train_short(page, Setting("16", 0.02, 120))

            # 3. Reload mid-run: a new session; the old one's run ends with its tab. The address bar
            # now holds the long run's settings (the form is bound to the URL), so reloading it would
            # train that run again: load the page's bare address, as a reload did before.
            await start_long_run(page, lr=0.012)
            began = time.monotonic()
            await page.goto(f"{server.url}/{PAGE}", wait_until="domcontentloaded")
            await page_ready(page, DEFAULT_RUN)
            await wait_for_app(page)
            await no_exception(page)
            found["reload"] = {
                "seconds_to_idle": round(await asyncio.to_thread(server.wait_idle, IDLE_TIMEOUT), 2),
                "reload_seconds": round(time.monotonic() - began, 2),
            }
            found["reload"]["after_reload"] = await _train_short(page, Setting("8", 0.03, 110))
        except BaseException:
            await _failure_screenshot(page, "load-interruption-failure")
            RESULTS["frames_sent"] = sent
            raise
        finally:
            await context.close()
            await browser.close()
    return found


async def assert_busy(server) -> None:
    try:
        await asyncio.to_thread(server.wait_idle, 2.0)
    except AssertionError:
        return
    raise AssertionError("the server looked idle during a run: the idle check cannot see orphan work")


async def _train_short(page, setting: Setting) -> dict:
    await fill_form(page, setting)
    await page.get_by_role("button", name="Train", exact=True).click()
    shown = await summary(page, setting.epochs)
    await wait_for_app(page)
    await no_exception(page)
    n_params, loss = expected_summary(setting)
    assert (shown["parameters"], shown["loss"]) == (n_params, loss), shown
    return {"epochs": shown["epochs"], "loss": shown["loss"]}


def test_stop_switch_and_reload_mid_run_leave_no_work_running(load_server, launch_options):
    began = time.perf_counter()
    try:
        RESULTS["interruptions"] = run_async(interruptions(load_server, launch_options))
    except BaseException as exc:
        RESULTS["interruptions"] = {"error": repr(exc)}
        raise
    finally:
        RESULTS["interruptions_seconds"] = round(time.perf_counter() - began, 1)
        _write_results()
    for what, numbers in RESULTS["interruptions"].items():
        assert numbers["seconds_to_idle"] < IDLE_TIMEOUT, what


def test_live_server_refuses_an_upload_without_its_xsrf_token(load_server):
    """XSRF protection is on in the running app: an upload without the token gets 403 (with it
    off, the same request would get 400 for its unknown session)."""
    request = urllib.request.Request(
        f"{load_server.url}/_stcore/upload_file/no-session/no-file",
        data=b"x,y\n1,2\n",
        method="PUT",
        headers={"Content-Type": "application/octet-stream"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


def test_server_log_has_no_tracebacks(load_server):
    """Runs last: nothing the sessions did made streamlit log an error."""
    log = load_server.log.read_text()
    RESULTS["server_log_tracebacks"] = log.count("Traceback")
    _write_results()
    assert "Traceback" not in log, log[-4000:]


def run_async(coroutine):
    """asyncio.run on a thread of its own: the browser tests' sync Playwright may still hold an
    event loop in this thread, and asyncio.run would replace it."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="load-test") as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _write_results() -> None:
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "load.json"
    path.write_text(json.dumps(RESULTS, indent=2) + "\n")
    print(f"\n{path}:\n{json.dumps(RESULTS, indent=2)}")
