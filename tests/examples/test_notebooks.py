"""Every notebook in examples/ runs top to bottom in a fresh kernel, so the examples cannot rot."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def test_there_is_a_notebook_to_run():
    assert NOTEBOOKS, "examples/ should hold the notebook the README links"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_notebook_runs_and_draws_its_figures(path):
    notebook = nbformat.read(path, as_version=4)
    # The kernel imports the installed nnlab (make installs it editable), from the notebook's folder.
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert len(figures) >= 3, "the loss, the per-layer gradients and the sweep's heatmap"
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Healthy:" in printed and "diverged" in printed and "fix: {'lr'" in printed
