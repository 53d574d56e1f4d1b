"""The linear model trained by gradient descent: least squares, the stability bound 2/λ_max, and rates against it."""

from __future__ import annotations

import numpy as np

from .sweeps import sweep

CRAWL_RATIO = 0.1  # a rate under a tenth of the stability bound leaves 90% of the usable step unused


def _with_bias(X):
    """[X 1]: X (rows, features) with a column of ones for the bias, (rows, features + 1)."""
    X = np.asarray(X, dtype=np.float64)
    return np.hstack([X, np.ones((len(X), 1))])


def lr_bound(X):
    """Stability of gradient descent on a linear model's MSE over X (rows, features), bias included.

    The Hessian is H = (2/n)·[X 1]ᵀ[X 1]; plain gradient descent converges for lr < 2/λ_max.
    Returns dict(eigenvalues (ascending), lambda_max, lambda_min, bound=2/λ_max, condition=λ_max/λ_min).
    """
    A = _with_bias(X)
    eigenvalues = np.linalg.eigvalsh(2.0 / len(A) * A.T @ A)
    lambda_max, lambda_min = float(eigenvalues[-1]), float(eigenvalues[0])
    return {
        "eigenvalues": eigenvalues,
        "lambda_max": lambda_max,
        "lambda_min": lambda_min,
        "bound": 2.0 / lambda_max,
        "condition": lambda_max / lambda_min if lambda_min > 0 else np.inf,
    }


def least_squares(X, y):
    """Closed-form least squares with a bias: dict(coef (features,), intercept, mse) on X, y."""
    A = _with_bias(X)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    solution, *_ = np.linalg.lstsq(A, y, rcond=None)
    mse = float(np.mean((A @ solution - y) ** 2))
    return {"coef": solution[:-1], "intercept": float(solution[-1]), "mse": mse}


def feature_line(x, y):
    """Least-squares line y ≈ slope·x + intercept of one feature: dict(slope, intercept, r2)."""
    fit = least_squares(np.asarray(x, dtype=np.float64).reshape(-1, 1), y)
    variance = float(np.var(y))
    r2 = 1.0 - fit["mse"] / variance if variance > 0 else float("nan")
    return {"slope": float(fit["coef"][0]), "intercept": fit["intercept"], "r2": r2}


def rate_report(lr, stability):
    """How one learning rate fares on a linear model's MSE, from lr_bound()'s dict.

    Along an eigen-direction with curvature λ, one step multiplies the error by |1 − lr·λ|.
    Returns dict(ratio = lr / bound; stiffest and slowest: that factor for λ_max and for the
    smallest positive λ (directions with λ ≈ 0 never change and do not affect the loss);
    epochs_slowest: epochs for the slowest direction's error to shrink tenfold (inf if never);
    regime: 'diverges' (lr ≥ bound), 'crawls' (lr < CRAWL_RATIO × bound) or 'converges').
    """
    eigenvalues = np.asarray(stability["eigenvalues"], dtype=np.float64)
    positive = eigenvalues[eigenvalues > eigenvalues.max() * 1e-12]
    stiffest, slowest = (float(abs(1.0 - lr * lam)) for lam in (positive.max(), positive.min()))
    ratio = lr / stability["bound"]
    with np.errstate(divide="ignore"):
        tenfold = float(np.log(10.0) / -np.log(slowest)) if slowest < 1 else np.inf
    regime = "diverges" if ratio >= 1 else ("crawls" if ratio < CRAWL_RATIO else "converges")
    return {"ratio": ratio, "regime": regime, "stiffest": stiffest, "slowest": slowest, "epochs_slowest": tenfold}


def threshold_rates(stability, fractions=(0.01, 0.99, 1.01)):
    """{fraction: fraction × 2/λ_max}: rates a fixed share below or above this data's bound."""
    return {f: f * stability["bound"] for f in fractions}


def reference(dataset):
    """Closed-form least squares on the training rows, scored on both splits.

    Returns dict(coef, intercept, train_mse (the floor gradient descent can reach), test_mse and
    test_r2 (NaN without test rows)).
    """
    fit = least_squares(dataset.X_train, dataset.y_train)
    out = {
        "coef": fit["coef"],
        "intercept": fit["intercept"],
        "train_mse": fit["mse"],
        "test_mse": float("nan"),
        "test_r2": float("nan"),
    }
    if len(dataset.y_test):
        residual = dataset.X_test @ fit["coef"] + fit["intercept"] - dataset.y_test
        out["test_mse"] = float(np.mean(residual**2))
        variance = float(np.var(dataset.y_test))
        out["test_r2"] = 1.0 - out["test_mse"] / variance if variance > 0 else float("nan")
    return out


def stability(dataset):
    """lr_bound() of the training rows (the Hessian of the training loss)."""
    return lr_bound(dataset.X_train)


def rate_runs(X, y, rates, epochs, init="zeros", random_state=0):
    """Linear models trained by gradient descent from the same start, one per rate: {lr: History}.

    One stacked sweep recording the loss only, so five rates cost about as much as two single runs;
    the sweep's planner keeps it in this process unless the epochs make worker processes pay. A
    rate that diverges is retired alone and leaves the others as they were.
    """
    rates = list(dict.fromkeys(float(r) for r in rates))
    if not rates:
        return {}
    result = sweep(
        X,
        y,
        grid={"lr": rates},
        record=False,
        base=dict(hidden=(), init=init, epochs=epochs, random_state=random_state),
    )
    return {config.lr: history for config, history in zip(result.configs, result.histories)}
