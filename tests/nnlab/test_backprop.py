"""nnlab.backprop: the trace of one step against the model's own backward pass, central finite
differences computed elsewhere (diagnostics.gradcheck), a network worked by hand, the trainer's
update, and the tutorial's gradient (n/2 times the true one)."""

import numpy as np
import pandas as pd
import pytest

import nnlab
from nnlab import backprop, diagnostics, tutorial
from nnlab.activations import ACTIVATIONS

RNG = np.random.default_rng(11)
X = RNG.standard_normal((6, 3))
Y = RNG.standard_normal(6)
DEPTHS = {0: (), 1: (4,), 2: (4, 3), 3: (3, 4, 2)}


def fitted(hidden, activation, epochs=3, **kwargs):
    """A model a few steps into training: its biases are no longer 0, so ReLU inputs sit off the kink."""
    return nnlab.MLP(hidden=hidden, activation=activation, init="xavier", lr=0.05, epochs=epochs, **kwargs).fit(X, Y)


@pytest.mark.parametrize("depth", list(DEPTHS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradients_equal_the_models_backward_pass_and_finite_differences(activation, depth):
    model = fitted(DEPTHS[depth], activation)
    trace = diagnostics.backprop_trace(model, X, Y, lr=0.1)
    _, own = diagnostics.objective_and_gradient(diagnostics.network_of(model, X.shape[1]), X, Y)
    np.testing.assert_allclose(trace.gradient(), own[0], rtol=1e-10, atol=1e-13)
    checks = diagnostics.gradcheck(model, X, Y)  # finite differences through the trainer's network
    assert checks.ok.all(), checks
    assert len(trace.steps) == 7 * (depth + 1) + 1  # forward 2L − 1, loss, backward 3L, update 2L, new loss: with lr
    for step in trace.steps:
        if step.numeric is not None:  # every δ, ∂L/∂W and ∂L/∂b of the walk, entry by entry
            table = backprop.step_table(trace, step)
            assert table.agrees.all(), (step.formula, table)


@pytest.mark.parametrize("activation", ["tanh", "gelu", "softplus"])
def test_a_model_that_is_not_fitted_is_traced_at_its_initialization(activation):
    model = nnlab.MLP(hidden=(4, 4), activation=activation, init="he", random_state=5)
    trace = backprop.backprop_trace(model, X, Y)
    start = diagnostics.network_of(model, X.shape[1])
    np.testing.assert_array_equal(trace.arrays["W1"], start.W[0][0])
    np.testing.assert_array_equal(trace.arrays["b3"], np.zeros(1))
    assert diagnostics.gradcheck(model, X, Y).ok.all()
    assert backprop.gradient_check(trace)["ok"]
    assert trace.new_loss is None and not any(step.phase == "update" for step in trace.steps)


def test_a_network_worked_by_hand():
    # 1 → 1 → 1, linear hidden unit, two rows x = (1, 2), y = (1, 0); W₁ = 2, b₁ = 0, W₂ = 3, b₂ = 1.
    # Forward: z₁ = (2, 4); ŷ = z₂ = 3·z₁ + 1 = (7, 13); L = ((7 − 1)² + 13²)/2 = (36 + 169)/2 = 102.5.
    # Backward: δ₂ = (ŷ − y)·2/2 = (6, 13); ∂L/∂W₂ = a₁ᵀδ₂ = 2·6 + 4·13 = 64; ∂L/∂b₂ = 19;
    # δ₁ = δ₂·W₂ = (18, 39); ∂L/∂W₁ = xᵀδ₁ = 18 + 78 = 96; ∂L/∂b₁ = 57.
    # Update with lr 0.01: W₁ = 2 − 0.96 = 1.04, b₁ = −0.57, W₂ = 3 − 0.64 = 2.36, b₂ = 1 − 0.19 = 0.81.
    X1, y1 = np.array([[1.0], [2.0]]), np.array([1.0, 0.0])
    trace = backprop.trace_layers(
        [np.array([[2.0]]), np.array([[3.0]])], [np.zeros(1), np.ones(1)], X1, y1, "linear", lr=0.01
    )
    a = trace.arrays
    np.testing.assert_allclose(a["z1"][:, 0], [2, 4])
    np.testing.assert_allclose(trace.prediction, [7, 13])
    assert trace.loss == pytest.approx(102.5)
    np.testing.assert_allclose(a["delta2"][:, 0], [6, 13])
    np.testing.assert_allclose([a["dW2"][0, 0], a["db2"][0], a["dW1"][0, 0], a["db1"][0]], [64, 19, 96, 57])
    np.testing.assert_allclose(a["delta1"][:, 0], [18, 39])
    new = [a["new:W1"][0, 0], a["new:b1"][0], a["new:W2"][0, 0], a["new:b2"][0]]
    np.testing.assert_allclose(new, [1.04, -0.57, 2.36, 0.81])
    # After: z₁ = 1.04·x − 0.57 = (0.47, 1.51); ŷ = 2.36·z₁ + 0.81 = (1.9192, 4.3736).
    assert trace.new_loss == pytest.approx(((1.9192 - 1) ** 2 + 4.3736**2) / 2)


@pytest.mark.parametrize("hidden", [(), (3,), (2, 4)])
def test_the_update_and_new_loss_are_the_trainers_first_step(hidden):
    lr = 0.07
    model = nnlab.MLP(hidden=hidden, activation="tanh", init="he", lr=lr, random_state=2)
    trace = backprop.backprop_trace(model, X, Y, lr=lr)
    trained = nnlab.MLP(**model.get_params() | {"epochs": 1}).fit(X, Y)
    for layer, (W, b) in enumerate(zip(trained.coefs_, trained.intercepts_), start=1):
        np.testing.assert_allclose(trace.arrays[f"new:W{layer}"], W, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(trace.arrays[f"new:b{layer}"], b, rtol=1e-12, atol=1e-15)
    assert trace.loss == pytest.approx(trained.history_.loss[0], rel=1e-12)
    assert trace.new_loss == pytest.approx(trained.history_.final_loss, rel=1e-12)
    assert trace.new_loss < trace.loss


def test_l2_enters_the_loss_and_the_weight_gradients():
    model = fitted((3,), "sigmoid", l2=0.1)
    trace = backprop.backprop_trace(model, X, Y, lr=0.1)
    _, own = diagnostics.objective_and_gradient(diagnostics.network_of(model, X.shape[1]), X, Y)
    np.testing.assert_allclose(trace.gradient(), own[0], rtol=1e-10)
    assert backprop.gradient_check(trace)["ok"]
    assert "+ 2·l2·W₂" in next(s.formula for s in trace.steps if s.key == "dW2")


def test_descent_follows_the_trainers_loss_curve():
    model = nnlab.MLP(hidden=(4,), activation="relu", init="he", lr=0.05, random_state=1)
    losses = backprop.descent(model, X, Y, lr=0.05, steps=30)
    history = nnlab.MLP(**model.get_params() | {"epochs": 30}).fit(X, Y).history_
    np.testing.assert_allclose(losses[:30], history.loss, rtol=1e-11)
    assert losses[-1] == pytest.approx(history.final_loss, rel=1e-11)


def test_the_tutorials_rule_is_its_own_loop():
    # The tutorial's network (3 → 5 → 1, ReLU) from nnlab's He start: descent with the tutorial's
    # rule retraces nnlab.tutorial.network_replay, an independent transcription of its loop.
    problem = tutorial.NETWORK
    model = nnlab.MLP(hidden=problem["hidden"], activation="relu", init="he", random_state=0)
    start = [W[0] for W in diagnostics.network_of(model, 3).W]
    replay = tutorial.network_replay(start, epochs=20)
    losses = backprop.descent(model, problem["X"], problem["y"], problem["lr"], 20, rule="tutorial")
    np.testing.assert_allclose(losses[:20], replay, rtol=1e-10)


@pytest.mark.parametrize("rows", range(1, 9))
def test_the_tutorials_gradient_is_n_over_2_times_the_true_one(rows):
    Xn, yn = X[:rows] if rows <= 6 else np.vstack([X, X[: rows - 6] + 0.5]), RNG.standard_normal(rows)
    model = fitted((3,), "tanh")
    exact = backprop.backprop_trace(model, Xn, yn, lr=0.1)
    wrong = backprop.backprop_trace(model, Xn, yn, lr=0.1, rule="tutorial")
    np.testing.assert_allclose(wrong.gradient(), exact.gradient() * rows / 2, rtol=1e-12)
    found = backprop.tutorial_comparison(exact, wrong)
    assert found["factor"] == pytest.approx(rows / 2) and found["expected"] == rows / 2
    assert found["effective_lr"] == pytest.approx(0.1 * rows / 2)
    assert found["exact_check"]["ok"]
    # |c·g − g| / (|c·g| + |g|) = |c − 1| / (c + 1): flagged unless the factor is 1, at two rows.
    c = rows / 2
    assert found["tutorial_check"]["relative_error"] == pytest.approx(abs(c - 1) / (c + 1), abs=1e-8)
    assert found["tutorial_check"]["ok"] == (rows == 2)
    assert wrong.arrays["loss"] == exact.arrays["loss"]  # the same forward pass: only the gradient differs
    table = backprop.step_table(wrong, next(s for s in wrong.steps if s.key == "dW2"))
    assert table.agrees.all() == (rows == 2)


def test_step_tables_label_every_entry():
    trace = backprop.backprop_trace(fitted((2,), "relu"), X[:3], Y[:3], lr=0.1)
    steps = {s.key: s for s in trace.steps}
    z1 = backprop.step_table(trace, steps["z1"])
    assert list(z1.columns) == ["entry", "value"] and z1.entry[:3].tolist() == [
        "row 1, unit 1",
        "row 1, unit 2",
        "row 2, unit 1",
    ]
    np.testing.assert_array_equal(z1.value, trace.arrays["z1"].ravel())
    dW1 = backprop.step_table(trace, steps["dW1"])
    assert list(dW1.columns) == ["entry", "value", "finite difference", "relative error", "agrees"]
    assert dW1.entry.tolist() == [f"∂L/∂W₁[{i}, {j}]" for i in (1, 2, 3) for j in (1, 2)]
    update = backprop.step_table(trace, steps["new:b2"])
    pd.testing.assert_frame_equal(
        update,
        pd.DataFrame(
            {
                "entry": ["b₂[1]"],
                "before": trace.arrays["b2"],
                "gradient": trace.arrays["db2"],
                "value": trace.arrays["new:b2"],
            }
        ),
    )
    loss = backprop.step_table(trace, steps["loss"])
    assert loss.entry.tolist() == ["L"] and loss.value[0] == trace.loss


def test_bad_input_is_refused_with_a_reason():
    model = nnlab.MLP(hidden=(2,))
    with pytest.raises(ValueError, match="one y per row"):
        backprop.backprop_trace(model, X, Y[:3])
    with pytest.raises(ValueError, match="finite"):
        backprop.backprop_trace(model, np.full((2, 3), np.nan), Y[:2])
    with pytest.raises(ValueError, match="rule must be one of"):
        backprop.backprop_trace(model, X, Y, rule="approximate")
    with pytest.raises(ValueError, match="lr must be a positive number"):
        backprop.backprop_trace(model, X, Y, lr=-1)


def test_the_comparison_table_has_one_row_per_parameter_block():
    model = fitted((3,), "tanh")
    exact = backprop.backprop_trace(model, X[:5], Y[:5], lr=0.1)
    wrong = backprop.backprop_trace(model, X[:5], Y[:5], lr=0.1, rule="tutorial")
    table = backprop.comparison_table(exact, wrong)
    assert table.gradient.tolist() == ["∂L/∂W₁", "∂L/∂W₂", "∂L/∂b₁", "∂L/∂b₂"]
    np.testing.assert_allclose(table["tutorial / nnlab"], 2.5)  # n/2 with five rows
    np.testing.assert_allclose(table["‖nnlab‖"][0], np.linalg.norm(exact.arrays["dW1"]))
    assert (table["nnlab vs finite differences"] < 1e-6).all()
    np.testing.assert_allclose(table["tutorial vs finite differences"], 1.5 / 3.5, rtol=1e-6)  # (c − 1)/(c + 1)


def test_a_step_far_too_large_shows_the_loss_blowing_up():
    # lr 1000 on a target of ~150 through three linear layers: the one step overshoots by ~50 orders
    # of magnitude. pytest.ini turns any RuntimeWarning (an overflow, say) into an error.
    model = nnlab.MLP(hidden=(4, 4, 4), activation="linear", init="he", random_state=0)
    trace = backprop.backprop_trace(model, X * 100, 150 + 80 * Y, lr=1000.0)
    assert np.isfinite(trace.loss) and trace.new_loss > 1e50 * trace.loss
    losses = backprop.descent(model, X * 100, 150 + 80 * Y, 1000.0, 5)
    assert losses[1] == pytest.approx(trace.new_loss) and losses[2] == np.inf  # the second step overflows
    assert np.isnan(losses[3:]).all(), "k steps stop at the blow-up"
