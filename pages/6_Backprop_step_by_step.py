"""One step of gradient descent through a small network, every number of the forward pass, the chain rule and the update written out and checked by finite differences, with the tutorial's missing 2/n beside it.

Widgets (bound to the URL) -> a cached nnlab.backprop trace of the step -> nnlab.plots and
nnlab.explain_backprop -> render (ui/backprop_views.py). Next and Back move the operation slider
(bp.step, in the URL), so a link opens the same operation.
"""

import streamlit as st

from nnlab import data
from ui import state
from ui.backprop_views import LINK, cached_traces, network_controls, run_steps, tutorial_panel, walk
from ui.frame import frame, show_error

VIEWS = ["Step by step", "Run k steps", "The tutorial's version, side by side"]

dataset = frame(
    "Backprop step by step",
    "Training is this one step repeated: run the inputs forward through the layers, measure the loss, "
    "send its gradient back layer by layer with the chain rule, and move every weight a little against "
    "it. Pick a small network and a few rows, then press **Next** to walk through the step one "
    "operation at a time, every number shown and every gradient checked by nudging the weights. The "
    "last tab replays the step the way the tutorial's code does it, without the 2/n of the mean.",
)

link = state.check_link(LINK)
with st.container(border=True):
    setup = network_controls(dataset)
state.settle_link(link)
if setup is None:
    st.stop()
try:
    trace, tutorial = cached_traces(setup)
except (ValueError, data.DataError) as exc:  # rows with missing or non-numeric cells, say
    show_error(exc, "Cannot run the step on these rows")
    st.stop()

walk_tab, steps_tab, tutorial_tab = st.tabs(VIEWS, key="bp.view", bind="query-params")
if walk_tab.open:
    with walk_tab:
        walk(trace, setup)
if steps_tab.open:
    with steps_tab:
        run_steps(setup)
if tutorial_tab.open:
    with tutorial_tab:
        tutorial_panel(trace, tutorial)
