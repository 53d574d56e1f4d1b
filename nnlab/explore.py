# TEMPORARY re-exports for the merge; deleted once ui/pages/plots import the new modules
"""The old home of the dataset explorer's and linear page's computations; see the modules named below."""
from .data import Dataset  # noqa: F401
from .data.describe import (SCALING_NAMES, SCALINGS, UNIT_TOLERANCE, all_rows, column_stats,  # noqa: F401
                            correlations, feature_descriptions, scaling_kind, split_summary, strongest,
                            strongest_pair)
from .explain import bound_story, bug_story, over_bound_warning, rate_sentence, share_of_bound  # noqa: F401
from .linear import (CRAWL_RATIO, feature_line, least_squares, lr_bound, rate_report, rate_runs,  # noqa: F401
                     reference, stability, threshold_rates)
from .tutorial import (ONE_EXAMPLE, THREE_EXAMPLES, TOY_PROBLEMS, TUTORIAL_EPOCHS, TUTORIAL_LR,  # noqa: F401
                       code_gradient, numeric_gradient, one_example_bug, printed_loss, toy_dataset, true_loss)
