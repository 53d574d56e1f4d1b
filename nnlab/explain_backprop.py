"""The sentences of the backprop walk, built from a `nnlab.backprop.Trace`: each operation with its numbers
plugged in, its finite-difference verdict, and the tutorial's version beside nnlab's.

A module of its own beside nnlab.explain (same rule: pages hold only fixed text, and
tests/nnlab/test_explain_backprop.py pins every sentence as the full string a learner reads).
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .backprop import display_name, kinks_behind, step_table, sub

MAX_TERMS = 8  # a sum written out term by term; longer ones end in "+ …" (the table has every entry)


def number(x):
    """4 significant digits, a true minus sign: -3.9512 -> '−3.951'."""
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:.4g}".replace("-", "−")


def factor(x):
    """number(x), in parentheses when negative, for a product: '0.3·(−3.95)'."""
    text = number(x)
    return f"({text})" if text.startswith("−") else text


def _sum(terms):
    """'a + b + c', with '+ −x' written '− x'; past MAX_TERMS, '+ …'."""
    shown = terms[:MAX_TERMS]
    text = shown[0]
    for term in shown[1:]:
        text += f" − {term[1:]}" if term.startswith("−") else f" + {term}"
    return text + (" + …" if len(terms) > MAX_TERMS else "")


def _where(trace, key, row=None, unit=None):
    """'z₁[row 2, unit 1]', 'ŷ[row 2]' (the output has one unit), 'W₂[1, 2]', 'b₂[1]'."""
    name = display_name(key, trace.n_layers)
    single = key in (f"z{trace.n_layers}", f"delta{trace.n_layers}")
    if row is not None and unit is not None:
        return f"{name}[row {row + 1}]" if single else f"{name}[row {row + 1}, unit {unit + 1}]"
    if row is not None:
        return f"{name}[row {row + 1}]"
    return f"{name}[{unit + 1}]"


def entry_sentence(trace, step, index):
    """The step's formula for one entry (an index into its array), with the numbers plugged in."""
    value = trace.arrays[step.key]
    value = np.asarray(value)[index] if np.ndim(value) else value
    kind = "output_delta" if step.kind == "delta" and step.layer == trace.n_layers else step.kind
    return SENTENCES[kind](trace, step, index, value)


def _inputs_of(layer):
    """What layer reads: 'X' for the first, 'a₁' … for the others."""
    return "X" if layer == 1 else f"a{sub(layer - 1)}"


def _z(trace, step, index, value):
    (r, j), a, layer = index, trace.arrays, step.layer
    below, W, b = a[f"a{layer - 1}"][r], a[f"W{layer}"][:, j], a[f"b{layer}"][j]
    terms = [f"{factor(x)}·{factor(w)}" for x, w in zip(below, W)]
    formula = f"{_inputs_of(layer)}[row {r + 1}]·W{sub(layer)}[:, {j + 1}] + b{sub(layer)}[{j + 1}]"
    return f"{_where(trace, step.key, r, j)} = {formula} = {_sum(terms + [number(b)])} = {number(value)}"


def _a(trace, step, index, value):
    (r, j), f = index, trace.activation
    z = trace.arrays[f"z{step.layer}"][r, j]
    where_z = _where(trace, f"z{step.layer}", r, j)
    return f"{_where(trace, step.key, r, j)} = {f}({where_z}) = {f}({number(z)}) = {number(value)}"


def _loss(trace, step, index, value):
    return _loss_sentence(trace, step, trace.prediction if step.kind == "loss" else trace.arrays["new:yhat"])


def _output_delta(trace, step, index, value):
    r = index[0]
    error = f"{number(trace.prediction[r])} − {factor(trace.arrays['y'][r])}"
    head = f"{_where(trace, step.key, r, 0)} = "
    if trace.rule == "exact":
        return f"{head}(ŷ − y) · 2/n = ({error}) · 2/{trace.rows} = {number(value)}"
    return f"{head}ŷ − y = {error} = {number(value)}"


def _delta(trace, step, index, value):
    (r, i), a, layer, f = index, trace.arrays, step.layer, trace.activation
    above, W = a[f"delta{layer + 1}"][r], a[f"W{layer + 1}"][i]
    slope = ACTIVATIONS[f].derivative(np.array([a[f"z{layer}"][r, i]]))[0]
    terms = [f"{factor(d)}·{factor(w)}" for d, w in zip(above, W)]
    formula = (
        f"(δ{sub(layer + 1)}[row {r + 1}]·W{sub(layer + 1)}[{i + 1}, :]) · {f}′({_where(trace, f'z{layer}', r, i)})"
    )
    return f"{_where(trace, step.key, r, i)} = {formula} = ({_sum(terms)}) · {factor(slope)} = {number(value)}"


def _dW(trace, step, index, value):
    (i, j), a, layer = index, trace.arrays, step.layer
    terms = [f"{factor(x)}·{factor(d)}" for x, d in zip(a[f"a{layer - 1}"][:, i], a[f"delta{layer}"][:, j])]
    decay = f" + 2·{number(trace.l2)}·{factor(a[f'W{layer}'][i, j])}" if trace.l2 else ""
    what = f"{_inputs_of(layer)}[row, {i + 1}]·{_delta_column(trace, layer, j)}{' + 2·l2·W' if trace.l2 else ''}"
    return f"∂L/∂W{sub(layer)}[{i + 1}, {j + 1}] = Σ over rows of {what} = {_sum(terms)}{decay} = {number(value)}"


def _db(trace, step, index, value):
    j, layer = index[0], step.layer
    terms = [number(d) for d in trace.arrays[f"delta{layer}"][:, j]]
    what = _delta_column(trace, layer, j)
    return f"∂L/∂b{sub(layer)}[{j + 1}] = Σ over rows of {what} = {_sum(terms)} = {number(value)}"


def _delta_column(trace, layer, j):
    """'δ₂[row]' at the output (one unit), 'δ₁[row, 2]' below it."""
    return f"δ{sub(layer)}[row{'' if layer == trace.n_layers else f', {j + 1}'}]"


def _update(trace, step, index, value):
    name, a = f"{step.kind}{sub(step.layer)}", trace.arrays
    before, gradient = a[f"{step.kind}{step.layer}"][index], a[f"d{step.kind}{step.layer}"][index]
    where = f"[{', '.join(str(i + 1) for i in index)}]"
    return (
        f"{name}{where} ← {name}{where} − lr·∂L/∂{name}{where}"
        f" = {number(before)} − {number(trace.lr)}·{factor(gradient)} = {number(value)}"
    )


# kind of step -> its sentence(trace, step, index, value); the output's δ starts the chain rule.
SENTENCES = {
    "z": _z,
    "a": _a,
    "loss": _loss,
    "new_loss": _loss,
    "output_delta": _output_delta,
    "delta": _delta,
    "dW": _dW,
    "db": _db,
    "W": _update,
    "b": _update,
}


def _loss_sentence(trace, step, prediction):
    y = trace.arrays["y"]
    terms = [f"({number(p)} − {factor(t)})²" for p, t in zip(prediction, y)]
    head = "L" if step.kind == "loss" else "L after the step"
    mean = f"({_sum(terms)}) / {trace.rows}" if len(terms) > 1 else terms[0]
    if not trace.l2:
        return f"{head} = mean((ŷ − y)²) = {mean} = {number(trace.arrays[step.key])}"
    weights = [trace.arrays[f"{'new:' if step.kind == 'new_loss' else ''}W{i}"] for i in range(1, trace.n_layers + 1)]
    squares = sum(float(np.sum(W * W)) for W in weights)
    fit = float(np.mean((np.asarray(prediction) - y) ** 2))
    return (
        f"{head} = mean((ŷ − y)²) + l2·Σ‖W‖² = {mean} + {number(trace.l2)}·{number(squares)}"
        f" = {number(fit)} + {number(trace.l2 * squares)} = {number(trace.arrays[step.key])}"
    )


def shown_entries(trace, step, row=0, limit=4):
    """The entries whose sentences are written out: the chosen row of a per-row array (every unit),
    otherwise the first `limit` entries; a scalar has one, ()."""
    value = np.asarray(trace.arrays[step.key])
    if value.ndim == 0:
        return [()]
    if step.kind in ("z", "a", "delta"):
        return [(row, j) for j in range(value.shape[1])]
    return list(np.ndindex(value.shape))[:limit]


def step_sentences(trace, step, row=0, limit=4):
    """entry_sentence of each of shown_entries, and how many entries the table holds besides them."""
    entries = shown_entries(trace, step, row, limit)
    return [entry_sentence(trace, step, index) for index in entries], int(np.size(trace.arrays[step.key])) - len(
        entries
    )


def step_heading(trace, position):
    """'Step 5 of 15 · backward · δ₂ = ∂L/∂z₂ = (ŷ − y) · 2/n' for the step at position (0-based)."""
    step = trace.steps[position]
    return f"Step {position + 1} of {len(trace.steps)} · {step.phase} · {step.formula}"


def check_verdict(trace, step):
    """What central finite differences say about a gradient step's entries; None for a step that is not one."""
    if step.numeric is None:
        return None
    table = step_table(trace, step)
    count, worst = len(table), float(table["relative error"].max())
    if table.agrees.all():
        which = "The one entry agrees" if count == 1 else f"All {count} entries agree"
        return (
            f"{which} with central finite differences (relative error at most {_error(worst)}): "
            f"this is the gradient of the loss."
        )
    wrong = int((~table.agrees).sum())
    which = (
        "The one entry disagrees"
        if count == 1
        else f"All {count} entries disagree"
        if wrong == count
        else f"{wrong} of {count} entries disagree"
    )
    head = f"{which} with central finite differences (relative error up to {worst:.3g})"
    behind = kinks_behind(trace, step)
    if behind:
        return f"{head}. {kink_note(trace.activation, behind)}"
    return f"{head}: this is not the gradient of the loss L that is reported."


def _error(x):
    return "0" if x == 0 else f"{x:.1e}"


def kink_note(activation, found):
    """Why entries next to a ReLU-like kink cannot agree with finite differences (found: backprop.kinks)."""
    total = sum(found.values())
    where = ", ".join(f"z{sub(layer)}" for layer in found)
    units = "entry" if total == 1 else "entries"
    return (
        f"Not a bug: {total} {units} of {where} {'is' if total == 1 else 'are'} exactly 0, on {activation}'s kink, "
        f"where its slope jumps. Finite differences step across the jump and average the two slopes, while "
        f"backprop takes the slope at 0 as {activation}′(0) = {number(_slope_at_zero(activation))}; no single "
        f"gradient exists there. A unit lands on it when everything feeding it is 0 (every unit below it "
        f"off, or zero weights) while its bias is still 0; another seed, or a step of training, moves it off."
    )


def _slope_at_zero(activation):
    return float(ACTIVATIONS[activation].derivative(np.zeros(1))[0])


def tutorial_story(comparison):
    """The tutorial's gradient beside nnlab's (backprop.tutorial_comparison), in a few sentences."""
    n, found, lr = comparison["rows"], comparison["factor"], comparison["lr"]
    exact, tutorial = comparison["exact_check"], comparison["tutorial_check"]
    opening = (
        f"The tutorial starts its backward pass from dA = ŷ − y and leaves out the 2/n of the mean squared "
        f"error it reports. With n = {n} {'row' if n == 1 else 'rows'}, 2/n = {number(2 / n)}, so every "
        f"gradient it computes is n/2 = {number(n / 2)} times the true one (measured here: {found:.4g}×)."
    )
    if n == 2:
        middle = (
            " With exactly two rows the two factors cancel: the tutorial's gradient is right by accident, "
            "and the finite-difference check cannot tell them apart. Pick another number of rows to see the bug."
        )
    else:
        middle = (
            f" Each of its steps is {number(n / 2)}× the length it should be: at lr {number(lr)} it moves as far as "
            f"nnlab would at lr {number(comparison['effective_lr'])}, so the learning rate one tunes "
            f"depends on how many rows are in the batch."
        )
    check = (
        f" Against central finite differences nnlab's gradient has relative error {exact['relative_error']:.2g} "
        f"({'agrees' if exact['ok'] else 'disagrees'}); the tutorial's has {tutorial['relative_error']:.2g} "
        f"({'agrees' if tutorial['ok'] else 'flagged: it is not the gradient of the loss it prints'})."
    )
    found = comparison.get("kinks")
    if found and not exact["ok"]:
        check += (
            f" nnlab's differs from them only because a unit sits on {comparison['activation']}'s kink at "
            f"z = 0, where no single gradient exists (the backward steps say where)."
        )
    return opening + middle + check


def step_losses(comparison):
    """One line on where the single step lands: the loss before, after nnlab's step and after the tutorial's."""
    before, exact, tutorial = (number(comparison[k]) for k in ("loss", "new_loss_exact", "new_loss_tutorial"))
    return f"Loss before the step {before}; after nnlab's step {exact}; after the tutorial's {tutorial}."


def descent_caption(exact, tutorial, lr, rows):
    """Where k steps of each rule take the loss (backprop.descent curves, steps + 1 values each)."""
    steps = len(exact) - 1

    def end(losses):
        finite = np.isfinite(losses)
        if not finite.all():
            return f"blew up after {int(np.argmin(finite))} steps"
        return f"went from {number(losses[0])} to {number(losses[-1])}"

    return (
        f"{steps} steps at lr {number(lr)} on {rows} {'row' if rows == 1 else 'rows'}: nnlab's loss {end(exact)}; "
        f"the tutorial's, whose steps are n/2 = {number(rows / 2)}× as long, {end(tutorial)}."
    )
