"""Look at the data before training on it: what each column means, how it is scaled, how the columns relate to each other and to the target, and how the rows are split.

Widgets -> nnlab.data.describe (statistics) and nnlab.plots (figures) -> render.
"""

import streamlit as st

from nnlab import explain, plots
from nnlab.data import FEATURES, describe
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
            st.caption(explain.no_descriptions(names, dataset.target_name))
        else:
            st.dataframe(descriptions, hide_index=True, width="stretch")

        # -- how they are scaled ----------------------------------------------------------------------
        st.header("How big the numbers are")
        table = describe.table(X, y, names, dataset.target_name)
        left, right = st.columns([3, 2], gap="large")
        left.dataframe(
            table.style.format(STAT_FORMAT),
            width="stretch",
            height="content" if len(table) <= 25 else "auto",
            column_config={
                "_index": st.column_config.TextColumn("column", width="medium"),
                "l2_norm": st.column_config.NumberColumn("L2 norm √Σx²"),
            },
        )
        with right:
            st.markdown(explain.scaling_sentence(kind, len(y)))
            if kind == "unit_norm":
                st.markdown(explain.unit_norm_story(stats, len(y), tutorial=set(names) == set(FEATURES)))
            elif kind == "other" and (story := explain.spread_story(stats)):
                st.markdown(story)

        # -- distributions ----------------------------------------------------------------------------
        st.header("Distributions")
        shown = st.multiselect(
            "Features to show",
            names,
            default=names[:MAX_HISTOGRAMS],
            max_selections=MAX_HISTOGRAMS,
            key=f"explorer.histograms.{columns_key}",
        )
        hist = plots.histograms_data(X[:, [names.index(n) for n in shown]], shown)
        st.plotly_chart(
            plots.histograms_figure(
                hist, f"How the values of each feature are spread (all {len(y)} rows, {value_title})"
            ),
            width="stretch",
            key="explorer.histogram-chart",
        )

if relations.open:
    with relations:
        # -- relations --------------------------------------------------------------------------------
        st.header("How the columns relate")
        corr = describe.correlations(X, y, names, dataset.target_name)
        kept = describe.strongest(corr, MAX_HEATMAP)
        st.plotly_chart(plots.correlation_figure(corr.loc[kept, kept]), width="stretch", key="explorer.corr-chart")
        pair = describe.strongest_pair(corr)
        st.caption(explain.correlation_caption(pair, len(kept), len(corr), MAX_HEATMAP))

        chart, text = st.columns([3, 2], gap="large")
        with text:
            best = describe.strongest(corr, 1)[0]
            feature = st.selectbox(
                "Feature against the target",
                names,
                index=names.index(best),
                key=f"explorer.feature.{columns_key}",
                help="Preselected: the feature most correlated with the target.",
            )
            points, line = plots.feature_target_data(dataset, feature)
            st.markdown(explain.feature_line_sentence(line.attrs, feature, target_title))
        x_title = f"{feature} ({value_title})"
        chart.plotly_chart(
            plots.feature_target_figure(points, line, x_title, target_title, title=f"The target against {feature}"),
            width="stretch",
            key="explorer.feature-chart",
        )

if split_tab.open:
    with split_tab:
        # -- the split --------------------------------------------------------------------------------
        st.header("Training and test rows")
        summary = describe.split_summary(dataset.y_train, dataset.y_test)
        left, right = st.columns(2, gap="large")
        with left:
            a, b = st.columns(2)
            a.metric(
                "Training rows", f"{int(summary.loc['train', 'rows']):,}", help="What gradient descent learns from."
            )
            b.metric(
                "Test rows",
                f"{int(summary.loc['test', 'rows']):,}",
                help="Kept aside to measure how well the model does on rows it never saw.",
            )
            st.dataframe(
                summary.style.format(
                    {
                        "rows": "{:,.0f}",
                        "share": "{:.1%}",
                        "mean": "{:.4g}",
                        "std": "{:.4g}",
                        "min": "{:.4g}",
                        "max": "{:.4g}",
                    }
                ),
                width="stretch",
            )
            st.caption(explain.split_caption(target_title, current_choice().split_seed))
        with right:
            st.plotly_chart(
                plots.split_target_figure(plots.split_target_data(dataset.y_train, dataset.y_test), target_title),
                width="stretch",
                key="explorer.split-chart",
            )
