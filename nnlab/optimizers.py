"""Optimizers that update parameters in place; step() returns the arrays holding ±the update.

State lives in lists aligned with the parameter list (as in scikit-learn). Parameters carry a
leading run axis (runs trained side by side), and ``lr`` is one rate per run, so stacked runs
each keep their own rate.
"""

from __future__ import annotations

import numpy as np


class _Optimizer:
    state_names: tuple[str, ...] = ()
    # True when a step's size does not shrink with the gradient's (see nnlab.divergence.bound).
    scale_free_steps = False

    def __init__(self, params, lr, momentum=0.0):
        self.lr = np.asarray(lr, dtype=params[0].dtype).reshape(-1)
        self.momentum = momentum
        self.rates = [self.lr.reshape((-1,) + (1,) * (p.ndim - 1)) for p in params]
        if len(self.lr) not in (1, len(params[0])):
            raise ValueError(f"lr: expected one rate per run ({len(params[0])}), got {len(self.lr)}")
        for name in self.state_names:
            setattr(self, name, [np.zeros_like(p) for p in params])

    def keep(self, runs):
        """Drop every run but ``runs`` (an index array), e.g. after some runs diverged."""
        self.lr = self.lr[runs]
        self.rates = [rate[runs] for rate in self.rates]
        for name in self.state_names:
            setattr(self, name, [state[runs] for state in getattr(self, name)])


class SGD(_Optimizer):
    """θ ← θ − η g"""

    def step(self, params, grads, scratch):
        for theta, grad, rate, buf in zip(params, grads, self.rates, scratch):
            np.multiply(grad, rate, out=buf)
            theta -= buf
        return scratch


class Momentum(_Optimizer):
    """v ← μ v − η g;  θ ← θ + v  (heavy ball)"""

    state_names = ("velocity",)

    def step(self, params, grads, scratch):
        for theta, grad, rate, velocity, buf in zip(params, grads, self.rates, self.velocity, scratch):
            velocity *= self.momentum
            np.multiply(grad, rate, out=buf)
            velocity -= buf
            theta += velocity
        return self.velocity


class Adam(_Optimizer):
    """m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − η·√(1−β₂ᵗ)/(1−β₁ᵗ)·m / (√v + ε)

    Kingma & Ba's bias-corrected step in their cheaper form, as scikit-learn computes it.
    """

    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    state_names = ("first", "second")
    scale_free_steps = True  # every weight moves by about lr, whatever the gradient's scale

    def __init__(self, params, lr, momentum=0.0):
        super().__init__(params, lr, momentum)
        self.t = 0

    def step(self, params, grads, scratch):
        self.t += 1
        correction = np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        for theta, grad, rate, m, v, buf in zip(params, grads, self.rates, self.first, self.second, scratch):
            m *= self.beta1
            np.multiply(grad, 1 - self.beta1, out=buf)
            m += buf
            v *= self.beta2
            np.square(grad, out=buf)
            buf *= 1 - self.beta2
            v += buf
            np.sqrt(v, out=buf)
            buf += self.epsilon
            np.divide(m, buf, out=buf)
            buf *= rate * correction
            theta -= buf
        return scratch


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
