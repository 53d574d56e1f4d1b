"""One step of gradient descent written out: every array of one forward and one backward pass, the
update and the loss after it, each with the chain-rule formula it came from and, for a gradient,
its central finite difference.

Layers are numbered from 1, as the tutorial numbers them: a₀ = X, z_l = a_{l−1}·W_l + b_l,
a_l = f(z_l) for hidden layers, ŷ = z_L (one linear output unit), and the objective is
L = mean((ŷ − y)²) + l2·Σ‖W‖², the one nnlab trains. Going back, δ_l = ∂L/∂z_l.

The tutorial's code starts its backward pass from dA = ŷ − y, without the 2/n of the mean it
reports (../shared/seed/ERRATA.md item 7): rule="tutorial" traces that version, whose gradient is
n/2 times the true one, so finite differences flag it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .activations import ACTIVATIONS
from .diagnostics import GRADCHECK_STEP, GRADCHECK_TOLERANCE, ROUND_OFF_MARGIN, network_of

# How each rule starts the backward pass: the factor in δ_L = (ŷ − y) · factor, from n rows.
RULES = {
    "exact": lambda n: 2.0 / n,  # d/dŷ of mean((ŷ − y)²)
    "tutorial": lambda n: 1.0,  # the tutorial's dA = ŷ − y
}
PHASES = ("forward", "backward", "update")
# A z this close to 0 is within reach of a finite-difference step (GRADCHECK_STEP times inputs of a
# few units): for ReLU-like activations it counts as sitting on the kink.
KINK_WIDTH = 1e-5
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Step:
    """One operation of the walk: the array it computes (a key of Trace.arrays), from which arrays, by which formula.

    kind: "z", "a", "loss", "delta", "dW", "db", "W", "b" or "new_loss"; layer 1 … L (0 for a loss);
    numeric: the key of its central finite differences, for a gradient (delta, dW, db), else None.
    """

    key: str
    kind: str
    layer: int
    phase: str
    formula: str
    operands: tuple[str, ...]
    numeric: str | None = None


@dataclass(frozen=True)
class Trace:
    """Every array of one training step (arrays: key -> ndarray) and the walk through them (steps, in order).

    Keys: "a0" (= X), "y", "W1", "b1", "z1", "a1", …, "loss", "delta1", "dW1", "db1", …, their checks
    "num:delta1", "num:dW1", …, and, with a learning rate, "new:W1", "new:b1", …, "new:yhat", "new_loss".
    """

    arrays: dict
    steps: tuple[Step, ...]
    activation: str
    rule: str
    lr: float | None
    l2: float
    sizes: tuple[int, ...]
    round_off: float  # what central differences cannot resolve, per entry (see gradcheck)

    @property
    def n_layers(self):
        return len(self.sizes) - 1

    @property
    def rows(self):
        return len(self.arrays["y"])

    @property
    def loss(self):
        return float(self.arrays["loss"])

    @property
    def new_loss(self):
        return float(self.arrays["new_loss"]) if "new_loss" in self.arrays else None

    @property
    def prediction(self):
        """ŷ (rows,): the output layer's z."""
        return self.arrays[f"z{self.n_layers}"][:, 0]

    def gradient(self, numeric=False):
        """Every ∂L/∂W_l then every ∂L/∂b_l in one flat vector (the finite differences with numeric=True)."""
        prefix = "num:" if numeric else ""
        layers = range(1, self.n_layers + 1)
        parts = [self.arrays[f"{prefix}dW{i}"] for i in layers] + [self.arrays[f"{prefix}db{i}"] for i in layers]
        return np.concatenate([p.ravel() for p in parts])


def sub(number):
    """2 -> '₂'."""
    return str(number).translate(_SUBSCRIPTS)


def display_name(key, n_layers=None):
    """How a learner reads an array's key: 'a0' -> 'X', 'delta2' -> 'δ₂', 'dW2' -> '∂L/∂W₂', 'new:W2' -> 'new W₂'."""
    if key.startswith("num:"):
        return f"{display_name(key[4:], n_layers)} by finite differences"
    if key.startswith("new:"):
        return f"new {display_name(key[4:], n_layers)}"
    names = {"a0": "X", "y": "y", "loss": "L", "new_loss": "L after the step"}
    if key in names:
        return names[key]
    for prefix, shown in (
        ("delta", "δ"),
        ("dW", "∂L/∂W"),
        ("db", "∂L/∂b"),
        ("W", "W"),
        ("b", "b"),
        ("z", "z"),
        ("a", "a"),
    ):
        if key.startswith(prefix) and key[len(prefix) :].isdigit():
            layer = int(key[len(prefix) :])
            if prefix == "z" and layer == n_layers:
                return "ŷ"
            return f"{shown}{sub(layer)}"
    raise KeyError(key)


# -- the arithmetic --------------------------------------------------------------------------------


def forward(weights, biases, X, activation):
    """([z₁ … z_L] (rows, units), [a₀ … a_{L−1}]): a₀ = X, a_l = f(z_l); ŷ = z_L[:, 0]."""
    f = ACTIVATIONS[activation].function
    a, z = [X], []
    for layer, (W, b) in enumerate(zip(weights, biases)):
        z.append(a[-1] @ W + b)
        if layer < len(weights) - 1:
            a.append(f(z[-1]))
    return z, a


def objective(weights, biases, X, y, activation, l2=0.0):
    """mean((ŷ − y)²) + l2·Σ‖W‖²."""
    z, _ = forward(weights, biases, X, activation)
    return _loss_of(z[-1], y, weights, l2)


def _loss_of(output, y, weights, l2):
    return float(np.mean((output[:, 0] - y) ** 2) + l2 * sum(float(np.sum(W * W)) for W in weights))


def backward(weights, z, a, y, activation, l2=0.0, rule="exact"):
    """([δ₁ … δ_L], [∂L/∂W_l], [∂L/∂b_l]) from a forward pass; rule "tutorial" starts from ŷ − y."""
    slope = ACTIVATIONS[activation].derivative
    layers = len(weights)
    deltas, dW, db = [None] * layers, [None] * layers, [None] * layers
    delta = (z[-1] - y[:, None]) * RULES[rule](len(y))
    for layer in range(layers - 1, -1, -1):
        deltas[layer] = delta
        dW[layer] = a[layer].T @ delta + 2 * l2 * weights[layer]
        db[layer] = delta.sum(axis=0)
        if layer:  # back through W_l, then through the slope of the activation below it
            delta = (delta @ weights[layer].T) * slope(z[layer - 1])
    return deltas, dW, db


def _central(loss, array, step):
    """(loss() with one entry of array raised by step − with it lowered) / (2·step), for every entry; array restored."""
    numeric = np.empty_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + step
        plus = loss()
        array[index] = original - step
        minus = loss()
        array[index] = original
        numeric[index] = (plus - minus) / (2 * step)
    return numeric


def _loss_from(z, layer, weights, biases, y, activation, l2):
    """The objective when layer's pre-activation is z (0-based layer): the rest of the forward pass from there."""
    f = ACTIVATIONS[activation].function
    for above in range(layer + 1, len(weights)):
        z = f(z) @ weights[above] + biases[above]
    return _loss_of(z, y, weights, l2)


def _delta_difference(z, layer, weights, biases, y, activation, l2, step):
    """∂L/∂z for one layer's z (0-based layer) by central differences."""
    return _central(lambda: _loss_from(z, layer, weights, biases, y, activation, l2), z, step)


def numeric_gradients(weights, biases, X, y, activation, l2=0.0, step=GRADCHECK_STEP):
    """Central finite differences of the objective: ([∂L/∂z_l], [∂L/∂W_l], [∂L/∂b_l]), like backward()."""
    weights, biases = [W.copy() for W in weights], [b.copy() for b in biases]
    z, _ = forward(weights, biases, X, activation)
    loss = lambda: objective(weights, biases, X, y, activation, l2)  # noqa: E731
    dW = [_central(loss, W, step) for W in weights]
    db = [_central(loss, b, step) for b in biases]
    deltas = []
    for layer, z_layer in enumerate(z):
        deltas.append(_delta_difference(z_layer.copy(), layer, weights, biases, y, activation, l2, step))
    return deltas, dW, db


# -- the trace ---------------------------------------------------------------------------------------


def backprop_trace(model, X, y, lr=None, rule="exact"):
    """Every intermediate of one training step of `model` (an `MLP`, fitted or not) on X (rows, features), y (rows,).

    A model that is not fitted is traced at its initialization (nnlab.diagnostics.network_of).
    With lr, the step also updates W and b (W ← W − lr·∂L/∂W) and measures the loss after it.
    rule="tutorial" traces the tutorial's backward pass (δ_L = ŷ − y). Returns a `Trace`.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if X.ndim != 2 or len(X) == 0 or len(X) != len(y):
        raise ValueError(f"X must be (rows, features) with one y per row, got X {X.shape} and y {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite numbers")
    network = network_of(model, X.shape[1])
    config = model.config()
    weights = [W[0].copy() for W in network.W]
    biases = [b[0].copy() for b in network.b]
    return trace_layers(weights, biases, X, y, config.activation, lr=lr, l2=config.l2, rule=rule)


def trace_layers(weights, biases, X, y, activation, lr=None, l2=0.0, rule="exact"):
    """backprop_trace() for explicit per-layer W (fan_in, fan_out) and b (fan_out,)."""
    if rule not in RULES:
        raise ValueError(f"rule must be one of {sorted(RULES)}, got {rule!r}")
    if lr is not None and not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1)
    z, a = forward(weights, biases, X, activation)
    deltas, dW, db = backward(weights, z, a, y, activation, l2, rule)
    num_delta, num_dW, num_db = numeric_gradients(weights, biases, X, y, activation, l2)
    arrays = {"a0": X, "y": y, "loss": np.float64(_loss_of(z[-1], y, weights, l2))}
    for layer in range(1, len(weights) + 1):
        i = layer - 1
        arrays.update({f"W{layer}": weights[i], f"b{layer}": biases[i], f"z{layer}": z[i]})
        arrays.update({f"delta{layer}": deltas[i], f"dW{layer}": dW[i], f"db{layer}": db[i]})
        arrays.update({f"num:delta{layer}": num_delta[i], f"num:dW{layer}": num_dW[i], f"num:db{layer}": num_db[i]})
        if layer < len(weights):
            arrays[f"a{layer}"] = a[layer]
    if lr is not None:
        new_W = [W - lr * g for W, g in zip(weights, dW)]
        new_b = [b - lr * g for b, g in zip(biases, db)]
        for layer, (W, b) in enumerate(zip(new_W, new_b), start=1):
            arrays[f"new:W{layer}"], arrays[f"new:b{layer}"] = W, b
        # A learning rate far too large is a lesson, not a crash: the new loss may overflow to inf.
        with np.errstate(over="ignore", invalid="ignore"):
            new_z, _ = forward(new_W, new_b, X, activation)
            arrays["new:yhat"] = new_z[-1][:, 0]
            arrays["new_loss"] = np.float64(_loss_of(new_z[-1], y, new_W, l2))
    sizes = (X.shape[1], *(W.shape[1] for W in weights))
    round_off = ROUND_OFF_MARGIN * np.finfo(np.float64).eps * max(abs(float(arrays["loss"])), 1e-300) / GRADCHECK_STEP
    steps = walk(len(weights), activation, l2, rule, lr is not None)
    return Trace(arrays, steps, activation, rule, lr, float(l2), sizes, round_off)


def walk(n_layers, activation, l2=0.0, rule="exact", update=True):
    """The operations of one step in the order they happen: forward, loss, backward, update, new loss."""
    L, s = n_layers, sub
    penalty = " + l2·Σ‖W‖²" if l2 else ""
    steps = []
    for layer in range(1, L + 1):
        below = "X" if layer == 1 else f"a{s(layer - 1)}"
        head = f"ŷ = z{s(layer)}" if layer == L else f"z{s(layer)}"
        steps.append(
            Step(
                f"z{layer}",
                "z",
                layer,
                "forward",
                f"{head} = {below}·W{s(layer)} + b{s(layer)}",
                (f"a{layer - 1}", f"W{layer}", f"b{layer}"),
            )
        )
        if layer < L:
            steps.append(
                Step(f"a{layer}", "a", layer, "forward", f"a{s(layer)} = {activation}(z{s(layer)})", (f"z{layer}",))
            )
    steps.append(Step("loss", "loss", 0, "forward", f"L = mean((ŷ − y)²){penalty}", (f"z{L}", "y")))
    start = (
        f"δ{s(L)} = ∂L/∂z{s(L)} = (ŷ − y) · 2/n"
        if rule == "exact"
        else f"δ{s(L)} = ŷ − y   (the tutorial's dA; ∂L/∂z{s(L)} has a 2/n more)"
    )
    steps.append(Step(f"delta{L}", "delta", L, "backward", start, (f"z{L}", "y"), f"num:delta{L}"))
    for layer in range(L, 0, -1):
        below = "X" if layer == 1 else f"a{s(layer - 1)}"
        decay = f" + 2·l2·W{s(layer)}" if l2 else ""
        steps.append(
            Step(
                f"dW{layer}",
                "dW",
                layer,
                "backward",
                f"∂L/∂W{s(layer)} = {below}ᵀ·δ{s(layer)}{decay}",
                (f"a{layer - 1}", f"delta{layer}") + ((f"W{layer}",) if l2 else ()),
                f"num:dW{layer}",
            )
        )
        steps.append(
            Step(
                f"db{layer}",
                "db",
                layer,
                "backward",
                f"∂L/∂b{s(layer)} = δ{s(layer)} summed over the rows",
                (f"delta{layer}",),
                f"num:db{layer}",
            )
        )
        if layer > 1:
            steps.append(
                Step(
                    f"delta{layer - 1}",
                    "delta",
                    layer - 1,
                    "backward",
                    f"δ{s(layer - 1)} = (δ{s(layer)}·W{s(layer)}ᵀ) ⊙ {activation}′(z{s(layer - 1)})",
                    (f"delta{layer}", f"W{layer}", f"z{layer - 1}"),
                    f"num:delta{layer - 1}",
                )
            )
    if update:
        for layer in range(1, L + 1):
            for kind in ("W", "b"):
                steps.append(
                    Step(
                        f"new:{kind}{layer}",
                        kind,
                        layer,
                        "update",
                        f"{kind}{s(layer)} ← {kind}{s(layer)} − lr·∂L/∂{kind}{s(layer)}",
                        (f"{kind}{layer}", f"d{kind}{layer}"),
                    )
                )
        after = f"L = mean((ŷ − y)²){penalty} with the new W and b"
        steps.append(Step("new_loss", "new_loss", 0, "update", after, ("new:yhat", "y")))
    return tuple(steps)


# -- reading a trace ---------------------------------------------------------------------------------


def kinks(trace):
    """{hidden layer (1 …): entries of its z within KINK_WIDTH of a piecewise-linear activation's kink at 0}.

    There the slope jumps (ReLU: 0 to 1), central differences straddle the jump and average the two
    sides, so the δ of that layer and every gradient below it cannot agree with them (nor be wrong).
    """
    if ACTIVATIONS[trace.activation].two_slopes is None:
        return {}
    found = {layer: int(np.sum(np.abs(trace.arrays[f"z{layer}"]) <= KINK_WIDTH)) for layer in range(1, trace.n_layers)}
    return {layer: count for layer, count in found.items() if count}


def kinks_behind(trace, step):
    """kinks(trace) that a step's gradient passes through: those at its layer and above it."""
    return {layer: count for layer, count in kinks(trace).items() if layer >= step.layer}


def agrees(analytic, numeric, round_off):
    """Per entry: backprop within GRADCHECK_TOLERANCE (relative) of finite differences, or within round-off."""
    scale = np.abs(analytic) + np.abs(numeric)
    return np.abs(analytic - numeric) <= np.maximum(GRADCHECK_TOLERANCE * scale, round_off)


def relative_error(analytic, numeric):
    """|a − n| / (|a| + |n|) per entry (0 where both are 0): 0 is perfect, 1/3 is a factor of 2."""
    scale = np.abs(analytic) + np.abs(numeric)
    return np.divide(np.abs(analytic - numeric), scale, out=np.zeros_like(scale, dtype=float), where=scale > 0)


def entry_labels(trace, step):
    """One label per entry of the step's array, row-major: 'row 2, unit 1', 'W₂[1, 2]', 'b₁[3]', 'L'."""
    value = np.asarray(trace.arrays[step.key])
    if value.ndim == 0:
        return [display_name(step.key, trace.n_layers)]
    if step.kind in ("z", "a", "delta"):
        return [f"row {r + 1}, unit {j + 1}" for r, j in np.ndindex(value.shape)]
    name = display_name(step.kind + str(step.layer) if step.kind in ("W", "b") else step.key, trace.n_layers)
    if value.ndim == 1:
        return [f"{name}[{j + 1}]" for j in range(value.shape[0])]
    return [f"{name}[{i + 1}, {j + 1}]" for i, j in np.ndindex(value.shape)]


def step_table(trace, step):
    """Every entry of the array a step computes: entry, value; for a gradient also its finite difference,
    relative error and whether they agree; for an update the value before and the gradient it moved along."""
    value = np.atleast_1d(np.asarray(trace.arrays[step.key], dtype=float))
    table = pd.DataFrame({"entry": entry_labels(trace, step), "value": value.ravel()})
    if step.numeric is not None:
        numeric = np.asarray(trace.arrays[step.numeric], dtype=float).ravel()
        table["finite difference"] = numeric
        table["relative error"] = relative_error(table["value"].to_numpy(), numeric)
        table["agrees"] = agrees(table["value"].to_numpy(), numeric, trace.round_off)
    if step.phase == "update" and step.kind in ("W", "b"):
        before, gradient = (trace.arrays[k].ravel() for k in step.operands)
        table.insert(1, "before", before)
        table.insert(2, "gradient", gradient)
    return table


def gradient_check(trace):
    """The whole step's gradient against finite differences: {relative_error ‖g − g_num‖ / (‖g‖ + ‖g_num‖), ok}."""
    analytic, numeric = trace.gradient(), trace.gradient(numeric=True)
    scale = max(float(np.linalg.norm(analytic) + np.linalg.norm(numeric)), 1e-300)
    error = float(np.linalg.norm(analytic - numeric))
    round_off = trace.round_off * np.sqrt(len(analytic))
    return {"relative_error": error / scale, "ok": bool(error <= max(GRADCHECK_TOLERANCE * scale, round_off))}


def tutorial_comparison(exact, tutorial):
    """The same step by nnlab's rule and by the tutorial's, side by side.

    Returns {rows, factor: ‖g_tutorial‖ / ‖g_exact‖ (n/2 when l2 = 0), expected: n/2, lr, effective_lr:
    the rate nnlab would need to take the tutorial's step (lr · factor), exact_check, tutorial_check
    (gradient_check of each), loss, new_loss_exact, new_loss_tutorial, activation, kinks (see kinks)}.
    """
    g_exact, g_tutorial = exact.gradient(), tutorial.gradient()
    norm = float(np.linalg.norm(g_exact))
    factor = float(np.linalg.norm(g_tutorial)) / norm if norm > 0 else float("nan")
    return {
        "rows": exact.rows,
        "factor": factor,
        "expected": exact.rows / 2,
        "lr": exact.lr,
        "effective_lr": exact.lr * factor if exact.lr is not None else None,
        "exact_check": gradient_check(exact),
        "tutorial_check": gradient_check(tutorial),
        "loss": exact.loss,
        "new_loss_exact": exact.new_loss,
        "new_loss_tutorial": tutorial.new_loss,
        "activation": exact.activation,
        "kinks": kinks(exact),
    }


def descent(model, X, y, lr, steps, rule="exact"):
    """The loss before each of `steps` full-batch gradient steps and after the last, (steps + 1,).

    From the model's parameters (its initialization when not fitted); rule as in backprop_trace.
    A run that blows up stops there, the rest nan.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    network = network_of(model, X.shape[1])
    config = model.config()
    weights = [W[0].copy() for W in network.W]
    biases = [b[0].copy() for b in network.b]
    losses = np.full(steps + 1, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(steps + 1):
            z, a = forward(weights, biases, X, config.activation)
            losses[i] = _loss_of(z[-1], y, weights, config.l2)
            if i == steps or not np.isfinite(losses[i]):
                break
            _, dW, db = backward(weights, z, a, y, config.activation, config.l2, rule)
            for W, b, gW, gb in zip(weights, biases, dW, db):
                W -= lr * gW
                b -= lr * gb
    return losses


def comparison_table(exact, tutorial):
    """Per W and b: ‖gradient‖ by nnlab's rule and by the tutorial's, their ratio, and each one's largest
    relative error against central finite differences (the same numbers for both: the true gradient)."""
    rows = []
    for kind in ("W", "b"):
        for layer in range(1, exact.n_layers + 1):
            key = f"d{kind}{layer}"
            numeric = exact.arrays[f"num:{key}"]
            g_exact, g_tutorial = exact.arrays[key], tutorial.arrays[key]
            norm = float(np.linalg.norm(g_exact))
            rows.append(
                {
                    "gradient": display_name(key),
                    "‖nnlab‖": norm,
                    "‖tutorial‖": float(np.linalg.norm(g_tutorial)),
                    "tutorial / nnlab": float(np.linalg.norm(g_tutorial)) / norm if norm > 0 else np.nan,
                    "nnlab vs finite differences": float(np.max(relative_error(g_exact, numeric))),
                    "tutorial vs finite differences": float(np.max(relative_error(g_tutorial, numeric))),
                }
            )
    return pd.DataFrame(rows)
