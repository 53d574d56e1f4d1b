"""Small runs on the diabetes split that several core test files share."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

import nnlab

X_ALL, Y_ALL = load_diabetes(return_X_y=True)
X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = train_test_split(X_ALL, Y_ALL, test_size=0.2, random_state=42)
Y_MEAN, Y_STD = Y_TRAIN.mean(), Y_TRAIN.std()
Z_TRAIN, Z_TEST = (Y_TRAIN - Y_MEAN) / Y_STD, (Y_TEST - Y_MEAN) / Y_STD


def fit(**params):
    """A (8, 4) network trained 40 epochs on the standardized target, with the test rows as eval set."""
    model = nnlab.MLP(**{"hidden": (8, 4), "epochs": 40, "lr": 0.05, **params})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)
        return model.fit(X_TRAIN, Z_TRAIN, eval_set=(X_TEST, Z_TEST))


def forward(weights, biases, X, f=lambda z: np.maximum(z, 0)):
    """The network written out: hidden layers f(a W + b), a linear output."""
    a = X
    for W, b in zip(weights[:-1], biases[:-1]):
        a = f(a @ W + b)
    return a @ weights[-1] + biases[-1]
