"""Page speed under AppTest: every page's default run, and the press of Train where a page has one.

All in this one process, side by side. The pages are found as the app finds them: app.py (home)
and every file in pages/. A warm-up visit to each page comes first (imports, Plotly's first
figure, the sweep's worker processes), so what is timed is what a server that is already up does
for a new visitor. Then --rounds rounds, interleaved across the pages (home, page 1, page 2, ...,
home, page 1, ...): in each, st.cache_data is cleared, a new AppTest session opens the page (its
default run, timed), and on a page that trains on a button a setting is changed and the button
pressed (the rerun that trains, timed); on the backprop page Next is pressed through the default
walk, each press timed.

Prints the median and min-max of the wall time and of the CPU path (CPU seconds of this process
plus its busiest worker process, via psutil: about what the wall time would be with the cores free
of other work), then each target and whether it is met. The load average is printed at the start
and at the end: on a shared machine, read the CPU path.

    python benchmarks/page_speed.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

try:
    import psutil  # the worker processes' CPU time; without it the CPU path counts this process only
except ImportError:
    psutil = None

ROOT = Path(__file__).resolve().parents[1]

APP = ROOT / "app.py"
APPTEST_TIMEOUT = 60  # seconds for one script run, as the tests allow
PAGE_TARGET, TRAIN_TARGET, GRID_TARGET, STEP_TARGET = 1.5, 1.0, 3.0, 0.3  # seconds
BACKPROP_WALK = 14  # Next presses from the first operation of the default 2-2-1 step to its last (15 in all)
DATASET_TARGET = 0.020  # make_dataset() once the diabetes table is cached
DATASET_CALLS = 50  # per round: one call is far below the clock's noise
QUIET_LOGGERS = (
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.caching.cache_resource_api",
    "streamlit.runtime.scriptrunner_utils.script_run_context",
)


@dataclass(frozen=True)
class Press:
    """A button press on a page: what is set first, what is clicked, the target for the rerun."""

    label: str
    target: float
    press: Callable  # AppTest -> None: set the widgets and click; the rerun is timed
    repeat: int = 1  # presses in a row, each one timed (the backprop walk: Next after Next)


def _labelled(at, label):
    return next(button for button in at.button if button.label == label)


def _linear_train(at):
    at.select_slider(key="linear-gd.lr").set_value(0.5)
    _labelled(at, "Train").click()


def _activation_train(at):
    at.number_input(key="act.lr").set_value(0.1)
    _labelled(at, "Train").click()


def _deep_train(at):
    at.number_input(key="deep.lr").set_value(0.01)
    _labelled(at, "Train").click()


def _grid_train(at):
    _labelled(at, "Train the grid").click()


def _backprop_next(at):
    _labelled(at, "Next").click()


# The page-file fragment a button press belongs to; a page not named here is timed on its default run only.
PRESSES = {
    "Linear_gradient_descent": Press("Train (lr 0.5)", TRAIN_TARGET, _linear_train),
    "Activation_comparison": Press("Train (lr 0.1, 3 runs)", TRAIN_TARGET, _activation_train),
    "Deep_network": Press("Train (lr 0.01)", TRAIN_TARGET, _deep_train),
    "Compare_runs": Press("Train the grid (16 runs)", GRID_TARGET, _grid_train),
    # The default walk: forward, loss, backward, update and new loss of a 2-2-1 network, one Next each.
    "Backprop_step_by_step": Press(f"Next press (each of {BACKPROP_WALK})", STEP_TARGET, _backprop_next, BACKPROP_WALK),
}


def pages() -> list[Path | None]:
    """None for the home page (app.py), then every file in pages/ in the app's order."""
    return [None, *sorted((ROOT / "pages").glob("*.py"))]


def page_name(page: Path | None) -> str:
    return "home" if page is None else page.stem


def press_of(page: Path | None) -> Press | None:
    return next((press for fragment, press in PRESSES.items() if page and fragment in page.stem), None)


def clear_caches() -> None:
    """st.cache_data and st.cache_resource emptied, as on a server that has just started."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def quiet_streamlit() -> None:
    """Outside a server, streamlit logs "No runtime found" and "missing ScriptRunContext" as
    AppTest runs pages; both are expected here. AppTest resets log levels, so a filter drops them."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.ERROR)


def new_session(page: Path | None):
    """An AppTest of app.py switched to `page`, not yet run: a new visitor."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=APPTEST_TIMEOUT)
    if page is not None:
        at.switch_page(page.relative_to(ROOT).as_posix())
    return at


def child_cpu() -> dict:
    """{pid: CPU seconds} of every process this one started (none known without psutil)."""
    if psutil is None:
        return {}
    snapshot = {}
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # it ended meanwhile
            continue
        snapshot[child.pid] = times.user + times.system
    return snapshot


def cpu_snapshot() -> dict:
    """{process: CPU seconds} for this process (key 0) and each of its child processes (by pid)."""
    return {0: time.process_time(), **child_cpu()}


def timed(step):
    """Run step(); return (wall seconds, CPU path seconds: this process plus its busiest child)."""
    cpu_before, started = cpu_snapshot(), time.perf_counter()
    step()
    wall, cpu_after = time.perf_counter() - started, cpu_snapshot()
    children = [seconds - cpu_before.get(pid, 0.0) for pid, seconds in cpu_after.items() if pid != 0]
    return wall, cpu_after[0] - cpu_before[0] + max(children, default=0.0)


def checked_run(at):
    """at.run(), failing loudly if the page raised: a broken page has no speed worth printing."""
    at.run()
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].message}")
    return at


def visit(page: Path | None, times: dict | None) -> None:
    """One new visitor: the default run, then the page's button press if it has one; times recorded."""
    clear_caches()
    at = new_session(page)
    default = timed(lambda: checked_run(at))
    press = press_of(page)
    pressed = []
    if press is not None:
        for _ in range(press.repeat):
            press.press(at)
            pressed.append(timed(lambda: checked_run(at)))
    if times is not None:
        times[(page_name(page), "default run")].append(default)
        if pressed:
            times[(page_name(page), press.label)].extend(pressed)


def dataset_round() -> tuple[float, float]:
    """make_dataset() with the diabetes table already cached: (wall, CPU) seconds per call."""
    from nnlab.data import make_dataset

    make_dataset()  # fills the table's cache
    wall, cpu = timed(lambda: [make_dataset() for _ in range(DATASET_CALLS)])
    return wall / DATASET_CALLS, cpu / DATASET_CALLS


def verdict(wall: float, cpu: float, target: float) -> str:
    if wall <= target:
        return "yes"
    return "CPU path only (machine busy?)" if cpu <= target else "NO"


def report(times: dict, targets: dict, rounds: int) -> None:
    header = (
        f"{'page':28s} {'measure':28s} {'wall median':>11s} {'min-max':>13s} "
        f"{'CPU path':>9s} {'min-max':>13s} {'target':>8s}  met"
    )
    print(header)
    print("-" * len(header))
    for (name, measure), values in times.items():
        wall, cpu = [w for w, _ in values], [c for _, c in values]
        wall_median, cpu_median = statistics.median(wall), statistics.median(cpu)
        target = targets[(name, measure)]
        unit = 1000 if target < 0.1 else 1  # the dataset line is in milliseconds
        suffix = " ms" if unit == 1000 else " s"
        print(
            f"{name:28s} {measure:28s} {wall_median * unit:9.3f}{suffix:2s} "
            f"{min(wall) * unit:6.3f}-{max(wall) * unit:<6.3f} {cpu_median * unit:9.3f} "
            f"{min(cpu) * unit:6.3f}-{max(cpu) * unit:<6.3f} {'≤ ' + f'{target * unit:g}' + suffix:>8s}  "
            f"{verdict(wall_median, cpu_median, target)}"
        )
    print(
        f"\n{rounds} rounds; wall = what a visitor waits (AppTest: the script run, no browser); "
        f"'met' compares the wall median with the target."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.chdir(ROOT)  # the app reads pages/ relative to where it runs, as `streamlit run` does
    quiet_streamlit()
    found = pages()
    print(
        f"{len(found)} pages ({', '.join(page_name(p) for p in found)}); {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the start"
        f"{'' if psutil else '; psutil missing: CPU path is this process only'}"
    )
    started = time.perf_counter()
    for page in found:  # warm-up: imports, Plotly's first figure, worker processes
        visit(page, None)
    print(f"warm-up (first visit of every page in this process): {time.perf_counter() - started:.1f} s\n")

    times, targets = {}, {}
    for page in found:  # the table's row order, fixed before the rounds start
        times[(page_name(page), "default run")], targets[(page_name(page), "default run")] = [], PAGE_TARGET
        if (press := press_of(page)) is not None:
            times[(page_name(page), press.label)], targets[(page_name(page), press.label)] = [], press.target
    times[("nnlab.data", "make_dataset(), cached table")] = []
    targets[("nnlab.data", "make_dataset(), cached table")] = DATASET_TARGET
    for _ in range(args.rounds):
        for page in found:
            visit(page, times)
        times[("nnlab.data", "make_dataset(), cached table")].append(dataset_round())
    report(times, targets, args.rounds)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
