"""nnlab.explain_backprop: every sentence of the backprop walk, pinned as the full string a learner reads.

The network is small enough to check by hand: 2 inputs → 2 ReLU units → 1 output, four rows,
W₁ = [[0.5, −1], [0.25, 0.5]], b₁ = (0.1, 0.2), W₂ = (2, −1)ᵀ, b₂ = 0.5, lr 0.1. Row 2 is x = (0.5, 1):
z₁ = (0.25 + 0.25 + 0.1, −0.5 + 0.5 + 0.2) = (0.6, 0.2), both units on, ŷ = 1.2 − 0.2 + 0.5 = 1.5,
y = −1, so δ₂ = (1.5 + 1)·2/4 = 1.25 and δ₁ = 1.25·(2, −1) = (2.5, −1.25).
"""

import numpy as np
import pytest

from nnlab import backprop
from nnlab import explain_backprop as eb

X = np.array([[1.0, -2.0], [0.5, 1.0], [2.0, 0.0], [-1.0, 1.0]])
Y = np.array([1.0, -1.0, 2.0, 0.5])
WEIGHTS = [np.array([[0.5, -1.0], [0.25, 0.5]]), np.array([[2.0], [-1.0]])]
BIASES = [np.array([0.1, 0.2]), np.array([0.5])]


def trace(rule="exact", X=X, Y=Y, weights=WEIGHTS, biases=BIASES):
    return backprop.trace_layers(weights, biases, X, Y, "relu", lr=0.1, rule=rule)


def step(t, key):
    return next(s for s in t.steps if s.key == key)


def test_numbers_use_four_digits_and_a_true_minus():
    assert [eb.number(x) for x in (-3.95123, 0.0, 1e-7, 12345.6)] == ["−3.951", "0", "1e−07", "1.235e+04"]
    assert [eb.factor(x) for x in (-2, 2)] == ["(−2)", "2"]


def test_every_forward_sentence_plugs_in_its_numbers():
    t = trace()
    assert eb.step_sentences(t, step(t, "z1"), row=1) == (
        [
            "z₁[row 2, unit 1] = X[row 2]·W₁[:, 1] + b₁[1] = 0.5·0.5 + 1·0.25 + 0.1 = 0.6",
            "z₁[row 2, unit 2] = X[row 2]·W₁[:, 2] + b₁[2] = 0.5·(−1) + 1·0.5 + 0.2 = 0.2",
        ],
        6,
    )
    assert (
        eb.entry_sentence(t, step(t, "a1"), (1, 1)) == "a₁[row 2, unit 2] = relu(z₁[row 2, unit 2]) = relu(0.2) = 0.2"
    )
    assert (
        eb.entry_sentence(t, step(t, "z2"), (1, 0))
        == "ŷ[row 2] = a₁[row 2]·W₂[:, 1] + b₂[1] = 0.6·2 + 0.2·(−1) + 0.5 = 1.5"
    )
    assert eb.entry_sentence(t, step(t, "loss"), ()) == (
        "L = mean((ŷ − y)²) = ((0.7 − 1)² + (1.5 − (−1))² + (2.7 − 2)² + (−1.2 − 0.5)²) / 4 = 2.43"
    )


def test_every_backward_sentence_plugs_in_its_numbers():
    t = trace()
    assert eb.entry_sentence(t, step(t, "delta2"), (1, 0)) == "δ₂[row 2] = (ŷ − y) · 2/n = (1.5 − (−1)) · 2/4 = 1.25"
    assert eb.entry_sentence(t, step(t, "dW2"), (1, 0)) == (
        "∂L/∂W₂[2, 1] = Σ over rows of a₁[row, 2]·δ₂[row] = 0·(−0.15) + 0.2·1.25 + 0·0.35 + 1.7·(−0.85) = −1.195"
    )
    assert eb.entry_sentence(t, step(t, "db2"), (0,)) == (
        "∂L/∂b₂[1] = Σ over rows of δ₂[row] = −0.15 + 1.25 + 0.35 − 0.85 = 0.6"
    )
    assert eb.entry_sentence(t, step(t, "delta1"), (1, 1)) == (
        "δ₁[row 2, unit 2] = (δ₂[row 2]·W₂[2, :]) · relu′(z₁[row 2, unit 2]) = (1.25·(−1)) · 1 = −1.25"
    )
    assert eb.entry_sentence(t, step(t, "dW1"), (0, 0)) == (
        "∂L/∂W₁[1, 1] = Σ over rows of X[row, 1]·δ₁[row, 1] = 1·(−0.3) + 0.5·2.5 + 2·0.7 + (−1)·0 = 2.35"
    )


def test_the_update_sentences_and_the_new_loss():
    t = trace()
    assert eb.step_sentences(t, step(t, "new:b1")) == (
        [
            "b₁[1] ← b₁[1] − lr·∂L/∂b₁[1] = 0.1 − 0.1·2.9 = −0.19",
            "b₁[2] ← b₁[2] − lr·∂L/∂b₁[2] = 0.2 − 0.1·(−0.4) = 0.24",
        ],
        0,
    )
    assert eb.entry_sentence(t, step(t, "new:W1"), (0, 1)) == (
        "W₁[1, 2] ← W₁[1, 2] − lr·∂L/∂W₁[1, 2] = −1 − 0.1·(−1.475) = −0.8525"
    )
    assert eb.entry_sentence(t, step(t, "new_loss"), ()) == (
        "L after the step = mean((ŷ − y)²) = ((0.8082 − 1)² + (0.1285 − (−1))² + (1.082 − 2)² + (−0.9974 − 0.5)²) / 4"
        " = 1.099"
    )


def test_the_tutorials_output_delta_and_an_l2_loss():
    t = trace("tutorial")
    assert eb.entry_sentence(t, step(t, "delta2"), (0, 0)) == "δ₂[row 1] = ŷ − y = 0.7 − 1 = −0.3"
    penalised = backprop.trace_layers(WEIGHTS, BIASES, X, Y, "relu", lr=0.1, l2=0.5)
    # Σ‖W‖² = 0.25 + 1 + 0.0625 + 0.25 + 4 + 1 = 6.5625, times 0.5 = 3.281; 2.43 + 3.281 = 5.711.
    assert eb.entry_sentence(penalised, step(penalised, "loss"), ()) == (
        "L = mean((ŷ − y)²) + l2·Σ‖W‖² = ((0.7 − 1)² + (1.5 − (−1))² + (2.7 − 2)² + (−1.2 − 0.5)²) / 4 + 0.5·6.562"
        " = 2.43 + 3.281 = 5.711"
    )
    assert eb.entry_sentence(penalised, step(penalised, "dW2"), (0, 0)) == (
        "∂L/∂W₂[1, 1] = Σ over rows of a₁[row, 1]·δ₂[row] + 2·l2·W = 0.1·(−0.15) + 0.6·1.25 + 1.1·0.35 + 0·(−0.85)"
        " + 2·0.5·2 = 3.12"
    )


def test_long_sums_are_cut_and_the_table_holds_the_rest():
    rows = np.tile(X, (3, 1))  # 12 rows: a sum of 12 products, 8 of them written out
    t = backprop.trace_layers(WEIGHTS, BIASES, rows, np.tile(Y, 3), "relu")
    sentence = eb.entry_sentence(t, step(t, "db2"), (0,))
    assert sentence.count("+") + sentence.count(" − ") == 8 and " + … = " in sentence


def test_headings_name_the_step_its_phase_and_formula():
    t = trace()
    assert eb.step_heading(t, 4) == "Step 5 of 15 · backward · δ₂ = ∂L/∂z₂ = (ŷ − y) · 2/n"
    assert eb.step_heading(t, 7) == "Step 8 of 15 · backward · δ₁ = (δ₂·W₂ᵀ) ⊙ relu′(z₁)"


def test_check_verdicts(monkeypatch):
    t, wrong = trace(), trace("tutorial")
    assert eb.check_verdict(t, step(t, "z1")) is None
    # The largest relative error comes from round-off: fix it to pin the sentence.
    monkeypatch.setattr(eb, "step_table", lambda tr, s: _table(backprop.step_table(tr, s)))
    assert eb.check_verdict(t, step(t, "delta1")) == (
        "All 8 entries agree with central finite differences (relative error at most 1.0e-10): this is the gradient of "
        "the loss."
    )
    assert eb.check_verdict(t, step(t, "db2")) == (
        "The one entry agrees with central finite differences (relative error at most 1.0e-10): this is the gradient "
        "of the loss."
    )
    assert eb.check_verdict(wrong, step(wrong, "delta2")) == (
        "All 4 entries disagree with central finite differences (relative error up to 0.333): this is not the "
        "gradient of the loss L that is reported."
    )


def _table(table):
    table = table.copy()
    table.loc[table.agrees, "relative error"] = 1e-10
    return table


def test_a_unit_on_the_relu_kink_is_explained_not_blamed():
    # One row x = (1, 2), W₁ = 0: both z₁ are exactly 0, where ReLU's slope jumps from 0 to 1.
    t = trace(X=np.array([[1.0, 2.0]]), Y=np.array([3.0]), weights=[np.zeros((2, 2)), np.ones((2, 1))],
              biases=[np.zeros(2), np.zeros(1)])  # fmt: skip
    assert backprop.kinks(t) == {1: 2}
    assert eb.check_verdict(t, step(t, "delta1")) == (
        "All 2 entries disagree with central finite differences (relative error up to 1). Not a bug: 2 entries of "
        "z₁ are exactly 0, on relu's kink, where its slope jumps. Finite differences step across the jump and "
        "average the two slopes, while backprop takes the slope at 0 as relu′(0) = 0; no single gradient exists "
        "there. A unit lands on it when everything feeding it is 0 (every unit below it off, or zero weights) while "
        "its bias is still 0; another seed, or a step of training, moves it off."
    )
    assert eb.check_verdict(t, step(t, "dW2")).startswith("All 2 entries agree"), "the kink is below W₂"


@pytest.mark.parametrize(
    ("rows", "middle"),
    [
        (
            4,
            " Each of its steps is 2× the length it should be: at lr 0.1 it moves as far as nnlab would at lr 0.2, "
            "so the learning rate one tunes depends on how many rows are in the batch.",
        ),
        (
            2,
            " With exactly two rows the two factors cancel: the tutorial's gradient is right by accident, and the "
            "finite-difference check cannot tell them apart. Pick another number of rows to see the bug.",
        ),
    ],
)
def test_the_tutorial_story(rows, middle):
    found = {
        "rows": rows,
        "factor": rows / 2,
        "lr": 0.1,
        "effective_lr": 0.1 * rows / 2,
        "exact_check": {"relative_error": 7e-11, "ok": True},
        "tutorial_check": {"relative_error": 1 / 3 if rows == 4 else 7e-11, "ok": rows == 2},
    }
    opening = (
        f"The tutorial starts its backward pass from dA = ŷ − y and leaves out the 2/n of the mean squared error it "
        f"reports. With n = {rows} rows, 2/n = {eb.number(2 / rows)}, so every gradient it computes is n/2 = "
        f"{rows // 2} times the true one (measured here: {rows // 2}×)."
    )
    verdict = "0.33 (flagged: it is not the gradient of the loss it prints)" if rows == 4 else "7e-11 (agrees)"
    assert eb.tutorial_story(found) == (
        opening + middle + " Against central finite differences nnlab's gradient has relative error 7e-11 (agrees); "
        f"the tutorial's has {verdict}."
    )


def test_the_tutorial_story_on_the_kink_and_the_losses():
    found = backprop.tutorial_comparison(trace(), trace("tutorial"))
    assert eb.step_losses(found) == "Loss before the step 2.43; after nnlab's step 1.099; after the tutorial's 1.335."
    found.update(kinks={1: 1}, exact_check={"relative_error": 0.09, "ok": False})
    assert eb.tutorial_story(found).endswith(
        "nnlab's gradient has relative error 0.09 (disagrees); the tutorial's has 0.33 (flagged: it is not the "
        "gradient of the loss it prints). nnlab's differs from them only because a unit sits on relu's kink at "
        "z = 0, where no single gradient exists (the backward steps say where)."
    )


def test_descent_caption():
    assert eb.descent_caption(np.array([3.0, 2.0, 1.0]), np.array([3.0, 1.5, 0.5]), 0.1, 4) == (
        "2 steps at lr 0.1 on 4 rows: nnlab's loss went from 3 to 1; the tutorial's, whose steps are n/2 = 2× as "
        "long, went from 3 to 0.5."
    )
    assert eb.descent_caption(np.array([3.0, 2.0, 1.0]), np.array([3.0, 50.0, np.nan]), 0.1, 1) == (
        "2 steps at lr 0.1 on 1 row: nnlab's loss went from 3 to 1; the tutorial's, whose steps are n/2 = 0.5× as "
        "long, blew up after 2 steps."
    )
