"""The backprop page's parts: the network the learner picks, the walk through one step (Next/Back),
k steps of it, and the tutorial's version beside nnlab's. Numbers come from nnlab.backprop, words
from nnlab.explain_backprop, figures from nnlab.plots."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from nnlab import backprop, config, plots
from nnlab import explain_backprop as words
from nnlab.activations import ACTIVATIONS
from nnlab.initializers import INITIALIZERS
from nnlab.mlp import MLP
from nnlab.tutorial import NETWORK, TOY_ROWS

from . import state
from .frame import MAX_SEED, show_error

MAX_HIDDEN, MAX_UNITS, MAX_FEATURES, MAX_ROWS, MAX_K = 3, 4, 4, 8, 1000
# The choices are their own labels: a bound widget's URL holds what it shows (ui.frame).
DATA = "columns of the sidebar's data"
TOYS = {
    "tutorial: one row, five inputs": TOY_ROWS["one"],
    "tutorial: three rows, five inputs": TOY_ROWS["three"],
    "tutorial: its network's three rows": (NETWORK["X"], NETWORK["y"]),
}
SOURCES = [DATA, *TOYS]
PREFERRED = ("bmi", "s5")  # diabetes' two strongest features; other data start from their first columns
DEFAULTS = {"hidden": "2", "activation": "relu", "init": "he", "lr": 0.1, "rows": 4, "k": 50}
STEP_KEY, ROW_KEY = "bp.step", "bp.row"
LINK = {
    "bp.source": state.choice(DATA, SOURCES),
    "bp.activation": state.choice(DEFAULTS["activation"], ACTIVATIONS),
    "bp.init": state.choice(DEFAULTS["init"], INITIALIZERS),
    "bp.lr": state.number(DEFAULTS["lr"], 0, config.MAX_LR),
    "bp.rows": state.whole(DEFAULTS["rows"], 1, MAX_ROWS),
    "bp.seed": state.whole(0, 0, MAX_SEED),
    "bp.k": state.whole(DEFAULTS["k"], 1, MAX_K),
}
TABLE_FORMAT = {
    "value": st.column_config.NumberColumn(format="%.6g"),
    "before": st.column_config.NumberColumn(format="%.6g"),
    "gradient": st.column_config.NumberColumn(format="%.6g"),
    "finite difference": st.column_config.NumberColumn(format="%.6g"),
    "relative error": st.column_config.NumberColumn(format="%.1e"),
}


@dataclass(frozen=True)
class Setup:
    """What the learner picked: the network, its start, the rows; frozen, so it keys the cache."""

    hidden: tuple
    activation: str
    init: str
    seed: int
    lr: float
    X: tuple  # rows of inputs, as tuples (hashable)
    y: tuple
    input_names: tuple

    def model(self):
        return MLP(hidden=self.hidden, activation=self.activation, init=self.init, random_state=self.seed, lr=self.lr)

    def arrays(self):
        return np.array(self.X, dtype=float), np.array(self.y, dtype=float)


def _default_features(names):
    preferred = [n for n in PREFERRED if n in names]
    return preferred if len(preferred) == len(PREFERRED) else list(names[:2])


def _inputs(dataset, where):
    """(X, y, input names) of the rows the step runs on, or None after saying why there are none."""
    source = where.selectbox("Inputs", SOURCES, key="bp.source", **state.BOUND)
    rows = where.select_slider(
        "Training rows", list(range(1, MAX_ROWS + 1)), DEFAULTS["rows"], key="bp.rows", **state.BOUND
    )
    if source != DATA:
        X, y = TOYS[source]
        if rows > len(X):
            where.caption(f"This example has {len(X)} {'row' if len(X) == 1 else 'rows'}: all of them are used.")
        return X[:rows], y[:rows], tuple(f"x{i + 1}" for i in range(X.shape[1]))
    names = list(dataset.feature_names)
    # A choice kept from other data (another CSV, say) would not be among these columns: start afresh.
    kept = st.session_state.get("bp.features")
    if kept is not None and not set(kept) <= set(names):
        st.session_state["bp.features"] = _default_features(names)
    features = where.multiselect(
        f"Input columns (up to {MAX_FEATURES})",
        names,
        # A default beside a value in session state makes Streamlit warn on the page: one or the other.
        default=None if "bp.features" in st.session_state else _default_features(names),
        max_selections=MAX_FEATURES,
        key="bp.features",
        **state.BOUND,
    )
    if not features:
        st.info("Pick at least one input column: the network needs something to read.", icon="👈")
        return None
    columns = [names.index(f) for f in features]
    X, y = dataset.X_train[:rows, columns], dataset.y_train[:rows]
    if len(X) < rows:
        where.caption(f"The training split has {len(X)} rows: all of them are used.")
    return X, y, tuple(features)


def network_controls(dataset):
    """The learner's network and rows as a Setup, or None after saying what is wrong."""
    left, middle, right = st.columns(3)
    inputs = _inputs(dataset, left)
    spec = middle.text_input(
        f"Hidden layers: units per layer (at most {MAX_HIDDEN} layers of {MAX_UNITS})",
        DEFAULTS["hidden"],
        key="bp.hidden",
        **state.BOUND,
        help="For example 2, or 4, 4. Empty: no hidden layer, the tutorial's linear regression.",
    )
    activation = middle.selectbox(
        "Activation of the hidden layers", list(ACTIVATIONS), key="bp.activation", **state.BOUND
    )
    init = middle.selectbox(
        "Initial weights",
        list(INITIALIZERS),
        index=list(INITIALIZERS).index(DEFAULTS["init"]),
        key="bp.init",
        **state.BOUND,
    )
    lr = right.number_input(
        "Learning rate", 1e-6, config.MAX_LR, DEFAULTS["lr"], step=0.01, format="%g", key="bp.lr", **state.BOUND
    )
    seed = right.number_input("Seed of the initial weights", 0, MAX_SEED, 0, key="bp.seed", **state.BOUND)
    try:
        hidden = config.parse_hidden(spec)
        if len(hidden) > MAX_HIDDEN or any(width > MAX_UNITS for width in hidden):
            raise ValueError(
                f"this page draws at most {MAX_HIDDEN} hidden layers of at most {MAX_UNITS} units, got "
                f"{', '.join(map(str, hidden))}; the Deep network page trains bigger ones"
            )
    except ValueError as exc:
        show_error(exc, "Cannot read the hidden layers")
        return None
    if inputs is None:
        return None
    X, y, names = inputs
    return Setup(
        tuple(hidden),
        activation,
        init,
        int(seed),
        float(lr),
        tuple(map(tuple, np.asarray(X, dtype=float))),
        tuple(np.asarray(y, dtype=float)),
        names,
    )


@st.cache_data(max_entries=16, show_spinner=False)
def cached_traces(setup: Setup):
    """(nnlab's trace, the tutorial's trace) of one step from the setup's initial weights."""
    X, y = setup.arrays()
    model = setup.model()
    return (
        backprop.backprop_trace(model, X, y, lr=setup.lr),
        backprop.backprop_trace(model, X, y, lr=setup.lr, rule="tutorial"),
    )


@st.cache_data(max_entries=16, show_spinner=False)
def cached_descent(setup: Setup, steps: int):
    """{rule name: losses (steps + 1,)} of k full-batch steps by each rule."""
    X, y = setup.arrays()
    model = setup.model()
    return {
        "nnlab: δ = (ŷ − y)·2/n": backprop.descent(model, X, y, setup.lr, steps),
        "the tutorial: δ = ŷ − y": backprop.descent(model, X, y, setup.lr, steps, rule="tutorial"),
    }


def _move(by, last):
    st.session_state[STEP_KEY] = int(min(max(st.session_state.get(STEP_KEY, 1) + by, 1), last))


def walk(trace, setup):
    """Back / Next / the operation slider, the diagram with the operation highlighted, its formula
    with the numbers in, and the table of every entry it computes."""
    position, row = _walk_controls(len(trace.steps), trace.rows)
    st.markdown(f"#### {words.step_heading(trace, position)}")
    nodes, edges = plots.backprop_diagram_data(trace, position, row, setup.input_names)
    title = f"The network on row {row + 1} of {trace.rows}"
    st.plotly_chart(plots.backprop_diagram_figure(nodes, edges, title), key="bp-diagram", width="stretch")
    st.caption(
        "Orange: what this operation computes. Blue: what it reads. Each unit shows its z → a = f(z) "
        "(ŷ at the output) for the drawn row once the forward pass has reached it, and its δ = ∂L/∂z once "
        "the backward pass has. Weights in play carry their numbers (hover over a crowded layer's)."
    )
    _numbers(trace, trace.steps[position], row)


def _walk_controls(last, rows):
    """Back, Next, the operation slider and the row picker: (0-based position, 0-based row)."""
    for key, most, reset in ((STEP_KEY, last, last), (ROW_KEY, rows, 1)):
        if st.session_state.get(key, 1) > most:  # a smaller network, or fewer rows, than a moment ago
            st.session_state[key] = reset
    back, forward, where, drawn = st.columns([1, 1, 5, 2], vertical_alignment="bottom")
    back.button("Back", key="bp.back", on_click=_move, args=(-1, last), icon=":material/arrow_back:", width="stretch")
    forward.button(
        "Next", key="bp.next", on_click=_move, args=(1, last), icon=":material/arrow_forward:", type="primary",
        width="stretch",
    )  # fmt: skip
    # No value: Next and Back write the position into session state, and a value beside it makes Streamlit warn.
    position = where.slider("Operation", 1, last, key=STEP_KEY, **state.BOUND) - 1
    row = drawn.selectbox("Row drawn on the diagram", list(range(1, rows + 1)), key=ROW_KEY) - 1
    return position, row


def _numbers(trace, step, row):
    """The operation written out for the drawn row, the finite-difference verdict, and every entry in a table."""
    sentences, table = st.columns([1, 1])
    written, more = words.step_sentences(trace, step, row)
    sentences.markdown("\n".join(f"- {sentence}" for sentence in written))
    if more:
        sentences.caption(f"…and {more} more {'entry' if more == 1 else 'entries'} in the table.")
    entries = backprop.step_table(trace, step)
    verdict = words.check_verdict(trace, step)
    if verdict is not None:
        (sentences.success if entries.agrees.all() else sentences.warning)(verdict)
    table.dataframe(entries, key="bp-table", hide_index=True, column_config=TABLE_FORMAT, width="stretch")


def run_steps(setup):
    """k steps of each rule and the loss falling (or not)."""
    k = st.columns(4)[0].number_input("Steps to run, k", 1, MAX_K, DEFAULTS["k"], step=10, key="bp.k", **state.BOUND)
    curves = cached_descent(setup, int(k))
    st.plotly_chart(
        plots.descent_figure(plots.descent_data(curves), f"The loss over {int(k)} steps of gradient descent"),
        key="bp-descent",
        width="stretch",
    )
    exact, tutorial = curves.values()
    st.caption(words.descent_caption(exact, tutorial, setup.lr, len(setup.y)))


def tutorial_panel(trace, tutorial):
    """The same step by nnlab's rule and by the tutorial's, and the gradient check that tells them apart."""
    comparison = backprop.tutorial_comparison(trace, tutorial)
    st.markdown(words.tutorial_story(comparison))
    L = trace.n_layers
    ours, theirs = st.columns(2)
    for column, found, heading in ((ours, trace, "nnlab"), (theirs, tutorial, "The tutorial's code")):
        step = next(s for s in found.steps if s.key == f"delta{L}")
        column.markdown(f"**{heading}**: {step.formula}")
        column.markdown("\n".join(f"- {s}" for s in words.step_sentences(found, step, 0)[0]))
        gradient = next(s for s in found.steps if s.key == f"dW{L}")
        agrees = backprop.step_table(found, gradient).agrees.all()
        (column.success if agrees else column.warning)(
            f"∂L/∂W{backprop.sub(L)}: {words.check_verdict(found, gradient)}"
        )
    st.caption(words.step_losses(comparison))
    st.dataframe(
        backprop.comparison_table(trace, tutorial),
        key="bp-compare",
        hide_index=True,
        column_config={
            c: st.column_config.NumberColumn(format="%.4g")
            for c in (
                "‖nnlab‖",
                "‖tutorial‖",
                "tutorial / nnlab",
                "nnlab vs finite differences",
                "tutorial vs finite differences",
            )
        },
        width="stretch",
    )
