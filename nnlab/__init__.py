"""nnlab: neural networks from scratch in NumPy, trained while recording how they learn."""
from . import sweeps
from .data import DataError
from .history import History
from .mlp import MLP, DivergenceWarning
from .sweeps import SweepResult, load_sweep, sweep
from .config import Config
from .doctor import Diagnosis, Finding, diagnose

__all__ = ["MLP", "History", "Config", "DivergenceWarning", "DataError", "sweep", "SweepResult", "load_sweep",
           "sweeps", "diagnose", "Diagnosis", "Finding"]
