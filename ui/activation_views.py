"""The activation comparison's views: the summary table, blow-up warnings, curves and layer-by-layer charts."""

from __future__ import annotations

import streamlit as st

from nnlab import explain, plots
from nnlab.health import activation_summary
from ui.diagnosis import marked_runs, marks

CHART = {"width": "stretch"}


def summary_table(histories):
    table = activation_summary(histories)
    st.dataframe(
        table.drop(columns="epoch"),
        hide_index=True,
        **CHART,
        column_config={
            "run": "activation",
            "loss": st.column_config.NumberColumn("training loss (MSE)", format="%.4g"),
            "val_r2": st.column_config.NumberColumn("test R²", format="%.3f"),
            "stall": "how units stall",
            "stalled": st.column_config.NumberColumn("stalled at the end", format="percent"),
            "gradient_reach": st.column_config.NumberColumn(
                "gradient reaching layer 1",
                format="%.2g",
                help="‖∂L/∂W‖ of the first hidden layer divided by the output layer's, at epoch 0",
            ),
            "diverged_at": st.column_config.NumberColumn("diverged at epoch", format="%d"),
        },
    )


def warn_divergence(result, names):
    for name, history, config in zip(names, result.histories, result.configs):
        if warning := explain.run_warning(name, history, config):
            st.warning(warning, icon="💥" if history.diverged_at is not None else "📈")


def learning_curves(histories, diagnoses=None):
    """Loss and R² of every run; each run's findings marked on its own line (✕ a problem, ◇ a warning)."""
    run_marks = {run: marks(diagnosis) for run, diagnosis in (diagnoses or {}).items()}
    left, right = st.columns(2)
    loss = plots.name_test_rows(plots.loss_figure(histories, title="Loss: training rows (solid), test rows (dotted)"))
    marked_runs(marked_runs(loss, run_marks, "loss"), run_marks, "val_loss", " (test)")
    left.plotly_chart(plots.legend_below(loss), key="act-loss", **CHART)
    r2 = plots.name_test_rows(plots.r2_figure(histories, title="R²: training rows (solid), test rows (dotted)"))
    right.plotly_chart(plots.legend_below(marked_runs(r2, run_marks, "r2")), key="act-r2", **CHART)
    if any(len(table) for table in run_marks.values()):
        st.caption(
            "A mark on a run's line is where one of its findings (in the Diagnosis above) begins: ✕ a "
            "problem, ◇ a warning, ○ a note; hover it for the finding."
        )


def gradient_charts(histories):
    left, right = st.columns(2)
    left.plotly_chart(plots.gradient_profile_figure(plots.gradient_profile_data(histories)), key="act-profile", **CHART)
    right.plotly_chart(plots.unit_health_figure(plots.unit_health_data(histories)), key="act-health", **CHART)
    left.caption(
        "Each point is the size of the gradient of one layer's weights: at the first epoch (solid) "
        "and at the last (dotted). A line that falls towards the input side is a vanishing gradient."
    )
    right.caption(explain.unit_health_caption())
    st.plotly_chart(
        plots.layer_comparison_figure(
            plots.layer_comparison_data(histories, "grad_norm"),
            title="Gradient norm ‖∂L/∂W‖ of each layer during training",
        ),
        key="act-layers",
        **CHART,
    )
    st.markdown(explain.activation_explanation(histories))
