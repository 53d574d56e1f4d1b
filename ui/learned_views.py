"""What it learned: permutation importance and partial dependence of the network beside the linear
least-squares model (nnlab.importance, scikit-learn's tools), and the learned function against the true one."""

from __future__ import annotations

import streamlit as st

from nnlab import explain_learned, importance, learned, plots

CHART = {"width": "stretch"}
SHOWN_CURVES = 3  # partial dependence curves drawn at first: the network's most important features
COLUMNS = {
    "feature": "feature",
    "network": st.column_config.NumberColumn("network: drop in R²", format="%.4f"),
    "network_std": st.column_config.NumberColumn("± std", format="%.4f"),
    "linear": st.column_config.NumberColumn("linear model: drop in R²", format="%.4f"),
    "linear_std": st.column_config.NumberColumn("± std", format="%.4f"),
}


def _models(model, dataset):
    return {"network": model, "linear": importance.linear_model(dataset.X_train, dataset.y_train)}


@st.cache_data(max_entries=8, show_spinner="Shuffling each feature, for both models…")
def importance_table(key, _model, _dataset):
    """importance.importance_table of the network and the linear model on the test rows; key (run key,
    epochs trained) identifies _model and _dataset."""
    tidy = importance.permutation_table(
        _models(_model, _dataset), _dataset.X_test, _dataset.y_test, _dataset.feature_names
    )
    return importance.importance_table(tidy)


@st.cache_data(max_entries=16, show_spinner="Computing the partial dependence curves…")
def dependence_curves(key, _model, _dataset, features: tuple):
    """importance.partial_dependence_curves over the training rows for feature indices `features`."""
    return importance.partial_dependence_curves(
        _models(_model, _dataset), _dataset.X_train, list(features), _dataset.feature_names, _dataset.to_original_units
    )


def what_it_learned(model, dataset, run_key: tuple) -> None:
    """The deep page's "What it learned" tab."""
    key = (run_key, model.history_.epochs)
    if len(dataset.y_test) < 2:
        st.info("Permutation importance needs test rows to shuffle; this data has too few.")
        return
    st.markdown(
        "**Which features does the network use?** Shuffle one feature's column across the test rows, so it "
        "carries no information, and see how much test R² the model loses (scikit-learn's "
        "`permutation_importance`). Beside it, the same for the linear least-squares model fitted on the same "
        "training rows: what a straight line makes of the data."
    )
    try:
        table = importance_table(key, model, dataset)
    except ValueError as exc:
        st.info(f"No importance for this run: {exc}.")
        return
    st.plotly_chart(plots.importance_figure(table, importance.N_REPEATS), key="deep-importance", **CHART)
    st.caption(
        "A drop can be larger than 1: R² falls below 0 when the predictions are worse than always "
        "predicting the average, as a model fed a shuffled feature it depends on can be."
    )
    st.markdown(explain_learned.importance_summary(table, importance.N_REPEATS, len(dataset.y_test)))
    st.markdown(explain_learned.importance_difference(table))
    if unused := explain_learned.unused_features(table):
        st.markdown(unused)
    with st.expander("The numbers"):
        st.dataframe(table, hide_index=True, column_config=COLUMNS, key="deep-importance-table", **CHART)
    dependence(model, dataset, key, table)
    truth(model, dataset)


def dependence(model, dataset, key, table) -> None:
    """Partial dependence curves for the features the learner picks."""
    st.subheader("How the prediction moves with one feature")
    st.markdown(
        "Set one feature to each value of its range in every training row, predict, and average "
        "(scikit-learn's `partial_dependence`): the network's curve against the linear model's line. "
        "Where the network's curve bends, it found something a line cannot say."
    )
    names = list(dataset.feature_names)
    picked = st.multiselect(
        "Features to draw", names, default=list(table.feature[:SHOWN_CURVES]), key="deep.dependence"
    )
    if not picked:
        st.info("Pick at least one feature.")
        return
    curves = dependence_curves(key, model, dataset, tuple(names.index(name) for name in picked))
    st.plotly_chart(plots.partial_dependence_figure(curves, dataset.target_name), key="deep-dependence", **CHART)
    for row in importance.curve_shapes(curves).itertuples():
        st.markdown("- " + explain_learned.curve_sentence(row.feature, row.straightness, row.rise, dataset.target_name))


def truth(model, dataset) -> None:
    """On the synthetic 1-D and 2-D sets: the learned function against the one the data came from."""
    found = learned.against_truth(model, dataset)
    if found is None:
        return
    formula, grid, network, true, rms, noise = found
    st.subheader("The learned function against the true one")
    points = (dataset.X_train, dataset.to_original_units(dataset.y_train))
    data = plots.true_function_data(grid, network, true)
    st.plotly_chart(
        plots.true_function_figure(data, points, dataset.feature_names, dataset.target_name, formula),
        key="deep-truth",
        **CHART,
    )
    st.markdown(explain_learned.function_error(formula, rms, noise))
