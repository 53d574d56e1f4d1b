"""The tutorial's toy problems, and the loss/gradient mismatch of its first example replayed and checked."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .data import Dataset

TUTORIAL_LR = 0.01
TUTORIAL_EPOCHS = 1000
# Its first example: one row, five features, started from these weights.
ONE_EXAMPLE = {"x": np.array([1.0, 2.0, 3.0, 4.0, 5.0]), "y": 25.0,
               "w": np.array([4.2, 3.6, 1.5, 0.7, 0.1]), "b": 0.0}
# Its second: three rows, trained from w = 0, b = 0.
THREE_EXAMPLES = {"X": np.array([[1.0, 2, 3, 4, 5], [2, 3, 4, 5, 6], [3, 4, 5, 6, 7]]),
                  "y": np.array([25.0, 30.0, 35.0])}
TOY_PROBLEMS = {"one": "the tutorial's first example (one row)",
                "three": "the tutorial's three examples"}
# Each problem's rows, X (n, 5) and y (n,), keyed like TOY_PROBLEMS.
TOY_ROWS = {"one": (ONE_EXAMPLE["x"].reshape(1, -1), np.array([ONE_EXAMPLE["y"]])),
            "three": (THREE_EXAMPLES["X"], THREE_EXAMPLES["y"])}


def toy_dataset(name):
    """One of TOY_PROBLEMS as a `Dataset` whose rows are all training rows (the test split is empty)."""
    if not isinstance(name, str) or name not in TOY_ROWS:
        raise ValueError(f"toy problem must be one of {sorted(TOY_PROBLEMS)}, got {name!r}")
    X, y = TOY_ROWS[name]
    return Dataset(name=f"Tutorial: {TOY_PROBLEMS[name]}", X_train=X.copy(), X_test=np.empty((0, X.shape[1])),
                   y_train=y.copy(), y_test=np.empty(0), feature_names=tuple(f"x{i + 1}" for i in range(X.shape[1])),
                   target_name="y", target_mean=0.0, target_std=1.0)


def printed_loss(w, b, x, y):
    """The tutorial's first loss, mean((w ⊙ x + b − y)²): w·x is never summed, so it is not the model's error."""
    return float(np.mean((w * x + b - y) ** 2))


def true_loss(w, b, x, y):
    """The squared error of the prediction its code makes, (w·x + b − y)²."""
    return float((np.dot(w, x) + b - y) ** 2)


def code_gradient(w, b, x, y):
    """The gradient the tutorial's code steps along: 2(w·x + b − y)·(x, 1), that of true_loss."""
    error = np.dot(w, x) + b - y
    return np.r_[2 * error * x, 2 * error]


def numeric_gradient(loss, w, b, x, y, step=1e-6):
    """Central finite differences of loss(w, b, x, y) in (w₁ … w_d, b): (d + 1,)."""
    theta = np.r_[w, b].astype(np.float64)
    grad = np.empty_like(theta)
    for i in range(len(theta)):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += step
        minus[i] -= step
        grad[i] = (loss(plus[:-1], plus[-1], x, y) - loss(minus[:-1], minus[-1], x, y)) / (2 * step)
    return grad


def one_example_bug(lr=TUTORIAL_LR, epochs=TUTORIAL_EPOCHS, problem=ONE_EXAMPLE):
    """Replay the tutorial's first example and check its gradient against both losses.

    Returns dict: printed (epochs,) and true (epochs,) losses before each step; w, b after
    training; prediction w·x + b; check, a DataFrame with one row per loss: relative error
    ‖g_code − g_numeric‖ / (‖g_code‖ + ‖g_numeric‖) at the starting weights, and ok (< 1e-5).
    """
    x, y, w, b = problem["x"], problem["y"], problem["w"].astype(np.float64), float(problem["b"])
    start_w, start_b = w.copy(), b
    printed, true = np.empty(epochs), np.empty(epochs)
    for epoch in range(epochs):
        printed[epoch], true[epoch] = printed_loss(w, b, x, y), true_loss(w, b, x, y)
        step = lr * code_gradient(w, b, x, y)
        w, b = w - step[:-1], b - step[-1]
    analytic = code_gradient(start_w, start_b, x, y)
    rows = []
    for name, loss in (("printed", printed_loss), ("true", true_loss)):
        numeric = numeric_gradient(loss, start_w, start_b, x, y)
        error = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
        rows.append({"loss": name, "relative_error": float(error), "ok": bool(error < 1e-5),
                     "numeric_gradient": numeric})
    return {"printed": printed, "true": true, "w": w, "b": b, "prediction": float(np.dot(w, x) + b),
            "code_gradient": analytic, "check": pd.DataFrame(rows)}
