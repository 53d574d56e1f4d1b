"""The tutorial's toy problems, and the loss/gradient mismatch of its first example replayed and checked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import Dataset, make_dataset
from .linear import least_squares, reference
from .mlp import MLP

TUTORIAL_LR = 0.01
TUTORIAL_EPOCHS = 1000
# Its first example: one row, five features, started from these weights.
ONE_EXAMPLE = {"x": np.array([1.0, 2.0, 3.0, 4.0, 5.0]), "y": 25.0, "w": np.array([4.2, 3.6, 1.5, 0.7, 0.1]), "b": 0.0}
# Its second: three rows, trained from w = 0, b = 0.
THREE_EXAMPLES = {
    "X": np.array([[1.0, 2, 3, 4, 5], [2, 3, 4, 5, 6], [3, 4, 5, 6, 7]]),
    "y": np.array([25.0, 30.0, 35.0]),
}
TOY_PROBLEMS = {"one": "the tutorial's first example (one row)", "three": "the tutorial's three examples"}
# Each problem's rows, X (n, 5) and y (n,), keyed like TOY_PROBLEMS.
TOY_ROWS = {
    "one": (ONE_EXAMPLE["x"].reshape(1, -1), np.array([ONE_EXAMPLE["y"]])),
    "three": (THREE_EXAMPLES["X"], THREE_EXAMPLES["y"]),
}


def toy_dataset(name):
    """One of TOY_PROBLEMS as a `Dataset` whose rows are all training rows (the test split is empty)."""
    if not isinstance(name, str) or name not in TOY_ROWS:
        raise ValueError(f"toy problem must be one of {sorted(TOY_PROBLEMS)}, got {name!r}")
    return _training_rows_only(f"Tutorial: {TOY_PROBLEMS[name]}", *TOY_ROWS[name])


def _training_rows_only(name, X, y):
    """A `Dataset` of the tutorial's rows, all of them training rows: it has no test split."""
    return Dataset(
        name=name,
        X_train=X.copy(),
        X_test=np.empty((0, X.shape[1])),
        y_train=y.copy(),
        y_test=np.empty(0),
        feature_names=tuple(f"x{i + 1}" for i in range(X.shape[1])),
        target_name="y",
        target_mean=0.0,
        target_std=1.0,
    )


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
        rows.append(
            {"loss": name, "relative_error": float(error), "ok": bool(error < 1e-5), "numeric_gradient": numeric}
        )
    return {
        "printed": printed,
        "true": true,
        "w": w,
        "b": b,
        "prediction": float(np.dot(w, x) + b),
        "code_gradient": analytic,
        "check": pd.DataFrame(rows),
    }


# -- the tutorial step by step -------------------------------------------------------------------
# What the tutorial printed, quoted as it printed it: each entry names the line of
# ../shared/seed/tutorial.txt holding the code cell whose output it is. Every other number the
# guide shows is computed by nnlab.
PRINTED = {
    "one": {
        "cell": 4,
        "loss": {0: 452.56399999999996, 100: 398.9825051020408, 900: 398.9825051020408},
        "final_loss": 398.9825051020408,
        "w": [4.30357143, 3.80714286, 1.81071429, 1.11428571, 0.61785714],
        "b": 0.10357142857142854,
        "prediction": 25.0,
    },
    "three": {
        "cell": 20,
        "loss": {
            0: 916.6666666666666,
            100: 0.3542681599414232,
            200: 0.07389895348457104,
            300: 0.015415033100318507,
            400: 0.0032155157046107573,
            500: 0.0006707440184727005,
            600: 0.00013991458280599502,
            700: 2.918563556681734e-05,
            800: 6.088009600987926e-06,
            900: 1.269935027346966e-06,
        },
        "w": [-0.81758997, 0.09126705, 1.00012407, 1.9089811, 2.81783812],
        "b": 0.9088570222521724,
        "predictions": [24.99928835, 29.99990871, 35.00052908],
    },
    "diabetes_zeros": {"cell": 151, "loss": {0: 6078.967813535314, 100: 5997.582985597988, 900: 5448.801716577623}},
    "diabetes_random": {"cell": 166, "loss": {0: 6076.474836574767, 100: 5997.59499482191, 9900: 3450.8183796195267}},
    "pytorch": {"cell": 269, "epochs": 10_000, "r2": 0.4167, "rmse": 58.69},
    "my_model": {"cell": 274, "loss": {0: 29711.4162, 100: 6409.4053, 1000: 5386.3030, 9900: 3450.3211}},
    "network": {
        "cell": 512,
        "loss": {
            0: 177.14630229031638,
            10: 2.336859495246242,
            20: 2.007355747623226,
            30: 2.00403004917375,
            40: 2.003657202476628,
            50: 2.003341098355025,
            60: 2.003052510150096,
            70: 2.002788838094523,
            80: 2.0025479301822084,
            90: 2.0023278221129566,
        },
    },
}
DIABETES_EPOCHS = 10_000  # the tutorial's longer runs (its random-init cell, PyTorch, MyModel)
# The toy network of its last cells: three rows, 3 → 5 → 1, ReLU hidden, He init.
NETWORK = {
    "X": np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]]),
    "y": np.array([10.0, 28, 40]),
    "hidden": (5,),
    "activation": "relu",
    "init": "he",
    "lr": 0.001,
    "epochs": 100,
}


def network_dataset(problem=NETWORK):
    """The toy network's three rows as a `Dataset`, all of them training rows (the tutorial has no test split)."""
    return _training_rows_only("Tutorial: the toy network's three rows", problem["X"], problem["y"])


def three_examples_run(lr=TUTORIAL_LR, epochs=TUTORIAL_EPOCHS):
    """nnlab's MLP (no hidden layer) on the three examples from zeros: {"w", "b", "predictions", "loss"}."""
    X, y = THREE_EXAMPLES["X"], THREE_EXAMPLES["y"]
    model = MLP(hidden=(), init="zeros", lr=lr, epochs=epochs, record_every=1).fit(X, y)
    return {
        "w": model.coefs_[0][:, 0],
        "b": float(model.intercepts_[0][0]),
        "predictions": model.predict(X),
        "loss": model.history_.loss,
    }


def diabetes_runs(epochs=DIABETES_EPOCHS, lr=TUTORIAL_LR, seed=0):
    """The tutorial's diabetes data in its own units, trained by gradient descent from zero and from
    small random weights.

    Returns {"dataset", "runs": {init: History with val R² per epoch}, "reference": linear.reference}.
    """
    data = make_dataset("diabetes", scaling="sklearn", target_scaling="none")
    runs = {
        init: MLP(hidden=(), init=init, lr=lr, epochs=epochs, random_state=seed, record_every=epochs)
        .fit(data.X_train, data.y_train, eval_set=(data.X_test, data.y_test))
        .history_
        for init in ("zeros", "random")
    }
    return {"dataset": data, "runs": runs, "reference": reference(data)}


def first_loss_at_zero(y):
    """Why w = 0 gives the first loss it does: mean(y²) = var(y) + ȳ², with b the only other term.

    Returns {"mean", "var", "at_zero"}: with w = 0 the MSE is var(y) + (ȳ − b)², so b = 0 gives at_zero.
    """
    y = np.asarray(y, dtype=np.float64)
    return {"mean": float(y.mean()), "var": float(y.var()), "at_zero": float(np.mean(y**2))}


def bias_behind(first_loss, y):
    """The distance |ȳ − b| a bias must have for w = 0 to give this first MSE: √(loss − var(y)), or nan below var(y)."""
    gap = first_loss - float(np.var(y))
    return float(np.sqrt(gap)) if gap >= 0 else float("nan")


def network_run(seed=0, problem=NETWORK):
    """nnlab's MLP on the toy network problem: its History (loss per epoch, weights at epoch 0) and predictions."""
    model = MLP(
        hidden=problem["hidden"],
        activation=problem["activation"],
        init=problem["init"],
        lr=problem["lr"],
        epochs=problem["epochs"],
        random_state=seed,
        record_every=1,
    )
    model.fit(problem["X"], problem["y"])
    return {"history": model.history_, "predictions": model.predict(problem["X"])}


def network_replay(weights, lr=NETWORK["lr"], epochs=NETWORK["epochs"], exact=False, problem=NETWORK):
    """The tutorial's training loop from these start weights [W per layer], biases 0: losses (epochs,) before each step.

    exact=False steps along dA = ŷ − y, as the tutorial does; exact=True along the MSE's own
    gradient 2(ŷ − y)/n, which is what nnlab does.
    """
    X, y = problem["X"], problem["y"].reshape(-1, 1)
    Ws = [np.array(W, dtype=np.float64) for W in weights]
    bs = [np.zeros((1, W.shape[1])) for W in Ws]
    scale = 2 / len(X) if exact else 1.0
    losses = np.empty(epochs)
    for epoch in range(epochs):
        activations = [X]
        for layer, (W, b) in enumerate(zip(Ws, bs)):
            z = activations[-1] @ W + b
            activations.append(np.maximum(z, 0) if layer < len(Ws) - 1 else z)
        losses[epoch] = np.mean((activations[-1] - y) ** 2)
        delta = scale * (activations[-1] - y)
        for layer in reversed(range(len(Ws))):
            grad_W, grad_b = activations[layer].T @ delta, delta.sum(axis=0, keepdims=True)
            if layer:  # back through the ReLU: its slope is 1 where the unit was on
                delta = (delta @ Ws[layer].T) * (activations[layer] > 0)
            Ws[layer] -= lr * grad_W
            bs[layer] -= lr * grad_b
    return losses


def network_comparison(seed=0):
    """The toy network trained by nnlab and by the tutorial's loop from the same start weights.

    Returns {"nnlab": losses, "tutorial_loop": losses, "floor": the least-squares MSE on these rows,
    "predictions": nnlab's, "start": [W per layer]}.
    """
    run = network_run(seed)
    history = run["history"]
    start = [W[0] for W in history.weights]  # snapshot 0 is taken before the first step
    return {
        "nnlab": history.loss,
        "tutorial_loop": network_replay(start),
        "start": start,
        "floor": float(least_squares(NETWORK["X"], NETWORK["y"])["mse"]),
        "predictions": run["predictions"],
    }


def beside(names, printed, computed):
    """A table of the tutorial's printed numbers beside nnlab's: quantity, tutorial, nnlab,
    difference (nan: not printed)."""
    printed, computed = np.asarray(printed, dtype=float), np.asarray(computed, dtype=float)
    return pd.DataFrame(
        {"quantity": list(names), "tutorial printed": printed, "nnlab": computed, "difference": computed - printed}
    )


def one_example_step():
    """Step 1 from the tutorial's start weights: {"bug": one_example_bug(), "table", "difference"}
    (weights, bias, prediction)."""
    bug, printed = one_example_bug(), PRINTED["one"]
    names = [
        *(f"w{i + 1}" for i in range(len(bug["w"]))),
        "b",
        "prediction w·x + b",
        "its loss, mean((w ⊙ x + b − y)²)",
        "true loss, (w·x + b − y)²",
    ]
    table = beside(
        names,
        [*printed["w"], printed["b"], printed["prediction"], printed["final_loss"], np.nan],
        [
            *bug["w"],
            bug["b"],
            bug["prediction"],
            printed_loss(bug["w"], bug["b"], ONE_EXAMPLE["x"], ONE_EXAMPLE["y"]),
            true_loss(bug["w"], bug["b"], ONE_EXAMPLE["x"], ONE_EXAMPLE["y"]),
        ],
    )
    return {"bug": bug, "table": table, "difference": float(table.difference[: len(bug["w"]) + 2].abs().max())}


def three_examples_step():
    """Step 2: {"run": three_examples_run(), "table", "difference" (weights, bias, predictions), "loss_difference"}."""
    run, printed = three_examples_run(), PRINTED["three"]
    n = len(run["w"])
    names = [*(f"w{i + 1}" for i in range(n)), "b", *(f"prediction {i + 1}" for i in range(len(run["predictions"])))]
    table = beside(
        names, [*printed["w"], printed["b"], *printed["predictions"]], [*run["w"], run["b"], *run["predictions"]]
    )
    epochs = list(printed["loss"])
    losses = beside([f"loss at epoch {e}" for e in epochs], list(printed["loss"].values()), run["loss"][epochs])
    return {
        "run": run,
        "table": table,
        "losses": losses,
        "difference": float(table.difference.abs().max()),
        "loss_difference": float(losses.difference.abs().max()),
    }


def diabetes_step(epochs=DIABETES_EPOCHS):
    """Step 3: diabetes_runs() plus the first-loss story and a table against every number the tutorial printed."""
    found = diabetes_runs(epochs)
    zeros, random_ = found["runs"]["zeros"], found["runs"]["random"]
    y = found["dataset"].y_train
    first = first_loss_at_zero(y)
    zero_cell, random_cell, my_model, torch = (
        PRINTED[k] for k in ("diabetes_zeros", "diabetes_random", "my_model", "pytorch")
    )
    table = beside(
        [
            "first loss, w = 0 (its zero-init cell)",
            "first loss, small random w (its random-init cell)",
            "first loss (its MyModel cell)",
            "loss at epoch 9900 (its MyModel cell)",
            f"test R² after {epochs:,} epochs (PyTorch)",
            f"RMSE after {epochs:,} epochs (PyTorch)",
        ],
        [
            zero_cell["loss"][0],
            random_cell["loss"][0],
            my_model["loss"][0],
            my_model["loss"][9900],
            torch["r2"],
            torch["rmse"],
        ],
        [zeros.loss[0], random_.loss[0], zeros.loss[0], zeros.loss[9900], zeros.final_val_r2, np.sqrt(zeros.loss[-1])],
    )
    return {**found, "first": first, "table": table, "gap": bias_behind(zero_cell["loss"][0], y)}


def network_step(seed=0):
    """Step 4: network_comparison(seed) and a table of the printed losses beside both curves."""
    found = network_comparison(seed)
    epochs = list(PRINTED["network"]["loss"])
    table = pd.DataFrame(
        {
            "epoch": epochs,
            "tutorial printed": list(PRINTED["network"]["loss"].values()),
            "nnlab": found["nnlab"][epochs],
            "tutorial's loop in nnlab": found["tutorial_loop"][epochs],
        }
    )
    return {**found, "table": table}
