"""Replay speed: each replay figure's payload, and the frames per second it plays at in Chromium.

Payload: the replay figures the pages draw (the deep page's default run on diabetes, the sine and
the surface; the activation page's default comparison), built here as the pages build them, their
size as `len(fig.to_json())` (what Streamlit serialises and sends once) and the seconds to build.

Frames per second: one `streamlit run app.py` and one headless Chromium (the browser tests' own
helpers), the page opened on its replay, then each speed's Play button pressed in turn. A listener
on plotly's `plotly_animatingframe` event stamps every frame drawn; fps is (frames − 1) over the
time from the first to the last, beside the speed's own rate (1000 / its frame duration), and the
longest gap between two frames (a stall a learner would see). Playing sends nothing to the server,
so this is the browser alone: Chromium's CPU, on a machine shared with other work.

    python benchmarks/replay_speed.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from browser_speed import HELPERS  # benchmarks/ is sys.path[0] when this script runs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's nnlab, not an installed one

import nnlab  # noqa: E402
from nnlab import data, learned, plots  # noqa: E402
from nnlab.sweeps import sweep  # noqa: E402

PAGES = {  # what is replayed -> (page file, query, chart key)
    "deep page, diabetes (64-32, 300 epochs)": ("4_Deep_network.py", {"deep.view": "Replay"}, "deep-replay"),
    "deep page, surface (2-D)": ("4_Deep_network.py", {"deep.view": "Replay", "source": "surface"}, "deep-replay"),
    "activation page (3 × 4×16, 150 epochs)": (
        "3_Activation_comparison.py",
        {"act.view": "Gradients and units, layer by layer"},
        "act-replay",
    ),
}
LISTEN = """sel => { const gd = document.querySelector(sel);
    window.__frames = []; window.__done = false;
    if (!gd.__timed) { gd.on('plotly_animatingframe', () => window.__frames.push(performance.now()));
                       gd.on('plotly_animated', () => { window.__done = true; }); gd.__timed = true; } }"""
PLAY_TIMEOUT_MS = 120_000


def deep_figure(source):
    """The deep page's default run on `source` and its replay figure, as ui/replay_views.py builds it."""
    dataset = data.make_dataset(source, target_scaling="standardize")
    model = nnlab.MLP(hidden=(64, 32), lr=0.03, epochs=300).fit(
        dataset.X_train, dataset.y_train, eval_set=(dataset.X_test, dataset.y_test)
    )
    started = time.perf_counter()
    X_train, X_test = dataset.X_train, dataset.X_test
    grid = learned.function_grid(X_train, X_test) if X_train.shape[1] in (1, 2) else None
    replayed = plots.replay_data(
        model.history_,
        model.activation,
        X_test,
        dataset.y_test,
        dataset.to_original_units,
        grid=grid,
        train=(X_train, dataset.y_train),
    )
    fig = plots.replay_figure(replayed, dataset.feature_names, dataset.target_name)
    return fig, time.perf_counter() - started


def activation_figure():
    """The activation page's default comparison and its replayed gradient profile."""
    dataset = data.make_dataset("diabetes", target_scaling="standardize")
    names = ["relu", "tanh", "sigmoid"]
    base = dict(hidden=(16,) * 4, init="he", lr=0.05, epochs=150, record_every=150)
    result = sweep(dataset.X_train, dataset.y_train, grid={"activation": names}, base=base)
    started = time.perf_counter()
    fig = plots.layer_replay_figure(*plots.layer_replay_data(dict(zip(names, result.histories))))
    return fig, time.perf_counter() - started


def payloads():
    print(f"{'replay figure':42s} {'frames':>6s} {'traces':>6s} {'payload':>10s} {'build':>7s}")
    builds = {
        "deep page, diabetes (64-32, 300 epochs)": lambda: deep_figure("diabetes"),
        "deep page, sine (1-D)": lambda: deep_figure("sine"),
        "deep page, surface (2-D)": lambda: deep_figure("surface"),
        "activation page (3 × 4×16, 150 epochs)": activation_figure,
    }
    for name, build in builds.items():
        fig, seconds = build()
        size = len(fig.to_json())
        print(f"{name:42s} {len(fig.frames):6d} {len(fig.data):6d} {size / 1e6:7.2f} MB {seconds:6.2f}s")


def play(tab, selector, label):
    """Press the Play button `label`; (frames drawn, fps, longest gap in ms) until the replay ends."""
    tab.evaluate(LISTEN, selector)
    tab.locator(f"{selector} .updatemenu-button").filter(has_text=label).first.click()
    tab.wait_for_function("() => window.__done", timeout=PLAY_TIMEOUT_MS, polling=100)
    stamps = tab.evaluate("() => window.__frames")
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    fps = (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1000) if len(stamps) > 1 else float("nan")
    return len(stamps), fps, max(gaps, default=float("nan"))


def frame_rates(rounds):
    from playwright.sync_api import sync_playwright

    print(f"\n{'replay':42s} {'speed':10s} {'target':>7s} {'fps median':>10s} {'min-max':>11s} {'worst gap':>10s}")
    with HELPERS.serve(ROOT / "app.py", "streamlit-replay-benchmark.log") as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(HELPERS.CHROMIUM), args=HELPERS.CHROMIUM_ARGS, headless=True
        )
        try:
            for name, (page_file, query, key) in PAGES.items():
                selector = f".st-key-{key} .js-plotly-plot"
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                context.set_default_timeout(HELPERS.ACTION_TIMEOUT_MS)
                tab = context.new_page()
                url = f"{base_url}/{HELPERS.url_path(ROOT / 'pages' / page_file)}"
                tab.goto(url + "?" + "&".join(f"{k}={v}" for k, v in query.items()), wait_until="domcontentloaded")
                HELPERS._wait_for_app(tab)
                tab.wait_for_selector(selector, state="visible", timeout=HELPERS.APP_TIMEOUT_MS)
                tab.locator(selector).scroll_into_view_if_needed()
                results = {label: [] for label in plots.FRAME_MS}
                for _ in range(rounds):
                    for label in plots.FRAME_MS:
                        results[label].append(play(tab, selector, label))
                for label, runs in results.items():
                    rates = [fps for _, fps, _ in runs]
                    target = 1000 / plots.FRAME_MS[label]
                    print(
                        f"{name:42s} {label:10s} {target:5.1f}/s {statistics.median(rates):8.1f}/s "
                        f"{min(rates):5.1f}-{max(rates):<5.1f} {max(gap for *_, gap in runs):7.0f} ms"
                        f"  ({runs[0][0]} frames a play)"
                    )
                context.close()
        finally:
            browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="plays of each speed per page")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start\n")
    payloads()
    frame_rates(args.rounds)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
