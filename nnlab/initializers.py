"""Weight initializers: name -> function(rng, fan_in, fan_out) returning W of shape (fan_in, fan_out).

Each run draws from its own generator, so a run's weights never depend on what else is
trained beside it. Biases always start at zero.
"""

from __future__ import annotations

import numpy as np

TUTORIAL_STD = 0.01


def zeros(rng, fan_in, fan_out):
    """W = 0: every unit in a layer computes the same thing and gets the same update (symmetry)."""
    return np.zeros((fan_in, fan_out))


def random(rng, fan_in, fan_out):
    """W ~ N(0, 0.01²), the tutorial's 'small random values', blind to the layer's width."""
    return rng.standard_normal((fan_in, fan_out)) * TUTORIAL_STD


def xavier(rng, fan_in, fan_out):
    """W ~ N(0, 2 / (fan_in + fan_out)) (Glorot): keeps variance through tanh/sigmoid layers."""
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / (fan_in + fan_out))


def he(rng, fan_in, fan_out):
    """W ~ N(0, 2 / fan_in) (He/Kaiming): keeps variance through ReLU layers, which zero half the signal."""
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


INITIALIZERS = {"zeros": zeros, "random": random, "xavier": xavier, "he": he}
