"""What the browser and load tests share: Debian's Chromium and how to wait for a live server.

Conftests in sibling folders cannot import each other, so both import this module (their
pytest.ini puts tests/ on the path; benchmarks/browser_speed.py loads this module by its file).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "test-output"
CHROMIUM = Path("/usr/bin/chromium")
# Headless as root, and no background traffic: this machine's network is closed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The one ceiling of every wait on the app (server start, a script run, a selector, a click), in
# seconds. Waits end as soon as the app's own state says so; this only bounds a broken page, so it
# is generous enough for a loaded machine (load average ~10 on 2 cores). NNLAB_WAIT_CEILING overrides it.
WAIT_CEILING_SECONDS = float(os.environ.get("NNLAB_WAIT_CEILING", 120))
SERVER_START_TIMEOUT = WAIT_CEILING_SECONDS


def require_chromium() -> Path:
    """Debian's Chromium, or a skip with the reason; on CI (CI set) a missing browser fails."""
    import pytest

    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


def stop(process: subprocess.Popen) -> None:
    """Terminate a server, killing it if it has not exited within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    """Block until streamlit's health endpoint answers; fail with its log if it exits or hangs."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit not healthy after {SERVER_START_TIMEOUT}s:\n{log.read_text()}")


@contextmanager
def streamlit_server(script: Path, log_name: str, *flags: str):
    """`streamlit run script` from the repo root on a free loopback port, its output in
    test-output/log_name; yields (url, process) once it answers its health check."""
    OUTPUT.mkdir(exist_ok=True)
    url = f"http://127.0.0.1:{free_port()}"
    log = OUTPUT / log_name
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        url.rsplit(":", 1)[1],
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *flags,
    ]
    # PYTHONPATH: a throwaway script imports ui too. The server starts its sweep workers as `make run` does.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT), "NNLAB_WORKERS_AT_START": "1"}
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        wait_healthy(url, process, log)
        yield url, process
    finally:
        stop(process)
