"""The training doctor: what went wrong in a run, when, the evidence, and the one change that fixes it.

`diagnose(model_or_history, X=None, y=None)` runs every rule of RULES on a run's History and
returns a `Diagnosis`, its `Finding`s most serious first. A rule is a table entry: a detector
(History and context -> where and the evidence, or None), a severity, a message (in
`nnlab.explain`) and a fix (a dict of MLP parameters to change, or None where no single change is
honest). Every evidence number names the History field it was read from (EVIDENCE).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from . import explain
from .activations import ACTIVATIONS
from .config import Config
from .data import describe
from .diagnostics import sharpness as measure
from .divergence import growth_per_epoch
from .health import failure_mode
from .history import History
from .linear import CRAWL_RATIO, lr_bound

SEVERITIES = ("problem", "warning", "note")  # most serious first

# -- thresholds ----------------------------------------------------------------------------------
# AUTOTRAINER (Zhang et al. 2021): a gradient vanishes when the first layer's norm is below 1e-3
# of the last layer's. Measured here: healthy runs 0.05-2 (sigmoid 64-32 at 0.046), 6 sigmoid layers 1e-4.
VANISHING_RATIO = 1e-3
# A layer's gradient norm grown this many times over its first value. Measured here: at most ~150×
# on runs that trained (softplus, Adam, lr 0.2 at the edge of stability), 2,500× at lr 1.
EXPLODING_GROWTH = 1e3
# DeepDiagnosis (Wardat et al. 2022): a layer is dead when at least 70% of its units are.
DEAD_SHARE = 0.7
SATURATED_SHARE = 0.7  # the same bar for (row, unit) pairs on the flat part of sigmoid or tanh
# Oscillation: the loss rose in at least this share of the second half's epochs (measured: 0 on
# every converging full-batch run here, 0.3-0.5 at and past the edge of stability) ...
OSCILLATION_RISING = 0.3
# ... by a typical (median) relative rise of at least this: full batch, under 1e-3 is round-off
# jitter of a converged run (measured at the edge of stability: 3e-3 to 2e-2) ...
OSCILLATION_RISE = 1e-3
# ... and with mini-batches, where every step sees other rows, at least this: measured here, healthy
# batch-1 SGD and Adam at batch 8-32 rise by 2-9%; SGD at lr 0.03, batch 16 by 40% (test R² 0.15).
NOISY_OSCILLATION_RISE = 0.2
# Crawling: the loss fell in every epoch (at most this share of rises) ...
CRAWL_RISING = 0.01
# ... and in its last quarter by at least half of what it fell in its first: it is not levelling
# off (measured: 0.05 at the deep page's default, 0.6-1 at lr 1e-4-1e-3) ...
CRAWL_STEADY = 0.5
# ... with lr under CRAWL_RATIO (the linear page's "crawls") of the stability bound 2/λ_max.
# The fix aims at this share of the bound: deep nets sharpen as they train (edge of stability),
# so a rate near the bound at the start ends past it.
CRAWL_FIX_SHARE = 0.1
LINEAR_FIX_SHARE = 0.5  # a linear model's curvature does not change: half the bound is safe and fast
STALL_R2 = 0.05  # training R² under this: the network predicts about the mean of the target
OVERFIT_RISE = 0.1  # validation loss at the end at least 10% above its best ...
OVERFIT_TAIL = (
    0.1  # ... averaged over the last 10% of the epochs (at least OVERFIT_MIN_TAIL), so one noisy epoch is not a trend
)
OVERFIT_MIN_TAIL = 5
SYMMETRY_TOLERANCE = 1e-12  # units whose incoming weights agree to this share of the layer's largest are copies
# Features: standard deviations more than tenfold apart (explain.spread_story's bar), or a typical
# column size (root mean square) outside [FEATURE_SMALL, FEATURE_LARGE]: scikit-learn's unit-norm
# diabetes columns are 0.05 and train well; raw diabetes columns (up to ~200) saturate tanh at once.
FEATURE_SPREAD = 10.0
FEATURE_SMALL, FEATURE_LARGE = 1e-2, 10.0
# Target: root mean square outside [TARGET_SMALL, TARGET_LARGE]. The default 64-32 ReLU network
# at lr 0.01 kills its units on the raw diabetes target (150 ± 77) and learns on the standardized one.
TARGET_SMALL, TARGET_LARGE = 0.1, 10.0
DIVERGED_FIX_FACTOR = 0.1  # a tenth of the rate: far enough under the edge to train
# Measured here: the deep default at lr 0.1 oscillates at the edge and settles at 0.03; SGD at lr 0.03,
# batch 16 settles at 0.009; full-batch Adam at 0.01 at 0.003.
OSCILLATION_FIX_FACTOR = 0.3
SATURATION_FIX_FACTOR = 0.1  # sigmoid 64-32 saturates its second layer at lr 0.3 and not at 0.03 (measured here)
# The initializer made for each kind of activation: He for the ReLU family, Xavier for the rest.
RECOMMENDED_INIT = {
    "relu": "he",
    "leaky_relu": "he",
    "elu": "he",
    "gelu": "he",
    "sigmoid": "xavier",
    "tanh": "xavier",
    "softplus": "he",
    "linear": "xavier",
}

# Where each evidence number comes from.
EVIDENCE = {
    "diverged_at": "history_.diverged_at",
    "blowup_loss": "history_.blowup_loss",
    "divergence_bound": "history_.divergence_bound",
    "diverging_from": "history_.diverging_from",
    "growth_per_epoch": "history_.objective (geometric mean growth from diverging_from)",
    "rising_share": "history_.loss (share of epochs in the second half whose loss rose)",
    "median_rise": "history_.loss (median relative rise in the second half)",
    "sharpness": "history_.sharpness (last record), or diagnostics.sharpness of the final parameters",
    "lr_over_edge": "config.lr × history_.sharpness / 2 (1 is the edge of stability, lr = 2/λ_max)",
    "first_quarter_drop": "history_.loss (fall over the first quarter, as a share of the first loss)",
    "last_quarter_drop": "history_.loss (fall over the last quarter, as a share of the first loss)",
    "lr_over_bound": "config.lr / linear.lr_bound(X)['bound'] (without X: config.lr × history_.sharpness / 2)",
    "final_r2": "history_.final_r2",
    "dead_share": "history_.dead_fraction (worst layer, last good epoch)",
    "saturated_share": "history_.saturation (worst layer, last good epoch)",
    "initial_saturated_share": "history_.saturation (same layer, epoch 0)",
    "gradient_ratio": "history_.grad_norm (first layer over output layer, epoch 0)",
    "gradient_growth": "history_.grad_norm (largest over the first, worst layer)",
    "unit_spread": "history_.weights and history_.biases (last snapshot: largest difference between units)",
    "best_epoch": "history_.val_loss (argmin)",
    "best_val_loss": "history_.val_loss (min)",
    "val_loss_rise": "history_.val_loss (mean over the last epochs, over the best, minus 1)",
    "train_loss_fall": "history_.loss (mean over the last epochs, under the one at best_epoch, as a share)",
    "feature_std_spread": "X (largest over smallest column standard deviation)",
    "feature_scale": "X (median column root mean square)",
    "target_scale": "y (root mean square)",
    "target_mean": "y (mean)",
    "target_std": "y (standard deviation)",
}


@dataclass(frozen=True)
class Finding:
    """One thing the doctor found: kind (a RULES key), severity (a SEVERITIES entry), epochs
    (first, last), layers (indices, input side first), evidence {EVIDENCE key: number}, message
    (what happened, why, what to try) and fix ({MLP parameter: value}, or None)."""

    kind: str
    severity: str
    epochs: tuple
    layers: tuple
    evidence: dict
    message: str
    fix: dict | None

    @property
    def title(self):
        return RULES[self.kind].title


class Diagnosis(list):
    """Findings, most serious first, plus healthy (no problem or warning) and summary (one line)."""

    def __init__(self, findings, summary):
        super().__init__(findings)
        self.summary = summary

    @property
    def healthy(self):
        return not any(f.severity in ("problem", "warning") for f in self)

    @property
    def kinds(self):
        return [f.kind for f in self]

    def get(self, kind):
        """The finding of this kind, or None."""
        return next((f for f in self if f.kind == kind), None)


@dataclass(frozen=True)
class _Run:
    """What the detectors read: the history up to its last good epoch, its config and the data."""

    history: History
    config: Config
    good: int  # epochs before the blow-up (all of them if none)
    X: np.ndarray | None
    y: np.ndarray | None
    sharpness: float  # λ_max at the end (NaN when unknown)

    @property
    def loss(self):
        return self.history.loss[: self.good]

    @property
    def recorded(self):
        """False for a run trained with record=False: only its loss was kept."""
        return bool(np.isfinite(self.history.grad_norm).any())

    @property
    def full_batch(self):
        return self.config.batch_size is None or (self.X is not None and self.config.batch_size >= len(self.X))


# -- detectors: _Run -> (epochs, layers, evidence) or None ------------------------------------------


def _diverged(run):
    h = run.history
    if h.diverged_at is None:
        return None
    evidence = {
        "diverged_at": int(h.diverged_at),
        "blowup_loss": float(h.blowup_loss),
        "divergence_bound": float(h.divergence_bound),
        **_edge_evidence(run),
    }
    return (int(h.diverged_at), int(h.diverged_at)), (), evidence


def _diverging(run):
    h = run.history
    if h.diverging_from is None:
        return None
    evidence = {
        "diverging_from": int(h.diverging_from),
        "growth_per_epoch": growth_per_epoch(h.objective, h.diverging_from),
        **_edge_evidence(run),
    }
    return (int(h.diverging_from), h.epochs - 1), (), evidence


def _oscillating(run):
    if run.history.diverged_at is not None or run.history.diverging_from is not None:
        return None
    loss = run.loss
    half = loss[len(loss) // 2 :]
    if len(half) < 4 or not np.all(np.isfinite(half)):
        return None
    change = np.diff(half) / half[:-1]
    rising = float(np.mean(change > 0))
    median_rise = float(np.median(change[change > 0])) if rising else 0.0
    bar = OSCILLATION_RISE if run.full_batch else NOISY_OSCILLATION_RISE
    if rising < OSCILLATION_RISING or median_rise < bar:
        return None
    first = len(loss) // 2 + int(np.argmax(change > 0))
    return (first, run.good - 1), (), {"rising_share": rising, "median_rise": median_rise, **_edge_evidence(run)}


def _edge_evidence(run):
    """sharpness and lr·λ_max/2 when the sharpness is known."""
    if not np.isfinite(run.sharpness):
        return {}
    return {"sharpness": run.sharpness, "lr_over_edge": run.config.lr * run.sharpness / 2}


def _lr_too_small(run):
    if run.config.hidden == ():
        return _linear_crawl(run)
    loss = run.loss
    if len(loss) < 8 or not np.all(np.isfinite(loss)) or loss[0] <= 0:
        return None
    quarter = len(loss) // 4
    first, last = (loss[0] - loss[quarter]) / loss[0], (loss[-quarter - 1] - loss[-1]) / loss[0]
    steady = np.mean(np.diff(loss) > 0) <= CRAWL_RISING and first > 0 and last >= CRAWL_STEADY * first
    evidence = {"first_quarter_drop": float(first), "last_quarter_drop": float(last), **_edge_evidence(run)}
    if not steady or evidence.get("lr_over_edge", 0.0) >= CRAWL_RATIO:
        return None
    return (0, run.good - 1), (), evidence


def _linear_bound(run):
    """A linear model's stability bound 2/λ_max: from its data, else from its sharpness; NaN without either."""
    if run.X is not None:
        return lr_bound(run.X)["bound"]
    return 2 / run.sharpness if run.sharpness > 0 else np.nan


def _linear_crawl(run):
    ratio = run.config.lr / _linear_bound(run)
    return ((0, run.good - 1), (), {"lr_over_bound": ratio}) if ratio < CRAWL_RATIO else None


def _stalled(run):
    r2 = run.history.final_r2  # of the kept parameters: with mini-batches, the last recorded epoch's is noisy
    growing = run.history.diverged_at is not None or run.history.diverging_from is not None
    if not np.isfinite(r2) or r2 >= STALL_R2 or growing or _lr_too_small(run):
        return None
    return (0, run.good - 1), (), {"final_r2": float(r2)}


def _stuck_units(metric, share_bar):
    """Detector of hidden layers whose ``metric`` share is at least share_bar at the last good epoch."""
    key = {"dead_fraction": "dead_share", "saturation": "saturated_share"}[metric]

    def detect(run):
        if not run.config.hidden or failure_mode(run.config.activation) != metric:
            return None
        values = getattr(run.history, metric)[: run.good]
        end = values[-1]
        layers = tuple(int(i) for i in np.flatnonzero(end >= share_bar))
        if not layers:
            return None
        worst = max(layers, key=lambda i: end[i])
        below = np.flatnonzero(~(values[:, worst] >= share_bar))
        first = int(below[-1]) + 1 if below.size else 0
        evidence = {key: float(end[worst])}
        if metric == "saturation":
            evidence["initial_saturated_share"] = float(values[0, worst])
        return (first, run.good - 1), layers, evidence

    return detect


def _vanishing(run):
    grad = run.history.grad_norm[: run.good]
    if grad.shape[1] < 2 or not grad[0, 0] > 0:  # exactly 0 is the symmetry's doing, not a fade
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = grad[:, 0] / grad[:, -1]
    if not ratio[0] < VANISHING_RATIO:
        return None
    above = np.flatnonzero(~(ratio < VANISHING_RATIO))
    last = int(above[0]) - 1 if above.size else run.good - 1
    return (0, last), tuple(range(grad.shape[1] - 1)), {"gradient_ratio": float(ratio[0])}


def _exploding(run):
    grad = run.history.grad_norm[: run.good]
    if len(grad) < 2:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = grad / grad[0]
    growth = np.where(np.isfinite(growth), growth, 0.0)
    layer = int(np.argmax(growth.max(axis=0)))
    if growth[:, layer].max() < EXPLODING_GROWTH:
        return None
    first = int(np.argmax(growth[:, layer] >= EXPLODING_GROWTH))
    return (first, int(np.argmax(growth[:, layer]))), (layer,), {"gradient_growth": float(growth[:, layer].max())}


def _symmetric(run):
    h = run.history
    if not run.config.hidden or not run.recorded:
        return None
    snapshot = len(h.snapshot_epochs) - 1
    layers, spreads = [], []
    for layer in range(len(run.config.hidden)):
        W, b = h.weights[layer][snapshot], h.biases[layer][snapshot]
        if W.shape[1] < 2:
            continue
        spread = max(float(np.ptp(W, axis=1).max()), float(np.ptp(b)))
        scale = max(float(np.abs(W).max()), float(np.abs(b).max()))
        if spread <= SYMMETRY_TOLERANCE * scale or scale == 0:
            layers.append(layer)
            spreads.append(spread)
    if not layers:
        return None
    return (0, run.good - 1), tuple(layers), {"unit_spread": max(spreads)}


def _overfitting(run):
    val = run.history.val_loss
    if val is None:
        return None
    val, loss = val[: run.good], run.loss
    tail = max(int(OVERFIT_TAIL * len(val)), OVERFIT_MIN_TAIL)
    if len(val) < 2 * tail or not np.all(np.isfinite(val)):
        return None
    best = int(np.argmin(val))
    rise = float(np.mean(val[-tail:]) / val[best] - 1) if val[best] > 0 else 0.0
    fall = float(1 - np.mean(loss[-tail:]) / loss[best]) if loss[best] > 0 else 0.0
    if best > len(val) - tail or rise < OVERFIT_RISE or fall <= 0:
        return None
    return (
        (best, run.good - 1),
        (),
        {"best_epoch": best, "best_val_loss": float(val[best]), "val_loss_rise": rise, "train_loss_fall": fall},
    )


def feature_scale_evidence(X):
    """{feature_std_spread, feature_scale} when the columns of X (n, d) are not on one small scale, else None."""
    stats = describe.column_stats(X, range(X.shape[1]))
    std = stats["std"][stats["std"] > 0]
    spread = float(std.max() / std.min()) if len(std) else 1.0
    scale = float(np.median(np.sqrt(stats["mean"] ** 2 + stats["std"] ** 2)))
    if spread <= FEATURE_SPREAD and FEATURE_SMALL <= scale <= FEATURE_LARGE:
        return None
    return {"feature_std_spread": spread, "feature_scale": scale}


def target_scale_evidence(y):
    """{target_scale, target_mean, target_std} when y (n,) is far from unit size, else None."""
    scale = float(np.sqrt(np.mean(y**2)))
    if TARGET_SMALL <= scale <= TARGET_LARGE:
        return None
    return {"target_scale": scale, "target_mean": float(np.mean(y)), "target_std": float(np.std(y))}


def _unscaled_features(run):
    evidence = None if run.X is None else feature_scale_evidence(run.X)
    return None if evidence is None else ((0, run.good - 1), (0,), evidence)


def _unscaled_target(run):
    evidence = None if run.y is None else target_scale_evidence(run.y)
    return None if evidence is None else ((0, run.good - 1), (), evidence)


def blowup_cause(model, X, y):
    """The likely cause of a run's blow-up, most telling first: (kind, evidence).

    Unscaled features, then an unscaled target (both make every rate that would suit scaled data
    too large), else the learning rate against the edge 2/λ_max of the loss at the starting weights.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):  # a target near the float limit is unscaled, not an error
        for kind, evidence in (
            ("unscaled_features", feature_scale_evidence(X)),
            ("unscaled_target", target_scale_evidence(y)),
        ):
            if evidence is not None:
                return kind, evidence
        if model.optimizer != "sgd":  # 2/λ_max bounds plain gradient descent only; Adam's steps are ≈ lr
            return "learning_rate", {}
        start = type(model)(**model.get_params())  # unfitted: its network is the run's initialization
        lam = measure(start, X, y)
    edge = 2.0 / lam if lam > 0 else np.inf
    return "learning_rate", {"sharpness": lam, "edge": edge, "lr_over_edge": model.lr / edge}


# -- fixes: (_Run, evidence) -> {MLP parameter: value} or None ------------------------------------


def _rate(value):
    """A learning rate rounded to two significant digits, as a learner would type it."""
    return float(f"{value:.2g}")


def _lower_rate(factor):
    return lambda run, evidence: {"lr": _rate(run.config.lr * factor)}


def _raise_rate(run, evidence):
    if run.config.hidden == ():
        return {"lr": _rate(LINEAR_FIX_SHARE * _linear_bound(run))}
    if "sharpness" in evidence and evidence["sharpness"] > 0:
        return {"lr": _rate(CRAWL_FIX_SHARE * 2 / evidence["sharpness"])}
    return {"lr": _rate(run.config.lr * 10)}


def _better_init(run, evidence):
    init = RECOMMENDED_INIT[run.config.activation]
    return {"init": init} if run.config.init != init else None


def _stalled_fix(run, evidence):
    return _better_init(run, evidence) if run.config.init in ("zeros", "random") else None


def _saturated_fix(run, evidence):
    if evidence["initial_saturated_share"] < SATURATED_SHARE:  # it grew into it: steps too large
        return {"lr": _rate(run.config.lr * SATURATION_FIX_FACTOR)}
    if run.X is not None and _unscaled_features(run) is not None:
        return None  # the inputs push the units flat: scale the features, not a parameter
    return _better_init(run, evidence)


def _vanishing_fix(run, evidence):
    if run.config.init in ("zeros", "random"):
        return _better_init(run, evidence)
    # sigmoid's slope is at most 1/4, so each layer shrinks the gradient 4×; tanh's reaches 1.
    return {"activation": "tanh"} if ACTIVATIONS[run.config.activation].max_slope < 1 else None


def _no_fix(run, evidence):
    return None


@dataclass(frozen=True)
class Rule:
    """A kind of finding: its severity, title, detector, message (in explain) and fix."""

    severity: str
    title: str
    detect: Callable
    message: Callable
    fix: Callable


# Most serious first within a severity: the order findings are listed in.
RULES = {
    "diverged": Rule(
        "problem", "Training diverged", _diverged, explain.doctor_diverged, _lower_rate(DIVERGED_FIX_FACTOR)
    ),
    "diverging": Rule(
        "problem", "Training is diverging", _diverging, explain.doctor_diverging, _lower_rate(DIVERGED_FIX_FACTOR)
    ),
    "symmetric_units": Rule(
        "problem", "Units are copies of each other", _symmetric, explain.doctor_symmetric, _better_init
    ),
    "dead_units": Rule(
        "problem",
        "Dead units",
        _stuck_units("dead_fraction", DEAD_SHARE),
        explain.doctor_dead,
        lambda run, evidence: {"activation": "leaky_relu"},
    ),
    "vanishing_gradient": Rule(
        "problem", "The gradient vanishes on its way down", _vanishing, explain.doctor_vanishing, _vanishing_fix
    ),
    "exploding_gradient": Rule(
        "problem", "The gradient explodes", _exploding, explain.doctor_exploding, _lower_rate(DIVERGED_FIX_FACTOR)
    ),
    "saturated_units": Rule(
        "problem",
        "Saturated units",
        _stuck_units("saturation", SATURATED_SHARE),
        explain.doctor_saturated,
        _saturated_fix,
    ),
    "stalled": Rule("problem", "Training stalled at the mean", _stalled, explain.doctor_stalled, _stalled_fix),
    "oscillating": Rule(
        "warning", "The loss oscillates", _oscillating, explain.doctor_oscillating, _lower_rate(OSCILLATION_FIX_FACTOR)
    ),
    "overfitting": Rule(
        "warning",
        "Overfitting",
        _overfitting,
        explain.doctor_overfitting,
        lambda run, evidence: {"epochs": evidence["best_epoch"] + 1},
    ),
    "lr_too_small": Rule(
        "warning", "The learning rate is too small", _lr_too_small, explain.doctor_lr_too_small, _raise_rate
    ),
    "unscaled_features": Rule(
        "warning", "The features are not scaled", _unscaled_features, explain.doctor_unscaled_features, _no_fix
    ),
    "unscaled_target": Rule(
        "warning", "The target is not scaled", _unscaled_target, explain.doctor_unscaled_target, _no_fix
    ),
}

# The compare page's one-word verdict of a run: the first that applies, else "converged".
VERDICTS = {
    "diverged": "diverged",
    "diverging": "diverging",
    "dead_units": "dead",
    "stalled": "stalled",
    "symmetric_units": "stalled",
    "vanishing_gradient": "stalled",
    "saturated_units": "stalled",
    "oscillating": "oscillating",
    "overfitting": "overfitting",
    "lr_too_small": "slow",
}
VERDICT_ORDER = ("diverged", "diverging", "dead", "stalled", "oscillating", "overfitting", "slow", "converged")


@dataclass(frozen=True)
class Preset:
    """A run a teacher can hand out: MLP parameters (the deep page's, all given) and the finding it shows."""

    params: dict
    shows: str


_DEEP = {
    "hidden": (64, 32),
    "activation": "relu",
    "init": "he",
    "optimizer": "sgd",
    "lr": 0.03,
    "epochs": 300,
    "batch_size": None,
    "l2": 0.0,
    "random_state": 0,
}  # the deep page's defaults
PRESETS = {
    "make it diverge": Preset({**_DEEP, "activation": "tanh", "lr": 1.0}, "diverged"),
    # Mini-batches of 8 at lr 0.3 kill layer 2 by epoch 7 without a blow-up, so the fix (leaky ReLU) trains:
    # test R² −0.02 → 0.38 (measured here). At lr 1, full batch, the leaky ReLUs diverge too.
    "kill the ReLUs": Preset({**_DEEP, "lr": 0.3, "batch_size": 8}, "dead_units"),
    "vanish the gradient": Preset(
        {**_DEEP, "hidden": (32,) * 6, "activation": "sigmoid", "init": "xavier"}, "vanishing_gradient"
    ),
    "zero init symmetry": Preset({**_DEEP, "activation": "tanh", "init": "zeros"}, "symmetric_units"),
    "overfit": Preset({**_DEEP, "optimizer": "adam", "lr": 0.003}, "overfitting"),
}


def diagnose(model_or_history, X=None, y=None):
    """The `Diagnosis` of a fitted MLP or a History; X (rows, features), y (rows,): its training data.

    With X and y, the data's scaling is checked too, and for a model without recorded sharpness
    the sharpness of its final parameters is computed (diagnostics.sharpness) to explain its rate.
    """
    run = _run_of(model_or_history, X, y)
    findings = []
    for kind, rule in RULES.items():
        found = rule.detect(run)
        if found is None:
            continue
        epochs, layers, evidence = found
        epochs, layers, fix = tuple(int(e) for e in epochs), tuple(layers), rule.fix(run, evidence)
        findings.append(
            Finding(
                kind=kind,
                severity=rule.severity,
                epochs=epochs,
                layers=layers,
                evidence=evidence,
                message=rule.message(evidence, epochs, layers, run.config, fix),
                fix=fix,
            )
        )
    findings.sort(key=lambda f: SEVERITIES.index(f.severity))  # stable: table order within a severity
    return Diagnosis(findings, explain.doctor_summary(run.history, findings))


def verdict(diagnosis):
    """One word for a run (VERDICT_ORDER): its most serious verdict, 'converged' when none applies."""
    found = {VERDICTS[f.kind] for f in diagnosis if f.kind in VERDICTS}
    return next(v for v in VERDICT_ORDER if v in found or v == "converged")


def apply_fix(config, finding):
    """The config with the finding's fix applied (same seed, same everything else); None without a fix."""
    return None if finding.fix is None else replace(config, **finding.fix)


def _run_of(model_or_history, X, y):
    history = getattr(model_or_history, "history_", model_or_history)
    config = history.config if history.config is not None else Config()
    X = None if X is None else np.asarray(X, dtype=np.float64)
    y = None if y is None else np.asarray(y, dtype=np.float64).reshape(-1)
    good = history.last_good_epoch + 1
    sharpness = np.nan
    if history.sharpness is not None and len(history.sharpness):
        sharpness = float(history.sharpness[-1])
    elif hasattr(model_or_history, "coefs_") and X is not None and y is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            sharpness = measure(model_or_history, X, y)
    return _Run(history, config, good, X, y, sharpness if np.isfinite(sharpness) else np.nan)
