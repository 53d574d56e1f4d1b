"""The compare page's results: heatmaps, curves, first gradients, two runs side by side, exports.

Each view takes the page's Run (its result a `nnlab.SweepResult`) and its Grid; figures are built
once per run (Run.figure) and redrawn on reruns.
"""

from __future__ import annotations

import io

import streamlit as st

from nnlab import explain, health, plots
from nnlab.initializers import INITIALIZERS
from nnlab.sweeps import LOAD_SNIPPET

from .grid import Grid, network_name
from .training import Run

SAME_LOSS = 0.005  # final test losses this close (relative) draw as one line
STUCK_R2 = 0.01  # below this test R², a run learned next to nothing


def show_summary(stored: Run, grid: Grid) -> None:
    st.markdown(explain.grid_summary(stored.result, grid, network_name(grid), stored.seconds))


def show_heatmaps(stored: Run, grid: Grid) -> None:
    table = stored.result.table
    left, right = st.columns(2)
    left.plotly_chart(
        stored.figure(
            "heatmap:loss",
            lambda: plots.grid_heatmap_figure(
                table, "final_val_loss", "Test loss after training (lower is better)", "test MSE", reverse=True
            ),
        ),
        width="stretch",
        key="compare-heatmap-loss",
    )
    right.plotly_chart(
        stored.figure(
            "heatmap:r2",
            lambda: plots.grid_heatmap_figure(
                table, "final_val_r2", "Test R² after training (higher is better)", "test R²", low=-1.0
            ),
        ),
        width="stretch",
        key="compare-heatmap-r2",
    )
    notes = explain.heatmap_notes(stored.result, grid)
    st.caption(" ".join(notes))


def show_curves(stored: Run, grid: Grid) -> None:
    result = stored.result
    choice = st.radio(
        "Curve", ["test loss", "training loss"], horizontal=True, key="compare.curve", label_visibility="collapsed"
    )
    metric = "val_loss" if choice == "test loss" else "loss"
    how = f": line = mean of {grid.seeds} seeds, band = their range" if grid.seeds > 1 else ""
    st.plotly_chart(
        stored.figure(
            f"curves:{metric}",
            lambda: plots.bands_figure(
                plots.bands_data(result.band(metric)),
                f"{choice.capitalize()} during training, one panel per initializer{how}",
                f"{choice} (MSE)",
                diverged=plots.diverged_runs_data(result.table, result.histories, metric),
            ),
        ),
        width="stretch",
        key="compare-curves",
    )
    caption = explain.overlapping_curves(result.summary(), SAME_LOSS, STUCK_R2)
    if caption:
        st.caption(caption)


def show_gradients(stored: Run) -> None:
    result = stored.result
    data = plots.initial_gradients_data(result.histories, [c.init for c in result.configs])
    summary = health.initial_gradients_summary(data)
    left, right = st.columns([3, 2])
    left.plotly_chart(
        stored.figure(
            "gradients",
            lambda: plots.initial_gradients_figure(
                data, "‖∂L/∂W‖ per layer at epoch 0, before any step", order=list(INITIALIZERS)
            ),
        ),
        width="stretch",
        key="compare-gradients",
    )
    with right:
        st.markdown(explain.gradient_story(summary))


def show_pair(result, stored: Run) -> None:
    labels = [result.label(run) for run in range(len(result))]
    first, second = result.default_pair()
    tag = f"{abs(hash(stored.key)) % 10**8}"  # a new result starts from its own default pair
    left, right = st.columns(2)
    a = left.selectbox("Run A", range(len(result)), index=first, format_func=labels.__getitem__, key=f"compare.a.{tag}")
    b = right.selectbox(
        "Run B", range(len(result)), index=second, format_func=labels.__getitem__, key=f"compare.b.{tag}"
    )
    if a == b:
        st.info("Pick two different runs to compare them.")
        return
    diff = result.diff(a, b)
    settings = {
        "setting": list(diff.index),
        "run A": [plots.grid_label(v) for v in diff.iloc[:, 0]],
        "run B": [plots.grid_label(v) for v in diff.iloc[:, 1]],
    }
    outcome = result.outcomes(a, b)
    tables, chart = st.columns([2, 3])
    tables.markdown("**Settings that differ**")
    tables.dataframe(settings, hide_index=True, width="stretch")
    tables.markdown("**What came of it**")
    tables.dataframe(outcome, hide_index=True, width="stretch")
    histories = {f"A: {labels[a]}": result.histories[a], f"B: {labels[b]}": result.histories[b]}
    chart.plotly_chart(
        plots.pair_figure(histories, title="Runs A and B: training (solid) and test (dotted) loss"),
        width="stretch",
        key="compare-pair",
    )


def show_exports(result) -> None:
    def csv():
        buffer = io.StringIO()
        result.to_csv(buffer)
        return buffer.getvalue()

    def npz():
        buffer = io.BytesIO()
        result.save_histories(buffer)
        return buffer.getvalue()

    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "Metrics table (CSV)",
        csv,
        file_name="compare_runs.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
    )
    right.download_button(
        "Every run's history (.npz)",
        npz,
        file_name="compare_runs.npz",
        mime="application/octet-stream",
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
        help=f"Loads back with {LOAD_SNIPPET}.",
    )


def show_waiting(grid: Grid, changed: bool) -> None:
    """Before training: the grid about to be filled, and what will appear."""
    st.info(explain.grid_waiting(grid, network_name(grid), changed), icon=":material/play_arrow:")
    left, _ = st.columns(2)
    left.plotly_chart(
        plots.grid_preview_figure(grid.inits, grid.lrs, "The grid to train"),
        width="stretch",
        key="compare-heatmap-empty",
    )
