"""Why the activation matters: the same network trained once per activation, to see which keep the gradient alive through the layers and which die or saturate.

Widgets (a form, bound to the URL) -> one `nnlab.sweep` over the activation (this session's run
store) -> figures from `nnlab.plots`.
"""

from dataclasses import asdict, replace

import streamlit as st

from nnlab import explain, plots
from nnlab.activations import ACTIVATIONS
from nnlab.config import MAX_DEPTH, MAX_EPOCHS, MAX_LR, MAX_WIDTH, Config
from nnlab.initializers import INITIALIZERS
from nnlab.optimizers import OPTIMIZERS
from nnlab.sweeps import sweep
from ui import state
from ui.activation_views import gradient_charts, learning_curves, summary_table, warn_divergence
from ui.diagnosis import activation_panels
from ui.frame import frame
from ui.replay_views import layer_replay
from ui.training import remember

# Small on purpose: three networks of 4 × 16 units for 150 epochs train in about half a second.
DEFAULTS = {
    "activations": ["relu", "tanh", "sigmoid"],
    "depth": 4,
    "width": 16,
    "init": "he",
    "optimizer": "sgd",
    "lr": 0.05,
    "epochs": 150,
}
VIEWS = ["Learning curves", "Gradients and units, layer by layer"]
LINK = {
    "act.shown": state.items(DEFAULTS["activations"], ACTIVATIONS),
    "act.train": state.items(DEFAULTS["activations"], ACTIVATIONS),
    "act.init": state.choice(DEFAULTS["init"], INITIALIZERS),
    "act.depth": state.whole(DEFAULTS["depth"], 1, MAX_DEPTH),
    "act.width": state.whole(DEFAULTS["width"], 1, MAX_WIDTH),
    "act.optimizer": state.choice(DEFAULTS["optimizer"], OPTIMIZERS),
    "act.lr": state.number(DEFAULTS["lr"], 0, MAX_LR),
    "act.epochs": state.whole(DEFAULTS["epochs"], 1, MAX_EPOCHS),
    "act.view": state.choice(VIEWS[0], VIEWS),
}
CHART = {"width": "stretch"}

dataset = frame(
    "Activation comparison",
    "Backpropagation multiplies the gradient by the activation's slope f′(z) at every hidden layer "
    "on its way back to the input. Here one network, from the same starting weights and on the same "
    "data, is trained once per activation, so every difference between the curves comes from the "
    "activation alone: watch for gradients that fade layer by layer, ReLUs that die and sigmoid or "
    "tanh units that saturate.",
)


def activation_explorer():
    """f and f′ of the chosen activations, with their formulas and steepest slopes."""
    st.subheader("Each activation and its slope")
    shown = st.multiselect(
        "Activations to draw", list(ACTIVATIONS), default=DEFAULTS["activations"], key="act.shown", **state.BOUND
    )
    st.plotly_chart(plots.activation_figure(shown), key="act-functions", **CHART)
    if shown:
        st.caption(explain.activation_formulas(shown))


def comparison_controls():
    """The training form: (activations, the Config every run shares but for its activation)."""
    with st.form("act.form"):
        left, middle, right = st.columns(3)
        names = left.multiselect(
            "Activations to train", list(ACTIVATIONS), default=DEFAULTS["activations"], key="act.train", **state.BOUND
        )
        init = left.selectbox(
            "Initial weights (the same for every run)",
            list(INITIALIZERS),
            index=list(INITIALIZERS).index(DEFAULTS["init"]),
            key="act.init",
            **state.BOUND,
        )
        depth = middle.slider("Hidden layers", 1, MAX_DEPTH, DEFAULTS["depth"], key="act.depth", **state.BOUND)
        width = middle.number_input(
            "Units per hidden layer", 1, MAX_WIDTH, DEFAULTS["width"], key="act.width", **state.BOUND
        )
        optimizer = right.selectbox("Optimizer", list(OPTIMIZERS), key="act.optimizer", **state.BOUND)
        lr = right.number_input(
            "Learning rate",
            min_value=1e-6,
            max_value=MAX_LR,
            value=DEFAULTS["lr"],
            step=0.01,
            format="%g",
            key="act.lr",
            **state.BOUND,
        )
        epochs = right.number_input(
            "Epochs", 1, MAX_EPOCHS, DEFAULTS["epochs"], step=100, key="act.epochs", **state.BOUND
        )
        st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    st.caption(explain.activation_defaults(DEFAULTS, Config().random_state))
    base = Config(
        hidden=(int(width),) * int(depth),
        init=init,
        optimizer=optimizer,
        lr=float(lr),
        epochs=int(epochs),
        record_every=int(epochs),
    )  # weight snapshots: start and end only
    return names, base


def compare_activations(dataset, names, base):
    """The Run of one network per activation (its result a SweepResult), from this session's store."""
    shared = {k: v for k, v in asdict(base).items() if k != "activation"}
    return remember(
        tuple(replace(base, activation=name) for name in names),
        dataset,
        lambda progress: sweep(
            dataset.X_train,
            dataset.y_train,
            grid={"activation": list(names)},
            base=shared,
            eval_set=(dataset.X_test, dataset.y_test),
            on_progress=progress.runs,
        ),
        page="act",
        text="Training one network per activation…",
    )


link = state.check_link(LINK)
activation_explorer()
st.subheader("Train the same network once per activation")
names, base = comparison_controls()
state.settle_link(link)
if not names:
    st.info("Pick at least one activation to train.")
    st.stop()
run = compare_activations(dataset, names, base)
if run is None:
    st.stop()
histories = dict(zip(names, run.result.histories))
st.caption(explain.comparison_caption(len(histories), base.hidden, base.epochs, run.seconds))
warn_divergence(run.result, names)
summary_table(histories)
diagnoses = activation_panels(histories, run.result.configs, dataset)
# Tabs that render only when open (bound, so the URL holds the open one): a cold visit draws three
# charts, not six.
curves, gradients = st.tabs(VIEWS, key="act.view", bind="query-params")
if curves.open:
    with curves:
        learning_curves(histories, diagnoses)
if gradients.open:
    with gradients:
        gradient_charts(histories)
        layer_replay(histories, run.key)
