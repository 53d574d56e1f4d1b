"""The linear page's views: its row of numbers, the run's charts, and the tutorial's own problems (its
three examples' weights, and its first example's loss that did not match its gradient)."""

from __future__ import annotations

import streamlit as st

from nnlab import MLP, explain, plots, tutorial
from nnlab.diagnostics import gradcheck
from ui.diagnosis import marked


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


def rate_metrics(lr, report, bound_info, best, model) -> None:
    """The rate, the bound, the condition number, the final loss against its floor and test R²."""
    bound = bound_info["bound"]
    # A row that wraps, each number as wide as it needs: five fixed columns cut the labels and
    # even the bound's value ("0.99…") at 1,024 px.
    row = st.container(horizontal=True, wrap=True, gap="medium", key="linear-gd-metrics")
    row.metric(
        "Learning rate",
        f"{lr:g}",
        explain.share_of_bound(report["ratio"]),
        delta_color="off",
        delta_arrow="off",
        width="content",
    )
    row.metric(
        "Stability bound 2/λ_max",
        f"{bound:.5g}",
        help="Gradient descent on this loss converges for every learning rate below this, and blows up above it.",
        width="content",
    )
    row.metric(
        "Condition number",
        "∞" if bound_info["condition"] > 1e12 else f"{bound_info['condition']:,.0f}",
        help="λ_max/λ_min: how much slower the slowest "
        "direction learns than the fastest one at the same rate. ∞ means some directions are flat "
        "(more parameters than independent rows): the data cannot pin those down.",
        width="content",
    )
    if model is not None:
        history = model.history_
        exact = best["train_mse"] <= 1e-12 * history.loss[0]
        row.metric(
            "Final training loss",
            f"{history.final_loss:.4g}",
            "exact fit: 0" if exact else f"floor {best['train_mse']:.4g}",
            delta_color="off",
            delta_arrow="off",
            width="content",
        )
        if history.val_r2 is not None:
            row.metric(
                "Test R²",
                f"{history.final_val_r2:.4g}",
                f"least squares {best['test_r2']:.4f}",
                delta_color="off",
                delta_arrow="off",
                width="content",
            )


def run_charts(model, data, histories, best, bound_info, lr, found, loss_title, key) -> None:
    """Loss and R² against least squares (the doctor's evidence marked), weight paths, the spectrum."""
    left, right = st.columns(2, gap="large")
    left.plotly_chart(
        marked(
            plots.linear_loss_figure(histories, best["train_mse"], best["test_mse"], loss_title),
            found,
            "loss",
            "val_loss",
        ),
        width="stretch",
        key=f"{key}.loss",
    )
    right.plotly_chart(
        marked(plots.linear_r2_figure(histories, best["test_r2"]), found, "r2"), width="stretch", key=f"{key}.r2"
    )
    left, right = st.columns(2, gap="large")
    names = list(data.feature_names)
    targets = dict(zip([*names, "bias b"], [*best["coef"], best["intercept"]]))
    left.plotly_chart(
        plots.weight_paths_figure(plots.weight_paths_data(model.history_, names), targets)
        if model is not None
        else plots.empty_figure("Paths of the weights during training"),
        width="stretch",
        key=f"{key}.weights",
    )
    right.plotly_chart(
        plots.spectrum_figure(plots.spectrum_data(bound_info["eigenvalues"], lr), lr),
        width="stretch",
        key=f"{key}.spectrum",
    )
