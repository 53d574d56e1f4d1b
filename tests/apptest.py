"""Open a page of the app under AppTest: the factory behind the run_page and new_page fixtures.

A module of its own so a module-scoped fixture can import it: importing `conftest` by name finds
whichever conftest pytest loaded last (tests/browser's, under xdist).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
APPTEST_TIMEOUT = 60  # seconds for one script run


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
    at.query_params.update({k: v if isinstance(v, list) else str(v) for k, v in (query or {}).items()})
    for key, value in (session or {}).items():
        at.session_state[key] = value
    path = resolve_page(page)
    if path is not None:
        at.switch_page(path)
    return at


def upload_csv(at, name: str, content: bytes):
    """Pick "csv" in the sidebar, upload `content` as file `name`, rerun; returns the AppTest."""
    at.sidebar.selectbox(key="source").set_value("csv").run()
    return at.sidebar.file_uploader[0].set_value((name, content, "text/csv")).run()
