"""The same run in scikit-learn: MLPRegressor settings that take nnlab's steps, and the twin run itself."""

from __future__ import annotations

import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from .optimizers import Adam

SKLEARN_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "linear": "identity"}
TWIN_TOLERANCE = 1e-6  # full-batch float64 twins must agree to this, in the target's training units


def sklearn_settings(config, n_train, epochs=None):
    """MLPRegressor arguments that take the same steps as nnlab's ``config`` on n_train rows.

    scikit-learn minimises ½·mean((ŷ − y)²) + α/(2·batch)·Σ‖W‖² on each batch; nnlab minimises
    mean((ŷ − y)²) + l2·Σ‖W‖², exactly twice that when α = l2·batch. Twice the objective is twice
    the gradient, so SGD (plain or momentum) needs twice the learning rate to take the same
    steps; Adam divides the gradient's scale out, and only its ε must be halved.
    Raises ValueError when scikit-learn cannot build this network.
    """
    if config.activation not in SKLEARN_ACTIVATIONS:
        raise ValueError(
            f"scikit-learn has no '{config.activation}' activation; it offers {', '.join(SKLEARN_ACTIVATIONS)}"
        )
    if not config.hidden:
        raise ValueError("scikit-learn's MLPRegressor needs at least one hidden layer")
    batch = config.batch_rows(n_train)
    sgd = config.optimizer != "adam"
    epochs = config.epochs if epochs is None else epochs
    return {
        "hidden_layer_sizes": tuple(config.hidden),
        "activation": SKLEARN_ACTIVATIONS[config.activation],
        "solver": "sgd" if sgd else "adam",
        "learning_rate": "constant",
        "learning_rate_init": 2 * config.lr if sgd else config.lr,
        "momentum": config.momentum if config.optimizer == "momentum" else 0.0,
        "nesterovs_momentum": False,
        "epsilon": Adam.epsilon / 2,
        "alpha": config.l2 * batch,
        "batch_size": batch,
        "max_iter": epochs,
        "tol": 0.0,
        "n_iter_no_change": epochs + 1,
        "shuffle": batch < n_train,
        "random_state": config.random_state,
        "warm_start": True,
    }


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
    if len(X_test) == 0:
        raise ValueError("the two networks are compared on test rows, and these data have none")
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
    return {
        "settings": settings,
        "nnlab_r2": float(model.score(X_test, y_test)),
        "sklearn_r2": float(twin.score(X_test, y_test)) if np.all(np.isfinite(theirs)) else float("nan"),
        "max_gap": gap,
        "exact": not settings["shuffle"] and config.dtype == "float64",
        "seconds": seconds,
    }


def twin_agrees(twin):
    """Whether a sklearn_twin result matched nnlab as it must; None when no exact match is owed."""
    if not twin["exact"]:
        return None
    return twin["max_gap"] < TWIN_TOLERANCE
