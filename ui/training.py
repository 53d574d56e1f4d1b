"""Train an `nnlab.MLP` from a page: progress bar, Stop button, finished runs kept per session.

    model = train({"hidden": (64, 32), "lr": 0.01}, dataset)   # -> fitted MLP, or None

Runs live in a `RunStore` inside st.session_state, never in a module global or st.cache_data,
so one user's runs (and a run they stopped half-way) are never served to another session.

How Stop works. A click on Stop (or on any widget) during a run makes Streamlit stop the running
script and, with `runner.fastReruns` (the default), start the rerun at once in a new thread. The
old thread learns of it as a StopException (RerunException without fast reruns) raised inside
its next st.* call, here the progress bar's redraw in `on_epoch`. We catch it there, tell fit
to stop (it returns with the partial history), put the partial model in the store and re-raise.
From then on st.session_state refuses that thread's writes, so the store is a plain object
fetched before training; and the rerun waits for the old thread's `done` event before reading
it, so it never misses the partial run.
"""
from __future__ import annotations

import hashlib
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

import nnlab
from nnlab.mlp import divergence_message, diverging_message

from .frame import show_error

STORE_KEY = "nnlab.training"  # this session's RunStore
MAX_RUNS = 8  # finished runs kept per session; a default run with its weight snapshots is ~15 MB
UPDATE_SECONDS = 0.05  # redraw the progress bar at most 20 times a second
HANDOVER_SECONDS = 10.0  # how long a rerun waits for an interrupted run to hand over its model


@dataclass(frozen=True)
class Run:
    """A page's latest run: its cache key, the model, and whether the user stopped it."""

    key: tuple
    model: nnlab.MLP
    stopped: bool


@dataclass
class RunStore:
    """One session's runs: finished ones by run key (least recently used first), each page's
    latest Run by page key, and an event per page key that is set when no fit is in progress."""

    finished: OrderedDict = field(default_factory=OrderedDict)
    latest: dict = field(default_factory=dict)
    done: dict = field(default_factory=dict)

    def wait(self, key: str) -> None:
        """Block until a fit under this page key (perhaps in an interrupted thread) has ended."""
        event = self.done.get(key)
        if event is not None:
            event.wait(HANDOVER_SECONDS)


def run_store() -> RunStore:
    """This session's RunStore (created on first use)."""
    if STORE_KEY not in st.session_state:
        st.session_state[STORE_KEY] = RunStore()
    return st.session_state[STORE_KEY]


def dataset_key(dataset) -> str:
    """A digest of a Dataset's name, column names and arrays: equal data, equal key."""
    digest = hashlib.sha256()
    for part in (dataset.name, dataset.target_name, *dataset.feature_names,
                 repr((dataset.target_mean, dataset.target_std))):
        digest.update(str(part).encode() + b"\0")
    for array in (dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test):
        array = np.ascontiguousarray(array)
        digest.update(repr((array.dtype.str, array.shape)).encode())
        digest.update(array.data)
    return digest.hexdigest()


def run_key(model_params: dict, dataset, eval: bool = True) -> tuple:
    """The full configuration of a run (defaults filled in) and its data, hashable."""
    params = nnlab.MLP(**model_params).get_params()
    return (tuple(sorted((name, _freeze(value)) for name, value in params.items())),
            dataset_key(dataset), bool(eval))


def _freeze(value):
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def last_run(key: str = "train", report: bool = True) -> nnlab.MLP | None:
    """The model of the page's latest run (finished or stopped), or None.

    report=True says, as train does, whether that run was stopped or blew up.
    """
    store = run_store()
    store.wait(key)
    run = store.latest.get(key)
    if run is None:
        return None
    return _report(store, key, run) if report else run.model


class _Progress:
    """on_epoch for MLP.fit: redraws the bar (throttled); a Streamlit interrupt becomes a stop."""

    def __init__(self, bar, epochs: int):
        self.bar, self.epochs = bar, epochs
        self.last_draw = 0.0
        self.interrupt: BaseException | None = None

    def __call__(self, epoch: int, loss: float) -> bool:
        now = time.monotonic()
        if now - self.last_draw < UPDATE_SECONDS:
            return True
        self.last_draw = now
        try:
            self.bar.progress(min((epoch + 1) / self.epochs, 1.0),
                              text=f"Epoch {epoch + 1:,} of {self.epochs:,} · training loss {loss:.4g}")
        except BaseException as exc:  # noqa: BLE001 - Streamlit's control flow is BaseException
            self.interrupt = exc
            return False
        return True


def train(model_params: dict, dataset, eval: bool = True, key: str = "train",
          restart: bool = False) -> nnlab.MLP | None:
    """Fit nnlab.MLP(**model_params) on dataset's training split; returns the model or None.

    eval=True also records test loss and R² each epoch. A finished run with the same settings
    and data comes back at once from this session's store. A run the user stopped comes back
    as it was (with a button to train it in full) unless restart=True. Bad settings show an
    error and give None; a run that blew up shows a warning and keeps its history.
    """
    try:
        this_key = run_key(model_params, dataset, eval)
    except (TypeError, ValueError) as exc:
        show_error(exc, "These settings cannot be trained")
        return None
    store = run_store()
    store.wait(key)
    if this_key in store.finished:
        store.finished.move_to_end(this_key)
        return _report(store, key, Run(this_key, store.finished[this_key], stopped=False))
    last = store.latest.get(key)
    if not restart and last is not None and last.key == this_key and last.stopped:
        if not st.button("Train in full", key=f"{key}.again", icon=":material/replay:",
                         help="Train these settings again, for every epoch."):
            return _report(store, key, last)
    model = _fit(store, nnlab.MLP(**model_params), dataset, eval, key, this_key)
    if model is None:
        return None
    store.finished[this_key] = model
    while len(store.finished) > MAX_RUNS:
        store.finished.popitem(last=False)
    return _report(store, key, Run(this_key, model, stopped=False))


def _fit(store: RunStore, model, dataset, eval: bool, key: str, this_key: tuple):
    """Fit with a progress bar and a Stop button; hand over and re-raise a Streamlit interrupt."""
    done = store.done[key] = threading.Event()
    try:
        box = st.empty()
        with box.container():
            bar = st.progress(0.0, text="Starting…")
            st.button("Stop", key=f"{key}.stop", icon=":material/stop_circle:",
                      help="Stop training here and keep what it learned so far.")
        progress = _Progress(bar, model.epochs)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", nnlab.DivergenceWarning)  # shown in words below
                model.fit(dataset.X_train, dataset.y_train,
                          eval_set=(dataset.X_test, dataset.y_test) if eval else None,
                          on_epoch=progress)
        except ValueError as exc:
            box.empty()
            show_error(exc, "These settings cannot be trained")
            return None
        if progress.interrupt is not None:
            store.latest[key] = Run(this_key, model, stopped=True)  # no st.* call: it would raise
            raise progress.interrupt
        box.empty()
        return model
    finally:
        done.set()


def _report(store: RunStore, key: str, run: Run) -> nnlab.MLP:
    """Remember the page's latest run and say how it ended (stopped, diverged)."""
    store.latest[key] = run
    history = run.model.history_
    if run.stopped:
        st.info(f"Training was stopped after epoch {history.stopped_at + 1:,} of "
                f"{run.model.epochs:,}; the charts show the run up to there.", icon="⏹️")
    if history.diverged_at is not None:
        st.warning(divergence_message(history, run.model.config()) +
                   " The charts show the run up to the blow-up.", icon="💥")
    elif history.diverging_from is not None:
        st.warning(diverging_message(history, run.model.config()) + " ▲ marks it on the loss chart.", icon="📈")
    return run.model
