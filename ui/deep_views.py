"""The deep network page's views: its learning curves, its layers one by one, the network at one epoch."""

from __future__ import annotations

import streamlit as st

from nnlab import explain, health, learned, plots
from ui.diagnosis import marked

CHART = {"width": "stretch"}


def learning_curves(history, found=None):
    # Data without test rows (the tutorial's toy network) has training curves only.
    rows = "training rows (solid), test rows (dotted)" if history.val_loss is not None else "training rows"
    left, right = st.columns(2)
    left.plotly_chart(
        marked(
            plots.name_test_rows(plots.loss_figure({"network": history}, title=f"Loss: {rows}")),
            found,
            "loss",
            "val_loss",
        ),
        key="deep-loss",
        **CHART,
    )
    right.plotly_chart(
        marked(
            plots.name_test_rows(plots.r2_figure({"network": history}, title=f"R²: {rows}")),
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
