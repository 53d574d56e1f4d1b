"""The backprop page in AppTest: Next through every operation of a 2-2-1 and a 3-4-4-1 network shows
the trace's own numbers, the tutorial's panel reports the n/2, and any data (toys, an uploaded CSV,
bad input) gives a page, never a traceback."""

from __future__ import annotations

import numpy as np
import pytest
from apptest import upload_csv
from tabs import open_tab

import nnlab
from nnlab import backprop, data
from nnlab import explain_backprop as words

PAGE = "Backprop_step_by_step"
TUTORIAL_TAB = "The tutorial's version, side by side"
DEFAULT = {"features": ["bmi", "s5"], "rows": 4, "hidden": (2,), "lr": 0.1}  # what a learner sees first


def expected(features, rows, hidden, lr=0.1, activation="relu", init="he", dataset=None, rule="exact"):
    """The page's step computed outside it, on the sidebar's default data (diabetes, target standardized)."""
    dataset = dataset or data.make_dataset("diabetes", "sklearn", "standardize", split_seed=42)
    columns = [dataset.feature_names.index(f) for f in features]
    model = nnlab.MLP(hidden=hidden, activation=activation, init=init, random_state=0)
    return backprop.backprop_trace(model, dataset.X_train[:rows, columns], dataset.y_train[:rows], lr=lr, rule=rule)


def next_button(at):
    return next(button for button in at.button if button.label == "Next")


def back_button(at):
    return next(button for button in at.button if button.label == "Back")


def check_shown(at, trace, position):
    """The page at `position` shows the trace's heading, sentences and every entry of the array."""
    assert not at.exception and not at.error, (at.exception, at.error)
    assert at.slider(key="bp.step").value == position + 1
    shown = [m.value for m in at.markdown]
    assert f"#### {words.step_heading(trace, position)}" in shown
    step = trace.steps[position]
    sentences, _ = words.step_sentences(trace, step, 0)
    assert "\n".join(f"- {s}" for s in sentences) in shown
    table = at.dataframe[0].value
    expected_table = backprop.step_table(trace, step)
    assert table.entry.tolist() == expected_table.entry.tolist()
    np.testing.assert_allclose(table.value, expected_table.value, rtol=1e-12, atol=1e-15)
    if step.numeric is not None:
        np.testing.assert_allclose(table["finite difference"], expected_table["finite difference"], rtol=1e-9)
        np.testing.assert_array_equal(table.agrees, expected_table.agrees)
        # A ReLU unit exactly at z = 0 (all units below it off, zero biases) cannot agree: the page says why.
        agrees = table.agrees.all()
        assert agrees or backprop.kinks_behind(trace, step)
        alerts = at.success if agrees else at.warning
        assert [s.value for s in alerts] == [words.check_verdict(trace, step)]


def heading(at):
    return next(m.value for m in at.markdown if m.value.startswith("#### "))


def walk_every_operation(at, trace):
    for position in range(len(trace.steps)):
        if position:
            next_button(at).click().run()
        check_shown(at, trace, position)


def test_next_walks_every_operation_of_a_2_2_1_network(run_page, charts):
    at = run_page(PAGE)
    trace = expected(**DEFAULT)
    assert len(trace.steps) == 15 and trace.sizes == (2, 2, 1)
    walk_every_operation(at, trace)
    assert heading(at) == "#### Step 15 of 15 · update · L = mean((ŷ − y)²) with the new W and b"
    next_button(at).click().run()  # past the end: stays on the last operation
    assert at.slider(key="bp.step").value == 15
    back_button(at).click().run()
    check_shown(at, trace, 13)
    diagram = charts(at)["bp-diagram"]
    orange = [t for t in diagram["data"] if t.get("marker", {}).get("color") == "#ff7f0e"]
    assert len(orange) == 1 and list(orange[0]["x"]) == [2.0], "b₂ ← b₂ − lr·∂L/∂b₂ highlights the output unit"


def test_next_walks_every_operation_of_a_3_4_4_1_network(run_page):
    at = run_page(PAGE)
    at.multiselect(key="bp.features").set_value(["bmi", "bp", "s5"])
    at.text_input(key="bp.hidden").set_value("4, 4").run()
    trace = expected(["bmi", "bp", "s5"], 4, (4, 4))
    assert len(trace.steps) == 22 and trace.sizes == (3, 4, 4, 1)
    assert backprop.kinks(trace) == {2: 4}, "row 4's first layer is all off, so its z₂ are exactly 0: the walk says why"
    walk_every_operation(at, trace)


def test_a_link_opens_an_operation_and_the_row_drawn_can_change(run_page, charts):
    at = run_page(PAGE, query={"bp.step": 8, "bp.activation": "tanh"})
    trace = expected(**DEFAULT, activation="tanh")
    check_shown(at, trace, 7)
    at.selectbox(key="bp.row").set_value(3).run()
    sentences, more = words.step_sentences(trace, trace.steps[7], 2)
    assert "\n".join(f"- {s}" for s in sentences) in [m.value for m in at.markdown]
    assert sentences[0].startswith("δ₁[row 3, unit 1]") and more == 6
    texts = [t for trace_ in charts(at)["bp-diagram"]["data"] for t in trace_.get("text", []) if t]
    assert "ŷ = " + f"{trace.prediction[2]:.3g}".replace("-", "−") in " ".join(texts)


def test_the_tutorials_panel_reports_the_n_over_2_factor(run_page):
    at = open_tab(run_page(PAGE), "bp.view", TUTORIAL_TAB)
    assert not at.exception and not at.error
    trace, tutorial = expected(**DEFAULT), expected(**DEFAULT, rule="tutorial")
    comparison = backprop.tutorial_comparison(trace, tutorial)
    story = words.tutorial_story(comparison)
    assert story in [m.value for m in at.markdown]
    assert "every gradient it computes is n/2 = 2 times the true one" in story
    table = at.dataframe[0].value
    np.testing.assert_allclose(table["tutorial / nnlab"], 2.0)
    assert (table["tutorial vs finite differences"] > 0.3).all() and (table["nnlab vs finite differences"] < 1e-6).all()
    flagged = words.check_verdict(tutorial, next(s for s in tutorial.steps if s.key == "dW2"))
    assert [w.value for w in at.warning] == [f"∂L/∂W₂: {flagged}"] and "disagree" in flagged
    at.select_slider(key="bp.rows").set_value(6).run()
    table = at.dataframe[0].value
    np.testing.assert_allclose(table["tutorial / nnlab"], 3.0)
    assert "n/2 = 3 times the true one" in " ".join(m.value for m in at.markdown)


def test_k_steps_draw_both_rules_falling(run_page, charts):
    at = open_tab(run_page(PAGE), "bp.view", "Run k steps")
    at.number_input(key="bp.k").set_value(20).run()
    assert not at.exception
    figure = charts(at)["bp-descent"]
    X = expected(**DEFAULT)
    model = nnlab.MLP(hidden=(2,), activation="relu", init="he", random_state=0)
    dataset = data.make_dataset("diabetes", "sklearn", "standardize", split_seed=42)
    columns = [dataset.feature_names.index(f) for f in DEFAULT["features"]]
    losses = backprop.descent(model, dataset.X_train[:4, columns], dataset.y_train[:4], 0.1, 20)
    np.testing.assert_allclose(figure["data"][0]["y"], losses, rtol=1e-12)
    assert figure["data"][0]["y"][0] == pytest.approx(X.loss) and figure["data"][0]["y"][-1] < X.loss
    assert len(figure["data"]) == 2


@pytest.mark.parametrize("source", ["tutorial: one row, five inputs", "tutorial: its network's three rows"])
def test_the_tutorials_toy_examples(run_page, source):
    at = run_page(PAGE, query={"bp.source": source})
    assert not at.exception and not at.error
    assert at.selectbox(key="bp.source").value == source
    rows = 1 if "one row" in source else 3
    assert f"This example has {rows} {'row' if rows == 1 else 'rows'}: all of them are used." in [
        c.value for c in at.caption
    ]
    for _ in range(6):
        next_button(at).click().run()
        assert not at.exception
    assert heading(at).startswith("#### Step 7 of ")


def test_an_uploaded_csv_takes_a_few_rows(run_page):
    rng = np.random.default_rng(0)
    lines = "\n".join(
        f"{a:.3f},{b:.3f},{2 * a - b + 0.1 * rng.standard_normal():.3f}" for a, b in rng.normal(size=(40, 2))
    )
    at = upload_csv(run_page(PAGE), "pair.csv", f"left,right,score\n{lines}\n".encode())
    assert not at.exception and not at.error
    assert at.multiselect(key="bp.features").value == ["left", "right"]  # no bmi or s5: the first columns
    csv = data.make_dataset("csv", "standardized", "standardize", split_seed=42, csv=_named(lines))
    trace = expected(["left", "right"], 4, (2,), dataset=csv)
    for position in range(len(trace.steps)):
        if position:
            next_button(at).click().run()
        check_shown(at, trace, position)


def _named(lines):
    import io

    buffer = io.BytesIO(f"left,right,score\n{lines}\n".encode())
    buffer.name = "pair.csv"
    return buffer


def test_a_csv_that_cannot_be_read_falls_back_with_a_message(run_page):
    at = upload_csv(run_page(PAGE), "tiny.csv", b"a,b\n1,2\n")
    assert not at.exception
    assert any("tiny.csv" in e.value for e in at.error)
    assert len(at.dataframe) == 1, "the diabetes data instead: the page still works"


def test_bad_settings_say_what_is_wrong(run_page):
    at = run_page(PAGE)
    at.text_input(key="bp.hidden").set_value("4, 4, 4, 4").run()
    assert not at.exception
    assert at.error[0].value == (
        "**Cannot read the hidden layers:** this page draws at most 3 hidden layers of at most 4 units, got "
        "4, 4, 4, 4; the Deep network page trains bigger ones"
    )
    at.text_input(key="bp.hidden").set_value("two").run()
    assert "is not a whole number" in at.error[0].value
    at.text_input(key="bp.hidden").set_value("").run()  # no hidden layer: the tutorial's linear regression
    assert not at.error and at.slider(key="bp.step").max == 8
    at.multiselect(key="bp.features").set_value([]).run()
    assert (
        not at.exception and at.info[0].value == "Pick at least one input column: the network needs something to read."
    )
