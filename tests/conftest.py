"""Shared fixtures: run a page under AppTest, and read back the data of its plotly charts.

Page tests use two fixtures and never import this module:

    def test_my_page(run_page, figure_data):
        at = run_page("Training", query={"source": "sine"})
        assert not at.exception
        fig = figure_data(at.get("plotly_chart")[0])
        assert fig["data"][0]["y"].shape == (100,)
"""
from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
APPTEST_TIMEOUT = 60  # seconds for one script run
if str(ROOT) not in sys.path:  # `import ui`, `import nnlab` from any working directory
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """st.cache_data lives in the process, so it would leak across AppTest instances."""
    if "streamlit" in sys.modules:  # never import streamlit for tests of the core
        import logging

        import streamlit as st

        # Outside a script run, clear() logs "No runtime found" each time; it is expected here.
        logger = logging.getLogger("streamlit.runtime.caching.cache_data_api")
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            st.cache_data.clear()
            st.cache_resource.clear()
        finally:
            logger.setLevel(level)
    yield


def resolve_page(page: str | Path | None) -> str | None:
    """'pages/1_Training.py', '1_Training', 'training' -> 'pages/1_Training.py'; home -> None."""
    if page is None or str(page) in ("", "home", "app", "app.py"):
        return None
    path = Path(page)
    if path.suffix == ".py" and (ROOT / path).is_file():
        return path.as_posix()
    wanted = path.stem.lower()
    files = sorted((ROOT / "pages").glob("*.py"))
    exact = [f for f in files if f.stem.lower() == wanted]
    named = exact or [f for f in files if wanted in f.stem.lower()]
    if len(named) != 1:
        found = [f.name for f in files]
        raise ValueError(f"page {page!r} matches {len(named)} of the files in pages/: {found}")
    return named[0].relative_to(ROOT).as_posix()


def make_page(page=None, *, query=None, session=None, timeout=APPTEST_TIMEOUT):
    """An AppTest of app.py, switched to `page`, with query params and session state set."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params.update({k: str(v) for k, v in (query or {}).items()})
    for key, value in (session or {}).items():
        at.session_state[key] = value
    path = resolve_page(page)
    if path is not None:
        at.switch_page(path)
    return at


@pytest.fixture
def run_page():
    """run_page(page=None, *, query=None, session=None, timeout=60) -> AppTest after one run.

    `page` is a path under pages/, a file stem, or a unique fragment of one ("training");
    None or "home" is app.py. The first run is a deep link: the query params are in the URL.
    """
    def run(page=None, *, query=None, session=None, timeout=APPTEST_TIMEOUT):
        return make_page(page, query=query, session=session, timeout=timeout).run()

    return run


@pytest.fixture
def new_page():
    """new_page(...) -> the same AppTest as run_page, not yet run (to set things up first)."""
    return make_page


def decode_arrays(value):
    """Plotly JSON with typed arrays ({"dtype": "f8", "bdata": base64, "shape": "2, 3"})
    decoded into NumPy arrays, recursively; plain lists of numbers (null as NaN) too."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            shape = value.get("shape")
            if shape:
                dims = shape if isinstance(shape, list) else str(shape).split(",")
                array = array.reshape([int(d) for d in dims])
            return array
        return {key: decode_arrays(item) for key, item in value.items()}
    if isinstance(value, list):
        numbers = [v for v in value if v is not None]
        if numbers and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
            if len(numbers) == len(value):
                return np.asarray(value)
            return np.array([np.nan if v is None else v for v in value], dtype=float)  # JSON null
        return [decode_arrays(item) for item in value]
    return value


def figure_data(chart) -> dict:
    """An AppTest plotly chart element -> {"data": [trace dicts], "layout": dict}, arrays decoded."""
    return decode_arrays(json.loads(chart.proto.spec))


@pytest.fixture(name="figure_data")
def figure_data_fixture():
    """figure_data(at.get("plotly_chart")[i]) -> the figure's dict with NumPy arrays."""
    return figure_data
