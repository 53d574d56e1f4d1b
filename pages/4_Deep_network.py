"""Inside a deep network: build one layer by layer, train it, and watch each layer's gradient, updates and weights; then check the gradients and retrain it in scikit-learn.

Widgets (a form, bound to the URL: nothing retrains until Train is pressed) -> ui.training.train_model
(progress, Stop, this session's runs) -> nnlab (health, learned) and nnlab.plots -> render. The epoch slider
lives in a fragment, so moving it redraws only the charts that depend on it.
"""

from dataclasses import replace

import streamlit as st

from nnlab import config, explain, tutorial
from nnlab.activations import ACTIVATIONS
from nnlab.config import MAX_DEPTH, MAX_EPOCHS, MAX_L2, MAX_LR, MAX_WIDTH, Config
from nnlab.initializers import INITIALIZERS
from nnlab.optimizers import OPTIMIZERS
from ui import state
from ui.deep_views import inside, layer_charts, learning_curves
from ui.diagnosis import SHARPNESS_EVERY, diagnosis_panel, presets, sharpness_chart
from ui.frame import MAX_SEED, frame, show_error
from ui.landscape_views import landscape_view
from ui.learned_views import what_it_learned
from ui.predict import prediction_box
from ui.replay_views import replay
from ui.training import run_key, train_model
from ui.trust import trust_panel

DEFAULTS = {"hidden": "64, 32", "init": "he", "lr": 0.03, "epochs": 300, "l2": 0.0}
BATCH_SIZES = [None, 1, 8, 16, 32, 64, 128, 256]  # None: every training row in one batch; 1: the tutorial's SGD
VIEWS = [
    "Learning curves",
    "Layer by layer",
    "Inside the network at one epoch",
    "Replay",
    "Loss landscape",
    "What it learned",
    "Can you trust these numbers?",
]
PROBLEMS = {"data": "The sidebar's data", "toy": "Tutorial: the toy network (3 rows)"}
# The tutorial's settings for its toy network, loaded when the learner picks it (not the batch size:
# a selectbox set to None through session state shows no choice at all).
TOY_SETTINGS = {
    "deep.hidden": ", ".join(map(str, tutorial.NETWORK["hidden"])),
    "deep.activation": tutorial.NETWORK["activation"],
    "deep.init": tutorial.NETWORK["init"],
    "deep.optimizer": "sgd",
    "deep.lr": tutorial.NETWORK["lr"],
    "deep.epochs": tutorial.NETWORK["epochs"],
    "deep.l2": 0.0,
}
LINK = {
    "deep.problem": state.choice(PROBLEMS["data"], PROBLEMS.values()),
    "deep.activation": state.choice("relu", ACTIVATIONS),
    "deep.init": state.choice(DEFAULTS["init"], INITIALIZERS),
    "deep.optimizer": state.choice("sgd", OPTIMIZERS),
    "deep.lr": state.number(DEFAULTS["lr"], 0, MAX_LR),
    "deep.batch": state.choice(None, [b for b in BATCH_SIZES if b is not None]),
    "deep.epochs": state.whole(DEFAULTS["epochs"], 1, MAX_EPOCHS),
    "deep.l2": state.number(0.0, 0.0, MAX_L2, low_included=True),
    "deep.seed": state.whole(0, 0, MAX_SEED),
    "deep.view": state.choice(VIEWS[0], VIEWS),
}

dataset = frame(
    "Deep network",
    "Stack hidden layers and the gradient that reaches the first one is a product of every layer above "
    "it, so on its way down it can fade away or blow up. Build a network, train it, and watch each "
    "layer: how big its gradient is, how far each epoch moves its weights and how those weights spread "
    "out. The last tab checks the gradients by finite differences and trains the same "
    "network in scikit-learn.",
)


def choose_problem():
    """on_change of the problem picker: the toy network loads the tutorial's settings for it."""
    if st.session_state["deep.problem"] == "toy":
        st.session_state.update(TOY_SETTINGS)


def deep_controls():
    """The form; returns the run's Config, or None after saying why the layer spec is bad."""
    bound = state.BOUND
    with st.form("deep.form"):
        left, middle, right = st.columns(3)
        spec = left.text_input(
            "Hidden layers: units per layer, input side first",
            DEFAULTS["hidden"],
            key="deep.hidden",
            **bound,
            help=explain.hidden_help(MAX_DEPTH, MAX_WIDTH),
        )
        activation = left.selectbox(
            "Activation of the hidden layers", list(ACTIVATIONS), key="deep.activation", **bound
        )
        init = left.selectbox(
            "Initial weights",
            list(INITIALIZERS),
            key="deep.init",
            **bound,
            index=list(INITIALIZERS).index(DEFAULTS["init"]),
        )
        optimizer = middle.selectbox("Optimizer", list(OPTIMIZERS), key="deep.optimizer", **bound)
        lr = middle.number_input(
            "Learning rate", 1e-6, MAX_LR, DEFAULTS["lr"], step=0.01, format="%g", key="deep.lr", **bound
        )
        batch = middle.selectbox(
            "Batch size",
            BATCH_SIZES,
            key="deep.batch",
            **bound,
            format_func=lambda b: "all training rows (full batch)" if b is None else str(b),
        )
        epochs = right.number_input("Epochs", 1, MAX_EPOCHS, DEFAULTS["epochs"], step=100, key="deep.epochs", **bound)
        l2 = right.number_input(
            "L2 penalty: adds l2 · Σ‖W‖² to the objective",
            0.0,
            MAX_L2,
            DEFAULTS["l2"],
            step=1e-4,
            format="%g",
            key="deep.l2",
            **bound,
        )
        seed = right.number_input("Seed of the initial weights", 0, MAX_SEED, 0, key="deep.seed", **bound)
        st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    try:
        hidden = config.parse_hidden(spec)
    except ValueError as exc:
        show_error(exc, "Cannot read the hidden layers")
        return None
    return Config(
        hidden=tuple(hidden),
        activation=activation,
        init=init,
        optimizer=optimizer,
        lr=float(lr),
        epochs=int(epochs),
        batch_size=batch,
        l2=float(l2),
        random_state=int(seed),
    )


def summary(model):
    st.markdown(explain.run_summary(model))
    if model.history_.diverged_at is not None:
        st.caption(
            "Diverging means each step overshot the valley of the loss by more than it corrected, so the "
            "next gradient was larger still. The ✕ on the loss chart and the dotted line on the layer "
            "charts mark the epoch; everything after it is left out."
        )


link = state.check_link(LINK)
problem = st.segmented_control(
    "Train on",
    list(PROBLEMS),
    format_func=PROBLEMS.get,
    key="deep.problem",
    default="data",
    on_change=choose_problem,
    required=True,
    **state.BOUND,
)
toy = problem == "toy"
if toy:
    dataset = tutorial.network_dataset()
    if not any(key in st.query_params or key in st.session_state for key in TOY_SETTINGS):
        st.session_state.update(TOY_SETTINGS)  # a link that names only the problem gets its settings
params = deep_controls()
params = replace(params, sharpness_every=SHARPNESS_EVERY) if params is not None else None
state.settle_link(link)
if toy and params is not None:
    st.info(explain.toy_network_note(len(dataset.X_train), params.lr), icon=":material/school:")
model = train_model(params, dataset, eval=not toy, page="deep") if params is not None else None
if model is None:
    st.stop()
summary(model)
found = diagnosis_panel(model, dataset, params, page="deep")
presets()
# Tabs that render only when open (bound, so the URL holds the open one): a cold visit draws two
# charts, not ten, and plotly.js in the browser is what a first paint waits for.
curves, layers, inside_tab, replay_tab, landscape_tab, learned_tab, trust = st.tabs(
    VIEWS, key="deep.view", bind="query-params"
)
if curves.open:
    with curves:
        learning_curves(model.history_, found)
if layers.open:
    with layers:
        layer_charts(model.history_, found)
        sharpness_chart(model.history_)
if inside_tab.open:
    with inside_tab:
        inside(model, dataset)
        prediction_box(model, dataset)
if replay_tab.open:
    with replay_tab:
        replay(model, dataset, run_key(params, dataset))
if learned_tab.open:
    with learned_tab:
        what_it_learned(model, dataset, run_key(params, dataset))
if trust.open:
    with trust:
        trust_panel(model, dataset, run_key(params, dataset))
if landscape_tab.open:
    with landscape_tab:
        landscape_view(model, dataset, "deep-", "deep")
