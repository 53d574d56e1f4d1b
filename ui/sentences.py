"""Sentences the pages show that are built from numbers, one function per passage.

Gathered here so the pages hold only fixed text. nnlab/explain.py (written in parallel) will
produce the same strings as pure functions; then these become imports from there.
"""
from __future__ import annotations

import numpy as np

from nnlab import health
from nnlab.activations import ACTIVATIONS
from nnlab.initializers import TUTORIAL_STD
from nnlab.divergence import DIVERGENCE_FACTOR
from nnlab.health import SATURATED_SLOPE


# -- pages/2_Linear_gradient_descent.py ----------------------------------------------------------

def scaling_note(scaling: str) -> str:
    return (f"Feature scaling comes from the sidebar; these features are in *{scaling}*. Change it "
            "there and watch the bound move.")


def tutorial_predictions(predictions, targets) -> str:
    return (f"Predictions {', '.join(f'{p:.6f}' for p in predictions)} for targets "
            f"{', '.join(f'{t:g}' for t in targets)}: the same numbers the tutorial printed.")


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

def layer_charts_caption(rule: float) -> str:
    return (f"Left: a layer whose line sits far below the others learns slowly (vanishing gradient); lines "
            f"that shoot up warn of a blow-up. Right: a common rule of thumb wants each update to move a "
            f"layer's weights by about {rule:g} of their size: far below, the layer "
            f"hardly changes; near 1, every epoch rewrites it.")


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
    stall = health.failure_mode(model.activation) if model.hidden else None
    if stall:
        share = health.hidden_share(history, stall)[last]
        text += f" · {'dead' if stall == 'dead_fraction' else 'saturated'} at epoch {last}: {share:.0%}"
    return text


# -- pages/5_Compare_runs.py ---------------------------------------------------------------------

def grid_summary(result, grid, network: str, seconds: float) -> str:
    table, summary = result.table, result.summary()
    healthy = summary[summary.diverged == 0]
    line = (f"**{len(table)} runs** ({len(grid.inits)} initializers × {len(grid.lrs)} learning rates × "
            f"{grid.seeds} seed{'s' * (grid.seeds > 1)}) of the {network}, {grid.epochs:,} epochs each, "
            f"trained in {seconds:.1f} s.")
    if not healthy.empty:
        best = healthy.loc[healthy.final_val_loss_mean.idxmin()]
        line += (f" Lowest test loss: **{best.init}** at learning rate **{best.lr:g}** "
                 f"(test R² {best.final_val_r2_mean:.2f}{', mean over seeds' * (grid.seeds > 1)}).")
    return line


def heatmap_notes(result, grid) -> list[str]:
    table = result.table
    notes = ["Bright is good on both. R² 0 means no better than always predicting the average."]
    if (table.final_val_r2[table.diverged_at.isna()] < -1).any():  # a ✕ cell has no colour
        notes.append("R² colours stop at −1; the numbers do not.")
    if grid.seeds > 1:
        notes.append(f"Each cell is the mean of its {grid.seeds} seeds; ✕ if any of them diverged.")
    blown = table[table.diverged_at.notna()]
    if not blown.empty:
        per_rate = "; ".join(f"learning rate {lr:g}: {len(part)} of {len(table[table.lr == lr])} runs, "
                             f"at epoch {_span(part.diverged_at)}" for lr, part in blown.groupby("lr"))
        notes.append(f"✕ **diverged** ({per_rate}): each step overshot the bottom of the valley by more "
                     f"than it corrected, so the loss grew until it passed {_power(DIVERGENCE_FACTOR)} × its "
                     "starting size and that run was stopped. A smaller learning rate cures it.")
    growing = [result.label(run) for run, history in enumerate(result.histories)
               if history.diverging_from is not None]
    if growing:
        notes.append(f"▲ **diverging** ({'; '.join(growing)}): still growing geometrically at the end, not yet "
                     "past the blow-up bound; more epochs would blow it up. A smaller learning rate cures it.")
    return notes


def overlapping_curves(summary, same_loss: float, stuck_r2: float) -> str | None:
    """Which initializers' panels have their lines on top of each other, or None."""
    calm = summary.query("diverged == 0")
    same = [init for init, part in calm.groupby("init", sort=False)
            if len(part) > 1 and np.ptp(part.final_val_loss_mean) <= same_loss * part.final_val_loss_mean.mean()]
    if not same:
        return None
    stuck = calm[calm.init.isin(same)].final_val_r2_mean.max() < stuck_r2
    return (f"In the {', '.join(f'**{init}**' for init in same)} panel{'s' * (len(same) > 1)}, the runs that "
            f"did not diverge ended within {same_loss:.1%} of each other's test loss, so their lines lie on top of one "
            "another" + (f": none reached a test R² of {stuck_r2:g}, so none did better than predicting "
                         "the average." if stuck else "."))


def grid_waiting(grid, network: str, changed: bool) -> str:
    note = "The settings or the data changed since the last run. " if changed else ""
    return (f"{note}Press **Train the grid** to train these {grid.runs} runs of the {network}, "
            f"{grid.epochs:,} epochs each. Then each cell shows where its run ended; below come the loss "
            "curves, the first gradients of each initializer, and any two runs side by side.")


def compare_intro(hidden) -> str:
    return (f"Does it matter how a network's weights start, and how big its steps are? Here the same "
            f"{'-'.join(map(str, hidden))} network trains once for every pair of initializer and learning "
            "rate you pick. Read the grid to see which pairs learn, which crawl, which never move and which "
            "blow up (✕), then look at the curves and the very first gradients to see why.")


def gradient_story(summary) -> str:
    """What the epoch-0 gradients say, in words, from the numbers in the summary."""
    largest = summary.loc[summary.geometric_mean.idxmax(), "group"] if summary.geometric_mean.notna().any() else None
    lines = []
    for row in summary.itertuples():
        if row.all_zero:
            lines.append(f"- **{row.group}**: every weight gradient is exactly 0.")
        elif row.hidden_zero:
            lines.append(f"- **{row.group}**: the hidden layers' gradients are exactly 0; only the output layer's are not.")
        else:
            size = "the largest here" if row.group == largest else f"about {1 / row.relative:,.0f}× smaller than {largest}'s"
            lines.append(f"- **{row.group}**: {size}; its layers within {row.spread:.1f}× of each other.")
    groups, why = set(summary.group), []
    if groups & {"he", "xavier"}:
        why.append("**He** and **Xavier** scale each layer's weights to its width, so the signal going up and "
                   "the error coming back keep their size: every layer starts learning at once.")
    if "random" in groups:
        why.append(f"**random** draws every weight from N(0, {TUTORIAL_STD:g}²) whatever the width, so the "
                   "signal shrinks at each layer going up and the error shrinks at each layer coming back down "
                   "toward the input. A layer's gradient is the product of the two, so *every* layer's is tiny, "
                   "not just the first: at first the network barely moves.")
    if "zeros" in groups:
        zeros = summary.set_index("group").loc["zeros"]
        after = ("No weight ever moves, so only the output bias learns: a constant prediction."
                 if zeros.all_zero else
                 "Only the output weights move at first, all alike, so the hidden units stay copies of each "
                 "other: each layer works as if it had a single unit.")
        why.append("**zeros** makes every unit in a layer identical, so they would get identical updates and "
                   "stay copies of each other (symmetry); and with the weights above them at 0, no error "
                   f"reaches the hidden layers at all. {after}")
    head = ("Each initializer's first gradients, averaged over its runs (the learning rate plays no part "
            "before the first step) and compared by their geometric mean over the layers:")
    return "\n".join([head, "", *lines]) + "\n\n" + "\n\n".join(why)


def _power(value: float) -> str:
    """1e4 -> '10⁴' (a power of ten in superscript)."""
    exponent = round(np.log10(value))
    return "10" + str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _span(values) -> str:
    low, high = int(values.min()), int(values.max())
    return f"{low}" if low == high else f"{low}–{high}"
