"""The network itself: stacked parameters, forward pass and hand-written backward pass.

Every array carries a leading run axis so that several runs of one architecture train in the
same NumPy calls (a single model is a stack of one):
W[l] (runs, fan_in, fan_out), b[l] (runs, fan_out), z[l] and a[l] (runs, rows, fan_out).
The data X (rows, features) is shared by all runs.
"""
from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .initializers import INITIALIZERS


class Buffers:
    """Work arrays for one batch size, allocated once and overwritten every step."""

    def __init__(self, runs, rows, sizes, dtype):
        shapes = [(runs, rows, width) for width in sizes[1:]]
        self.z = [np.empty(s, dtype) for s in shapes]
        self.a = [np.empty(s, dtype) for s in shapes[:-1]]
        self.slope = [np.empty(s, dtype) for s in shapes[:-1]]
        self.delta = [np.empty(s, dtype) for s in shapes]
        self.error = np.empty((runs, rows), dtype)


class Network:
    """A stack of multilayer perceptrons with one linear output unit."""

    def __init__(self, weights, biases, activation, l2=0.0):
        self.W = weights
        self.b = biases
        self.activation = ACTIVATIONS[activation]
        self.sizes = [weights[0].shape[1]] + [w.shape[2] for w in weights]
        self.l2 = np.asarray(l2, dtype=weights[0].dtype).reshape(-1, 1, 1)
        self.gW = [np.empty_like(w) for w in weights]
        self.gb = [np.empty_like(b) for b in biases]
        self._buffers = {}

    @property
    def runs(self):
        return self.W[0].shape[0]

    @property
    def params(self):
        return self.W + self.b

    @property
    def grads(self):
        return self.gW + self.gb

    def buffers(self, rows, purpose="train"):
        """Buffers for a batch of ``rows``; a run of mini-batches needs at most two sizes."""
        key = (purpose, rows)
        if key not in self._buffers:
            self._buffers[key] = Buffers(self.runs, rows, self.sizes, self.W[0].dtype)
        return self._buffers[key]

    def keep(self, runs):
        """Drop every run but ``runs`` (an index array)."""
        self.W = [w[runs] for w in self.W]
        self.b = [b[runs] for b in self.b]
        self.l2 = self.l2[runs]
        self.gW = [np.empty_like(w) for w in self.W]
        self.gb = [np.empty_like(b) for b in self.b]
        self._buffers = {}

    def forward(self, X, buffers):
        """Predictions (runs, rows) for X (rows, features); keeps z and a for the backward pass."""
        a = X
        last = len(self.W) - 1
        for layer, (W, b) in enumerate(zip(self.W, self.b)):
            z = np.matmul(a, W, out=buffers.z[layer])
            z += b[:, None, :]
            if layer < last:
                a = self.activation.function(z, out=buffers.a[layer])
        return buffers.z[last][..., 0]

    def loss(self, prediction, y, buffers):
        """Mean squared error per run, (runs,); leaves ŷ − y in buffers.error."""
        error = np.subtract(prediction, y, out=buffers.error)
        return np.einsum("rn,rn->r", error, error) / error.shape[1]

    def backward(self, X, buffers):
        """Fill gW, gb with d/dθ [mean((ŷ − y)²) + l2·Σ‖W‖²], using the last forward pass."""
        rows = X.shape[0]
        delta = buffers.delta[-1]
        np.multiply(buffers.error[..., None], 2.0 / rows, out=delta)
        for layer in range(len(self.W) - 1, -1, -1):
            inputs = X.T if layer == 0 else buffers.a[layer - 1].transpose(0, 2, 1)
            np.matmul(inputs, delta, out=self.gW[layer])
            np.sum(delta, axis=1, out=self.gb[layer])
            if layer > 0:
                previous = np.matmul(delta, self.W[layer].transpose(0, 2, 1), out=buffers.delta[layer - 1])
                previous *= self.activation.derivative(buffers.z[layer - 1], out=buffers.slope[layer - 1])
                delta = previous
        if self.l2.any():
            for W, gW in zip(self.W, self.gW):
                gW += 2 * self.l2 * W

    def penalty(self):
        """l2·Σ‖W‖² per run, the part of the objective that is not the data fit."""
        return self.l2[:, 0, 0] * sum(np.einsum("rij,rij->r", W, W) for W in self.W)


def initial_parameters(sizes, init, rngs, dtype):
    """Stacked W (runs, fan_in, fan_out) and zero b (runs, fan_out); run k draws from rngs[k]."""
    weights = [
        np.stack([INITIALIZERS[name](rng, fan_in, fan_out) for name, rng in zip(init, rngs)]).astype(dtype)
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
    ]
    biases = [np.zeros((len(rngs), fan_out), dtype) for fan_out in sizes[1:]]
    return weights, biases
