"""Look at the data before training on it: what each column means, how it is scaled, how the columns relate to each other and to the target, and how the rows are split.

Widgets -> nnlab.data.describe (statistics) and nnlab.plots (figures) -> render.
"""
import pandas as pd
import streamlit as st

from nnlab import plots
from nnlab.data import describe
from nnlab.data import FEATURES
from ui import state
from ui.frame import current_choice, frame

MAX_HISTOGRAMS = 12  # panels in the histogram grid
MAX_HEATMAP = 30  # features in the correlation heatmap (31² cells stay under 2,000 points)
# Tabs render only when open (bound, so the URL holds the open one): a cold visit draws one chart.
VIEWS = ["The numbers", "How the columns relate", "Training and test rows"]
STAT_FORMAT = {"mean": "{:.4g}", "std": "{:.4g}", "min": "{:.4g}", "max": "{:.4g}", "l2_norm": "{:.4g}"}

dataset = frame(
    "Dataset explorer",
    "A network only ever sees numbers, so it pays to know them first. This page shows what each "
    "column means, how big its values really are, which columns move together, and how much a "
    "single column tells about the target on its own. Every figure is computed from the data "
    "chosen in the sidebar.",
)
names = list(dataset.feature_names)
X, y = describe.all_rows(dataset)
stats = describe.column_stats(X, names)
kind = describe.scaling_kind(stats)
value_title = describe.SCALING_NAMES[kind]
columns_key = abs(hash(tuple(names)))  # widgets listing the columns start afresh on other data
link = state.check_link({"explorer.view": state.choice(VIEWS[0], VIEWS)})
standardized_target = (dataset.target_mean, dataset.target_std) != (0.0, 1.0)
target_title = f"{dataset.target_name} (standardized)" if standardized_target else dataset.target_name

numbers, relations, split_tab = st.tabs(VIEWS, key="explorer.view", bind="query-params")
state.settle_link(link)

if numbers.open:
    with numbers:
        # -- what the columns are ---------------------------------------------------------------------
        st.header("The columns")
        descriptions = describe.feature_descriptions(names)
        if descriptions.empty:
            st.caption(f"No descriptions are known for these columns ({', '.join(names[:20])}"
                       f"{', …' if len(names) > 20 else ''}); the target is *{dataset.target_name}*.")
        else:
            st.dataframe(descriptions, hide_index=True, width="stretch")

        # -- how they are scaled ----------------------------------------------------------------------
        st.header("How big the numbers are")
        table = pd.concat([stats, describe.column_stats(y.reshape(-1, 1), [f"target: {dataset.target_name}"])])
        left, right = st.columns([3, 2], gap="large")
        left.dataframe(table.style.format(STAT_FORMAT), width="stretch", height="content" if len(table) <= 25 else "auto",
                       column_config={"_index": st.column_config.TextColumn("column", width="medium"),
                                      "l2_norm": st.column_config.NumberColumn("L2 norm √Σx²")})
        with right:
            st.markdown(f"Over all **{len(y)}** rows, {describe.SCALINGS[kind]}.")
            if kind == "unit_norm":
                n, std = len(y), float(stats["std"].median())
                tutorial = set(names) == set(FEATURES)
                st.markdown(
                    (f"The tutorial says each feature has mean 0 and standard deviation 1. Only the first "
                     f"half is true. " if tutorial else "")
                    + f"The means are zero (the largest is {stats['mean'].abs().max():.1e}), but the standard "
                    f"deviations are about **{std:.4f}**: each column was rescaled so that its length "
                    f"√Σx² over the {n} rows is {stats['l2_norm'].median():.4f}, which makes its standard "
                    f"deviation 1/√{n} = {n ** -0.5:.4f}. Pick *standardized* scaling in the sidebar for "
                    f"std 1, or *raw units* for the values as measured.")
            elif kind == "other":
                spread = stats["std"][stats["std"] > 0]
                if len(spread) > 1 and spread.max() > 10 * spread.min():
                    st.markdown(f"The standard deviations run from {spread.min():.3g} to {spread.max():.3g}, "
                                f"a factor of {spread.max() / spread.min():,.0f}. One learning rate has to "
                                f"suit every column at once, which is hard when they differ this much.")

        # -- distributions ----------------------------------------------------------------------------
        st.header("Distributions")
        shown = st.multiselect("Features to show", names, default=names[:MAX_HISTOGRAMS],
                               max_selections=MAX_HISTOGRAMS, key=f"explorer.histograms.{columns_key}")
        hist = plots.histograms_data(X[:, [names.index(n) for n in shown]], shown)
        st.plotly_chart(plots.histograms_figure(hist, f"How the values of each feature are spread (all {len(y)} "
                                                      f"rows, {value_title})"),
                        width="stretch", key="explorer.histogram-chart")

if relations.open:
    with relations:
        # -- relations --------------------------------------------------------------------------------
        st.header("How the columns relate")
        corr = describe.correlations(X, y, names, dataset.target_name)
        kept = describe.strongest(corr, MAX_HEATMAP)
        st.plotly_chart(plots.correlation_figure(corr.loc[kept, kept]), width="stretch", key="explorer.corr-chart")
        pair = describe.strongest_pair(corr)
        st.caption((f"The most correlated features are {pair[0]} and {pair[1]} (r = {pair[2]:.2f}): they carry "
                    f"much the same information, which makes the weights of a linear model hard to pin down. "
                    if pair else "")
                   + (f"Showing the {MAX_HEATMAP} features most correlated with the target, of {len(names)}."
                      if len(kept) < len(corr) else "Columns are ordered by how strongly they correlate with the target."))

        chart, text = st.columns([3, 2], gap="large")
        with text:
            best = describe.strongest(corr, 1)[0]
            feature = st.selectbox("Feature against the target", names, index=names.index(best),
                                   key=f"explorer.feature.{columns_key}",
                                   help="Preselected: the feature most correlated with the target.")
            points, line = plots.feature_target_data(dataset, feature)
            fit = line.attrs
            intercept = round(fit["intercept"], 10) + 0.0  # 1e-15 is an intercept of zero
            sign = "−" if intercept < 0 else "+"
            st.markdown(f"On the training rows, the best straight line is {target_title} ≈ "
                        f"{fit['slope']:.4g} × {feature} {sign} {abs(intercept):.4g}. It explains "
                        f"**{fit['r2']:.1%}** of the target's variance (R²) on its own; a linear model using "
                        f"every column can only do better on these rows.")
        x_title = f"{feature} ({value_title})"
        chart.plotly_chart(plots.feature_target_figure(points, line, x_title, target_title,
                                                       title=f"The target against {feature}"),
                           width="stretch", key="explorer.feature-chart")

if split_tab.open:
    with split_tab:
        # -- the split --------------------------------------------------------------------------------
        st.header("Training and test rows")
        summary = describe.split_summary(dataset.y_train, dataset.y_test)
        summary = summary.round(10) + 0.0  # −1e-16 is a mean of zero; + 0.0 turns −0 into 0
        left, right = st.columns(2, gap="large")
        with left:
            a, b = st.columns(2)
            a.metric("Training rows", f"{int(summary.loc['train', 'rows']):,}",
                     help="What gradient descent learns from.")
            b.metric("Test rows", f"{int(summary.loc['test', 'rows']):,}",
                     help="Kept aside to measure how well the model does on rows it never saw.")
            st.dataframe(summary.style.format({"rows": "{:,.0f}", "share": "{:.1%}", "mean": "{:.4g}",
                                               "std": "{:.4g}", "min": "{:.4g}", "max": "{:.4g}"}),
                         width="stretch")
            st.caption(f"Statistics of the target, {target_title}. Split seed {current_choice().split_seed} (sidebar). "
                       f"The two distributions should look alike: if they did not, the test score would "
                       f"measure a different problem from the one trained on.")
        with right:
            st.plotly_chart(plots.split_target_figure(plots.split_target_data(dataset.y_train, dataset.y_test),
                                                      target_title), width="stretch", key="explorer.split-chart")

