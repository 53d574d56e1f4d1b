"""Why the activation matters: the same network trained once per activation, to see which keep the gradient alive through the layers and which die or saturate.

Widgets (a form) -> one `nnlab.sweep` over the activation (kept per session) -> figures from `nnlab.plots`.
"""
import time

import streamlit as st

from nnlab import plots
from nnlab.activations import ACTIVATIONS
from nnlab.compare import activation_summary
from nnlab.initializers import INITIALIZERS
from nnlab.mlp import divergence_message, diverging_message
from nnlab.optimizers import OPTIMIZERS
from nnlab.sweeps import sweep
from nnlab.training import MAX_DEPTH, MAX_EPOCHS, MAX_LR, MAX_WIDTH, SATURATED_SLOPE, Config
from ui.frame import frame, show_error
from ui.training import dataset_key

# Small on purpose: three networks of 4 × 16 units for 150 epochs train in about half a second.
DEFAULTS = {"activations": ["relu", "tanh", "sigmoid"], "depth": 4, "width": 16, "init": "he",
            "optimizer": "sgd", "lr": 0.05, "epochs": 150}
CHART = {"width": "stretch"}
RUNS_KEY = "nnlab.activations.runs"  # this session's comparisons: {(data, activations, settings): result}
KEPT_RUNS = 8

dataset = frame(
    "Activation comparison",
    "Backpropagation multiplies the gradient by the activation's slope f′(z) at every hidden layer "
    "on its way back to the input. Here one network, from the same starting weights and on the same "
    "data, is trained once per activation, so every difference between the curves comes from the "
    "activation alone: watch for gradients that fade layer by layer, ReLUs that die and sigmoid or "
    "tanh units that saturate.")


def activation_explorer():
    """f and f′ of the chosen activations, with their formulas and steepest slopes."""
    st.subheader("Each activation and its slope")
    shown = st.multiselect("Activations to draw", list(ACTIVATIONS), default=DEFAULTS["activations"],
                           key="act.shown")
    st.plotly_chart(plots.activation_figure(shown), key="act-functions", **CHART)
    if shown:
        st.caption(" · ".join(f"**{name}**: f(z) = {ACTIVATIONS[name].formula}; f′ at most "
                              f"{ACTIVATIONS[name].max_slope:g}" for name in shown))


def comparison_controls():
    """The training form: (activations, base MLP settings shared by every run)."""
    with st.form("act.form"):
        left, middle, right = st.columns(3)
        names = left.multiselect("Activations to train", list(ACTIVATIONS), default=DEFAULTS["activations"],
                                 key="act.train")
        init = left.selectbox("Initial weights (the same for every run)", list(INITIALIZERS),
                              index=list(INITIALIZERS).index(DEFAULTS["init"]), key="act.init")
        depth = middle.slider("Hidden layers", 1, MAX_DEPTH, DEFAULTS["depth"], key="act.depth")
        width = middle.number_input("Units per hidden layer", 1, MAX_WIDTH, DEFAULTS["width"], key="act.width")
        optimizer = right.selectbox("Optimizer", list(OPTIMIZERS), key="act.optimizer")
        lr = right.number_input("Learning rate", min_value=1e-6, max_value=MAX_LR, value=DEFAULTS["lr"],
                                step=0.01, format="%g", key="act.lr")
        epochs = right.number_input("Epochs", 1, MAX_EPOCHS, DEFAULTS["epochs"], step=100, key="act.epochs")
        st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    st.caption(f"The defaults are small on purpose ({DEFAULTS['depth']} hidden layers of {DEFAULTS['width']} "
               f"units, {DEFAULTS['epochs']} epochs) so the comparison answers at once; raise them for "
               f"longer runs. Every run trains on full batches from the weights seed {Config().random_state} draws.")
    base = {"hidden": (int(width),) * int(depth), "init": init, "optimizer": optimizer, "lr": float(lr),
            "epochs": int(epochs), "record_every": int(epochs)}  # weight snapshots: start and end only
    return names, base


def compare_activations(dataset, names, base):
    """({activation: History}, seconds): one run per activation, kept in this session by settings and data."""
    runs = st.session_state.setdefault(RUNS_KEY, {})
    key = (dataset_key(dataset), tuple(names), tuple(sorted(base.items())))
    if key not in runs:
        bar = st.progress(0.0, text="Training one network per activation…")
        started = time.perf_counter()
        result = sweep(dataset.X_train, dataset.y_train, grid={"activation": list(names)}, base=base,
                       eval_set=(dataset.X_test, dataset.y_test),
                       on_progress=lambda done, total, row: bar.progress(
                           min(done / total, 1.0), text=f"Training one network per activation: {done / total:.0%}"))
        bar.empty()
        runs[key] = dict(zip(names, result.histories)), time.perf_counter() - started
        while len(runs) > KEPT_RUNS:
            runs.pop(next(iter(runs)))  # the oldest comparison
    return runs[key]


def summary_table(histories):
    table = activation_summary(histories)
    st.dataframe(table.drop(columns="epoch"), hide_index=True, **CHART, column_config={
        "run": "activation", "loss": st.column_config.NumberColumn("training loss (MSE)", format="%.4g"),
        "val_r2": st.column_config.NumberColumn("test R²", format="%.3f"),
        "stall": "how units stall",
        "stalled": st.column_config.NumberColumn("stalled at the end", format="percent"),
        "gradient_reach": st.column_config.NumberColumn(
            "gradient reaching layer 1", format="%.2g",
            help="‖∂L/∂W‖ of the first hidden layer divided by the output layer's, at epoch 0"),
        "diverged_at": st.column_config.NumberColumn("diverged at epoch", format="%d")})


def warn_divergence(histories):
    for name, history in histories.items():
        if history.diverged_at is not None:
            st.warning(f"**{name}**: " + divergence_message(history, history.config) +
                       " Its curves stop there, marked ✕.", icon="💥")
        elif history.diverging_from is not None:
            st.warning(f"**{name}**: " + diverging_message(history, history.config) +
                       " ▲ marks it on the loss chart.", icon="📈")


def comparison_charts(histories):
    left, right = st.columns(2)
    left.plotly_chart(plots.legend_below(plots.loss_figure(
        histories, title="Loss: training rows (solid), test rows (dotted)")), key="act-loss", **CHART)
    right.plotly_chart(plots.legend_below(plots.r2_figure(
        histories, title="R²: training rows (solid), test rows (dotted)")), key="act-r2", **CHART)
    st.caption("'validation' in the legends means the test rows, which training never sees.")
    left, right = st.columns(2)
    left.plotly_chart(plots.gradient_profile_figure(plots.gradient_profile_data(histories)),
                      key="act-profile", **CHART)
    right.plotly_chart(plots.unit_health_figure(plots.unit_health_data(histories)), key="act-health", **CHART)
    left.caption("Each point is the size of the gradient of one layer's weights: at the first epoch (solid) "
                 "and at the last (dotted). A line that falls towards the input side is a vanishing gradient.")
    right.caption(f"Dead: a unit whose slope f′(z) is 0 on every training row. Saturated: a (row, unit) pair "
                  f"whose slope is below {SATURATED_SLOPE:.0%} of the activation's steepest. Shares are over "
                  f"all hidden layers.")
    st.plotly_chart(plots.layer_comparison_figure(plots.layer_comparison_data(histories, "grad_norm"),
                                                  title="Gradient norm ‖∂L/∂W‖ of each layer during training"),
                    key="act-layers", **CHART)


def explanation(histories):
    slopes = {name: ACTIVATIONS[name].max_slope for name in histories}
    flat = [f"{name} (at most {slope:g}, so at least {1 / slope:g}× smaller per layer)"
            for name, slope in slopes.items() if slope < 1]
    st.markdown(
        "**Vanishing gradients.** On its way back, the gradient is multiplied at each hidden layer by "
        "the weights and by f′(z). A slope below 1 shrinks it every time, so the layers nearest the "
        "input hear least about the error and learn last; in the left chart above, their points sit "
        "lowest." + (f" Here that is {', '.join(flat)}." if flat else "") + "\n\n"
        "**Dead units** (ReLU family). Where z < 0, ReLU's slope is exactly 0. A unit whose z is "
        "negative on every training row passes back no gradient at all, so nothing can ever change "
        "its weights again: it is dead for good. Leaky ReLU keeps a small slope there, so its units "
        "cannot die.\n\n"
        "**Saturated units** (sigmoid, tanh). For large |z| these curves go flat and f′(z) is nearly "
        "0: the unit still answers, but passes back almost no gradient, so learning slows to a crawl. "
        "Large weights or inputs push units there; that is why initialisation and feature scaling "
        "matter.")


activation_explorer()
st.subheader("Train the same network once per activation")
names, base = comparison_controls()
if not names:
    st.info("Pick at least one activation to train.")
    st.stop()
try:
    histories, seconds = compare_activations(dataset, names, base)
except ValueError as exc:
    show_error(exc, "These settings cannot be trained")
    st.stop()
st.caption(f"Trained {len(histories)} network{'s' * (len(histories) > 1)} of {len(base['hidden'])} hidden "
           f"layers × {base['hidden'][0]:,} units for {base['epochs']:,} epochs in {seconds:.2f} s.")
warn_divergence(histories)
summary_table(histories)
comparison_charts(histories)
explanation(histories)
