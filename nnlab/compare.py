"""What the activation and deep-network pages compute beyond training itself.

A layer spec read from text, how an activation's units stall (dead or saturated) and what share
of them did, a network's output at an earlier epoch, a finite-difference gradient check on a
sample of the parameters, and the same run repeated by scikit-learn's MLPRegressor.
"""
from __future__ import annotations

import re
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from .activations import ACTIVATIONS
from .diagnostics import GRADCHECK_STEP, GRADCHECK_TOLERANCE, gradcheck
from .network import Network
from .optimizers import Adam
from .training import MAX_DEPTH, MAX_WIDTH, SATURATED_SLOPE

GRADCHECK_PER_BLOCK = 200  # entries checked per W or b: every one in small layers, a sample in big ones
SKLEARN_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "linear": "identity"}


# -- layer specs ----------------------------------------------------------------------------------

def parse_hidden(text):
    """'64, 32' -> (64, 32); '' -> () (no hidden layer: linear regression). ValueError says what is wrong."""
    parts = [p for p in re.split(r"[\s,;]+", str(text).strip()) if p]
    widths = []
    for part in parts:
        if not re.fullmatch(r"\+?\d+", part):
            raise ValueError(f"'{part}' is not a whole number. Write the width of each hidden layer, "
                             f"separated by commas, for example 64, 32")
        width = int(part)
        if not 1 <= width <= MAX_WIDTH:
            raise ValueError(f"a layer needs from 1 to {MAX_WIDTH:,} units, got {width:,}")
        widths.append(width)
    if len(widths) > MAX_DEPTH:
        raise ValueError(f"at most {MAX_DEPTH} hidden layers, got {len(widths)}")
    return tuple(widths)


# -- activations compared -------------------------------------------------------------------------

def failure_mode(name, far=20.0):
    """How an activation's units stop learning, read off its derivative far from zero.

    'saturation': f′ → 0 on both sides (sigmoid, tanh); 'dead_fraction': f′ small only for
    z < 0 (the ReLU family; leaky ReLU keeps a slope, so its share stays 0); None: never flat.
    """
    activation = ACTIVATIONS[name]
    low, high = activation.derivative(np.array([-far, far])) / activation.max_slope
    if high < SATURATED_SLOPE:
        return "saturation"
    return "dead_fraction" if low < 1.0 else None


def hidden_share(history, metric):
    """(epochs,) share over all hidden units of an (epochs × hidden layers) metric, layers weighted by width."""
    values = getattr(history, metric)
    if values.shape[1] == 0:
        return np.full(len(values), np.nan)
    widths = np.asarray(history.config.get("hidden") or np.ones(values.shape[1]), dtype=float)
    return values @ widths / widths.sum()


def activation_summary(histories):
    """One row per run of {label: History}: at the last good epoch, the training loss, test R²
    (val_r2) and the share of stalled hidden units (``stall``: dead or saturated); gradient_reach,
    the first layer's gradient norm over the output layer's at epoch 0; and diverged_at."""
    rows = []
    for run, history in histories.items():
        end = history.last_good_epoch
        metric = failure_mode(history.config.get("activation", run))
        stalled = hidden_share(history, metric)[end] if metric else np.nan
        with np.errstate(divide="ignore", invalid="ignore"):  # zero init: no gradient anywhere, NaN
            reach = np.float64(history.grad_norm[0, 0]) / history.grad_norm[0, -1]
        rows.append({"run": run, "epoch": end, "loss": float(history.loss[end]),
                     "val_r2": np.nan if history.val_r2 is None else float(history.val_r2[end]),
                     "stall": {"dead_fraction": "dead", "saturation": "saturated"}.get(metric, ""),
                     "stalled": float(stalled), "gradient_reach": float(reach), "diverged_at": history.diverged_at})
    return pd.DataFrame(rows, columns=["run", "epoch", "loss", "val_r2", "stall", "stalled", "gradient_reach",
                                       "diverged_at"])


# -- a run at an earlier epoch ----------------------------------------------------------------------

def healthy_snapshots(history):
    """Indices of the snapshots taken before the run diverged (all of them if it did not)."""
    if history.diverged_at is None:
        return np.arange(len(history.snapshot_epochs))
    before = np.flatnonzero(history.snapshot_epochs < history.diverged_at)
    return before if before.size else np.array([0])


def predict_at(history, snapshot, X, activation):
    """Predictions (rows,) of the network as it was at snapshot index ``snapshot``; NaN where they overflow."""
    weights = [w[snapshot] for w in history.weights]
    network = Network.from_layers(weights, [b[snapshot] for b in history.biases], activation)
    X = np.asarray(X, dtype=weights[0].dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        prediction = network.forward(X, network.buffers(len(X)))[0].astype(np.float64)
    return np.where(np.isfinite(prediction), prediction, np.nan)


def function_grid(X, *more, points_1d=400, points_2d=40):
    """A grid over the range of 1 or 2 features in X (and more arrays with the same columns):
    (grid (m, d), axes: one (n,) array per feature); a 2-D grid's rows follow the second feature."""
    X = np.vstack([np.asarray(a, dtype=float) for a in (X, *more)])
    if X.shape[1] not in (1, 2):
        raise ValueError(f"a learned function can be drawn over 1 or 2 features, not {X.shape[1]}")
    n = points_1d if X.shape[1] == 1 else points_2d
    axes = [np.linspace(X[:, j].min(), X[:, j].max(), n) for j in range(X.shape[1])]
    return np.column_stack([m.ravel() for m in np.meshgrid(*axes)]), axes


# -- gradient check on a sample -------------------------------------------------------------------

def sampled_gradcheck(model, X, y, per_block=GRADCHECK_PER_BLOCK, seed=0, step=GRADCHECK_STEP):
    """`nnlab.diagnostics.gradcheck` on at most ``per_block`` entries of each W and b, sampled with ``seed``.

    Blocks that small are checked in full (then the numbers equal gradcheck's); in bigger ones a
    random sample, so the cost stays near 2·(entries checked) passes whatever the width.
    """
    return gradcheck(model, X, y, step, max_per_block=per_block, rng=seed)


def gradcheck_verdict(table):
    """(passed, sentence) for a gradcheck table: does backprop agree with finite differences?"""
    worst = table.loc[table.relative_error.idxmax()]
    checked, entries = int(table.checked.sum()), int(table.entries.sum())
    amount = "every gradient entry" if checked == entries else f"{checked:,} of {entries:,} gradient entries"
    if table.ok.all():
        return True, (f"Backprop agrees with finite differences on {amount}: the largest relative "
                      f"error is {worst.relative_error:.1e} (the bar is {GRADCHECK_TOLERANCE:.0e}).")
    bad = table[~table.ok]
    where = ", ".join(f"layer {int(r.layer) + 1} {r.param}" for r in bad.itertuples())
    return False, (f"Backprop and finite differences disagree in {where}: relative error up to "
                   f"{bad.relative_error.max():.1e}, over the bar of {GRADCHECK_TOLERANCE:.0e}.")


# -- the same run in scikit-learn -------------------------------------------------------------------

def sklearn_settings(config, n_train, epochs=None):
    """MLPRegressor arguments that take the same steps as nnlab's ``config`` on n_train rows.

    scikit-learn minimises ½·mean((ŷ − y)²) + α/(2·batch)·Σ‖W‖² on each batch; nnlab minimises
    mean((ŷ − y)²) + l2·Σ‖W‖², exactly twice that when α = l2·batch. Twice the objective is twice
    the gradient, so SGD (plain or momentum) needs twice the learning rate to take the same
    steps; Adam divides the gradient's scale out, and only its ε must be halved.
    Raises ValueError when scikit-learn cannot build this network.
    """
    if config.activation not in SKLEARN_ACTIVATIONS:
        raise ValueError(f"scikit-learn has no '{config.activation}' activation; it offers "
                         f"{', '.join(SKLEARN_ACTIVATIONS)}")
    if not config.hidden:
        raise ValueError("scikit-learn's MLPRegressor needs at least one hidden layer")
    batch = config.batch_rows(n_train)
    sgd = config.optimizer != "adam"
    epochs = config.epochs if epochs is None else epochs
    return {"hidden_layer_sizes": tuple(config.hidden), "activation": SKLEARN_ACTIVATIONS[config.activation],
            "solver": "sgd" if sgd else "adam", "learning_rate": "constant",
            "learning_rate_init": 2 * config.lr if sgd else config.lr,
            "momentum": config.momentum if config.optimizer == "momentum" else 0.0,
            "nesterovs_momentum": False, "epsilon": Adam.epsilon / 2, "alpha": config.l2 * batch,
            "batch_size": batch, "max_iter": epochs, "tol": 0.0, "n_iter_no_change": epochs + 1,
            "shuffle": batch < n_train, "random_state": config.random_state, "warm_start": True}


def sklearn_twin(model, X_train, y_train, X_test, y_test):
    """Train MLPRegressor from the fitted model's initial weights with matching settings.

    Returns dict(settings, nnlab_r2, sklearn_r2 (test R²), max_gap (largest |difference| of the
    two models' test predictions, in the target's training units), exact, seconds). exact: the
    two runs should match to round-off, as they do with full batches in float64; with
    mini-batches each library shuffles the rows its own way.
    """
    from sklearn.neural_network import MLPRegressor

    history, config = model.history_, model.config()
    if history.diverged_at is not None:
        raise ValueError("this run diverged, so there is no trained network to compare")
    settings = sklearn_settings(config, len(X_train), epochs=history.epochs)
    twin = MLPRegressor(**settings)
    started = time.perf_counter()
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")  # "maximum iterations reached": expected, we set them
        twin.partial_fit(X_train, y_train)  # builds its attributes; its weights are replaced next
        twin.coefs_ = [w[0].astype(np.float64) for w in history.weights]
        twin.intercepts_ = [b[0].astype(np.float64) for b in history.biases]
        twin.fit(X_train, y_train)  # warm_start: from these weights, with a fresh optimizer
    seconds = time.perf_counter() - started
    with np.errstate(over="ignore", invalid="ignore"):
        ours, theirs = model.predict(X_test), twin.predict(X_test)
        gap = float(np.max(np.abs(ours - theirs)))
    return {"settings": settings, "nnlab_r2": float(model.score(X_test, y_test)),
            "sklearn_r2": float(twin.score(X_test, y_test)) if np.all(np.isfinite(theirs)) else float("nan"),
            "max_gap": gap, "exact": not settings["shuffle"] and config.dtype == "float64", "seconds": seconds}


def twin_verdict(twin):
    """(agrees, sentence) on a sklearn_twin result; agrees is None when no exact match is owed."""
    if not twin["exact"]:
        return None, (f"With mini-batches (or float32) the two libraries do not take exactly the same steps, "
                      f"so the runs differ (their test predictions by up to {twin['max_gap']:.3g}); the R² "
                      f"should be of the same order, and closer the calmer the run.")
    agrees = twin["max_gap"] < 1e-6
    steps = "the same steps" if agrees else "different steps, which they should not"
    return agrees, (f"With full batches both libraries took {steps}: their test predictions differ by at most "
                    f"{twin['max_gap']:.1e} (in the target's training units).")


def twin_settings_note(settings):
    """How the settings were converted, in a sentence with the numbers used."""
    rate = ("its SGD needs twice the learning rate" if settings["solver"] == "sgd"
            else "Adam, which divides that scale out, keeps the rate (and halves its ε)")
    return (f"scikit-learn minimises ½·MSE + α/(2·batch)·Σ‖W‖², half of nnlab's MSE + l2·Σ‖W‖² when "
            f"α = l2 · batch = {settings['alpha']:g}. Half the loss is half the gradient, so {rate}: "
            f"learning_rate_init = {settings['learning_rate_init']:g}.")


def trust_checks(model, X_train, y_train, X_test, y_test, rows=16):
    """Everything a learner can check a fitted run against, on the same split.

    Returns dict(start, end: sampled_gradcheck tables at the initial and the final weights on the
    first ``rows`` training rows; twin: sklearn_twin's result, or the reason there is none).
    """
    X, y = X_train[:rows], y_train[:rows]
    checks = {"start": sampled_gradcheck(clone(model), X, y),  # unfitted: its initial weights
              "end": sampled_gradcheck(model, X, y)}
    try:
        checks["twin"] = sklearn_twin(model, X_train, y_train, X_test, y_test)
    except ValueError as exc:
        checks["twin"] = str(exc)
    return checks
