"""A page's lazy tabs in AppTest: a tab renders only when open, and the URL key names the open one."""

from __future__ import annotations


def open_tab(at, key: str, name: str):
    """Open the tab `name` of the tabs bound to `key` and rerun."""
    at.session_state[key] = name
    return at.run()


def every_tab_chart(at, charts, key: str, names, **chart_key) -> dict:
    """{key: figure} of every tab's charts (read by the `charts` fixture), opening each tab in `names` in turn."""
    figures = {}
    for name in names:
        figures |= charts(open_tab(at, key, name), **chart_key)
    return figures
