"""nnlab: neural networks from scratch in NumPy, trained while recording how they learn."""
__version__ = "0.9.0"

from . import sweeps
from .data import DataError
from .history import History
from .mlp import MLP, DivergenceWarning
from .sweeps import SweepResult, load_sweep, sweep
from .config import Config
from .doctor import Diagnosis, Finding, diagnose

__all__ = ["__version__", "MLP", "History", "Config", "DivergenceWarning", "DataError", "sweep", "SweepResult",
           "load_sweep", "sweeps", "diagnose", "Diagnosis", "Finding"]
