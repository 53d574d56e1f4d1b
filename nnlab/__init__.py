"""nnlab: neural networks from scratch in NumPy, trained while recording how they learn."""
from .data import DataError
from .history import History
from .mlp import MLP, DivergenceWarning
from .training import Config

# Imported last: the name nnlab.sweep is the function (the module stays importable as nnlab.sweep
# through sys.modules, e.g. `from nnlab.sweep import load_sweep`).
from .sweep import SweepResult, sweep  # noqa: E402

__all__ = ["MLP", "History", "Config", "DivergenceWarning", "DataError", "sweep", "SweepResult"]
