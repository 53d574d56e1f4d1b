"""Sweep speed: `nnlab.sweep` against a plain loop of `MLP.fit`, on the diabetes training split.

Four workloads, each with its contenders interleaved in this one process (A B C A B C ...), the
parent pinned to one BLAS thread (train() pins every worker process too):

1. 16 runs (4 learning rates × 4 inits) of the 10-64-32-1 ReLU network, standardized target,
   2,000 epochs each: the loop; the sweep as it runs by default (stacked, two worker processes);
   and the sweep in-process (n_jobs=1: stacking alone). Targets: sweep ≥ 1.9× the loop, stacking
   alone ≥ 1.0×.
2. 64 linear-regression runs (hidden=(), zeros, raw target; the linear GD page's learning-rate
   overlay, lr 0.001–0.99), 1,000 epochs each: the loop, the default sweep and stacking alone.
   Targets ≥ 10× and, where NumPy's call overhead dominates, stacking alone ≥ 1.3×.
3. The Compare-runs page's default grid: 16 runs of 10-64-32-1 ReLU, 4 lrs × 4 inits, standardized
   target, with the test split as eval set, PAGE_EPOCHS epochs: the loop (what a user would wait
   with no sweep), the default sweep with the worker processes started (as the app starts them,
   `nnlab.sweeps.start_workers`), and stacking alone. Targets: ≤ 1.2 s warm, stacking ≥ 1.0×.
   Before anything else, in this fresh process, the first call: cold with no workers started at
   all, then on workers start_workers() has just made ready but never used (a server's first
   press: the app starts them at start-up). Target for the first press after server start: ≤ 2 s.
4. The same 16 runs with SHORT_EPOCHS epochs, no eval set: too short to pay for starting workers
   cold, so it is planned in-process; the loop against the default sweep and stacking alone.
5. Stack size: the 16 runs of workload 1 trained in this process as train() calls on stacks of
   1, 2, 4, 8 and 16 runs, what `nnlab.sweeps.planning.STACK_BUFFER_BYTES` was chosen from.

Prints per-contender wall-clock medians and min-max seconds, then the ratios against the targets.
The wall clock only means something with both cores free; on a shared machine the 'CPU path'
column (CPU seconds of this process plus its busiest worker process, via psutil) estimates what it
would be. The load average is printed at the start and the end.

    python benchmarks/sweep_speed.py [--rounds 3] [--epochs 2000] [--linear-rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

try:
    import psutil  # the workers' CPU time; without it the CPU path counts this process only
except ImportError:
    psutil = None

from nnlab import MLP, DivergenceWarning
from nnlab.sweeps import _plan, expand, start_workers, sweep
from nnlab.training import train

LRS = [0.001, 0.01, 0.1, 0.5]
INITS = ["zeros", "random", "xavier", "he"]
LINEAR_LRS = list(np.geomspace(0.001, 0.99, 64))
PAGE_EPOCHS = 300
SHORT_EPOCHS = 500
STACK_SIZES = (1, 2, 4, 8, 16)
LOOP, DEFAULT, IN_PROCESS = "loop of MLP.fit", "sweep (default n_jobs)", "sweep n_jobs=1 (stacked alone)"
PAGE_WARM = "sweep (default n_jobs), workers started"


def data():
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    mean, std = y_train.mean(), y_train.std()
    return X_train, X_test, y_train, y_test, (y_train - mean) / std, (y_test - mean) / std


def loop(X, y, grid, base, eval_set=None):
    """The plain way: one MLP.fit per combination."""

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DivergenceWarning)
            for config in expand(grid, 1, base)[1]:
                MLP(**config.as_dict()).fit(X, y, eval_set=eval_set)

    return run


def swept(X, y, grid, base, **options):
    def run():
        sweep(X, y, grid, base=base, **options)

    return run


def cpu_clock():
    """(this process's CPU seconds, {worker pid: CPU seconds}) for the critical-path measure."""
    workers = {}
    if psutil is not None:
        for child in psutil.Process().children(recursive=True):
            try:
                workers[child.pid] = sum(child.cpu_times()[:2])
            except psutil.Error:
                pass
    return time.process_time(), workers


def critical_path(before, after):
    """CPU seconds of this process plus the busiest worker: the wall time two free cores would take."""
    busiest = max((seconds - before[1].get(pid, 0.0) for pid, seconds in after[1].items()), default=0.0)
    return after[0] - before[0] + busiest


def interleave(contenders, rounds):
    """{name: [(wall s, critical-path CPU s)]}, run A B C A B C ... after one untimed warm-up each."""
    times = {name: [] for name in contenders}
    for run in contenders.values():
        run()
    for _ in range(rounds):
        for name, run in contenders.items():
            clock, started = cpu_clock(), time.perf_counter()
            run()
            times[name].append((time.perf_counter() - started, critical_path(clock, cpu_clock())))
    return times


def plan(X, grid, base, eval_set=None):
    """How the default sweep splits the work: chunk sizes and the number of workers."""
    configs = expand(grid, 1, base)[1]
    chunks, workers = _plan(configs, X, eval_set, None, None)
    return f"default plan: chunks of {sorted(map(len, chunks), reverse=True)} runs on {workers} worker(s)"


def report(title, times):
    """Print wall medians and ranges and CPU critical paths; returns {name: (wall, cpu) medians}."""
    print(f"\n{title}")
    print(f"  {'contender':40s} {'wall median s':>13s} {'min-max':>15s} {'CPU path s':>11s}")
    medians = {}
    for name, values in times.items():
        wall, cpu = [w for w, _ in values], [c for _, c in values]
        medians[name] = statistics.median(wall), statistics.median(cpu)
        print(f"  {name:40s} {medians[name][0]:13.3f} {min(wall):7.3f}-{max(wall):<7.3f} {medians[name][1]:11.3f}")
    return medians


def ratio(medians, slow, fast):
    """'wall ×, CPU-path ×' of slow over fast."""
    return f"{medians[slow][0] / medians[fast][0]:5.2f}× wall, {medians[slow][1] / medians[fast][1]:5.2f}× CPU path"


def three_ways(X, y, grid, base, eval_set=None, default=DEFAULT):
    """The same grid as a loop of MLP.fit, the default sweep and the sweep stacked in this process."""
    return {
        LOOP: loop(X, y, grid, base, eval_set),
        default: swept(X, y, grid, base, eval_set=eval_set),
        IN_PROCESS: swept(X, y, grid, base, eval_set=eval_set, n_jobs=1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--linear-rounds", type=int, default=5)
    args = parser.parse_args()
    X, X_test, y_raw, _, y, y_test = data()
    print(f"{len(X)} training rows, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    with threadpool_limits(limits=1, user_api="blas"):
        cold, just_started = first_calls(X, y, X_test, y_test)  # before anything else starts workers
        grid = {"lr": LRS, "init": INITS}
        base = dict(hidden=(64, 32), epochs=args.epochs)
        deep = report(
            f"1. 16 runs of 10-64-32-1 ReLU, {args.epochs} epochs, {args.rounds} rounds",
            interleave(three_ways(X, y, grid, base), args.rounds),
        )
        print("  " + plan(X, grid, base))
        linear_grid, linear_base = {"lr": LINEAR_LRS}, dict(hidden=(), init="zeros", epochs=1000)
        linear = report(
            f"2. 64 linear-regression runs, 1000 epochs, {args.linear_rounds} rounds",
            interleave(three_ways(X, y_raw, linear_grid, linear_base), args.linear_rounds),
        )
        print("  " + plan(X, linear_grid, linear_base))
        page_base, page_eval = dict(epochs=PAGE_EPOCHS), (X_test, y_test)
        page = report(
            f"3. page default: 16 runs of 10-64-32-1, {PAGE_EPOCHS} epochs, eval set, {args.rounds} rounds",
            interleave(three_ways(X, y, grid, page_base, page_eval, default=PAGE_WARM), args.rounds),
        )
        print("  " + plan(X, grid, page_base, page_eval))
        print(f"  {'first call, no workers started (cold)':40s} {cold:13.3f}")
        print(f"  {'first call on just-started workers':40s} {just_started:13.3f}")
        short_base = dict(hidden=(64, 32), epochs=SHORT_EPOCHS)
        short = report(
            f"4. 16 runs of 10-64-32-1 ReLU, {SHORT_EPOCHS} epochs, {args.rounds} rounds",
            interleave(three_ways(X, y, grid, short_base), args.rounds),
        )
        print("  " + plan(X, grid, short_base))
        stacks = report(
            f"5. the runs of 1. as stacks of {', '.join(map(str, STACK_SIZES))} runs, {args.epochs} epochs",
            interleave({f"stacks of {size}": stacked(X, y, grid, base, size) for size in STACK_SIZES}, 1),
        )
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    print("\nratios (higher is faster; target in brackets). 'CPU path' = CPU seconds of this process plus its")
    print("busiest worker: what the wall time would be with both cores free of other work.")
    print(f"  16 × 64-32, sweep / loop        {ratio(deep, LOOP, DEFAULT)}  [>= 1.9]")
    print(f"  16 × 64-32, stacking alone      {ratio(deep, LOOP, IN_PROCESS)}  [>= 1.0]")
    print(f"  64 × linear, sweep / loop       {ratio(linear, LOOP, DEFAULT)}  [>= 10]")
    print(f"  64 × linear, stacking alone     {ratio(linear, LOOP, IN_PROCESS)}  [>= 1.3]")
    print(f"  page grid, sweep / loop         {ratio(page, LOOP, PAGE_WARM)}  [>= 1.0]")
    print(f"  page grid, stacking alone       {ratio(page, LOOP, IN_PROCESS)}  [>= 1.0]")
    print(f"  16 × {SHORT_EPOCHS} epochs, sweep / loop   {ratio(short, LOOP, DEFAULT)}  [>= 1.0]")
    print(f"  16 × {SHORT_EPOCHS} epochs, stacking alone {ratio(short, LOOP, IN_PROCESS)}  [>= 1.0]")
    alone = stacks["stacks of 1"][0]
    print(
        "  stack size, against one run at a time: " + ", ".join(f"{n} {alone / t:.2f}×" for n, (t, _) in stacks.items())
    )
    wall, cpu = page[PAGE_WARM]
    print(
        f"  page default grid, {PAGE_EPOCHS} epochs  {wall:.2f} s wall, {cpu:.2f} s CPU path [<= 1.2 s warm]; "
        f"first call {cold:.2f} s cold, {just_started:.2f} s on just-started workers [<= 2 s]"
    )


def stacked(X, y, grid, base, size):
    """The grid as train() calls on stacks of `size` runs, in this process."""
    configs = expand(grid, 1, base)[1]

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DivergenceWarning)
            for start in range(0, len(configs), size):
                train(configs[start : start + size], X, y)

    return run


def first_calls(X, y, X_test, y_test):
    """Seconds of the page grid in a fresh process: with no workers, then on workers just started
    by start_workers() and never used yet (a server's first press)."""
    page = dict(grid={"lr": LRS, "init": INITS}, base=dict(epochs=PAGE_EPOCHS), eval_set=(X_test, y_test))
    started = time.perf_counter()
    sweep(X, y, **page)
    cold = time.perf_counter() - started
    start_workers().join()  # as the app's server does at start-up, seconds before a first click
    started = time.perf_counter()
    sweep(X, y, **page)
    return cold, time.perf_counter() - started


if __name__ == "__main__":
    main()
