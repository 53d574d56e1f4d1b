"""What the training doctor costs: diagnose on a long history, full recording and sharpness
tracking against bare training.

The deep page's default run (10-64-32-1 ReLU, He init, lr 0.03, 300 epochs, full batch) on the
diabetes split with a standardized target, its test rows as eval set. Contenders run interleaved in
one process (A B C A B C ...), each pinned to one BLAS thread; the fastest of the rounds is the
one least disturbed by other processes, so ratios are taken between fastest times. Prints the
times, the ratios and whether each of the issue's targets is met: full recording (history,
dead/saturated units, validation) at most +15% over bare training, and sharpness_every at the deep
page's default at most +30% over the same run without it. The sharpness over bare training is
printed too, for reference: it is the two costs compounded.

    python benchmarks/diagnosis_speed.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import statistics
import time

from threadpoolctl import threadpool_limits

import nnlab
from nnlab import data
from nnlab.config import Config
from nnlab.training import train

DEEP = dict(hidden=(64, 32), init="he", lr=0.03, epochs=300)  # the deep page's defaults
SHARPNESS_EVERY = 10
DIAGNOSE_EPOCHS = 1000
# diagnose in ms; recording: share over bare training; sharpness: share over the same run without it
TARGETS = {"diagnose": 20.0, "recording": 0.15, "sharpness": 0.30}


def contenders(dataset):
    """name -> function training the deep default once."""
    X, y, eval_set = dataset.X_train, dataset.y_train, (dataset.X_test, dataset.y_test)
    plain, sharp = Config(**DEEP), Config(**DEEP, sharpness_every=SHARPNESS_EVERY)
    return {
        "bare (record=False)": lambda: train([plain], X, y, record=False),
        "full recording, no eval set": lambda: train([plain], X, y),
        "full recording + validation": lambda: train([plain], X, y, eval_set=eval_set),
        f"... + sharpness_every={SHARPNESS_EVERY}": lambda: train([sharp], X, y, eval_set=eval_set),
    }


def timed(function, rounds):
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    dataset = data.make_dataset("diabetes", target_scaling="standardize")
    runs = contenders(dataset)
    times = {name: [] for name in runs}
    with threadpool_limits(limits=1, user_api="blas"):
        for run in runs.values():  # warm-up: allocator, BLAS kernels
            run()
        for _ in range(args.rounds):
            for name, run in runs.items():
                started = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - started)
        long_run = nnlab.MLP(**dict(DEEP, epochs=DIAGNOSE_EPOCHS)).fit(
            dataset.X_train, dataset.y_train, eval_set=(dataset.X_test, dataset.y_test)
        )
        history_ms = timed(lambda: nnlab.diagnose(long_run.history_), args.rounds) * 1e3
        data_ms = timed(lambda: nnlab.diagnose(long_run, dataset.X_train, dataset.y_train), args.rounds) * 1e3
    fastest = {name: min(values) * 1e3 for name, values in times.items()}
    print(
        f"{len(dataset.X_train)} rows, 10-64-32-1 ReLU, lr 0.03, full batch, {DEEP['epochs']} epochs, "
        f"{args.rounds} rounds, 1 BLAS thread\n"
    )
    for name, value in fastest.items():
        print(f"  {name:34s} {value:8.1f} ms   (median {statistics.median(times[name]) * 1e3:.1f})")
    print(f"  {'diagnose(history), 1,000 epochs':34s} {history_ms:8.1f} ms")
    print(f"  {'diagnose(model, X, y), 1,000 epochs':34s} {data_ms:8.1f} ms   (adds the data checks and the sharpness)")
    bare, recorded, full, sharp = fastest.values()
    rows, val_rows = len(dataset.X_train), len(dataset.X_test)
    results = [
        ("diagnose on a 1,000-epoch history", history_ms, TARGETS["diagnose"], "ms"),
        ("recording (no eval set) over bare", recorded / bare - 1, TARGETS["recording"], "%"),
        ("full recording + validation over bare", full / bare - 1, TARGETS["recording"], "%"),
        (f"sharpness_every={SHARPNESS_EVERY} over bare", sharp / bare - 1, None, "%"),
        (f"sharpness_every={SHARPNESS_EVERY} over full recording", sharp / full - 1, TARGETS["sharpness"], "%"),
    ]
    print("\nagainst the issue's targets")
    for label, value, target, unit in results:
        shown = f"{value:6.1f} ms" if unit == "ms" else f"{value:+6.0%}"
        if target is None:
            print(f"  {label:44s} {shown}  (for reference)")
            continue
        bar = f"<= {target:g} ms" if unit == "ms" else f"<= +{target:.0%}"
        print(f"  {label:44s} {shown}  [{bar}]  {'met' if value <= target else 'NOT met'}")
    print(
        f"\nThe validation loss is a forward pass over {val_rows} more rows, {val_rows / rows:.0%} as many as the "
        f"training rows; a forward pass is about a third of a training step, so about {val_rows / rows / 3:.0%} "
        f"more arithmetic. Measured: {full / recorded - 1:+.0%} over recording alone."
    )


if __name__ == "__main__":
    main()
