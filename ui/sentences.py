"""Sentences the pages show that are built from numbers, one function per passage.

Gathered here so the pages hold only fixed text. nnlab/explain.py (written in parallel) will
produce the same strings as pure functions; then these become imports from there.
"""
from __future__ import annotations

from nnlab import compare
from nnlab.activations import ACTIVATIONS
from nnlab.training import SATURATED_SLOPE


# -- pages/3_Activation_comparison.py ------------------------------------------------------------

def activation_formulas(names) -> str:
    return " · ".join(f"**{name}**: f(z) = {ACTIVATIONS[name].formula}; f′ at most "
                      f"{ACTIVATIONS[name].max_slope:g}" for name in names)


def activation_defaults(defaults: dict, seed) -> str:
    return (f"The defaults are small on purpose ({defaults['depth']} hidden layers of {defaults['width']} "
            f"units, {defaults['epochs']} epochs) so the comparison answers at once; raise them for "
            f"longer runs. Every run trains on full batches from the weights seed {seed} draws.")


def activation_runs(n_runs: int, config, seconds: float) -> str:
    return (f"Trained {n_runs} network{'s' * (n_runs > 1)} of {len(config.hidden)} hidden "
            f"layers × {config.hidden[0]:,} units for {config.epochs:,} epochs in {seconds:.2f} s.")


def unit_health_caption() -> str:
    return (f"Dead: a unit whose slope f′(z) is 0 on every training row. Saturated: a (row, unit) pair "
            f"whose slope is below {SATURATED_SLOPE:.0%} of the activation's steepest. Shares are over "
            f"all hidden layers.")


def vanishing_gradients(names) -> str:
    flat = [f"{name} (at most {ACTIVATIONS[name].max_slope:g}, so at least "
            f"{1 / ACTIVATIONS[name].max_slope:g}× smaller per layer)"
            for name in names if ACTIVATIONS[name].max_slope < 1]
    return ("**Vanishing gradients.** On its way back, the gradient is multiplied at each hidden layer by "
            "the weights and by f′(z). A slope below 1 shrinks it every time, so the layers nearest the "
            "input hear least about the error and learn last; in the left chart above, their points sit "
            "lowest." + (f" Here that is {', '.join(flat)}." if flat else ""))


# -- pages/4_Deep_network.py ---------------------------------------------------------------------

def deep_summary(model) -> str:
    history = model.history_
    last = history.last_good_epoch
    n_params = sum(w.size + b.size for w, b in zip(model.coefs_, model.intercepts_))
    text = f"{history.epochs:,} epochs in {history.seconds:.2f} s · {n_params:,} parameters · "
    if history.diverged_at is None:
        text += f"final training loss {history.final_loss:.4g} · test R² {history.final_val_r2:.3f}"
    else:
        text += f"diverged at epoch {history.diverged_at}; at epoch {last}, the last before the blow-up: " \
                f"training loss {history.final_loss:.4g}, test R² {history.final_val_r2:.3f}"
    stall = compare.failure_mode(model.activation) if model.hidden else None
    if stall:
        share = compare.hidden_share(history, stall)[last]
        text += f" · {'dead' if stall == 'dead_fraction' else 'saturated'} at epoch {last}: {share:.0%}"
    return text
