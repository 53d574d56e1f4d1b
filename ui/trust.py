"""Can you trust these numbers? A run's gradients checked by finite differences, and the same
network trained in scikit-learn, side by side (nnlab.diagnostics.trust_checks), on a button."""

from __future__ import annotations

import streamlit as st

from nnlab import diagnostics, explain, plots

CHECK_ROWS = 16  # rows for the gradient check: its cost grows with the parameters, not the rows
CHECKS_KEY = "nnlab.deep.checks"  # the run whose checks the learner asked for
COLUMNS = {
    "param": "W or b",
    "checked": "entries checked",
    "entries": "of",
    "ok": "agrees",
    "relative_error": st.column_config.NumberColumn("relative error", format="%.1e"),
}


@st.cache_data(show_spinner="Checking the gradients and training scikit-learn's twin…", max_entries=16)
def cached_checks(key, _model, _dataset):
    """diagnostics.trust_checks of a run; key (run key, epochs trained) identifies _model and _dataset."""
    return diagnostics.trust_checks(
        _model, _dataset.X_train, _dataset.y_train, _dataset.X_test, _dataset.y_test, rows=CHECK_ROWS
    )


def trust_panel(model, dataset, run_key: tuple) -> None:
    """The checks of one run (its key from ui.training.run_key), on the learner's request."""
    st.markdown(
        "Two independent checks. **Gradient check**: nudge each weight a tiny step up and down and see "
        "how the loss changes (finite differences); backprop's gradient should agree. **scikit-learn**: "
        "train its MLPRegressor from the same starting weights with matching settings and compare."
    )
    key = (run_key, model.history_.epochs)
    if st.button("Run the checks", key="deep.check", icon=":material/fact_check:"):
        st.session_state[CHECKS_KEY] = key
    if st.session_state.get(CHECKS_KEY) != key:
        return
    checks = cached_checks(key, model, dataset)
    for column, when in zip(st.columns(2), ("start", "end")):
        passed, sentence = explain.gradcheck_verdict(checks[when])
        column.markdown(explain.gradcheck_heading(when, CHECK_ROWS))
        (column.success if passed else column.error)(sentence)
        table = checks[when].assign(layer=[plots.layer_name(i, len(model.coefs_)) for i in checks[when].layer])
        column.dataframe(
            table[["layer", "param", "checked", "entries", "relative_error", "ok"]],
            hide_index=True,
            width="stretch",
            column_config=COLUMNS,
        )
    st.markdown("**The same network in scikit-learn**")
    twin = checks["twin"]
    if isinstance(twin, str):
        st.info(f"No comparison: {twin}.")
        return
    left, right = st.columns(2)
    left.metric("test R², nnlab", f"{twin['nnlab_r2']:.4f}")
    right.metric("test R², scikit-learn", f"{twin['sklearn_r2']:.4f}")
    agrees, sentence = explain.twin_verdict(twin)
    (st.error if agrees is False else st.markdown)(sentence)
    st.caption(explain.twin_caption(twin))
