# TEMPORARY re-exports for the merge; deleted once ui/pages/plots import the new modules
"""The old home of the activation and deep-network pages' computations; see the modules named below."""
from .config import parse_hidden  # noqa: F401
from .diagnostics import GRADCHECK_PER_BLOCK, sampled_gradcheck, trust_checks  # noqa: F401
from .explain import gradcheck_verdict, twin_settings_note, twin_verdict  # noqa: F401
from .health import activation_of, activation_summary, failure_mode, hidden_share, healthy_snapshots  # noqa: F401
from .learned import function_grid, predict_at  # noqa: F401
from .twin import SKLEARN_ACTIVATIONS, sklearn_settings, sklearn_twin  # noqa: F401
