"""The Loss landscape tab: the training loss on a plane through the run's end with the path on it, and on the
straight line from start to end (nnlab.landscape), cached per run so a rerun redraws at once."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from nnlab import explain_landscape, landscape, plots

from .frame import show_error
from .training import run_key

PLANES = {
    "pca": "The path's two main directions (PCA)",
    "random": "Two random directions (filter-normalised)",
}
TITLES = {
    "pca": "The loss around the run's end, on its path's plane",
    "random": "The loss around the run's end, on random directions",
}
# What to look for, per page: fixed text (the numbers' sentences come from nnlab.explain_landscape).
CAPTIONS = {
    "linear": (
        "A linear model's loss is a bowl; a large condition number stretches it into a long, narrow valley. "
        "Below the bound the path runs down the valley; near the bound it zig-zags across the narrow side "
        "(clearest with the target in raw units, where the bias starts far from its best value); above the "
        "bound every step overshoots further and the path climbs out of the valley. For a linear model the "
        "picture is exact: its loss is quadratic, so every plane through it cuts an elliptical bowl."
    ),
    "deep": (
        "A network's loss is no bowl, and a plane is a thin slice of it. A run whose learning rate is too "
        "large bounces from wall to wall across the valley; a run whose units died sits on a plateau, where "
        "the colours barely change along a direction, because moving a dead unit's weights changes nothing. "
        "The straight line on the right asks "
        "whether the start and the end lie in one valley or have a ridge between them."
    ),
}
# Both pages: why the colour under a point of the path need not be the loss the run had there.
PROJECTION = (
    " The colours are the loss on the plane; each point of the path is projected onto it, so the less of the "
    "path the plane holds, the more the loss under a point differs from the loss the run had there (hover a "
    "point to see both)."
)
CHART = {"width": "stretch"}


@st.cache_data(max_entries=16, show_spinner="Mapping the loss around the run…")
def cached_plane(key, _model, _dataset, directions):
    """landscape.plane of a run on its training rows; key (run key, epochs trained) identifies _model and _dataset."""
    surface = landscape.plane(_model, _dataset.X_train, _dataset.y_train, directions)
    # The page never draws the directions (2 × n_params): a large network's would fill the cache.
    return replace(surface, directions=None)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_line(key, _model, _dataset):
    """landscape.line of a run on its training rows, keyed like cached_plane."""
    return landscape.line(_model, _dataset.X_train, _dataset.y_train)


def landscape_view(model, dataset, chart_key: str, page: str, loss_title: str = "training loss (MSE)") -> None:
    """The tab for one fitted run: the plane's contours and path, the straight line, what they say."""
    if model is None:
        st.info("Train a run to map the loss around it.")
        return
    directions = st.segmented_control(
        "Plane",
        list(PLANES),
        format_func=PLANES.get,
        default="pca",
        required=True,
        key=f"{chart_key}landscape-plane",
        help="PCA: the plane in which the recorded weights moved most. Random: two directions drawn at random, "
        "each unit's weights scaled to that unit's size (Li et al. 2018), the usual view of a loss surface.",
    )
    history = model.history_
    key = (run_key(model.config(), dataset), history.epochs)
    try:
        surface = cached_plane(key, model, dataset, directions)
        section = cached_line(key, model, dataset)  # never dearer than the plane: 121 points ≤ its MIN_STEPS²
    except ValueError as exc:  # a network too large to map (landscape.MAX_WORK)
        show_error(exc, "The loss around this run cannot be mapped")
        return
    left, right = st.columns([3, 2], gap="medium")
    left.plotly_chart(
        plots.landscape_figure(*plots.landscape_data(surface), surface, TITLES[surface.kind], loss_title),
        key=f"{chart_key}landscape",
        **CHART,
    )
    right.plotly_chart(
        plots.line_figure(plots.line_data(section), loss_title=loss_title), key=f"{chart_key}landscape-line", **CHART
    )
    st.markdown(
        explain_landscape.lowest_point_story(surface, diverged=history.diverged_at is not None)
        + " "
        + explain_landscape.line_story(section)
    )
    st.caption(CAPTIONS[page] + PROJECTION)
