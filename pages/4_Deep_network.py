"""Inside a deep network: build one layer by layer, train it, and watch each layer's gradient, updates and weights; then check the gradients and retrain it in scikit-learn.

Widgets (a form, bound to the URL: nothing retrains until Train is pressed) -> ui.training.train_model
(progress, Stop, this session's runs) -> nnlab (health, learned) and nnlab.plots -> render. The epoch slider
lives in a fragment, so moving it redraws only the charts that depend on it.
"""

from dataclasses import replace

import streamlit as st

from nnlab import config, explain, health, learned, plots
from nnlab.activations import ACTIVATIONS
from nnlab.config import MAX_DEPTH, MAX_EPOCHS, MAX_L2, MAX_LR, MAX_WIDTH, Config
from nnlab.initializers import INITIALIZERS
from nnlab.optimizers import OPTIMIZERS
from ui import state
from ui.diagnosis import SHARPNESS_EVERY, diagnosis_panel, marked, presets, sharpness_chart
from ui.frame import MAX_SEED, frame, show_error
from ui.predict import prediction_box
from ui.training import run_key, train_model
from ui.trust import trust_panel

DEFAULTS = {"hidden": "64, 32", "init": "he", "lr": 0.03, "epochs": 300, "l2": 0.0}
BATCH_SIZES = [None, 1, 8, 16, 32, 64, 128, 256]  # None: every training row in one batch; 1: the tutorial's SGD
CHART = {"width": "stretch"}
VIEWS = ["Learning curves", "Layer by layer", "Inside the network at one epoch", "Can you trust these numbers?"]
LINK = {
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


def learning_curves(history, found=None):
    left, right = st.columns(2)
    left.plotly_chart(
        marked(
            plots.name_test_rows(
                plots.loss_figure({"network": history}, title="Loss: training rows (solid), test rows (dotted)")
            ),
            found,
            "loss",
            "val_loss",
        ),
        key="deep-loss",
        **CHART,
    )
    right.plotly_chart(
        marked(
            plots.name_test_rows(
                plots.r2_figure({"network": history}, title="R²: training rows (solid), test rows (dotted)")
            ),
            found,
            "r2",
        ),
        key="deep-r2",
        **CHART,
    )


def layer_charts(history, found=None):
    left, right = st.columns(2)
    left.plotly_chart(
        marked(
            plots.layer_lines_figure(
                plots.layer_series_data(history, "grad_norm"),
                "grad_norm",
                diverged_at=history.diverged_at,
                title="Gradient norm of each layer's weights (log scale)",
            ),
            found,
            "grad_norm",
        ),
        key="deep-grad",
        **CHART,
    )
    right.plotly_chart(
        plots.layer_lines_figure(
            plots.layer_series_data(history, "update_ratio"),
            "update_ratio",
            diverged_at=history.diverged_at,
            reference=plots.UPDATE_RATIO_RULE,
            reference_label=f"rule of thumb ≈ {plots.UPDATE_RATIO_RULE:g}",
            title="How far each epoch moves the weights: ‖ΔW‖ / ‖W‖ (log scale)",
        ),
        key="deep-ratio",
        **CHART,
    )
    st.caption(explain.layer_charts_caption(plots.UPDATE_RATIO_RULE))


@st.fragment
def inside(model, dataset):
    """Charts at one epoch, picked with a slider over the weight snapshots taken before any blow-up."""
    history, units = model.history_, dataset.to_original_units
    epochs = history.snapshot_epochs[health.healthy_snapshots(history)].tolist()
    epoch = st.select_slider(
        "Epoch",
        epochs,
        value=epochs[-1],
        key=f"deep.epoch.{hash(tuple(epochs))}",
        help="The weights were copied during training; pick a copy to look at.",
    )
    snapshot = history.snapshot_at(epoch)
    predicted = units(learned.predict_at(history, snapshot, dataset.X_test, model.activation))
    rows = plots.downsample_indices(len(predicted))
    left, right = st.columns(2)
    weights = [w[snapshot] for w in history.weights]
    left.plotly_chart(
        plots.network_figure(
            weights,
            input_names=dataset.feature_names,
            title=f"The network at epoch {epoch}: line width ∝ |w|, blue > 0, red < 0",
        ),
        key="deep-network",
        **CHART,
    )
    right.plotly_chart(
        plots.prediction_figure(
            units(dataset.y_test)[rows],
            predicted[rows],
            units=dataset.target_name,
            title=f"Predicted vs actual on the test rows, epoch {epoch}",
        ),
        key="deep-predicted",
        **CHART,
    )
    if len(dataset.feature_names) in (1, 2):
        grid, _ = learned.function_grid(dataset.X_train, dataset.X_test)
        curve, points = plots.learned_function_data(
            grid,
            units(learned.predict_at(history, snapshot, grid, model.activation)),
            dataset.X_train,
            units(dataset.y_train),
            dataset.X_test,
            units(dataset.y_test),
        )
        st.plotly_chart(
            plots.learned_function_figure(
                curve,
                points,
                dataset.feature_names,
                dataset.target_name,
                title=f"The function the network computes at epoch {epoch}",
            ),
            key="deep-function",
            **CHART,
        )
    left, right = st.columns(2)
    for column, kind in ((left, "weights"), (right, "weight_grads")):
        column.plotly_chart(
            plots.weight_histogram_figure(plots.weight_histogram_data(history, snapshot, kind), kind, epoch),
            key=f"deep-hist-{kind}",
            **CHART,
        )


link = state.check_link(LINK)
params = deep_controls()
params = replace(params, sharpness_every=SHARPNESS_EVERY) if params is not None else None
state.settle_link(link)
model = train_model(params, dataset, page="deep") if params is not None else None
if model is None:
    st.stop()
summary(model)
found = diagnosis_panel(model, dataset, params, page="deep")
presets()
# Tabs that render only when open (bound, so the URL holds the open one): a cold visit draws two
# charts, not ten, and plotly.js in the browser is what a first paint waits for.
curves, layers, inside_tab, trust = st.tabs(VIEWS, key="deep.view", bind="query-params")
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
if trust.open:
    with trust:
        trust_panel(model, dataset, run_key(params, dataset))
