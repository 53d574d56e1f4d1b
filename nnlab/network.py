"""The network itself: stacked parameters, forward pass and hand-written backward pass.

Every array carries a leading run axis so that several runs of one architecture train in the
same NumPy calls (a single model is a stack of one). All of a run's parameters live in one flat
row, theta (runs, n_params): [W₀ W₁ … b₀ b₁ …]; W[l] (runs, fan_in, fan_out) and b[l]
(runs, fan_out) are views into it, and so are the gradients gW, gb into grad. One flat row
makes optimizer steps, snapshots and per-layer norms a single NumPy call each.
z[l] and a[l] are (runs, rows, fan_out); the data X (rows, features) is shared by all runs.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .activations import ACTIVATIONS
from .initializers import INITIALIZERS


class Layout:
    """Where each layer's W and b sit in a flat parameter row."""

    def __init__(self, sizes):
        self.sizes = list(sizes)
        self.shapes = list(zip(self.sizes[:-1], self.sizes[1:]))
        weight_sizes = [i * o for i, o in self.shapes]
        bias_sizes = [o for _, o in self.shapes]
        self.starts = np.cumsum([0] + weight_sizes + bias_sizes)[:-1]
        self.n_weights = sum(weight_sizes)
        self.n_params = self.n_weights + sum(bias_sizes)
        self.n_layers = len(self.shapes)

    def views(self, flat):
        """Per-layer views (…, fan_in, fan_out) and (…, fan_out) into flat (…, n_params).

        flat holds parameters or their gradients, so the blocks are W and b, or ∂L/∂W and ∂L/∂b.
        """
        lead = flat.shape[:-1]
        matrices = [flat[..., s : s + i * o].reshape(lead + (i, o)) for s, (i, o) in zip(self.starts, self.shapes)]
        vectors = [flat[..., s : s + o] for s, (_, o) in zip(self.starts[self.n_layers :], self.shapes)]
        return matrices, vectors

    def pack(self, weights, biases):
        """Flat rows (runs, n_params) from per-layer stacked arrays."""
        runs = len(weights[0])
        return np.concatenate([w.reshape(runs, -1) for w in weights] + [b.reshape(runs, -1) for b in biases], axis=1)

    def layer_squared_norms(self, flat, scratch):
        """Σ x² per block of flat (…, n_params), (…, 2·layers): weights of each layer, then biases."""
        np.multiply(flat, flat, out=scratch)
        return np.add.reduceat(scratch, self.starts, axis=-1)


class Buffers:
    """Work arrays for one batch size, allocated once and overwritten every step."""

    def __init__(self, runs, rows, sizes, dtype, forward_only_rows=0):
        shapes = [(runs, rows, width) for width in sizes[1:]]
        # forward_only_rows: rows the forward pass also carries after the training rows (the
        # validation set), so one pass per layer serves both; z and a are views of the training
        # rows, which the backward pass reads, and z_all, a_all hold every row.
        self.z_all = [np.empty((runs, rows + forward_only_rows, width), dtype) for width in sizes[1:]]
        self.a_all = [np.empty_like(z) for z in self.z_all[:-1]]
        self.z = [z[:, :rows] for z in self.z_all]
        self.a = [a[:, :rows] for a in self.a_all]
        # Every hidden layer's slopes side by side in one array, so the trainer counts dead and
        # saturated units of all layers in one product (slope[l] are views into its columns).
        hidden = sizes[1:-1]
        self.slope_all = np.empty((runs, rows, sum(hidden)), dtype)
        self.unit_starts = np.cumsum([0, *hidden])[:-1]
        self.slope = [self.slope_all[..., s : s + w] for s, w in zip(self.unit_starts, hidden)]
        self.delta = [np.empty(s, dtype) for s in shapes]
        self.error = np.empty((runs, rows), dtype)
        # Per-run 2-D views: BLAS multiplies transposed 2-D operands in place, while a stacked
        # matmul with a transposed operand copies it first (~25% slower here).
        self.z_all_runs = [list(z) for z in self.z_all]
        self.a_all_runs = [list(a) for a in self.a_all]
        self.a_runs = [list(a) for a in self.a]
        self.aT_runs = [[a.T for a in runs_a] for runs_a in self.a_runs]
        self.delta_runs = [list(d) for d in self.delta]
        # Column sums as a matrix product: BLAS beats a strided reduction over the row axis.
        self.ones = np.ones((1, 1, rows), dtype)
        self._shapes, self._dtype, self._directional = shapes, dtype, None

    def directional(self):
        """R{z}, R{a} and R{delta} for Hessian-vector products, allocated on first use (most runs never need them)."""
        if self._directional is None:
            new = lambda shapes: [np.empty(s, self._dtype) for s in shapes]  # noqa: E731
            # *_term: room for the second product of a sum, so no (rows × width) array is allocated per call.
            self._directional = SimpleNamespace(
                z=new(self._shapes),
                z_term=new(self._shapes),
                a=new(self._shapes[:-1]),
                delta=new(self._shapes),
                delta_term=new(self._shapes),
            )
        return self._directional


class Network:
    """A stack of multilayer perceptrons with one linear output unit."""

    def __init__(self, theta, layout, activation, l2=0.0):
        self.layout = layout
        self.sizes = layout.sizes
        self.activation = ACTIVATIONS[activation]
        self.l2 = np.broadcast_to(np.asarray(l2, dtype=theta.dtype).reshape(-1, 1), (len(theta), 1)).copy()
        self._bind(theta)

    @classmethod
    def from_layers(cls, weights, biases, activation):
        """A stack of one from 2-D per-layer arrays (fan_in, fan_out) and (fan_out,)."""
        layout = Layout([weights[0].shape[0]] + [w.shape[1] for w in weights])
        return cls(layout.pack([w[None] for w in weights], [b[None] for b in biases]), layout, activation)

    def _bind(self, theta, grad=None):
        # θ and ∂L/∂θ side by side in one array, so the trainer's per-layer norms of both are one
        # multiply and one reduction.
        self.state = np.empty((2, *np.shape(theta)), np.asarray(theta).dtype)
        self.theta, self.grad = self.state
        self.theta[...] = theta
        self.grad[...] = 0 if grad is None else grad
        self.W, self.b = self.layout.views(self.theta)
        self.gW, self.gb = self.layout.views(self.grad)
        self.W_runs = [list(W) for W in self.W]
        self.WT_runs = [[w.T for w in W] for W in self.W_runs]
        self.gW_runs = [list(gW) for gW in self.gW]
        self._buffers = {}

    @property
    def runs(self):
        return len(self.theta)

    def keep(self, runs):
        """Drop every run but ``runs`` (an index array)."""
        self.l2 = self.l2[runs]
        # The survivors keep this epoch's gradient: their update has not been applied yet.
        self._bind(self.theta[runs], self.grad[runs])

    def buffers(self, rows, purpose="train", forward_only_rows=0):
        """Buffers for a batch of ``rows``; a run of mini-batches needs at most two sizes."""
        key = (purpose, rows, forward_only_rows)
        if key not in self._buffers:
            self._buffers[key] = Buffers(self.runs, rows, self.sizes, self.theta.dtype, forward_only_rows)
        return self._buffers[key]

    def forward(self, X, buffers):
        """Predictions (runs, rows) for X (rows, features); keeps z and a for the backward pass.

        X holds the buffers' training rows followed by their forward-only rows, if any.
        """
        last = len(self.W) - 1
        for layer, b in enumerate(self.b):
            z = buffers.z_all[layer]
            if layer == 0:  # X is shared by every run: one stacked product serves them all
                np.matmul(X, self.W[0], out=z)
            else:
                for a, W, z_run in zip(buffers.a_all_runs[layer - 1], self.W_runs[layer], buffers.z_all_runs[layer]):
                    np.matmul(a, W, out=z_run)
            z += b[:, None, :]
            if layer < last:
                self.activation.function(z, out=buffers.a_all[layer])
        return z[..., 0]

    def loss(self, prediction, y, buffers):
        """Mean squared error per run, (runs,); leaves ŷ − y in buffers.error."""
        return mean_squared_error(prediction, y, out=buffers.error)

    def backward(self, X, buffers):
        """Fill grad with d/dθ [mean((ŷ − y)²) + l2·Σ‖W‖²], using the last forward pass."""
        rows = X.shape[0]
        delta = buffers.delta[-1]
        np.multiply(buffers.error[..., None], 2.0 / rows, out=delta)
        for layer in range(len(self.W) - 1, -1, -1):
            if layer == 0:
                np.matmul(np.ascontiguousarray(X.T), delta, out=self.gW[0])
            else:
                for a_T, d, gW in zip(buffers.aT_runs[layer - 1], buffers.delta_runs[layer], self.gW_runs[layer]):
                    np.matmul(a_T, d, out=gW)
            np.matmul(buffers.ones, delta, out=self.gb[layer][:, None, :])
            if layer > 0:
                if self.sizes[layer + 1] == 1:
                    # One unit above: δ·Wᵀ is an outer product, each entry a single product, so one
                    # broadcast multiply gives BLAS's numbers bit for bit, for every run at once,
                    # in a quarter of the time of a k=1 matrix product per run.
                    np.multiply(delta, self.W[layer].transpose(0, 2, 1), out=buffers.delta[layer - 1])
                else:
                    for d, W_T, d_previous in zip(
                        buffers.delta_runs[layer], self.WT_runs[layer], buffers.delta_runs[layer - 1]
                    ):
                        np.matmul(d, W_T, out=d_previous)
                delta = buffers.delta[layer - 1]
                delta *= self.activation.derivative(buffers.z[layer - 1], out=buffers.slope[layer - 1])
        if self.l2.any():
            weights = slice(0, self.layout.n_weights)
            self.grad[:, weights] += 2 * self.l2 * self.theta[:, weights]

    def hessian_vector(self, X, buffers, vector):
        """H·v (runs, n_params): the objective's Hessian at theta times vector (runs, n_params).

        Pearlmutter's R-operator, forward over backward: R{·} is the directional derivative along
        v = (V, c) of each quantity of the forward and backward passes. It reads z, a, f′(z) and
        delta from buffers, so the forward and backward passes of this batch must come first.
        """
        V, c = self.layout.views(vector)
        R = buffers.directional()
        last = len(self.W) - 1
        for layer in range(last + 1):
            R_z = R.z[layer]
            if layer == 0:
                np.matmul(X, V[0], out=R_z)
            else:
                for run, (a, W, R_a) in enumerate(zip(buffers.a_runs[layer - 1], self.W_runs[layer], R.a[layer - 1])):
                    np.matmul(a, V[layer][run], out=R_z[run])
                    R_z[run] += np.matmul(R_a, W, out=R.z_term[layer][run])
            R_z += c[layer][:, None, :]
            if layer < last:
                np.multiply(buffers.slope[layer], R_z, out=R.a[layer])
        out = np.empty_like(vector)
        R_gW, R_gb = self.layout.views(out)
        R_delta = np.multiply(R.z[last], 2.0 / X.shape[0], out=R.delta[last])
        for layer in range(last, -1, -1):
            np.matmul(buffers.ones, R_delta, out=R_gb[layer][:, None, :])
            if layer == 0:
                np.matmul(X.T, R_delta, out=R_gW[0])
                break
            delta, R_back = buffers.delta[layer], R.delta[layer - 1]
            # Per run, 2-D: BLAS reads the transposed operands in place (see Buffers).
            for run, (a_T, W_T) in enumerate(zip(buffers.aT_runs[layer - 1], self.WT_runs[layer])):
                np.matmul(a_T, R_delta[run], out=R_gW[layer][run])
                R_gW[layer][run] += R.a[layer - 1][run].T @ delta[run]
                np.matmul(R_delta[run], W_T, out=R_back[run])
                R_back[run] += np.matmul(delta[run], V[layer][run].T, out=R.delta_term[layer - 1][run])
            R_back *= buffers.slope[layer - 1]
            if self.activation.curved:  # d(f′(z)) = f″(z)·R{z}: the only place the second derivative enters
                error = R.delta_term[layer - 1]
                for run, W_T in enumerate(self.WT_runs[layer]):
                    np.matmul(delta[run], W_T, out=error[run])
                error *= self.activation.second_derivative(buffers.z[layer - 1])
                error *= R.z[layer - 1]
                R_back += error
            R_delta = R_back
        if self.l2.any():
            weights = slice(0, self.layout.n_weights)
            out[:, weights] += 2 * self.l2 * vector[:, weights]
        return out

    def penalty(self):
        """l2·Σ‖W‖² per run, the part of the objective that is not the data fit."""
        weights = self.theta[:, : self.layout.n_weights]
        return self.l2[:, 0] * np.einsum("rp,rp->r", weights, weights)


def mean_squared_error(prediction, y, out=None):
    """mean((ŷ − y)²) per run, (runs,), of prediction (runs, rows) against y (rows,); ŷ − y goes to out."""
    error = np.subtract(prediction, y, out=out)
    return np.matmul(error[:, None, :], error[:, :, None])[:, 0, 0] / error.shape[1]


def initial_parameters(layout, init, rngs, dtype):
    """Flat parameters (runs, n_params): W from each run's initializer and generator, b = 0."""
    runs = len(rngs)
    weights = [
        np.stack([INITIALIZERS[name](rng, fan_in, fan_out) for name, rng in zip(init, rngs)])
        for fan_in, fan_out in layout.shapes
    ]
    biases = [np.zeros((runs, fan_out)) for _, fan_out in layout.shapes]
    return layout.pack(weights, biases).astype(dtype)
