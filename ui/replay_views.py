"""Replays: a run's recorded snapshots played in the browser (plotly animation frames), built once per run."""

from __future__ import annotations

import streamlit as st

from nnlab import explain_learned, learned, plots

CHART = {"width": "stretch"}


@st.cache_data(max_entries=8, show_spinner="Building the replay's frames…")
def replay_figure(key, _model, _dataset):
    """(figure, frames, snapshots) of a run's replay; key (run key, epochs trained) identifies _model and _dataset."""
    history, X_train, X_test = _model.history_, _dataset.X_train, _dataset.X_test
    grid = learned.function_grid(X_train, X_test) if X_train.shape[1] in (1, 2) else None
    data = plots.replay_data(
        history,
        _model.activation,
        X_test,
        _dataset.y_test,
        _dataset.to_original_units,
        grid=grid,
        train=(X_train, _dataset.y_train),
    )
    figure = plots.replay_figure(data, _dataset.feature_names, _dataset.target_name, title="Replay of the training run")
    return figure, data.epochs.tolist(), len(history.snapshot_epochs)


def replay(model, dataset, run_key: tuple) -> None:
    """The deep page's Replay tab: one figure whose Play, Pause and slider run in the browser."""
    figure, epochs, snapshots = replay_figure((run_key, model.history_.epochs), model, dataset)
    st.caption(explain_learned.replay_caption(len(epochs), snapshots, epochs[0], epochs[-1], plots.MAX_FRAMES))
    st.plotly_chart(figure, key="deep-replay", **CHART)
    st.caption(
        "Press ▶ Play (or Slowly, or Fast), Pause at any time, or drag the slider to an epoch. Each panel keeps one "
        "scale for the whole run, so a weight that grows is drawn growing and a histogram that narrows is seen "
        "to narrow. The dot on the loss curve is the epoch every other panel shows."
    )


@st.cache_data(max_entries=8, show_spinner=False)
def layer_replay_figure(key, _histories):
    """The activation page's replayed gradient profile; key (the run's key) identifies _histories."""
    return plots.layer_replay_figure(*plots.layer_replay_data(_histories))


def layer_replay(histories, run_key: tuple) -> None:
    """The activation page's Play control: how much gradient reaches each layer, epoch by epoch, per activation."""
    st.plotly_chart(layer_replay_figure(run_key, histories), key="act-replay", **CHART)
    st.caption(
        "Press ▶ Play to watch the gradient of each layer's weights change during training, one line per "
        "activation, with each run's loss and the epoch shown beside it. A line that sinks towards the input "
        "side as the epochs go by is a gradient that is dying on its way down."
    )
