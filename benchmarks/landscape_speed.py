"""Loss landscape speed: `nnlab.landscape.plane` against plain loops of one forward pass per point.

The deep page's default run (10-64-32-1 ReLU, He, lr 0.03, 300 epochs, standardized target) on the
353 diabetes training rows; a 41×41 grid (1,681 forward passes of all 353 rows), one BLAS thread
(as the landscape pins itself). Contenders interleaved in this one process, best and median of
--rounds: the PCA plane (PCA of the 301 snapshots included), the random filter-normalised plane,
the 1-D line (121 points); then, once each, two loops: a Network of one run per grid point, and
MLP.predict per point, as a learner would write it. Target: the 41×41 plane ≤ 1 s. The load
average is printed at the start and the end: on a shared machine the times are upper bounds.

    python benchmarks/landscape_speed.py [--rounds 5] [--steps 41]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from nnlab import MLP, landscape
from nnlab.network import Network

TARGET_SECONDS = 1.0


def data():
    X, y = load_diabetes(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=42)
    return X_train, (y_train - y_train.mean()) / y_train.std()


def naive_plane(model, X, y, surface):
    """The plain way: for each grid point, a network of its own and one forward pass."""
    layout = landscape.layout_of(model)
    center = landscape.final_parameters(model)
    out = np.empty((len(surface.y), len(surface.x)))
    for i, b in enumerate(surface.y):
        for j, a in enumerate(surface.x):
            theta = center + a * surface.directions[0] + b * surface.directions[1]
            net = Network(theta[None], layout, model.activation)
            buffers = net.buffers(len(X))
            out[i, j] = net.loss(net.forward(X, buffers), y, buffers)[0]
    return out


def predict_plane(model, X, y, surface):
    """The way a learner would write it: set the model's parameters to each point, call predict."""
    layout = landscape.layout_of(model)
    center = landscape.final_parameters(model)
    probe = copy.deepcopy(model)
    out = np.empty((len(surface.y), len(surface.x)))
    for i, b in enumerate(surface.y):
        for j, a in enumerate(surface.x):
            weights, biases = layout.views(center + a * surface.directions[0] + b * surface.directions[1])
            probe.coefs_, probe.intercepts_ = weights, biases
            out[i, j] = np.mean((probe.predict(X) - y) ** 2)
    return out


def timed(function, rounds):
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    return result, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=landscape.STEPS)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    X, y = data()
    model = MLP(hidden=(64, 32), activation="relu", init="he", lr=0.03, epochs=300, random_state=0).fit(X, y)
    snapshots, _ = landscape.path(model)
    print(f"{X.shape[0]} rows, {landscape.layout_of(model).n_params:,} parameters, {len(snapshots)} snapshots")
    steps = args.steps
    contenders = {
        f"plane, PCA ({steps}×{steps})": lambda: landscape.plane(model, X, y, "pca", steps),
        f"plane, random ({steps}×{steps})": lambda: landscape.plane(model, X, y, "random", steps),
        f"line ({landscape.LINE_STEPS} points)": lambda: landscape.line(model, X, y),
    }
    results = {name: [] for name in contenders}
    surface = None
    for _ in range(args.rounds):  # interleaved, so a burst of load hits every contender alike
        for name, function in contenders.items():
            result, seconds = timed(function, 1)
            results[name] += seconds
            surface = result if "PCA" in name else surface
    with threadpool_limits(1, user_api="blas"):
        naive, naive_seconds = timed(lambda: naive_plane(model, X, y, surface), 1)
        predicted, predict_seconds = timed(lambda: predict_plane(model, X, y, surface), 1)
    for other in (naive, predicted):  # the same numbers, or the race is void
        np.testing.assert_allclose(other, surface.loss, rtol=1e-10)
    print(f"\n{'contender':<28} {'best s':>8} {'median s':>9}")
    for name, seconds in results.items():
        print(f"{name:<28} {min(seconds):>8.3f} {statistics.median(seconds):>9.3f}")
    print(f"{'loop: a Network per point':<28} {naive_seconds[0]:>8.3f} {naive_seconds[0]:>9.3f}")
    print(f"{'loop: MLP.predict per point':<28} {predict_seconds[0]:>8.3f} {predict_seconds[0]:>9.3f}")
    best = min(results[f"plane, PCA ({steps}×{steps})"])
    print(f"\nPCA plane best {best:.3f} s: {best / TARGET_SECONDS:.2f} × the {TARGET_SECONDS:g} s target")
    print(
        f"the loops take {naive_seconds[0] / best:.1f}× (a Network per point) and {predict_seconds[0] / best:.1f}× "
        "(MLP.predict per point) the stacked plane's time"
    )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
