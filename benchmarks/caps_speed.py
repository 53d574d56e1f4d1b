"""How long the longest runs the caps allow would take: measured, not asserted in the unit suite.

For three shapes that each hit a different cap (MAX_EPOCHS, MAX_WORK, MAX_STEPS), time a slice of
the run in CPU seconds (process time, so other jobs matter less), extrapolate to the most epochs
the caps allow, and print that beside the documented worst case (MAX_WORK's comment: "a few
minutes on 2 cores at most", taken as 180 s) as a ratio. Run: python benchmarks/caps_speed.py
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

import nnlab
from nnlab import config

WORST_CASE_SECONDS = 180
CASES = [  # label, rows, features, hidden, batch_size, epochs timed
    ("MAX_EPOCHS, deep and tiny, full batch", 2, 2, (16,) * 10, None, 300),
    ("MAX_WORK, dense, full batch", 1000, 10, (256, 256), None, 8),
    ("MAX_STEPS, batch size 1, small net", 50, 2, (16, 16), 1, 20),
]


def sine(rows, features, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3.0, 3.0, (rows, features))
    return X, np.prod(np.cos(X[:, 1:]), axis=1) * np.sin(X[:, 0]) + 0.1 * rng.standard_normal(rows)


def cpu_seconds_per_epoch(X, y, epochs, **params):
    nnlab.MLP(epochs=2, **params).fit(X, y)  # warm-up
    start = time.process_time()
    nnlab.MLP(epochs=epochs, **params).fit(X, y)
    return (time.process_time() - start) / epochs


def longest_allowed_epochs(rows, features, hidden, batch_size=None):
    """The most epochs the caps allow for this shape (MAX_EPOCHS, MAX_WORK and MAX_STEPS)."""
    n_params = config.Config(hidden=hidden).n_params(features)
    batches = math.ceil(rows / min(batch_size or rows, rows))
    epochs = min(config.MAX_EPOCHS, int(config.MAX_WORK // (rows * n_params)), config.MAX_STEPS // batches)
    config.Config(hidden=hidden, epochs=epochs, batch_size=batch_size).check_size(rows, features)
    return epochs


def main():
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(f"{'case':40s} {'epochs allowed':>15s} {'ms/epoch':>9s} {'estimate s':>11s} {'/ 180 s':>8s}")
    for label, rows, features, hidden, batch_size, sample in CASES:
        X, y = sine(rows, features)
        epochs = longest_allowed_epochs(rows, features, hidden, batch_size)
        per_epoch = cpu_seconds_per_epoch(X, y, sample, hidden=hidden, batch_size=batch_size, lr=1e-6)
        estimate = per_epoch * epochs
        print(f"{label:40s} {epochs:15,d} {per_epoch * 1e3:9.3f} {estimate:11.1f} {estimate / WORST_CASE_SECONDS:8.2f}")


if __name__ == "__main__":
    main()
