"""The deep page's predictions: a table of test rows, and a box to predict an input of your own."""

from __future__ import annotations

import streamlit as st

from nnlab import explain, learned


def prediction_box(model, dataset, rows: int = 10) -> None:
    """Predicted against actual for the first test rows, then a form: one number per feature, and ŷ."""
    if not len(dataset.y_test):
        return
    st.subheader("Predictions")
    st.caption("The first test rows, in the target's own units (the network never trained on them).")
    st.dataframe(learned.predictions_table(model, dataset, rows), hide_index=True, width="stretch")
    with st.form("deep-predict"):
        st.markdown(
            "**Predict this input** (the features as the network sees them; the boxes start at the first test row)"
        )
        columns = st.columns(min(len(dataset.feature_names), 5))
        values = [
            columns[i % len(columns)].number_input(
                name, value=float(dataset.X_test[0, i]), format="%.4g", key=f"deep-predict.{i}"
            )
            for i, name in enumerate(dataset.feature_names)
        ]
        st.form_submit_button("Predict")
    # A form hands its values over on Predict; until then they are the first test row's.
    st.markdown(explain.prediction_sentence(dataset.target_name, learned.predict_one(model, dataset, values)))
