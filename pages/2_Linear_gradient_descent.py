"""Linear regression trained by gradient descent: why one learning rate crawls, a larger one converges and a slightly larger one still blows up, and how the data set that limit.

Widgets (a form bound to the URL, so nothing trains until Train is pressed) -> nnlab (MLP with no
hidden layer; linear, tutorial, explain, diagnostics) -> nnlab.plots -> render.
"""

import streamlit as st

from nnlab import explain, linear, plots, tutorial
from nnlab.data import describe
from ui import state
from ui.diagnosis import diagnosis_panel
from ui.frame import SCALED_SOURCES, current_choice, frame, show_error
from ui.landscape_views import landscape_view
from ui.linear import rate_metrics, run_charts, tutorial_problem
from ui.training import dataset_key, train_model

KEY = "linear-gd"
# Log-spaced, plus the rates the page's story needs: the tutorial's 0.01 and the diabetes bound's
# neighbours 0.99 and 1.01.
RATES = (1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.011, 0.02, 0.03, 0.1, 0.2, 0.25, 0.3, 0.5, 0.9)
RATES += (0.99, 1.01, 1.1, 1.5, 2.0)
EPOCHS = (10, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000)
INITS = {"zeros": "w = 0, b = 0", "random": "small random, N(0, 0.01²)"}
PROBLEMS = {"data": "The sidebar's data", "three": "Tutorial: three examples", "one": "Tutorial: one example"}
DEFAULTS = {
    "problem": "data",
    "lr": 0.01,
    "epochs": 1000,
    "init": "zeros",
    "rates": [0.01, 0.1, 0.5],
    "around_bound": True,
}
KEEP_EVERY_EPOCH = 5000  # weight snapshots at every epoch up to here
VIEWS = ["The run", "Loss landscape"]
LINK_CHECKS = {
    f"{KEY}.lr": state.choice(DEFAULTS["lr"], RATES),
    f"{KEY}.epochs": state.choice(DEFAULTS["epochs"], EPOCHS),
    f"{KEY}.init": state.choice(DEFAULTS["init"], INITS),
    f"{KEY}.rates": state.items(DEFAULTS["rates"], RATES, most=8),
    f"{KEY}.problem": state.choice(PROBLEMS["data"], PROBLEMS.values()),
    f"{KEY}.view": state.choice(VIEWS[0], VIEWS),
}


def widget(name):
    return f"{KEY}.{name}"


def choose_problem():
    """on_change of the problem picker: a tutorial problem loads the tutorial's settings."""
    if st.session_state[widget("problem")] != "data":
        st.session_state.update(
            {widget("lr"): tutorial.TUTORIAL_LR, widget("epochs"): tutorial.TUTORIAL_EPOCHS, widget("init"): "zeros"}
        )


def controls():
    """The form (bound to the URL); returns the settings it holds, which change on Train."""
    bound = state.BOUND
    with st.form(KEY):
        a, b, c = st.columns([3, 2, 2], gap="medium")
        a.select_slider(
            "Learning rate",
            RATES,
            DEFAULTS["lr"],
            key=widget("lr"),
            **bound,
            help="The step size of gradient descent, on a log scale.",
        )
        b.select_slider("Epochs", EPOCHS, DEFAULTS["epochs"], key=widget("epochs"), **bound)
        c.radio(
            "Initial weights", list(INITS), captions=list(INITS.values()), key=widget("init"), horizontal=True, **bound
        )
        a, b = st.columns([3, 4], gap="medium")
        a.multiselect(
            "Compare these learning rates", RATES, DEFAULTS["rates"], key=widget("rates"), max_selections=8, **bound
        )
        b.checkbox(
            "Also 0.99 × and 1.01 × this data's bound",
            DEFAULTS["around_bound"],
            key=widget("around_bound"),
            **bound,
            help="Two rates just under and just over the stability bound 2/λ_max of the data "
            "you train on, computed from it.",
        )
        st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    return {name: st.session_state[widget(name)] for name in DEFAULTS}


@st.cache_data(max_entries=16, show_spinner="Training the comparison…")
def compare(key, _dataset, rates, epochs, init):
    return linear.rate_runs(_dataset.X_train, _dataset.y_train, rates, epochs, init)


dataset = frame(
    "Linear regression by gradient descent",
    "A linear model has a single best answer, which least squares computes directly, so here "
    "gradient descent can be judged against the finish line. Its speed is set by the learning rate, "
    "and the data decide how large that rate may be: a curvature computed from the features gives "
    "the bound, and the charts show a run crawling far below it, converging just below it and "
    "blowing up just above it.",
)
link = state.check_link(LINK_CHECKS)
problem = st.segmented_control(
    "Train on",
    list(PROBLEMS),
    format_func=PROBLEMS.get,
    key=widget("problem"),
    default=DEFAULTS["problem"],
    on_change=choose_problem,
    required=True,
    **state.BOUND,
)
data = dataset if problem == "data" else tutorial.toy_dataset(problem)
settings = controls()
state.settle_link(link)
if problem == "data" and current_choice().source in SCALED_SOURCES:
    X_all, _ = describe.all_rows(data)
    scaling = describe.SCALING_NAMES[describe.scaling_kind(describe.column_stats(X_all, data.feature_names))]
    st.caption(explain.scaling_note(scaling))
lr, epochs = settings["lr"], settings["epochs"]
bound_info, best = linear.stability(data), linear.reference(data)
bound = bound_info["bound"]
report = linear.rate_report(lr, bound_info)
if report["regime"] == "diverges":
    st.warning(explain.over_bound_warning(lr, report, bound_info), icon="⚠️")

params = dict(
    hidden=(),
    init=settings["init"],
    lr=lr,
    epochs=epochs,
    record_every=1 if epochs <= KEEP_EVERY_EPOCH else -(-epochs // KEEP_EVERY_EPOCH),
)
model = train_model(params, data, eval=len(data.y_test) > 0, page=KEY)
units = "standardized units²" if (data.target_mean, data.target_std) != (0.0, 1.0) else f"{data.target_name}²"
loss_title = f"MSE ({units})"
histories = {f"lr {lr:g}": model.history_} if model is not None else {}

# -- the numbers --------------------------------------------------------------------------------
rate_metrics(lr, report, bound_info, best, model)

st.markdown(
    explain.bound_story(bound_info)
    + "\n\n"
    + explain.rate_sentence(lr, report, model.history_ if model is not None else None, best["train_mse"])
)
found = diagnosis_panel(model, data, params, page=KEY, eval=len(data.y_test) > 0) if model is not None else None

# -- the charts (each tab renders only when open) -------------------------------------------------
run_tab, landscape_tab = st.tabs(VIEWS, key=widget("view"), bind="query-params")
if run_tab.open:
    with run_tab:
        run_charts(model, data, histories, best, bound_info, lr, found, loss_title, KEY)
if landscape_tab.open:
    with landscape_tab:
        landscape_view(model, data, f"{KEY}.", "linear", loss_title)

labels = {r: f"lr {r:g}" for r in settings["rates"]}
if settings["around_bound"]:
    labels |= {r: f"lr {r:.4g} ({f} × bound)" for f, r in linear.threshold_rates(bound_info, (0.99, 1.01)).items()}
try:
    runs = compare(dataset_key(data), data, tuple(labels), epochs, settings["init"]) if labels else {}
except ValueError as exc:
    show_error(exc, "The comparison cannot be trained")
    runs = {}
curves, blown = plots.rate_overlay_data({labels[r]: h for r, h in runs.items()}, best["train_mse"])
st.plotly_chart(
    plots.rate_overlay_figure(
        curves,
        blown,
        f"loss − floor ({units})",
        title=f"How far above the floor each learning rate is ({epochs:,} epochs each, log scale)",
    ),
    width="stretch",
    key=f"{KEY}.overlay",
)
st.caption(
    "On a log scale a steady convergence is a straight line falling; the steeper, the faster. "
    "A run that blows up leaves the chart at the top, marked ✕ where it was stopped."
)

# -- the tutorial's problems ---------------------------------------------------------------------
tutorial_problem(problem, model, data, KEY)
