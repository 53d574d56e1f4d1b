"""Widget state lives in the widgets, and the URL holds it: Streamlit binds each to a query parameter.

    link = state.check_link({"lr": state.number(0.01, low=1e-6, high=1e3)})   # before the widgets
    lr = st.number_input("Learning rate", 1e-6, 1e3, 0.01, key="lr", **state.BOUND)
    state.settle_link(link)                                                    # after them

What Streamlit 1.67 does with `bind="query-params"` (measured in AppTest and Chromium):
- the widget's key is its URL name; a value equal to the widget's default leaves the URL;
- the URL seeds the widget on its first run in a session; from then on the widget, or code
  writing st.session_state[key] before the widget is drawn, wins;
- a widget in a form writes the URL when the form is submitted, not while it is edited;
- lists are repeated names (`?inits=he&inits=zeros`);
- a value the widget cannot take (an unknown option, a number out of range, not a number) is
  dropped from the URL silently; a few are coerced instead (`seed=4.5` becomes 4);
- with persist_state="session" a page's own widgets keep their values when the learner leaves
  and comes back; but a widget every page draws (the sidebar's) is bound to the page that drew
  it, and the first switch to a page not yet visited loses it: carry()/keep() fix that.
What nnlab adds: a warning naming each bad value, once (the URL no longer holds it after), and
the sidebar's values carried across pages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

BOUND = {"bind": "query-params", "persist_state": "session"}  # every widget a link reproduces
_KEPT = "nnlab.state.kept"  # the shared widgets' values, for carry()


@dataclass(frozen=True)
class Check:
    """What a URL value may be: why_not(raw values) -> why they cannot be used, or None."""

    default: object
    why_not: Callable[[list[str]], str | None]
    partial: bool = False  # a list: the good items are used, the bad ones dropped


def choice(default, options) -> Check:
    """One of options (their str() is what the URL holds)."""
    names = [str(o) for o in options]
    return Check(default, lambda raw: None if raw[-1] in names else f"choose one of {', '.join(names)}")


def whole(default: int, low: int, high: int, step: int = 1) -> Check:
    """A whole number from low to high, on the step's grid."""

    def why_not(raw):
        text = raw[-1].strip()
        if text.isdigit() and low <= int(text) <= high and (int(text) - low) % step == 0:
            return None
        return f"a whole number from {low} to {high}" + (f" in steps of {step}" if step > 1 else "")

    return Check(default, why_not)


def number(default: float, low: float, high: float, low_included: bool = False) -> Check:
    """A number above low (or from low, if low_included) and at most high."""

    def why_not(raw):
        try:
            value = float(raw[-1])
        except ValueError:
            value = math.nan
        if (low <= value if low_included else low < value) and value <= high:
            return None
        return f"a number {'from' if low_included else 'above'} {low:g} and at most {high:g}"

    return Check(default, why_not)


def items(default: list, options, most: int | None = None) -> Check:
    """Some of options (a multiselect)."""
    names = [str(o) for o in options]

    def why_not(raw):
        if any(r not in names for r in raw):
            return f"choose from {', '.join(names)}"
        return f"at most {most}" if most is not None and len(raw) > most else None

    return Check(default, why_not, partial=True)


@dataclass
class Link:
    """What check_link found in the URL, for settle_link."""

    checks: dict[str, Check]
    problems: dict[str, tuple[str, str]]  # {key: (the URL's text, why it cannot be used)}


def check_link(checks: dict[str, Check]) -> Link:
    """Before the widgets: this URL's values that the checks reject.

    Before, because Streamlit drops a bad value from the URL once its widget has read it.
    """
    problems = {}
    for key, check in checks.items():
        raw = st.query_params.get_all(key)
        why = check.why_not(raw) if raw else None
        if why is not None:
            problems[key] = "&".join(f"{key}={r}" for r in raw), why
    return Link(checks, problems)


def settle_link(link: Link, where=st) -> None:
    """After the widgets: a warning per bad value, saying what the widget shows instead."""
    for key, (shown, why) in link.problems.items():
        check, value = link.checks[key], st.session_state.get(key)
        if check.partial:
            used = "the rest are used"
        elif value == check.default:
            used = f"using the default, `{_text(value)}`"
        else:  # Streamlit coerced it (seed=4.5 -> 4): say so rather than fight the binding
            used = f"using `{_text(value)}`, the nearest value it takes"
        where.warning(f"The link's `{shown}` was not used as it is: {why}; {used}.", icon="🔗")


def carry(checks: dict[str, Check]) -> None:
    """Before shared widgets (the sidebar's): put back the values they held on the last page.

    Streamlit 1.67 binds a widget to the page that draws it; on the first switch to a page not yet
    visited in the session it drops the widget's URL parameter as another page's, and the widget
    comes up at its default despite persist_state (seen in Chromium). Until the widget is drawn
    the parameter is unbound, so it can be written back; a value in the new URL wins.
    """
    page, kept = st.session_state.get(_KEPT, (None, {}))
    if page == _page():
        return  # the same page: its widgets hold the learner's latest values
    for key, value in kept.items():
        if st.query_params.get_all(key):
            continue
        st.session_state[key] = value
        if value != checks[key].default:
            try:
                st.query_params[key] = _text(value)
            except StreamlitAPIException:  # still bound: Streamlit keeps this one in the URL itself
                pass


def keep(checks: dict[str, Check]) -> None:
    """After the shared widgets: remember their values for carry() on the next page."""
    st.session_state[_KEPT] = _page(), {key: st.session_state[key] for key in checks if key in st.session_state}


def _page() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else None


def _text(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
