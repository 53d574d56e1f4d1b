"""What the dataset explorer and the linear gradient-descent pages compute, apart from figures.

Column statistics that show how a dataset is scaled, correlations, one-feature least-squares
lines, the tutorial's toy problems (and the loss/gradient mismatch of its first example), how a
learning rate compares with the stability bound 2/λ_max, and several learning rates trained side
by side.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .data import FEATURES, Dataset
from .diagnostics import least_squares, lr_bound
from .sweeps import sweep

UNIT_TOLERANCE = 0.05  # a norm or std within 5% of 1 counts as 1
CRAWL_RATIO = 0.1  # a rate under a tenth of the stability bound leaves 90% of the usable step unused
SCALINGS = {
    "unit_norm": "every column is centred and has unit L2 norm over all rows (scikit-learn's scaling)",
    "standardized": "every column has mean ≈ 0 and standard deviation ≈ 1",
    "other": "the columns keep their own units and spreads",
}
SCALING_NAMES = {"unit_norm": "scikit-learn's scaling", "standardized": "standardized", "other": "original units"}


# -- dataset explorer -------------------------------------------------------------------------

def feature_descriptions(names, known=FEATURES):
    """Full name and description of each column that has one: DataFrame (column, full name,
    description), empty when none of the names is known."""
    rows = [{"column": n, "full name": known[n][0], "description": known[n][1]} for n in names if n in known]
    return pd.DataFrame(rows, columns=["column", "full name", "description"])


def all_rows(dataset):
    """Train and test rows together: X (n, d), y (n,)."""
    return np.vstack([dataset.X_train, dataset.X_test]), np.r_[dataset.y_train, dataset.y_test]


def column_stats(X, names):
    """One row per column of X (n, d): mean, std (ddof 0), min, max and L2 norm ‖x‖₂ = √Σx²."""
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    return pd.DataFrame({"mean": X.mean(axis=0), "std": X.std(axis=0), "min": X.min(axis=0),
                         "max": X.max(axis=0), "l2_norm": np.linalg.norm(X, axis=0)},
                        index=pd.Index(list(names), name="column"))


def scaling_kind(stats, tolerance=UNIT_TOLERANCE):
    """'unit_norm', 'standardized' or 'other' (keys of SCALINGS), from column_stats()."""
    spread = max(float(stats["std"].abs().max()), 1e-300)
    centred = bool((stats["mean"].abs() <= tolerance * spread).all())
    if centred and np.allclose(stats["l2_norm"], 1.0, rtol=tolerance, atol=0):
        return "unit_norm"
    if centred and np.allclose(stats["std"], 1.0, rtol=tolerance, atol=0):
        return "standardized"
    return "other"


def correlations(X, y, names, target_name):
    """Pearson correlation matrix (d + 1, d + 1) of the columns of X and the target y, last."""
    table = np.column_stack([np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)])
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.corrcoef(table, rowvar=False)
    labels = [*names, target_name]
    return pd.DataFrame(np.atleast_2d(matrix), index=labels, columns=labels)


def strongest(corr, limit):
    """The at most `limit` feature names most correlated with the target (|r|), target last."""
    target = corr.columns[-1]
    features = corr[target].drop(target).abs().fillna(0).sort_values(ascending=False, kind="stable")
    return [*features.index[:limit], target]


def strongest_pair(corr):
    """The two features (target excluded) with the largest |r|: (name, name, r), or None with < 2."""
    features = corr.iloc[:-1, :-1].to_numpy(dtype=float)
    if len(features) < 2:
        return None
    upper = np.where(np.triu(np.ones_like(features, dtype=bool), k=1) & np.isfinite(features), np.abs(features), -1)
    i, j = np.unravel_index(np.argmax(upper), upper.shape)
    return corr.index[i], corr.columns[j], float(features[i, j])


def feature_line(x, y):
    """Least-squares line y ≈ slope·x + intercept of one feature: dict(slope, intercept, r2)."""
    fit = least_squares(np.asarray(x, dtype=np.float64).reshape(-1, 1), y)
    variance = float(np.var(y))
    r2 = 1.0 - fit["mse"] / variance if variance > 0 else float("nan")
    return {"slope": float(fit["coef"][0]), "intercept": fit["intercept"], "r2": r2}


def split_summary(y_train, y_test):
    """Rows 'train' and 'test': number of rows, share of all rows, and the target's mean, std, min, max."""
    total = len(y_train) + len(y_test)
    rows = {name: {"rows": len(y), "share": len(y) / total, "mean": np.mean(y), "std": np.std(y),
                   "min": np.min(y), "max": np.max(y)}
            for name, y in (("train", np.asarray(y_train, float)), ("test", np.asarray(y_test, float)))}
    return pd.DataFrame.from_dict(rows, orient="index")


# -- the tutorial's toy problems --------------------------------------------------------------

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


def toy_dataset(name):
    """One of TOY_PROBLEMS as a `Dataset` whose rows are all training rows (the test split is empty)."""
    if name == "one":
        X, y = ONE_EXAMPLE["x"].reshape(1, -1), np.array([ONE_EXAMPLE["y"]])
    elif name == "three":
        X, y = THREE_EXAMPLES["X"], THREE_EXAMPLES["y"]
    else:
        raise ValueError(f"toy problem must be one of {sorted(TOY_PROBLEMS)}, got {name!r}")
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


def bug_story(bug):
    """Markdown: what one_example_bug() found, in numbers."""
    printed, true = bug["check"].relative_error
    return (f"Replaying the tutorial's code from its starting weights: its loss was computed with `w * x` "
            f"(element by element) but its gradient with `np.dot(w, x)`. The printed loss stalls at "
            f"{bug['printed'][-1]:.5g}, while the prediction w·x + b reaches {bug['prediction']:.6g} and the "
            f"true loss is exactly 0 from epoch {int((bug['true'] > 0).sum())}.\n\n"
            f"**A gradient check would have caught it at once**: compare the code's gradient with finite "
            f"differences of each loss at the starting weights. Relative error against the printed loss: "
            f"**{printed:.3f}** (a mismatch); against the true loss: **{true:.1e}** (a match).")


# -- learning rate and the stability bound ----------------------------------------------------

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
    return {"ratio": ratio, "regime": regime, "stiffest": stiffest, "slowest": slowest,
            "epochs_slowest": tenfold}


def share_of_bound(ratio):
    """'1% of the bound' or, far over it, '735 × the bound'."""
    return f"{ratio * 100:.3g}% of the bound" if ratio < 10 else f"{ratio:,.3g} × the bound"


def bound_story(stability):
    """Markdown: why the bound is 2/λ_max, and what 1%, 99% and 101% of it do on these data."""
    bound = stability["bound"]
    slow, under, over = ({"lr": r, **rate_report(r, stability)} for r in threshold_rates(stability).values())
    condition = "" if stability["condition"] > 1e12 else \
        f" (the condition number, {stability['condition']:,.0f}, says how uneven the directions are)"
    return (
        f"**Why the bound is {bound:.5g}.** Along a direction where the loss curves by λ, one step of size "
        f"lr multiplies the remaining error by |1 − lr·λ|. The most curved direction of these data has "
        f"λ_max = {stability['lambda_max']:.5g}, so that factor stays below 1, and training converges, only "
        f"while lr < 2/λ_max = {bound:.5g}. For these data:\n"
        f"- **lr {slow['lr']:.3g}** ({share_of_bound(slow['ratio'])}) **crawls**: even the most curved "
        f"direction keeps {slow['stiffest']:.0%} of its error per epoch, and the flattest one needs "
        f"{slow['epochs_slowest']:,.0f} epochs to shrink its error tenfold.\n"
        f"- **lr {under['lr']:.4g}** ({share_of_bound(under['ratio'])}) **converges** as fast as plain gradient descent can: the most "
        f"curved direction overshoots and flips sign each step but still shrinks (× {under['stiffest']:.2f}), "
        f"and the flattest needs {under['epochs_slowest']:,.0f} epochs per tenfold{condition}.\n"
        f"- **lr {over['lr']:.4g}** ({share_of_bound(over['ratio'])}) **diverges**: the most curved direction grows "
        f"× {over['stiffest']:.2f} per epoch, slowly at first, until the loss explodes.")


def rate_sentence(lr, report, history=None, floor=None):
    """Markdown: where the user's rate sits, and (given its History and the least-squares floor) how
    close it came to that floor."""
    text = f"Your rate, {lr:g}, is {share_of_bound(report['ratio'])}: it **{report['regime']}**"
    if history is None or history.diverged_at is not None or floor is None:
        return text + "."
    epochs, final = len(history.loss), history.final_loss
    if floor <= 1e-12 * history.loss[0]:  # the rows can be fitted exactly: the floor is 0 (to round-off)
        return text + f"; after {epochs:,} epochs the training loss is {final:.3g}, where an exact fit gives 0."
    return text + f"; after {epochs:,} epochs the training loss is {final / floor - 1:.1%} above the least-squares floor."


def over_bound_warning(lr, report, stability):
    """The sentence shown before training at a rate at or over the bound."""
    bound = stability["bound"]
    return (f"Learning rate {lr:g} is {report['ratio']:.3g} × this data's stability bound 2/λ_max = {bound:.5g}: "
            f"along the most curved direction each step multiplies the error by {report['stiffest']:.4g}, so "
            f"this run is expected to blow up. Any rate below {bound:.5g} converges.")


def threshold_rates(stability, fractions=(0.01, 0.99, 1.01)):
    """{fraction: fraction × 2/λ_max}: rates a fixed share below or above this data's bound."""
    return {f: f * stability["bound"] for f in fractions}


def reference(dataset):
    """Closed-form least squares on the training rows, scored on both splits.

    Returns dict(coef, intercept, train_mse (the floor gradient descent can reach), test_mse and
    test_r2 (NaN without test rows)).
    """
    fit = least_squares(dataset.X_train, dataset.y_train)
    out = {"coef": fit["coef"], "intercept": fit["intercept"], "train_mse": fit["mse"],
           "test_mse": float("nan"), "test_r2": float("nan")}
    if len(dataset.y_test):
        residual = dataset.X_test @ fit["coef"] + fit["intercept"] - dataset.y_test
        out["test_mse"] = float(np.mean(residual ** 2))
        variance = float(np.var(dataset.y_test))
        out["test_r2"] = 1.0 - out["test_mse"] / variance if variance > 0 else float("nan")
    return out


def stability(dataset):
    """lr_bound() of the training rows (the Hessian of the training loss)."""
    return lr_bound(dataset.X_train)


def rate_runs(X, y, rates, epochs, init="zeros", random_state=0):
    """Linear models trained by gradient descent from the same start, one per rate: {lr: History}.

    One stacked sweep in this process, recording the loss only, so five rates cost about as much
    as two single runs; a rate that diverges is retired alone and leaves the others as they were.
    """
    rates = list(dict.fromkeys(float(r) for r in rates))
    if not rates:
        return {}
    result = sweep(X, y, grid={"lr": rates}, n_jobs=1, record=False,
                   base=dict(hidden=(), init=init, epochs=epochs, random_state=random_state))
    return {config.lr: history for config, history in zip(result.configs, result.histories)}
