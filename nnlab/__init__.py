"""nnlab: neural networks from scratch in NumPy, trained while recording how they learn."""

__version__ = "0.9.0"

from . import landscape, sweeps
from .config import Config
from .data import DataError
from .doctor import Diagnosis, Finding, diagnose
from .history import History
from .mlp import MLP, DivergenceWarning
from .sweeps import SweepResult, load_sweep, sweep

__all__ = [
    "__version__",
    "MLP",
    "History",
    "Config",
    "DivergenceWarning",
    "DataError",
    "sweep",
    "SweepResult",
    "load_sweep",
    "sweeps",
    "landscape",
    "diagnose",
    "Diagnosis",
    "Finding",
]
