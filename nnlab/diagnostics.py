"""Checks a learner can trust: backprop against finite differences, the loss's sharpness, and a run
against its scikit-learn twin."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone

from .curvature import power_iteration
from .network import Layout, Network, initial_parameters
from .training import _blas, _generators
from .twin import sklearn_twin

GRADCHECK_STEP = 1e-6
GRADCHECK_TOLERANCE = 1e-5
# Central differences carry round-off of about eps·|L|/step per entry. A gradient below that
# (deep nets with the tutorial's tiny init) cannot be checked to a relative tolerance, only to it.
ROUND_OFF_MARGIN = 100
GRADCHECK_PER_BLOCK = 200  # entries checked per W or b: every one in small layers, a sample in big ones


def objective_and_gradient(network, X, y):
    """The trained objective mean((ŷ − y)²) + l2·Σ‖W‖² per run, and its analytic gradient (runs, n_params)."""
    buffers = network.buffers(len(X), purpose="check")
    losses = network.loss(network.forward(X, buffers), y, buffers) + network.penalty()
    network.backward(X, buffers)
    return losses, network.grad.copy()


def gradcheck(model, X, y, step=GRADCHECK_STEP, max_per_block=None, rng=None):
    """Relative error between backprop and central finite differences, per layer and parameter kind.

    Uses the model's fitted parameters, or a fresh initialization when it is not fitted.
    Returns a DataFrame, one row per layer and parameter kind ("W" or "b"), with checked and
    entries (how many of the block's entries were compared), gradient_norm, relative_error =
    ‖g_backprop − g_numeric‖ / (‖g_backprop‖ + ‖g_numeric‖), abs_error (the numerator),
    round_off (what finite differences cannot resolve) and ok: the error is below
    GRADCHECK_TOLERANCE relative, or within round-off. max_per_block and rng: see gradcheck_network.
    The check always runs in float64, a float32 model's parameters cast up (table.attrs["dtype"]).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    table = gradcheck_network(network_of(model, X.shape[1]), X, y, step, max_per_block, rng)
    table.attrs["dtype"] = "float64"  # whatever the model's dtype: see network_of
    return table


def gradcheck_network(network, X, y, step=GRADCHECK_STEP, max_per_block=None, rng=None):
    """gradcheck() for a `Network` stack of one.

    With max_per_block, a W or b with more entries is checked on a random sample of that many
    (drawn with `rng`, a Generator or a seed), so the cost stays near 2·(entries checked) passes
    whatever the width; smaller blocks, or all of them when it is None, are checked in full.
    A ReLU-like unit whose input is exactly 0 (for instance, every unit before it dead with a
    zero bias) sits on a kink where the two one-sided slopes differ; such entries fail honestly.
    """
    rng = np.random.default_rng(rng)
    samples = [_sample(start, end, max_per_block, rng) for start, end in _blocks(network.layout)]
    with np.errstate(over="ignore", invalid="ignore"):
        loss, analytic = objective_and_gradient(network, X, y)
        numeric = np.full(network.layout.n_params, np.nan)
        for index in np.concatenate(samples):
            numeric[index] = _central_difference(network, X, y, index, step)
    round_off = ROUND_OFF_MARGIN * np.finfo(np.float64).eps * max(abs(float(loss[0])), 1e-300) / step
    return _per_block_errors(network.layout, analytic[0], numeric, round_off, samples)


def _blocks(layout):
    """(start, end) of each W, then each b, in the flat parameter vector."""
    return list(zip(layout.starts, [*layout.starts[1:], layout.n_params]))


def _sample(start, end, max_per_block, rng):
    """Indices of the entries to check in [start, end): all, or max_per_block of them, sorted."""
    size = int(end - start)
    if max_per_block is None or size <= max_per_block:
        return np.arange(start, end)
    return start + np.sort(rng.choice(size, max_per_block, replace=False))


def _central_difference(network, X, y, index, step):
    """(L(θ + step·e_index) − L(θ − step·e_index)) / (2·step), θ restored afterwards."""
    theta = network.theta[0]
    original = theta[index]
    theta[index] = original + step
    plus, _ = objective_and_gradient(network, X, y)
    theta[index] = original - step
    minus, _ = objective_and_gradient(network, X, y)
    theta[index] = original
    return (plus[0] - minus[0]) / (2 * step)


def hessian_vector(network, X, y, vector):
    """H·v (runs, n_params) of the objective mean((ŷ − y)²) + l2·Σ‖W‖² at the network's parameters."""
    buffers = network.buffers(len(X), purpose="check")
    network.loss(network.forward(X, buffers), y, buffers)
    network.backward(X, buffers)
    return network.hessian_vector(X, buffers, vector)


def sharpness(model, X, y, seed=0):
    """λ_max, the largest eigenvalue of the Hessian of the trained objective at the fitted parameters.

    The objective is what gradient descent minimises: mean((ŷ − y)²) + l2·Σ‖W‖², so the L2 term
    adds 2·l2 along every weight. Full-batch gradient descent is stable only while lr < 2/λ_max;
    for hidden=() this is `linear.lr_bound`'s lambda_max. Power iteration on exact Hessian-vector
    products (`Network.hessian_vector`) from a random start drawn with ``seed``; float64 throughout.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    network = network_of(model, X.shape[1])
    start = np.random.default_rng(seed).standard_normal(network.theta.shape)
    # One BLAS thread, as in training: these small products lose more to threading than they gain.
    with _blas.limit(limits=1, user_api="blas"):
        buffers = network.buffers(len(X), purpose="check")
        network.loss(network.forward(X, buffers), y, buffers)
        network.backward(X, buffers)
        eigenvalue, _ = power_iteration(lambda v: network.hessian_vector(X, buffers, v), start)
    return float(eigenvalue[0])


def network_of(model, n_features):
    """The model's network as a stack of one: fitted parameters, or its initialization."""
    config = model.config()
    if hasattr(model, "coefs_"):
        # Always float64: central differences in float32 drown in round-off (relative error ~0.4
        # on gradients that are exact), and the round-off allowance assumes float64.
        network = Network.from_layers(
            [w.astype(np.float64) for w in model.coefs_],
            [b.astype(np.float64) for b in model.intercepts_],
            config.activation,
        )
        network.l2[:] = config.l2
        return network
    layout = Layout([n_features, *config.hidden, 1])
    init_rngs, _ = _generators([config])
    theta = initial_parameters(layout, [config.init], init_rngs, np.float64)
    return Network(theta, layout, config.activation, config.l2)


def _per_block_errors(layout, analytic, numeric, round_off_per_entry=0.0, samples=None):
    """One row per W and b comparing analytic with numeric (n_params,) on each block's `samples`
    (index arrays; every entry when None)."""
    blocks = _blocks(layout)
    samples = [np.arange(start, end) for start, end in blocks] if samples is None else samples
    rows = []
    for block, ((start, end), index) in enumerate(zip(blocks, samples)):
        a, n = analytic[index], numeric[index]
        scale = max(np.linalg.norm(a) + np.linalg.norm(n), 1e-300)
        abs_error = float(np.linalg.norm(a - n))
        round_off = round_off_per_entry * np.sqrt(len(index))
        rows.append(
            {
                "layer": block % layout.n_layers,
                "param": "W" if block < layout.n_layers else "b",
                "checked": len(index),
                "entries": int(end - start),
                "gradient_norm": float(np.linalg.norm(a)),
                "relative_error": abs_error / scale,
                "abs_error": abs_error,
                "round_off": round_off,
                "ok": bool(abs_error <= max(GRADCHECK_TOLERANCE * scale, round_off)),
            }
        )
    return pd.DataFrame(rows).sort_values(["layer", "param"], ascending=[True, False], ignore_index=True)


def sampled_gradcheck(model, X, y, per_block=GRADCHECK_PER_BLOCK, seed=0, step=GRADCHECK_STEP):
    """`nnlab.diagnostics.gradcheck` on at most ``per_block`` entries of each W and b, sampled with ``seed``.

    Blocks that small are checked in full (then the numbers equal gradcheck's); in bigger ones a
    random sample, so the cost stays near 2·(entries checked) passes whatever the width.
    """
    return gradcheck(model, X, y, step, max_per_block=per_block, rng=seed)


def trust_checks(model, X_train, y_train, X_test, y_test, rows=16):
    """Everything a learner can check a fitted run against, on the same split.

    Returns dict(start, end: sampled_gradcheck tables at the initial and the final weights on the
    first ``rows`` training rows; twin: sklearn_twin's result, or the reason there is none).
    """
    X, y = X_train[:rows], y_train[:rows]
    checks = {
        "start": sampled_gradcheck(clone(model), X, y),  # unfitted: its initial weights
        "end": sampled_gradcheck(model, X, y),
    }
    try:
        checks["twin"] = sklearn_twin(model, X_train, y_train, X_test, y_test)
    except ValueError as exc:
        checks["twin"] = str(exc)
    return checks


# Last: nnlab.backprop builds on network_of and the gradient-check constants above, so it is
# imported once they exist.


# Last: nnlab.backprop builds on network_of and the gradient-check constants above, so it is
# imported once they exist. Re-exported: diagnostics.backprop_trace is where a learner looks.
from .backprop import backprop_trace  # noqa: E402, F401
