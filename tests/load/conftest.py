"""Load-test fixtures: a live `streamlit run app.py` on a loopback port, and its memory and CPU.

The server comes from tests/live_server.py, as the browser tests' does, with two differences: the
server is this module's own, so its memory is not shared with
other tests, and disconnected sessions are dropped after DISCONNECTED_TTL seconds instead of
streamlit's default 120, so "memory after the sessions close" can be measured in a bounded time.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from live_server import CHROMIUM_ARGS, require_chromium, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
DISCONNECTED_TTL = 5  # seconds a closed tab's session is kept for a reconnect (streamlit: 120)


@dataclass
class Server:
    """A running server: its URL, process and log; its memory, threads and CPU on demand."""

    url: str
    process: psutil.Process
    log: Path
    disconnected_ttl: int = DISCONNECTED_TTL

    def rss(self) -> int:
        """Resident bytes of the server and any children it started."""
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def threads(self) -> int:
        return self.process.num_threads()

    def cpu_seconds(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def wait_idle(self, timeout: float = 15.0, window: float = 1.0, busy_share: float = 0.15) -> float:
        """Seconds until the server used less than busy_share of one core over a window; raises
        AssertionError if it is still busy after `timeout` (work left running)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            before = self.cpu_seconds()
            time.sleep(window)
            if (self.cpu_seconds() - before) / window < busy_share:
                return time.monotonic() - start - window
        raise AssertionError(f"the server was still busy {timeout:.0f} s later: work left running")

    def sample_memory(self, every: float = 0.1) -> MemorySampler:
        """with server.sample_memory() as sampler: ...; sampler.peak is the highest RSS seen."""
        return MemorySampler(self, every)


@dataclass
class MemorySampler:
    """Samples the server's RSS every `every` seconds on a thread; keeps the peak."""

    server: Server
    every: float = 0.1
    peak: int = 0
    samples: list = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self):
        while not self._stop.is_set():
            rss = self.server.rss()
            self.peak = max(self.peak, rss)
            self.samples.append((time.monotonic(), rss))
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)


@contextmanager
def serve(script: Path, log_name: str):
    """`streamlit run script` from the repo root on a free loopback port; yield a Server."""
    flags = ("--server.runOnSave", "false", "--server.disconnectedSessionTTL", str(DISCONNECTED_TTL))
    with streamlit_server(script, log_name, *flags) as (url, process):
        yield Server(url, psutil.Process(process.pid), OUTPUT / log_name)


@pytest.fixture(scope="module")
def chromium_path() -> Path:
    return require_chromium()


@pytest.fixture(scope="module")
def launch_options(chromium_path) -> dict:
    """Keyword arguments for playwright's chromium.launch (sync or async API)."""
    return {"executable_path": str(chromium_path), "args": CHROMIUM_ARGS, "headless": True, "timeout": 120_000}


@pytest.fixture(scope="module")
def load_server(chromium_path):
    """The app served for this module only: a Server (url, process, rss(), wait_idle())."""
    with serve(ROOT / "app.py", "streamlit-load.log") as server:
        yield server
