"""Train a grid of initializers × learning rates side by side, and see which pairs learn, which crawl
and which blow up.

The grid (initializers, rates, seeds, epochs, activation) lives in the URL, so a link reproduces it.
Training starts on the button: the default 16 runs take a few seconds, too long to make every
visit wait. Results are kept in the session's run store, keyed by the grid and the data.
"""

import streamlit as st

from nnlab import explain
from ui import grid_results as show
from ui.diagnosis import verdict_map
from ui.frame import frame
from ui.grid import HIDDEN, grid_controls, latest_run, stored_run, train_grid
from ui.training import dataset_key

dataset = frame("Compare runs", explain.compare_intro(HIDDEN))
grid, pressed = grid_controls()
run = stored_run(grid, dataset_key(dataset))
if pressed and run is None:
    run = train_grid(grid, dataset)

if run is None:
    show.show_waiting(grid, changed=latest_run() is not None)
else:
    show.show_summary(run, grid)
    verdict_map(run, grid)
    show.show_heatmaps(run, grid)
    st.subheader("How each run got there")
    show.show_curves(run, grid)
    st.subheader("Why the initializer matters: the first gradients")
    show.show_gradients(run)
    st.subheader("Compare two runs")
    show.show_pair(run.result, run)
    st.subheader("Export")
    show.show_exports(run.result)
