"""The linear page's views of the tutorial's own problems: its three examples' weights, and its first
example's loss that did not match its gradient."""

from __future__ import annotations

import streamlit as st

from nnlab import MLP, explain, plots, tutorial
from nnlab.diagnostics import gradcheck


def tutorial_problem(problem: str, model, data, key: str) -> None:
    """Below the charts, for a tutorial problem: what the tutorial printed, beside what nnlab trained."""
    if problem == "three" and model is not None:
        st.subheader("The tutorial's three examples, trained here")
        names = list(data.feature_names)
        st.dataframe(
            {**{n: [w] for n, w in zip(names, model.coefs_[0][:, 0])}, "bias b": [model.intercepts_[0][0]]},
            width="stretch",
            column_config={n: st.column_config.NumberColumn(format="%.8f") for n in [*names, "bias b"]},
        )
        st.markdown(explain.tutorial_predictions(model.predict(data.X_train), data.y_train))
    if problem == "one":
        st.subheader("The tutorial's first example: a loss that did not match its gradient")
        bug = tutorial.one_example_bug()
        left, right = st.columns([3, 2], gap="large")
        left.plotly_chart(plots.bug_demo_figure(plots.bug_demo_data(bug)), width="stretch", key=f"{key}.bug")
        right.markdown(explain.bug_story(bug))
        if model is not None:
            right.caption(
                "nnlab's gradient on the same row, checked the same way where training starts "
                "(at the end the gradient is 0 and there is nothing left to compare):"
            )
            # An unfitted copy: its network is the run's starting point, where the gradient is not yet 0.
            check = gradcheck(MLP(**model.get_params()), data.X_train, data.y_train)
            right.dataframe(
                check[["param", "gradient_norm", "relative_error", "ok"]],
                hide_index=True,
                width="stretch",
                column_config={"relative_error": st.column_config.NumberColumn(format="scientific")},
            )
