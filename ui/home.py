"""What the home page shows: the list of pages, and one live chart about the learning rate."""

from __future__ import annotations

import ast
import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st
from streamlit.source_util import page_icon_and_name, page_sort_key

from nnlab import data, plots
from nnlab.config import Config
from nnlab.linear import least_squares, lr_bound
from nnlab.training import train

ROOT = Path(__file__).resolve().parents[1]
RATES = (0.01, 0.9)  # the tutorial's rate, and one just under the stability bound of about 1.0
EPOCHS = 1000


@dataclass(frozen=True)
class PageInfo:
    """A page file, its label in the navigation, and what it teaches (its docstring's first line)."""

    path: str  # relative to the app's root, as st.page_link wants it
    label: str
    teaches: str


def page_catalogue(root: Path = ROOT) -> list[PageInfo]:
    """The files in pages/, in navigation order; a page says what it teaches in its docstring."""
    files = sorted((root / "pages").glob("*.py"), key=page_sort_key)
    return [
        PageInfo(
            f.relative_to(root).as_posix(),
            page_icon_and_name(f)[1].replace("_", " "),
            _first_line(f, f.stat().st_mtime_ns),
        )
        for f in files
    ]


# ast.parse is not thread-safe in CPython 3.11 (gh-106905: "AST constructor recursion depth
# mismatch" when sessions render at once), and every page's navigation asks: parse each file
# once per version, one thread at a time.
_PARSE_LOCK = threading.Lock()


@functools.lru_cache(maxsize=64)
def _first_line(path: Path, modified_ns: int) -> str:
    try:
        with _PARSE_LOCK:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (SyntaxError, UnicodeDecodeError, OSError):
        return ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


@st.cache_data(show_spinner=False)
def learning_rate_runs(rates=RATES, epochs: int = EPOCHS) -> dict:
    """Gradient descent on a linear model from w = 0, b = 0 on the tutorial's diabetes split.

    Returns {"histories": {lr: History}, "floor": least-squares training MSE, "bound": the
    largest stable learning rate 2/λ_max}. The rates train in one stack (~0.1 s for the pair).
    """
    dataset = data.make_dataset("diabetes", scaling="sklearn", target_scaling="none")
    configs = [Config(hidden=(), init="zeros", lr=lr, epochs=epochs) for lr in rates]
    results = train(configs, dataset.X_train, dataset.y_train, eval_set=(dataset.X_test, dataset.y_test))
    return {
        "histories": {lr: r.history for lr, r in zip(rates, results)},
        "floor": least_squares(dataset.X_train, dataset.y_train)["mse"],
        "bound": lr_bound(dataset.X_train)["bound"],
    }


def learning_rate_figure(runs: dict) -> go.Figure:
    """Training loss against epoch, one line per learning rate, over the least-squares floor."""
    return plots.learning_rate_figure(
        plots.learning_rate_data(runs["histories"], runs["floor"], tutorial_rate=RATES[0])
    )
