"""nnlab: neural networks from scratch in NumPy, trained while recording how they learn."""
from .history import History
from .mlp import MLP, DivergenceWarning
from .training import Config

__all__ = ["MLP", "History", "Config", "DivergenceWarning"]
