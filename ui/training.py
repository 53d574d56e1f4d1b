"""Training from a page: one progress bar with a Stop button, and this session's runs in one store.

    model = train_model(Config(hidden=(64, 32), lr=0.01), dataset)   # -> fitted MLP, or None
    run = remember(("grid", grid), dataset, lambda progress: sweep(..., on_progress=progress.runs))

Runs live in a `RunStore` inside st.session_state, never in a module global or st.cache_data,
so one user's runs (and a run they stopped half-way) are never served to another session. A
run's key is (what was trained: a Config or a page's frozen settings, the data's digest).

How Stop works. A click on Stop (or on any widget) during a run makes Streamlit stop the running
script and, with `runner.fastReruns` (the default), start the rerun at once in a new thread. The
old thread learns of it as a StopException (RerunException without fast reruns) raised inside
its next st.* call, here the progress bar's redraw. For a fit we catch it there, tell fit to
stop (it returns with the partial history), put the partial model in the store and re-raise.
From then on st.session_state refuses that thread's writes, so the store is a plain object
fetched before training; and the rerun waits for the old thread's `done` event before reading
it, so it never misses the partial run. A sweep cannot stop half-way: Stop abandons it.
"""

from __future__ import annotations

import hashlib
import threading
import time
import warnings
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import numpy as np
import streamlit as st

import nnlab
from nnlab.config import Config
from nnlab.explain import diverging_message, stopped_note

from .frame import show_error

STORE_KEY = "nnlab.training"  # this session's RunStore
DIGEST_KEY = "nnlab.training.digest"  # (the Dataset object, its digest): hashed once per rerun
KEPT_RUNS = 8  # finished runs kept per session; a default run with its weight snapshots is ~15 MB
UPDATE_SECONDS = 0.05  # redraw the progress bar at most 20 times a second
HANDOVER_SECONDS = 10.0  # how long a rerun waits for an interrupted run to hand over its model


@dataclass(frozen=True)
class Run:
    """A finished (or stopped) run: its key, what it produced, how long it took, what to say."""

    key: tuple  # (Config or a page's settings, dataset digest)
    result: object  # a fitted nnlab.MLP, or what a page's compute returned (e.g. a SweepResult)
    seconds: float = 0.0
    stopped: bool = False
    notes: tuple = ()  # (icon, sentence) warnings about the run, made once when it ended
    figures: dict = field(default_factory=dict, compare=False)  # built once, redrawn on reruns

    @property
    def model(self) -> nnlab.MLP:
        return self.result

    def figure(self, name: str, build):
        """The figure called name, built on first use (plotly figures take a while to build)."""
        if name not in self.figures:
            self.figures[name] = build()
        return self.figures[name]


@dataclass
class RunStore:
    """One session's runs: finished ones by run key (least recently used first), each page's
    latest Run by page key, and an event per page key that is set when no run is in progress."""

    finished: OrderedDict = field(default_factory=OrderedDict)
    latest: dict = field(default_factory=dict)
    done: dict = field(default_factory=dict)

    def wait(self, page: str) -> None:
        """Block until a run under this page key (perhaps in an interrupted thread) has ended."""
        event = self.done.get(page)
        if event is not None:
            event.wait(HANDOVER_SECONDS)

    def get(self, key: tuple) -> Run | None:
        run = self.finished.get(key)
        if run is not None:
            self.finished.move_to_end(key)
        return run

    def keep(self, run: Run) -> Run:
        self.finished[run.key] = run
        while len(self.finished) > KEPT_RUNS:
            self.finished.popitem(last=False)
        return run


def run_store() -> RunStore:
    """This session's RunStore (created on first use)."""
    if STORE_KEY not in st.session_state:
        st.session_state[STORE_KEY] = RunStore()
    return st.session_state[STORE_KEY]


def dataset_key(dataset) -> str:
    """A digest of a Dataset's name, column names and arrays: equal data, equal key.

    Hashed once per Dataset object: the frame builds one per rerun, and every caller shares it.
    """
    seen = st.session_state.get(DIGEST_KEY)
    if seen is not None and seen[0] is dataset:
        return seen[1]
    digest = hashlib.sha256()
    for part in (
        dataset.name,
        dataset.target_name,
        *dataset.feature_names,
        repr((dataset.target_mean, dataset.target_std)),
    ):
        digest.update(str(part).encode() + b"\0")
    for array in (dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test):
        array = np.ascontiguousarray(array)
        digest.update(repr((array.dtype.str, array.shape)).encode())
        digest.update(array.data)
    st.session_state[DIGEST_KEY] = (dataset, digest.hexdigest())
    return st.session_state[DIGEST_KEY][1]


def as_config(settings: Config | dict) -> Config:
    """A validated Config from a Config or a dict of its fields (raises TypeError, ValueError)."""
    config = settings if isinstance(settings, Config) else Config(**settings)
    config.validate()
    return config


def run_key(settings: Config | dict, dataset, eval: bool = True) -> tuple:
    """(Config, dataset digest, eval): the full configuration of a run and its data, hashable."""
    return as_config(settings), dataset_key(dataset), bool(eval)


# --------------------------------------------------------------------------------------------
# Progress and Stop


class Progress:
    """Draws a progress bar, throttled: `epoch` is MLP.fit's on_epoch, `runs` a sweep's on_progress."""

    def __init__(self, bar, epochs: int = 1):
        self.bar, self.epochs = bar, epochs
        self.last_draw = 0.0
        self.interrupt: BaseException | None = None

    def _due(self) -> bool:
        now = time.monotonic()
        if now - self.last_draw < UPDATE_SECONDS:
            return False
        self.last_draw = now
        return True

    def epoch(self, epoch: int, loss: float) -> bool:
        """on_epoch: False (stop) once Streamlit has interrupted the script, kept for re-raising."""
        if not self._due():
            return True
        try:
            self.bar.progress(
                min((epoch + 1) / self.epochs, 1.0),
                text=f"Epoch {epoch + 1:,} of {self.epochs:,} · training loss {loss:.4g}",
            )
        except BaseException as exc:  # noqa: BLE001 - Streamlit's control flow is BaseException
            self.interrupt = exc
            return False
        return True

    def runs(self, done: float, total: int, row=None, note: str = "") -> None:
        """on_progress of a sweep; an interrupt propagates and abandons the sweep."""
        if self._due() or done >= total:
            self.bar.progress(min(done / total, 1.0), text=f"{done:.0f} of {total} runs trained{note}")


@contextmanager
def progress_box(page: str, text: str, epochs: int = 1):
    """A progress bar and a Stop button while the body runs; both go when it ends."""
    box = st.empty()
    with box.container():
        bar = st.progress(0.0, text=text)
        st.button(
            "Stop",
            key=f"{page}.stop",
            icon=":material/stop_circle:",
            help="Stop here: a single network keeps what it learned so far; a set of runs is abandoned.",
        )
    try:
        yield Progress(bar, epochs)
    finally:
        try:
            box.empty()
        except BaseException:  # noqa: BLE001 - an interrupted thread may not draw any more
            pass


def remember(
    what, dataset, compute, page: str, text: str, error_context: str = "These settings cannot be trained"
) -> Run | None:
    """This session's Run of `what` on dataset, computing it (compute(progress) -> result) if new.

    A ValueError from compute is shown as an error and gives None.
    """
    store, key = run_store(), (what, dataset_key(dataset))
    run = store.get(key)
    if run is None:
        started = time.perf_counter()
        try:
            with progress_box(page, text) as progress:
                result = compute(progress)
        except ValueError as exc:
            show_error(exc, error_context)
            return None
        run = store.keep(Run(key, result, time.perf_counter() - started))
    store.latest[page] = run
    return run


# --------------------------------------------------------------------------------------------
# One network


def last_run(page: str = "train", report: bool = True) -> nnlab.MLP | None:
    """The model of the page's latest run (finished or stopped), or None.

    report=True says, as train_model does, whether that run was stopped or blew up.
    """
    store = run_store()
    store.wait(page)
    run = store.latest.get(page)
    if run is None:
        return None
    return _report(store, page, run) if report else run.model


def train_model(
    settings: Config | dict, dataset, eval: bool = True, page: str = "train", restart: bool = False
) -> nnlab.MLP | None:
    """Fit an MLP with these settings on dataset's training split; returns the model or None.

    eval=True also records test loss and R² each epoch. A finished run with the same settings
    and data comes back at once from this session's store. A run the user stopped comes back
    as it was (with a button to train it in full) unless restart=True. Bad settings show an
    error and give None; a run that blew up shows a warning and keeps its history.
    """
    try:
        key = run_key(settings, dataset, eval)
    except (TypeError, ValueError) as exc:
        show_error(exc, "These settings cannot be trained")
        return None
    store = run_store()
    store.wait(page)
    run = store.get(key)
    if run is not None:
        return _report(store, page, run)
    last = store.latest.get(page)
    if not restart and last is not None and last.key == key and last.stopped:
        if not st.button(
            "Train in full",
            key=f"{page}.again",
            icon=":material/replay:",
            help="Train these settings again, for every epoch.",
        ):
            return _report(store, page, last)
    run = _fit(store, key, dataset, page)
    return None if run is None else _report(store, page, store.keep(run))


def _fit(store: RunStore, key: tuple, dataset, page: str) -> Run | None:
    """Fit with a progress bar and a Stop button; hand over and re-raise a Streamlit interrupt."""
    config, _, eval = key
    model = nnlab.MLP(**asdict(config))
    done = store.done[page] = threading.Event()
    try:
        with progress_box(page, "Starting…", config.epochs) as progress:
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", nnlab.DivergenceWarning)
                    model.fit(
                        dataset.X_train,
                        dataset.y_train,
                        eval_set=(dataset.X_test, dataset.y_test) if eval else None,
                        on_epoch=progress.epoch,
                    )
            except ValueError as exc:
                show_error(exc, "These settings cannot be trained")
                return None
        run = Run(key, model, model.history_.seconds, progress.interrupt is not None, _notes(model, caught))
        if progress.interrupt is not None:
            store.latest[page] = run  # no st.* call: it would raise
            raise progress.interrupt
        return run
    finally:
        done.set()


def _notes(model, caught) -> tuple:
    """The run's warnings: fit's own DivergenceWarning, or a loss still growing at the end."""
    history = model.history_
    diverged = [str(w.message) for w in caught if issubclass(w.category, nnlab.DivergenceWarning)]
    if diverged:
        return (("💥", diverged[-1] + " The charts show the run up to the blow-up."),)
    if history.diverging_from is not None:
        return (("📈", diverging_message(history, model.config()) + " ▲ marks it on the loss chart."),)
    return ()


def _report(store: RunStore, page: str, run: Run) -> nnlab.MLP:
    """Remember the page's latest run and say how it ended (stopped, diverged)."""
    store.latest[page] = run
    if run.stopped:
        st.info(stopped_note(run.model.history_.stopped_at, run.model.epochs), icon="⏹️")
    for icon, sentence in run.notes:
        st.warning(sentence, icon=icon)
    return run.model
