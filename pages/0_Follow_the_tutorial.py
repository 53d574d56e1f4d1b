"""Follow the tutorial this app grew from, step by step: the numbers it printed beside nnlab's, where it went wrong and why, and one click to open each step with its settings.

Each step calls nnlab.tutorial (cached), shows its table of printed vs computed numbers, a chart
from nnlab.plots and its sentence from nnlab.explain, and links to the page that explores it,
with that page's own URL parameters (its bound widget keys) set to the step's settings.
"""

import math
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st
from streamlit.source_util import page_icon_and_name

from nnlab import data, explain, linear, plots, tutorial
from ui import state
from ui.frame import MAX_SEED, frame

KEY = "tutorial"
PAGES = Path(__file__).resolve().parent
LINEAR_PAGE = PAGES / "2_Linear_gradient_descent.py"
DEEP_PAGE = PAGES / "4_Deep_network.py"
# The linear page's problem picker holds its label in the URL (a bound widget's URL holds what it shows).
TUTORIAL_DATA = {"source": "diabetes", "scaling": "sklearn", "target_scaling": "none", "seed": "42"}
LINEAR_RUN = {"linear-gd.lr": "0.01", "linear-gd.epochs": "1000", "linear-gd.init": "zeros"}
LINKS = {
    "one": {"linear-gd.problem": "Tutorial: one example", **LINEAR_RUN},
    "three": {"linear-gd.problem": "Tutorial: three examples", **LINEAR_RUN},
    "diabetes": {**TUTORIAL_DATA, "linear-gd.problem": "The sidebar's data", **LINEAR_RUN},
    "diabetes_random": {
        **TUTORIAL_DATA,
        "linear-gd.problem": "The sidebar's data",
        **LINEAR_RUN,
        "linear-gd.init": "random",
        "linear-gd.epochs": "10000",
    },
    # The toy network's own three rows, with the tutorial's settings for them.
    "network": {
        "deep.problem": "Tutorial: the toy network (3 rows)",
        "deep.hidden": "5",
        "deep.activation": "relu",
        "deep.init": "he",
        "deep.lr": "0.001",
        "deep.epochs": "100",
    },
}
STEPS = {
    "one": "1 · One example, from the tutorial's start weights",
    "three": "2 · Three examples, from zeros",
    "diabetes": "3 · The diabetes data in the tutorial's units",
    "network": "4 · A small network on three rows",
}
LINK_CHECKS = {f"{KEY}.seed": state.whole(0, 0, MAX_SEED)}
CHART = {"width": "stretch"}


@st.cache_data(show_spinner="Replaying the tutorial's first two examples…")
def small_steps():
    return tutorial.one_example_step(), tutorial.three_examples_step()


@st.cache_data(show_spinner="Training the diabetes model for 10,000 epochs, twice…")
def diabetes_step():
    step = tutorial.diabetes_step()
    default = data.make_dataset("diabetes", scaling="sklearn", target_scaling="standardize")
    return step, linear.stability(step["dataset"])["bound"], (default.target_mean, default.target_std)


@st.cache_data(max_entries=16, show_spinner="Training the toy network…")
def network_step(seed):
    return tutorial.network_step(seed)


def step_heading(name):
    st.subheader(STEPS[name], anchor=f"step-{name}", divider="gray")


def step_link(page, label, params, where=st):
    """A link that opens `page` with these URL parameters, the step's settings.

    A plain URL, not st.page_link: in Streamlit 1.67 (seen in Chromium) a page link's
    query_params for widgets the current page does not draw are dropped before the switch,
    so the target page opened with its defaults. A URL is a deep link, which every page honours.
    """
    url = f"{page_icon_and_name(page)[1]}?{urlencode(params)}"
    where.markdown(f"[:material/open_in_new: {label}]({url})")


def show_table(table, decimals, key):
    """A printed-beside-computed table; "—" where the tutorial printed nothing."""
    # As text: st.dataframe shows a missing number as "None", whatever the Styler says.
    shown = table.copy()
    for column in (c for c in table.columns if table[c].dtype.kind == "f"):
        pattern = "{:.1e}" if column == "difference" else f"{{:.{decimals}f}}"
        shown[column] = [("—" if math.isnan(v) else pattern.format(v)) for v in table[column]]
    st.dataframe(shown, hide_index=True, width="stretch", key=key)


def cell_caption(*names):
    cells = ", ".join(f"line {tutorial.PRINTED[n]['cell']}" for n in names)
    st.caption(
        f"The tutorial's numbers are quoted from its text (tutorial.txt, the code cells at {cells}); "
        "nnlab's are computed when this page runs."
    )


frame(
    "Follow the tutorial",
    "The tutorial this app grew from trains a linear model on one example, then three, then on "
    "scikit-learn's diabetes data, and ends with a small network. Each step below runs the tutorial's "
    "own settings in nnlab and puts the numbers it printed beside nnlab's. Where the tutorial went wrong, "
    "the step says how, and why its numbers came out as they did. Every step opens on its page in one "
    "click, with the settings filled in. The sidebar's data does not change this page: each step uses "
    "the tutorial's own data.",
)
link = state.check_link(LINK_CHECKS)

st.markdown("**The steps, in the tutorial's order**")
for name, title in STEPS.items():
    left, right = st.columns([3, 2])
    left.markdown(f"[{title}](#step-{name})")
    target = DEEP_PAGE if name == "network" else LINEAR_PAGE
    step_link(
        target, "Open on the " + ("deep network" if name == "network" else "linear") + " page", LINKS[name], right
    )

one, three = small_steps()

# -- step 1 ---------------------------------------------------------------------------------------
step_heading("one")
bug = one["bug"]
st.markdown(explain.tutorial_one_example(one["difference"], bug["printed"][-1], bug["true"][-1], bug["prediction"]))
show_table(one["table"], 8, f"{KEY}.one-table")
st.plotly_chart(plots.bug_demo_figure(plots.bug_demo_data(bug)), **CHART, key=f"{KEY}.one-chart")
step_link(LINEAR_PAGE, "Open it on the linear page, with a gradient check", LINKS["one"])
st.caption(
    "There the same chart sits beside a gradient check; the page's own run of the example "
    "starts from w = 0, b = 0, where this step starts from the tutorial's weights."
)
cell_caption("one")

# -- step 2 ---------------------------------------------------------------------------------------
step_heading("three")
st.markdown(explain.tutorial_three_examples(three["difference"], three["loss_difference"]))
show_table(three["table"], 8, f"{KEY}.three-table")
st.plotly_chart(
    plots.printed_beside_figure(
        plots.printed_beside_data(
            {"nnlab: training loss": three["run"]["loss"]}, {"the tutorial printed": tutorial.PRINTED["three"]["loss"]}
        ),
        "Three examples: nnlab's loss and the tutorial's, every 100 epochs",
        "MSE (log scale)",
    ),
    **CHART,
    key=f"{KEY}.three-chart",
)
step_link(LINEAR_PAGE, "Open it on the linear page", LINKS["three"])
cell_caption("three")

# -- step 3 ---------------------------------------------------------------------------------------
step_heading("diabetes")
diabetes, bound, (target_mean, target_std) = diabetes_step()
runs, first = diabetes["runs"], diabetes["first"]
st.info(explain.tutorial_units(target_mean, target_std), icon=":material/info:")
show_table(diabetes["table"], 4, f"{KEY}.diabetes-table")
st.markdown(
    explain.tutorial_first_loss(
        first["at_zero"], tutorial.PRINTED["diabetes_zeros"]["loss"][0], first["mean"], first["var"], diabetes["gap"]
    )
)
printed = {
    "its zero-init cell": tutorial.PRINTED["diabetes_zeros"]["loss"],
    "its random-init cell": tutorial.PRINTED["diabetes_random"]["loss"],
    "its MyModel cell": tutorial.PRINTED["my_model"]["loss"],
}
st.plotly_chart(
    plots.printed_beside_figure(
        plots.printed_beside_data(
            {
                "nnlab from w = 0, b = 0": runs["zeros"].loss,
                "nnlab from small random w (on top of the other line)": runs["random"].loss,
            },
            printed,
        ),
        "Diabetes, training loss: nnlab's lines and the tutorial's printed values",
        "MSE (target units²)",
        floor=diabetes["reference"]["train_mse"],
        log_y=False,
    ),
    **CHART,
    key=f"{KEY}.diabetes-loss",
)
st.plotly_chart(
    plots.printed_beside_figure(
        plots.printed_beside_data(
            {"nnlab from w = 0: test R²": runs["zeros"].val_r2},
            {"PyTorch, as the tutorial printed": {tutorial.DIABETES_EPOCHS - 1: tutorial.PRINTED["pytorch"]["r2"]}},
        ),
        "Diabetes, test R² every epoch: nnlab's line and PyTorch's final value",
        "test R²",
        floor=diabetes["reference"]["test_r2"],
        floor_label="least squares",
        log_y=False,
    ),
    **CHART,
    key=f"{KEY}.diabetes-r2",
)
st.markdown(
    explain.tutorial_r2(
        runs["zeros"].final_val_r2,
        runs["random"].final_val_r2,
        tutorial.PRINTED["pytorch"]["r2"],
        diabetes["reference"]["test_r2"],
        tutorial.DIABETES_EPOCHS,
        tutorial.TUTORIAL_LR,
        bound,
    )
)
step_link(LINEAR_PAGE, "Open it in the tutorial's units: from zero, 1,000 epochs", LINKS["diabetes"])
step_link(LINEAR_PAGE, "… or from small random weights, 10,000 epochs", LINKS["diabetes_random"])
cell_caption("diabetes_zeros", "diabetes_random", "pytorch", "my_model")

# -- step 4 ---------------------------------------------------------------------------------------
step_heading("network")
seed = st.number_input(
    "Seed of the start weights (the tutorial drew its own without one)",
    0,
    MAX_SEED,
    0,
    key=f"{KEY}.seed",
    **state.BOUND,
)
state.settle_link(link)
network = network_step(int(seed))
printed_losses = tutorial.PRINTED["network"]["loss"]
st.markdown(
    explain.tutorial_network(
        network["nnlab"],
        network["tutorial_loop"],
        printed_losses[0],
        printed_losses[max(printed_losses)],
        network["floor"],
        len(tutorial.NETWORK["y"]),
        tutorial.NETWORK["lr"],
    )
)
show_table(network["table"], 4, f"{KEY}.network-table")
st.plotly_chart(
    plots.printed_beside_figure(
        plots.printed_beside_data(
            {
                "nnlab: the MSE's own gradient": network["nnlab"],
                "the tutorial's loop, dA = ŷ − y": network["tutorial_loop"],
            },
            {"the tutorial printed (its own start)": printed_losses},
        ),
        "3 → 5 → 1 network: the same start, two gradients",
        "MSE (log scale)",
        floor=network["floor"],
        floor_label="best straight line",
    ),
    **CHART,
    key=f"{KEY}.network-chart",
)
st.markdown(explain.tutorial_network_predictions(network["predictions"], tutorial.NETWORK["y"]))
step_link(DEEP_PAGE, "Open a 5-unit ReLU network, He init, on the deep network page", LINKS["network"])
st.caption("The deep network page trains on the sidebar's data, not on these three rows; this step trains them here.")
cell_caption("network")
