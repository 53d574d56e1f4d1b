"""nnlab.explain: every sentence built from numbers, pinned as the full string a learner reads."""
from types import SimpleNamespace

import numpy as np
import pandas as pd

from nnlab import explain
from nnlab.config import Config


def stats(mean, std, l2_norm):
    """A `describe.column_stats`-shaped table of the given columns."""
    return pd.DataFrame({"mean": mean, "std": std, "l2_norm": l2_norm})


# -- the dataset explorer --------------------------------------------------------------------

def test_scaling_sentence_names_the_rows_and_the_scaling():
    assert explain.scaling_sentence("standardized", 442) == \
        "Over all **442** rows, every column has mean ≈ 0 and standard deviation ≈ 1."


def test_unit_norm_story_explains_std_one_over_root_n():
    # 400 rows of unit norm: std = 1/√400 = 0.05; the largest |mean| 3e-17 prints as 3.0e-17.
    table = stats([1e-17, -3e-17], [0.05, 0.05], [1.0, 1.0])
    tail = ("The means are zero (the largest is 3.0e-17), but the standard deviations are about **0.0500**: each "
            "column was rescaled so that its length √Σx² over the 400 rows is 1.0000, which makes its standard "
            "deviation 1/√400 = 0.0500. Pick *standardized* scaling in the sidebar for std 1, or *raw units* for "
            "the values as measured.")
    assert explain.unit_norm_story(table, 400, tutorial=False) == tail
    assert explain.unit_norm_story(table, 400, tutorial=True) == (
        "The tutorial says each feature has mean 0 and standard deviation 1. Only the first half is true. " + tail)


def test_spread_story_only_for_columns_tenfold_apart():
    # 0.5 to 35: a factor of 70; a zero std (a constant column) is left out.
    assert explain.spread_story(stats([0, 0, 0], [0.5, 35.0, 0.0], [1, 1, 1])) == (
        "The standard deviations run from 0.5 to 35, a factor of 70. One learning rate has to suit every "
        "column at once, which is hard when they differ this much.")
    assert explain.spread_story(stats([0, 0], [1.0, 9.9], [1, 1])) is None
    assert explain.spread_story(stats([0], [1.0], [1])) is None


def test_correlation_caption_with_and_without_a_pair():
    assert explain.correlation_caption(("s1", "s2", 0.8966), 6, 11, 5) == (
        "The most correlated features are s1 and s2 (r = 0.90): they carry much the same information, which "
        "makes the weights of a linear model hard to pin down. Showing the 5 features most correlated with the "
        "target, of 10.")
    assert explain.correlation_caption(None, 3, 3, 12) == \
        "Columns are ordered by how strongly they correlate with the target."


def test_feature_line_sentence_signs_the_intercept_and_rounds_off_noise():
    line = {"slope": 998.57768913756, "intercept": 152.00335421448156, "r2": 0.3657241273794126}
    assert explain.feature_line_sentence(line, "bmi", "progression") == (
        "On the training rows, the best straight line is progression ≈ 998.6 × bmi + 152. It explains "
        "**36.6%** of the target's variance (R²) on its own; a linear model using every column can only do "
        "better on these rows.")
    negative = explain.feature_line_sentence({"slope": 2.0, "intercept": -3.25, "r2": 0.5}, "x", "y")
    assert negative.startswith("On the training rows, the best straight line is y ≈ 2 × x − 3.25. It explains **50.0%**")
    noise = explain.feature_line_sentence({"slope": 2.0, "intercept": -1e-15, "r2": 0.5}, "x", "y")
    assert "y ≈ 2 × x + 0. " in noise  # −1e-15 rounds to 0, and 0 takes a plus sign


# -- the activation page ---------------------------------------------------------------------

def test_comparison_caption_counts_networks():
    assert explain.comparison_caption(1, (16, 16), 200, 0.5) == \
        "Trained 1 network of 2 hidden layers × 16 units for 200 epochs in 0.50 s."
    assert explain.comparison_caption(3, (1024,), 2000, 12.345) == \
        "Trained 3 networks of 1 hidden layers × 1,024 units for 2,000 epochs in 12.35 s."


def test_unit_health_caption_states_the_saturation_threshold():
    assert explain.unit_health_caption(0.05) == (
        "Dead: a unit whose slope f′(z) is 0 on every training row. Saturated: a (row, unit) pair whose slope "
        "is below 5% of the activation's steepest. Shares are over all hidden layers.")


def test_activation_explanation_names_the_flat_activations():
    text = explain.activation_explanation(["relu", "sigmoid", "tanh"])
    # sigmoid's f′ peaks at 1/4: at least 1/0.25 = 4× smaller per layer; relu and tanh peak at 1.
    assert text.startswith(
        "**Vanishing gradients.** On its way back, the gradient is multiplied at each hidden layer by the weights "
        "and by f′(z). A slope below 1 shrinks it every time, so the layers nearest the input hear least about "
        "the error and learn last; in the left chart above, their points sit lowest. Here that is sigmoid (at "
        "most 0.25, so at least 4× smaller per layer).\n\n**Dead units** (ReLU family).")
    assert text.endswith("that is why initialisation and feature scaling matter.")
    assert "Here that is" not in explain.activation_explanation(["relu", "tanh"])


# -- the deep page ---------------------------------------------------------------------------

def model(diverged_at=None, activation="relu", hidden=(2,)):
    """A fitted-model stand-in: 2 inputs → 2 hidden → 1 has (2·2 + 2) + (2·1 + 1) = 9 parameters."""
    history = SimpleNamespace(epochs=100, seconds=1.234, diverged_at=diverged_at, final_loss=0.123456,
                              final_val_r2=0.4567, last_good_epoch=99 if diverged_at is None else diverged_at - 1,
                              dead_fraction=np.full((100, 1), 0.5), saturation=np.full((100, 1), 0.25),
                              config=Config(hidden=hidden, activation=activation))
    return SimpleNamespace(history_=history, activation=activation, hidden=hidden, n_features_in_=2,
                           config=lambda: Config(hidden=hidden, activation=activation))


def test_run_summary_of_a_converged_run():
    assert explain.run_summary(model()) == ("100 epochs in 1.23 s · 9 parameters · final training loss 0.1235 · "
                                            "test R² 0.457 · dead at epoch 99: 50%")
    assert explain.run_summary(model(activation="tanh")).endswith(" · saturated at epoch 99: 25%")
    assert explain.run_summary(model(hidden=())).endswith("test R² 0.457")  # no hidden unit to stall


def test_run_summary_of_a_diverged_run_reports_the_last_good_epoch():
    assert explain.run_summary(model(diverged_at=40)) == (
        "100 epochs in 1.23 s · 9 parameters · diverged at epoch 40; at epoch 39, the last before the blow-up: "
        "training loss 0.1235, test R² 0.457 · dead at epoch 39: 50%")


# -- the compare-runs page ---------------------------------------------------------------------

def test_gradient_story_compares_initializers_by_geometric_mean():
    # he's geometric mean is the largest; random's is 1/250 of it; zeros has no gradient at all.
    summary = pd.DataFrame({"group": ["he", "random", "zeros"], "geometric_mean": [1.0, 0.004, np.nan],
                            "relative": [1.0, 0.004, np.nan], "spread": [2.04, 31.0, np.nan],
                            "hidden_zero": [False, False, True], "all_zero": [False, False, True]})
    assert explain.gradient_story(summary, tutorial_std=0.01) == (
        "Each initializer's first gradients, averaged over its runs (the learning rate plays no part before the "
        "first step) and compared by their geometric mean over the layers:\n\n"
        "- **he**: the largest here; its layers within 2.0× of each other.\n"
        "- **random**: about 250× smaller than he's; its layers within 31.0× of each other.\n"
        "- **zeros**: every weight gradient is exactly 0.\n\n"
        "**He** and **Xavier** scale each layer's weights to its width, so the signal going up and the error "
        "coming back keep their size: every layer starts learning at once.\n\n"
        "**random** draws every weight from N(0, 0.01²) whatever the width, so the signal shrinks at each layer "
        "going up and the error shrinks at each layer coming back down toward the input. A layer's gradient is "
        "the product of the two, so *every* layer's is tiny, not just the first: at first the network barely "
        "moves.\n\n"
        "**zeros** makes every unit in a layer identical, so they would get identical updates and stay copies of "
        "each other (symmetry); and with the weights above them at 0, no error reaches the hidden layers at all. "
        "No weight ever moves, so only the output bias learns: a constant prediction.")


def test_gradient_story_when_only_the_output_layer_learns():
    summary = pd.DataFrame({"group": ["zeros"], "geometric_mean": [np.nan], "relative": [np.nan],
                            "spread": [np.nan], "hidden_zero": [True], "all_zero": [False]})
    assert explain.gradient_story(summary).endswith(
        "- **zeros**: the hidden layers' gradients are exactly 0; only the output layer's are not.\n\n"
        "**zeros** makes every unit in a layer identical, so they would get identical updates and stay copies of "
        "each other (symmetry); and with the weights above them at 0, no error reaches the hidden layers at all. "
        "Only the output weights move at first, all alike, so the hidden units stay copies of each other: each "
        "layer works as if it had a single unit.")
