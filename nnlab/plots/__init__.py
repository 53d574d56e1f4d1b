"""Figures. Each chart is two functions: a pure one that extracts the data (tested by equality)
and one that builds the `plotly.graph_objects.Figure` from it (tested by trace count and type).

Every figure has axis titles, a log axis where the range demands it, and at most MAX_POINTS
points per trace. An empty input gives an empty figure that still says what it would show.
Pages import this package only: `from nnlab import plots`, then `plots.<name>`.
"""
from ._style import (GRID_TITLES, LEGENDS, MAX_POINTS, METRIC_LABELS, PALETTE, downsample_indices, empty_figure,
                     grid_label, layer_name, layout, legend_below, needs_log_scale, place_legend, reference_line,
                     sequential_colors)
from .curves import (curves_data, curves_figure, divergence_data, diverging_data, loss_data, loss_figure,
                     objective_data, pair_figure, r2_data, r2_figure)
from .dataset import (correlation_figure, feature_target_data, feature_target_figure, histograms_data,
                      histograms_figure, split_target_data, split_target_figure)
from .diagnosis import (EVIDENCE_CHART, add_evidence_marks, evidence_marks_data, sharpness_data,
                        sharpness_figure)
from .functions import (activation_data, activation_figure, learned_function_data, learned_function_figure,
                        prediction_data, prediction_figure)
from .grids import (bands_data, bands_figure, diverged_runs_data, grid_heatmap_data, grid_heatmap_figure,
                    grid_preview_figure)
from .layers import (UPDATE_RATIO_RULE, gradient_profile_data, gradient_profile_figure, initial_gradients_data,
                     initial_gradients_figure, layer_comparison_data,
                     layer_comparison_figure, layer_lines_figure, layer_series_data, unit_health_data,
                     unit_health_figure)
from .linear import (bug_demo_data, bug_demo_figure, learning_rate_data, learning_rate_figure, linear_loss_figure,
                     linear_r2_figure, log_ticks, rate_overlay_data, rate_overlay_figure, spectrum_data,
                     spectrum_figure)
from .weights import (network_data, network_figure, weight_histogram_data, weight_histogram_figure,
                      weight_paths_data, weight_paths_figure)
from .tutorial import printed_beside_data, printed_beside_figure
