"""The sweep worker processes, started once per server so that the first grid a user trains finds
them warm (nnlab.sweeps.start_workers): the planner then spreads it over both cores.

NNLAB_WORKERS_AT_START=0 turns it off: the AppTest suite sets it, since there every pytest worker
process would start its own pool that no page test needs (the browser tests' servers keep it on).
"""

from __future__ import annotations

import os

import streamlit as st

from nnlab import sweeps

# The first page renders before the workers import nnlab (~0.9 s of CPU each on these 2 cores);
# a user's first click comes later than this.
START_DELAY_SECONDS = 2.0


def start_once() -> None:
    if os.environ.get("NNLAB_WORKERS_AT_START", "1") != "0":
        _started()


@st.cache_resource(show_spinner=False)
def _started():
    return sweeps.start_workers(keep_warm=True, delay=START_DELAY_SECONDS)
