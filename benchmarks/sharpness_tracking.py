"""How well MLP(sharpness_every=k) tracks the sharpness, and how many Hessian-vector products it pays.

Trains the deep page's default run (10-64-32-1 ReLU, He, lr 0.03, 300 epochs, diabetes with a
standardized target) and five variants, each recording its sharpness every k epochs, then
recomputes each record's λ_max from that epoch's snapshot by power iteration run to convergence.
Prints the products the tracking used and its worst and median relative error.

    python benchmarks/sharpness_tracking.py [--every 10]
"""

from __future__ import annotations

import argparse

import numpy as np

import nnlab
from nnlab import data
from nnlab.curvature import power_iteration
from nnlab.diagnostics import hessian_vector
from nnlab.network import Network

DEEP = dict(hidden=(64, 32), init="he", lr=0.03, epochs=300)
VARIANTS = {
    "deep default": {},
    "lr 0.06": dict(lr=0.06),
    "lr 0.1 (edge of stability)": dict(lr=0.1),
    "tanh": dict(activation="tanh"),
    "Adam, lr 0.01": dict(optimizer="adam", lr=0.01),
    "another seed": dict(random_state=1),
}


class CountingNetwork(Network):
    products = 0

    def hessian_vector(self, X, buffers, vector):
        CountingNetwork.products += 1
        return super().hessian_vector(X, buffers, vector)


def converged_sharpness(history, epoch, X, y):
    index = history.snapshot_epochs.tolist().index(epoch)
    weights = [w[index] for w in history.weights]
    network = Network.from_layers(weights, [b[index] for b in history.biases], history.config.activation)
    start = np.random.default_rng(5).standard_normal(network.theta.shape)
    eigenvalue, _ = power_iteration(lambda v: hessian_vector(network, X, y, v), start, 1000, 1e-13)
    return eigenvalue[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args()
    dataset = data.make_dataset("diabetes", target_scaling="standardize")
    X, y = dataset.X_train, dataset.y_train
    nnlab.training.Network = CountingNetwork  # the trainer builds its network by this name
    print(f"sharpness every {args.every} epochs, {DEEP['epochs']} epochs\n")
    print(f"  {'run':28s} {'records':>7s} {'H·v products':>12s} {'worst error':>11s} {'median':>8s}")
    for name, change in VARIANTS.items():
        CountingNetwork.products = 0
        params = {**DEEP, **change, "sharpness_every": args.every, "record_every": args.every}
        history = nnlab.MLP(**params).fit(X, y).history_
        products = CountingNetwork.products
        exact = [converged_sharpness(history, epoch, X, y) for epoch in history.sharpness_epochs]
        errors = np.abs(history.sharpness - exact) / np.abs(exact)
        print(f"  {name:28s} {len(errors):7d} {products:12d} {errors.max():11.1e} {np.median(errors):8.1e}")


if __name__ == "__main__":
    main()
