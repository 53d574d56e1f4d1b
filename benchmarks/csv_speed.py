"""How fast read_csv reads a large numeric CSV now, beside the hand-written parser it replaced.

The old reader is taken from git (BASE, default 22242c8^: the commit before pandas took over)
and imported beside today's; both read the same ~20 MB file of 8 numeric columns, and a quoted
variant that the old reader sent down its slow csv-module path. Best of REPEATS in CPU seconds
(process time, so other jobs matter less). Run: python benchmarks/csv_speed.py [BASE]
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nnlab.data import csv_reader

ROOT = Path(__file__).resolve().parents[1]

BASE = sys.argv[1] if len(sys.argv) > 1 else "22242c8^"
REPEATS = 3
ROWS, COLUMNS = 260_000, 8


def old_reader(base: str):
    """The csv_reader module as it was at `base`, imported as a sibling of today's (for `.errors`)."""
    source = subprocess.run(
        ["git", "show", f"{base}:nnlab/data/csv_reader.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "csv_reader_old.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("nnlab.data.csv_reader_old", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def numeric_csv(quoted: bool) -> bytes:
    rng = np.random.default_rng(0)
    values = rng.normal(100.0, 30.0, (ROWS, COLUMNS)).round(6)
    cell = '"{:.6f}"' if quoted else "{:.6f}"
    lines = [",".join(f"c{j}" for j in range(COLUMNS))]
    lines += [",".join(cell.format(v) for v in row) for row in values.tolist()]
    return ("\n".join(lines) + "\n").encode()


def best_seconds(read, data: bytes) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.process_time()
        read(data)
        times.append(time.process_time() - start)
    return min(times)


def main():
    print(f"load average at start: {os.getloadavg()[0]:.2f}; old reader from {BASE}")
    old = old_reader(BASE)
    print(f"{'file':28s} {'MB':>6s} {'old s':>7s} {'new s':>7s} {'old / new':>10s}")
    for label, quoted in [("numeric, quote-free", False), ("numeric, every cell quoted", True)]:
        data = numeric_csv(quoted)
        X_old, y_old = old.read_csv(data)
        X_new, y_new = csv_reader.read_csv(data)
        assert np.array_equal(X_old.to_numpy(), X_new.to_numpy()) and np.array_equal(y_old, y_new)
        t_old, t_new = best_seconds(old.read_csv, data), best_seconds(csv_reader.read_csv, data)
        print(f"{label:28s} {len(data) / 2**20:6.1f} {t_old:7.2f} {t_new:7.2f} {t_old / t_new:10.2f}")


if __name__ == "__main__":
    main()
