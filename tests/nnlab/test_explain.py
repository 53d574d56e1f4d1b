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
    assert (
        explain.scaling_sentence("standardized", 442)
        == "Over all **442** rows, every column has mean ≈ 0 and standard deviation ≈ 1."
    )


def test_unit_norm_story_explains_std_one_over_root_n():
    # 400 rows of unit norm: std = 1/√400 = 0.05; the largest |mean| 3e-17 prints as 3.0e-17.
    table = stats([1e-17, -3e-17], [0.05, 0.05], [1.0, 1.0])
    tail = (
        "The means are zero (the largest is 3.0e-17), but the standard deviations are about **0.0500**: each "
        "column was rescaled so that its length √Σx² over the 400 rows is 1.0000, which makes its standard "
        "deviation 1/√400 = 0.0500. Pick *standardized* scaling in the sidebar for std 1, or *raw units* for "
        "the values as measured."
    )
    assert explain.unit_norm_story(table, 400, tutorial=False) == tail
    assert explain.unit_norm_story(table, 400, tutorial=True) == (
        "The tutorial says each feature has mean 0 and standard deviation 1. Only the first half is true. " + tail
    )


def test_spread_story_only_for_columns_tenfold_apart():
    # 0.5 to 35: a factor of 70; a zero std (a constant column) is left out.
    assert explain.spread_story(stats([0, 0, 0], [0.5, 35.0, 0.0], [1, 1, 1])) == (
        "The standard deviations run from 0.5 to 35, a factor of 70. One learning rate has to suit every "
        "column at once, which is hard when they differ this much."
    )
    assert explain.spread_story(stats([0, 0], [1.0, 9.9], [1, 1])) is None
    assert explain.spread_story(stats([0], [1.0], [1])) is None


def test_correlation_caption_with_and_without_a_pair():
    assert explain.correlation_caption(("s1", "s2", 0.8966), 6, 11, 5) == (
        "The most correlated features are s1 and s2 (r = 0.90): they carry much the same information, which "
        "makes the weights of a linear model hard to pin down. Showing the 5 features most correlated with the "
        "target, of 10."
    )
    assert (
        explain.correlation_caption(None, 3, 3, 12)
        == "Columns are ordered by how strongly they correlate with the target."
    )


def test_feature_line_sentence_signs_the_intercept_and_rounds_off_noise():
    line = {"slope": 998.57768913756, "intercept": 152.00335421448156, "r2": 0.3657241273794126}
    assert explain.feature_line_sentence(line, "bmi", "progression") == (
        "On the training rows, the best straight line is progression ≈ 998.6 × bmi + 152. It explains "
        "**36.6%** of the target's variance (R²) on its own; a linear model using every column can only do "
        "better on these rows."
    )
    negative = explain.feature_line_sentence({"slope": 2.0, "intercept": -3.25, "r2": 0.5}, "x", "y")
    assert negative.startswith(
        "On the training rows, the best straight line is y ≈ 2 × x − 3.25. It explains **50.0%**"
    )
    noise = explain.feature_line_sentence({"slope": 2.0, "intercept": -1e-15, "r2": 0.5}, "x", "y")
    assert "y ≈ 2 × x + 0. " in noise  # −1e-15 rounds to 0, and 0 takes a plus sign


# -- the activation page ---------------------------------------------------------------------


def test_comparison_caption_counts_networks():
    assert (
        explain.comparison_caption(1, (16, 16), 200, 0.5)
        == "Trained 1 network of 2 hidden layers × 16 units for 200 epochs in 0.50 s."
    )
    assert (
        explain.comparison_caption(3, (1024,), 2000, 12.345)
        == "Trained 3 networks of 1 hidden layers × 1,024 units for 2,000 epochs in 12.35 s."
    )


def test_unit_health_caption_states_the_saturation_threshold():
    assert explain.unit_health_caption(0.05) == (
        "Dead: a unit whose slope f′(z) is 0 on every training row. Saturated: a (row, unit) pair whose slope "
        "is below 5% of the activation's steepest. Shares are over all hidden layers."
    )


def test_activation_explanation_names_the_flat_activations():
    text = explain.activation_explanation(["relu", "sigmoid", "tanh"])
    # sigmoid's f′ peaks at 1/4: at least 1/0.25 = 4× smaller per layer; relu and tanh peak at 1.
    assert text.startswith(
        "**Vanishing gradients.** On its way back, the gradient is multiplied at each hidden layer by the weights "
        "and by f′(z). A slope below 1 shrinks it every time, so the layers nearest the input hear least about "
        "the error and learn last; in the left chart above, their points sit lowest. Here that is sigmoid (at "
        "most 0.25, so at least 4× smaller per layer).\n\n**Dead units** (ReLU family)."
    )
    assert text.endswith("that is why initialisation and feature scaling matter.")
    assert "Here that is" not in explain.activation_explanation(["relu", "tanh"])


# -- the deep page ---------------------------------------------------------------------------


def model(diverged_at=None, activation="relu", hidden=(2,), tested=True):
    """A fitted-model stand-in: 2 inputs → 2 hidden → 1 has (2·2 + 2) + (2·1 + 1) = 9 parameters."""
    history = SimpleNamespace(
        epochs=100,
        seconds=1.234,
        diverged_at=diverged_at,
        final_loss=0.123456,
        final_r2=0.8771,
        val_loss=np.full(100, 0.2) if tested else None,
        final_val_r2=0.4567 if tested else np.nan,
        last_good_epoch=99 if diverged_at is None else diverged_at - 1,
        dead_fraction=np.full((100, 1), 0.5),
        saturation=np.full((100, 1), 0.25),
        config=Config(hidden=hidden, activation=activation),
    )
    return SimpleNamespace(
        history_=history,
        activation=activation,
        hidden=hidden,
        n_features_in_=2,
        config=lambda: Config(hidden=hidden, activation=activation),
    )


def test_run_summary_of_a_converged_run():
    assert explain.run_summary(model()) == (
        "100 epochs in 1.23 s · 9 parameters · final training loss 0.1235 · test R² 0.457 · dead at epoch 99: 50%"
    )
    assert explain.run_summary(model(activation="tanh")).endswith(" · saturated at epoch 99: 25%")
    assert explain.run_summary(model(hidden=())).endswith("test R² 0.457")  # no hidden unit to stall


def test_run_summary_without_test_rows_gives_the_training_r2():
    assert explain.run_summary(model(tested=False)) == (
        "100 epochs in 1.23 s · 9 parameters · final training loss 0.1235 · training R² 0.877 · dead at epoch 99: 50%"
    )
    assert "training loss 0.1235, training R² 0.877 ·" in explain.run_summary(model(diverged_at=40, tested=False))


def test_toy_network_note_states_the_tutorials_gradient_bug():
    assert explain.toy_network_note(3, 0.001) == (
        "These are the tutorial's 3 rows, all of them training rows: it has no test split, so there is no "
        "test curve. Its code trains this network along dA = ŷ − y, without the 2/3 of the mean squared "
        "error it prints, so its steps are 1.5 times the loss's own gradient: at lr 0.001 it moves as if "
        "lr were 0.0015. nnlab steps along the loss's own gradient; the Follow the tutorial page draws "
        "both from the same start. The tutorial also trains on its raw targets, so the doctor's word about "
        "an unscaled target holds here; the sidebar's scalings do not apply to these rows."
    )


def test_run_summary_of_a_diverged_run_reports_the_last_good_epoch():
    assert explain.run_summary(model(diverged_at=40)) == (
        "100 epochs in 1.23 s · 9 parameters · diverged at epoch 40; at epoch 39, the last before the blow-up: "
        "training loss 0.1235, test R² 0.457 · dead at epoch 39: 50%"
    )


# -- the compare-runs page ---------------------------------------------------------------------


def test_gradient_story_compares_initializers_by_geometric_mean():
    # he's geometric mean is the largest; random's is 1/250 of it; zeros has no gradient at all.
    summary = pd.DataFrame(
        {
            "group": ["he", "random", "zeros"],
            "geometric_mean": [1.0, 0.004, np.nan],
            "relative": [1.0, 0.004, np.nan],
            "spread": [2.04, 31.0, np.nan],
            "hidden_zero": [False, False, True],
            "all_zero": [False, False, True],
        }
    )
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
        "No weight ever moves, so only the output bias learns: a constant prediction."
    )


def test_gradient_story_when_only_the_output_layer_learns():
    summary = pd.DataFrame(
        {
            "group": ["zeros"],
            "geometric_mean": [np.nan],
            "relative": [np.nan],
            "spread": [np.nan],
            "hidden_zero": [True],
            "all_zero": [False],
        }
    )
    assert explain.gradient_story(summary).endswith(
        "- **zeros**: the hidden layers' gradients are exactly 0; only the output layer's are not.\n\n"
        "**zeros** makes every unit in a layer identical, so they would get identical updates and stay copies of "
        "each other (symmetry); and with the weights above them at 0, no error reaches the hidden layers at all. "
        "Only the output weights move at first, all alike, so the hidden units stay copies of each other: each "
        "layer works as if it had a single unit."
    )


# -- the training doctor ---------------------------------------------------------------------


def test_doctor_diverged_names_the_epoch_the_bound_the_edge_and_the_fix():
    # Sharpness 2,000 at lr 1: stable only under 2/2000 = 0.001, so lr·λ/2 = 1,000 is far above the edge.
    evidence = {
        "diverged_at": 5,
        "blowup_loss": 9.44e4,
        "divergence_bound": 1e4,
        "sharpness": 2000.0,
        "lr_over_edge": 1000.0,
    }
    assert explain.doctor_diverged(evidence, (5, 5), (), Config(lr=1.0), {"lr": 0.1}) == (
        "At epoch 5 the loss reached 9.44e+04, past the stop bound 1e+04, so training was stopped there. Each step "
        "overshot the valley of the loss by more than it corrected, so the next gradient was larger still. The "
        "loss's sharpness (its largest curvature, λ_max) is 2e+03, so gradient descent is stable only for lr < "
        "2/λ_max = 0.001; lr 1 is above that edge. Try a learning rate ten times smaller, 0.1."
    )


def test_doctor_diverged_without_sharpness_or_a_finite_loss():
    evidence = {"diverged_at": 0, "blowup_loss": float("inf"), "divergence_bound": 1e4}
    assert explain.doctor_diverged(evidence, (0, 0), (), Config(lr=3.0), {"lr": 0.3}) == (
        "At epoch 0 the loss was no longer a finite number, so training was stopped there. Each step overshot the "
        "valley of the loss by more than it corrected, so the next gradient was larger still. Try a learning rate "
        "ten times smaller, 0.3."
    )


def test_doctor_diverging_gives_the_growth_per_epoch():
    evidence = {"diverging_from": 24, "growth_per_epoch": 1.2952}
    assert explain.doctor_diverging(evidence, (24, 59), (), Config(lr=1.1), {"lr": 0.11}) == (
        "From epoch 24 the loss grew about ×1.3 per epoch: the run has not blown up yet, but more epochs would. "
        "Each step overshoots the valley of the loss by more than it corrects. Try a learning rate ten times "
        "smaller, 0.11."
    )


def test_doctor_oscillating_at_the_edge_of_stability():
    # λ_max 19 at lr 0.1: 2/λ = 0.105, lr·λ/2 = 0.95, within 10% of the edge.
    evidence = {"rising_share": 0.43, "median_rise": 0.0026, "sharpness": 19.0, "lr_over_edge": 0.95}
    assert explain.doctor_oscillating(evidence, (154, 299), (), Config(lr=0.1), {"lr": 0.03}) == (
        "In the second half of training the loss rose in 43% of the epochs, by 0.26% each time (median): it "
        "bounces across the valley instead of settling into it. The loss's sharpness (its largest curvature, "
        "λ_max) is 19, so gradient descent is stable only for lr < 2/λ_max = 0.105; lr 0.1 is at that edge, "
        "where training hovers. Try a smaller learning rate, 0.03."
    )


def test_doctor_oscillating_with_mini_batches_blames_the_batches():
    evidence = {"rising_share": 0.57, "median_rise": 0.41}
    text = explain.doctor_oscillating(evidence, (50, 99), (), Config(lr=0.03, batch_size=16), {"lr": 0.009})
    assert "Each mini-batch pulls the weights toward its own rows" in text and text.endswith("0.009.")


def test_doctor_lr_too_small_deep_and_linear():
    evidence = {"first_quarter_drop": 0.0032, "last_quarter_drop": 0.003, "sharpness": 4.0, "lr_over_edge": 0.0002}
    assert explain.doctor_lr_too_small(evidence, (0, 299), (), Config(lr=1e-4), {"lr": 0.05}) == (
        "The loss fell in every epoch, and as fast at the end as at the start (0.3% of its first value in the last "
        "quarter, 0.3% in the first): it has far to go and is not levelling off. The steps are simply small. The "
        "sharpness says rates up to 2/λ_max = 0.5 are stable, and lr 0.0001 uses 0.02% of that. Try lr 0.05."
    )
    assert explain.doctor_lr_too_small(
        {"lr_over_bound": 0.001}, (0, 299), (), Config(hidden=(), lr=0.001), {"lr": 0.5}
    ) == (
        "Learning rate 0.001 is 0.1% of the bound for this linear model: every step is safe but tiny, so the loss "
        "crawls. Any rate below the bound converges; try half of it, 0.5."
    )


def test_doctor_unit_messages_name_the_layers_from_one():
    assert explain.doctor_dead({"dead_share": 0.97}, (12, 299), (1,), Config(), None).startswith(
        "From epoch 12, 97% of the units in layer 2 are dead"
    )
    assert explain.doctor_symmetric({"unit_spread": 0.0}, (0, 299), (0, 1), Config(init="zeros"), None).startswith(
        "Every unit in layers 1 and 2 is still a copy of the others: started from identical weights (init 'zeros')"
    )
    saturated = explain.doctor_saturated(
        {"saturated_share": 1.0, "initial_saturated_share": 0.0}, (5, 299), (1,), Config(activation="sigmoid"), None
    )
    assert saturated.startswith(
        "100% of the (row, unit) pairs in layer 2 sit on the flat part of sigmoid, from epoch 5"
    )
    assert explain._layer_list((0, 2, 3)) == "layers 1, 3 and 4"


def test_doctor_gradient_messages():
    assert explain.doctor_vanishing({"gradient_ratio": 1.1e-4}, (0, 2), (0, 1), Config(), None).startswith(
        "At the start the first layer's gradient is 1.1e-04 of the output layer's"
    )
    assert explain.doctor_exploding({"gradient_growth": 2480.7}, (5, 6), (2,), Config(lr=1.0), {"lr": 0.1}) == (
        "The gradient of layer 3 grew 2,481× over its first value (by epoch 6): the steps grew with it, each one "
        "larger than the last. This is how a blow-up begins; try a learning rate ten times smaller, 0.1."
    )


def test_doctor_overfitting_says_where_to_stop():
    evidence = {"best_epoch": 98, "best_val_loss": 0.4116, "val_loss_rise": 0.2625, "train_loss_fall": 0.4942}
    assert explain.doctor_overfitting(evidence, (98, 299), (), Config(), {"epochs": 99}) == (
        "The test loss was lowest at epoch 98 (0.412) and ended 26% above it, while the training loss kept falling "
        "(49% lower): from there the network learned the training rows' noise, not the pattern. Stop at epoch 98: "
        "train 99 epochs."
    )


def test_doctor_scaling_messages():
    assert explain.doctor_unscaled_features(
        {"feature_std_spread": 69.48, "feature_scale": 50.84}, (0, 299), (0,), Config(), None
    ).startswith(
        "The feature columns are not on a common scale: their standard deviations are up to 69.5× apart, and a "
        "typical column's size is 50.8."
    )
    assert explain.doctor_unscaled_target(
        {"target_scale": 172.4, "target_mean": 153.7, "target_std": 77.95}, (0, 299), (), Config(), None
    ).startswith("The target's typical size is 172 (mean 154, standard deviation 78)")


def test_doctor_summary_healthy_and_not():
    history = SimpleNamespace(
        loss=np.array([0.982, 0.5]), final_loss=0.471, epochs=300, final_r2=0.529, final_val_r2=0.48
    )
    assert explain.doctor_summary(history, []) == (
        "Healthy: the training loss fell from 0.982 to 0.471 in 300 epochs (training R² 0.529), test R² 0.480, "
        "with no unit stalled and no gradient lost."
    )
    findings = [
        SimpleNamespace(severity="problem", kind="dead_units"),
        SimpleNamespace(severity="warning", kind="overfitting"),
        SimpleNamespace(severity="note", kind="oscillating"),
    ]
    assert explain.doctor_summary(history, findings) == "1 problem and 1 warning: dead units; overfitting."
    linear = SimpleNamespace(**vars(history), config=Config(hidden=()))  # no units to stall
    assert explain.doctor_summary(linear, []).endswith("test R² 0.480.")


def test_doctor_stalled_tells_the_mean_from_worse_than_the_mean():
    at_mean = explain.doctor_stalled({"final_r2": 0.01}, (0, 299), (), Config(), None)
    assert at_mean.startswith("After 300 epochs the training R² is 0.010: the network predicts about the mean")
    worse = explain.doctor_stalled({"final_r2": -1807.0}, (0, 299), (), Config(), None)
    assert worse.startswith(
        "After 300 epochs the training R² is -1807.000: the network does worse than "
        "predicting the mean of the target for every row (which scores 0)"
    )


def test_doctor_fix_outcome_lists_what_went_what_stayed_and_the_r2():
    before = SimpleNamespace(kinds=["dead_units", "stalled"])
    after = SimpleNamespace(kinds=["stalled", "oscillating"])
    old = SimpleNamespace(final_val_r2=-0.012, final_r2=0.0)
    new = SimpleNamespace(final_val_r2=0.47, final_r2=0.52)
    assert explain.doctor_fix_outcome(before, after, old, new) == (
        "Gone: dead units. Still there: stalled. New: oscillating. Test R² -0.01 → 0.47."
    )
    no_test = SimpleNamespace(final_val_r2=float("nan"), final_r2=0.1)
    assert explain.doctor_fix_outcome(before, SimpleNamespace(kinds=[]), no_test, new) == (
        "Gone: dead units, stalled. Training R² 0.10 → 0.52."
    )


def test_no_descriptions_lists_at_most_twenty_columns():
    assert (
        explain.no_descriptions(["a", "b"], "y")
        == "No descriptions are known for these columns (a, b); the target is *y*."
    )
    names = [f"f{i}" for i in range(22)]
    assert explain.no_descriptions(names, "y") == (
        "No descriptions are known for these columns (f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, "
        "f13, f14, f15, f16, f17, f18, f19, …); the target is *y*."
    )


def test_split_caption_names_the_target_and_the_seed():
    assert explain.split_caption("progression (standardized)", 42) == (
        "Statistics of the target, progression (standardized). Split seed 42 (sidebar). The two distributions "
        "should look alike: if they did not, the test score would measure a different problem from the one "
        "trained on."
    )


# -- the data sidebar and the home page --------------------------------------------------------


def test_dataset_summary_counts_features():
    assert (
        explain.dataset_summary("Diabetes", 353, 89, 10, "progression")
        == "**Diabetes**: 353 training rows, 89 test rows, 10 features, predicting *progression*."
    )
    assert (
        explain.dataset_summary("Noisy sine", 240, 60, 1, "y")
        == "**Noisy sine**: 240 training rows, 60 test rows, 1 feature, predicting *y*."
    )


def test_target_scaling_note_quotes_mean_and_std():
    assert (
        explain.target_scaling_note(152.13348, 77.0057)
        == "Target standardized with the training rows' mean 152.1 and std 77.01."
    )


def test_csv_caption_gives_the_size_in_kilobytes():
    # 2,560 bytes / 1,024 = 2.5 KB
    assert (
        explain.csv_caption("people.csv", 2560) == "Using **people.csv** (2.5 KB). Upload another file to replace it."
    )


def test_home_story_quotes_the_rates_and_the_bound():
    assert explain.home_story(0.01, 0.9, 1.0315) == (
        "Both lines train the same linear model by gradient descent for 1,000 epochs on the tutorial's data "
        "(diabetes as scikit-learn ships it, 353 training rows). At the tutorial's learning rate of 0.01 the "
        "loss *does* fall, just slowly: it is not stuck. On this data gradient descent is stable for learning "
        "rates below 1.03, so 0.9 reaches the dashed line, the best any linear model can do, within a few "
        "hundred epochs. Above 1.03 the loss blows up."
    )


# -- the linear page ---------------------------------------------------------------------------


def test_scaling_note_names_the_scaling():
    assert explain.scaling_note("original units") == (
        "Feature scaling comes from the sidebar; these features are in *original units*. Change it there and "
        "watch the bound move."
    )


def test_tutorial_predictions_beside_the_targets():
    assert explain.tutorial_predictions([24.9992881, 29.9999094, 35.0005292], [25.0, 30.0, 35.0]) == (
        "Predictions 24.999288, 29.999909, 35.000529 for targets 25, 30, 35: the same numbers the tutorial printed."
    )


# -- training runs -----------------------------------------------------------------------------


def test_stopped_note_counts_epochs_from_one():
    assert (
        explain.stopped_note(2, 3000)
        == "Training was stopped after epoch 3 of 3,000; the charts show the run up to there."
    )


def blown(diverged_at=None, diverging_from=None):
    """A History stand-in: loss 1 → 1e6 blown up at epoch 12 (last good 11), or 1, 2, 4, 8 growing from 0."""
    return SimpleNamespace(
        blowup_loss=1e6,
        last_good_epoch=11,
        diverged_at=diverged_at,
        divergence_bound=1e4,
        diverging_from=diverging_from,
        objective=np.array([1.0, 2.0, 4.0, 8.0]),
    )


def test_run_warning_leads_with_the_run_and_says_where_it_is_marked():
    config = Config(lr=2.0)
    assert explain.run_warning("relu", blown(diverged_at=12), config) == (
        "**relu**: Training diverged at epoch 12: the loss reached 1e+06, over 1e+04 (10⁴ × where it started). "
        "Learning rate 2 is too large for this model and data; try a smaller one. The run was stopped there; "
        "its history and final numbers are those of epoch 11, the last before the blow-up. Its curves stop "
        "there, marked ✕."
    )
    # 1 → 8 over 3 epochs: ×2 per epoch.
    assert explain.run_warning("tanh", blown(diverging_from=0), config) == (
        "**tanh**: Training is diverging: from epoch 0 to the end the loss grew from 1 to 8, about ×2 per "
        "epoch. It was not stopped because it had not yet passed the blow-up bound (1e+04), but more epochs "
        "would blow it up. Learning rate 2 is too large for this model and data; try a smaller one. ▲ marks "
        "it on the loss chart."
    )
    assert explain.run_warning("sigmoid", blown(), config) is None


# -- the activation page -----------------------------------------------------------------------


def test_activation_formulas_with_their_steepest_slopes():
    assert explain.activation_formulas(["relu", "sigmoid"]) == (
        "**relu**: f(z) = max(0, z); f′ at most 1 · **sigmoid**: f(z) = 1 / (1 + e^(−z)); f′ at most 0.25"
    )


def test_activation_defaults_quote_the_sizes_and_the_seed():
    assert explain.activation_defaults({"depth": 4, "width": 16, "epochs": 150}, 0) == (
        "The defaults are small on purpose (4 hidden layers of 16 units, 150 epochs) so the comparison answers "
        "at once; raise them for longer runs. Every run trains on full batches from the weights seed 0 draws."
    )


def test_activation_explanation_in_full():
    assert explain.activation_explanation(["sigmoid"]) == (
        "**Vanishing gradients.** On its way back, the gradient is multiplied at each hidden layer by the weights "
        "and by f′(z). A slope below 1 shrinks it every time, so the layers nearest the input hear least about "
        "the error and learn last; in the left chart above, their points sit lowest. Here that is sigmoid (at "
        "most 0.25, so at least 4× smaller per layer).\n\n"
        "**Dead units** (ReLU family). Where z < 0, ReLU's slope is exactly 0. A unit whose z is negative on "
        "every training row passes back no gradient at all, so nothing can ever change its weights again: it "
        "is dead for good. Leaky ReLU keeps a small slope there, so its units cannot die.\n\n"
        "**Saturated units** (sigmoid, tanh). For large |z| these curves go flat and f′(z) is nearly 0: the "
        "unit still answers, but passes back almost no gradient, so learning slows to a crawl. Large weights "
        "or inputs push units there; that is why initialisation and feature scaling matter."
    )


# -- the deep page -----------------------------------------------------------------------------


def test_hidden_help_states_the_caps():
    assert (
        explain.hidden_help(10, 2048)
        == "Up to 10 layers of 1 to 2,048 units, e.g. 64, 32. Empty: no hidden layer (linear regression)."
    )


def test_layer_charts_caption_quotes_the_rule_of_thumb():
    assert explain.layer_charts_caption(1e-3) == (
        "Left: a layer whose line sits far below the others learns slowly (vanishing gradient); lines that "
        "shoot up warn of a blow-up. Right: a common rule of thumb wants each update to move a layer's weights "
        "by about 0.001 of their size: far below, the layer hardly changes; near 1, every epoch rewrites it."
    )


# -- checks a learner can trust ------------------------------------------------------------------


def test_gradcheck_heading_says_when_and_on_how_many_rows():
    assert explain.gradcheck_heading("start", 16) == "**Gradient check at the start of training** (on 16 training rows)"


def test_twin_caption_adds_the_time_to_the_settings_note():
    twin = {"settings": {"solver": "sgd", "alpha": 0.0, "learning_rate_init": 0.06}, "seconds": 0.4321}
    assert explain.twin_caption(twin) == (
        "scikit-learn minimises ½·MSE + α/(2·batch)·Σ‖W‖², half of nnlab's MSE + l2·Σ‖W‖² when α = l2 · batch "
        "= 0. Half the loss is half the gradient, so its SGD needs twice the learning rate: "
        "learning_rate_init = 0.06. It trained in 0.43 s."
    )
    adam = {"solver": "adam", "alpha": 3.2, "learning_rate_init": 0.001}
    assert (
        "so Adam, which divides that scale out, keeps the rate (and halves its ε): learning_rate_init = 0.001."
        in explain.twin_settings_note(adam)
        and "α = l2 · batch = 3.2." in explain.twin_settings_note(adam)
    )


# -- the compare-runs page -----------------------------------------------------------------------

GRID = SimpleNamespace(inits=("he", "zeros"), lrs=(0.01, 2.0), seeds=1, epochs=300, runs=4)


def sweep_result(seeds=1):
    """A SweepResult stand-in: he and zeros × lr 0.01 and 2; both lr 2 runs blew up (epochs 7 and 9)."""
    table = pd.DataFrame(
        {
            "init": ["he", "he", "zeros", "zeros"],
            "lr": [0.01, 2.0, 0.01, 2.0],
            "final_val_r2": [0.41, np.nan, -1.5, np.nan],
            "diverged_at": [np.nan, 7, np.nan, 9],
        }
    )
    summary = pd.DataFrame(
        {
            "init": ["he", "he", "zeros", "zeros"],
            "lr": [0.01, 2.0, 0.01, 2.0],
            "diverged": [0, seeds, 0, seeds],
            "final_val_loss_mean": [0.52, np.nan, 1.3, np.nan],
            "final_val_r2_mean": [0.41, np.nan, -1.5, np.nan],
        }
    )
    histories = [SimpleNamespace(diverging_from=None)] * 3 + [SimpleNamespace(diverging_from=5)]
    return SimpleNamespace(table=table, summary=lambda: summary, histories=histories, label=lambda run: f"run {run}")


def test_compare_intro_names_the_network():
    assert explain.compare_intro((64, 32)) == (
        "Does it matter how a network's weights start, and how big its steps are? Here the same 64-32 network "
        "trains once for every pair of initializer and learning rate you pick. Read the grid to see which "
        "pairs learn, which crawl, which never move and which blow up (✕), then look at the curves and the "
        "very first gradients to see why."
    )


def test_grid_waiting_before_and_after_a_change():
    text = (
        "Press **Train the grid** to train these 4 runs of the 64-32 relu network, 300 epochs each. Then "
        "each cell shows where its run ended; below come the loss curves, the first gradients of each "
        "initializer, and any two runs side by side."
    )
    assert explain.grid_waiting(GRID, "64-32 relu network", changed=False) == text
    assert (
        explain.grid_waiting(GRID, "64-32 relu network", changed=True)
        == "The settings or the data changed since the last run. " + text
    )


def test_work_note_only_for_long_sweeps():
    assert explain.work_note(150, 60) == " · about 2 min of work for one processor core"  # 2.5 min rounds to 2
    assert explain.work_note(59, 60) == ""


def test_grid_summary_with_the_best_healthy_cell():
    assert explain.grid_summary(sweep_result(), GRID, "64-32 relu network", 3.21) == (
        "**4 runs** (2 initializers × 2 learning rates × 1 seed) of the 64-32 relu network, 300 epochs each, "
        "trained in 3.2 s. Lowest test loss: **he** at learning rate **0.01** (test R² 0.41)."
    )
    seeds = SimpleNamespace(**{**vars(GRID), "seeds": 3})
    assert explain.grid_summary(sweep_result(3), seeds, "net", 10.0).endswith(
        "× 3 seeds) of the net, 300 epochs each, trained in 10.0 s. Lowest test loss: **he** at learning rate "
        "**0.01** (test R² 0.41, mean over seeds)."
    )


def test_grid_summary_when_every_cell_diverged():
    result = sweep_result()
    summary = result.summary().assign(diverged=1)
    result.summary = lambda: summary
    assert explain.grid_summary(result, GRID, "net", 1.0) == (
        "**4 runs** (2 initializers × 2 learning rates × 1 seed) of the net, 300 epochs each, trained in 1.0 s."
    )


def test_heatmap_notes_for_blown_and_growing_runs():
    assert explain.heatmap_notes(sweep_result(), GRID) == [
        "Bright is good on both. R² 0 means no better than always predicting the average.",
        "R² colours stop at −1; the numbers do not.",
        "✕ **diverged** (learning rate 2: 2 of 2 runs, at epoch 7–9): each step overshot the bottom of the "
        "valley by more than it corrected, so the loss grew until it passed 10⁴ × its starting size and that "
        "run was stopped. A smaller learning rate cures it.",
        "▲ **diverging** (run 3): still growing geometrically at the end, not yet past the blow-up bound; more "
        "epochs would blow it up. A smaller learning rate cures it.",
    ]


def test_heatmap_notes_of_a_calm_grid_with_seeds():
    result = sweep_result()
    result.table = result.table.assign(diverged_at=np.nan, final_val_r2=0.3)
    result.histories = [SimpleNamespace(diverging_from=None)] * 4
    assert explain.heatmap_notes(result, SimpleNamespace(seeds=2)) == [
        "Bright is good on both. R² 0 means no better than always predicting the average.",
        "Each cell is the mean of its 2 seeds; ✕ if any of them diverged.",
    ]


def test_overlapping_curves_names_the_flat_panels():
    summary = pd.DataFrame(
        {
            "init": ["zeros", "zeros", "he", "he"],
            "diverged": [0, 0, 0, 0],
            "final_val_loss_mean": [1.0, 1.001, 0.5, 0.9],
            "final_val_r2_mean": [0.0, -0.001, 0.5, 0.1],
        }
    )
    # zeros: 1.0 and 1.001 are 0.1% apart, within 0.5%; its best R² 0 is under 0.01: it learned nothing.
    assert explain.overlapping_curves(summary, 0.005, 0.01) == (
        "In the **zeros** panel, the runs that did not diverge ended within 0.5% of each other's test loss, so "
        "their lines lie on top of one another: none reached a test R² of 0.01, so none did better than "
        "predicting the average."
    )
    both = summary.assign(final_val_loss_mean=[1.0, 1.001, 0.5, 0.5], final_val_r2_mean=0.3)
    assert explain.overlapping_curves(both, 0.005, 0.01) == (
        "In the **zeros**, **he** panels, the runs that did not diverge ended within 0.5% of each other's test "
        "loss, so their lines lie on top of one another."
    )
    assert explain.overlapping_curves(summary.assign(final_val_loss_mean=[1.0, 2.0, 0.5, 0.9]), 0.005, 0.01) is None


# -- the likely cause of a blow-up -------------------------------------------------------------


def test_blowup_cause_sentences_name_the_cause_and_its_numbers():
    assert explain.blowup_cause_sentence(
        "unscaled_features", {"feature_std_spread": 2360.0, "feature_scale": 2.63}, 0.03
    ) == (
        "Likely cause: the features are not scaled (their standard deviations are 2.36e+03× apart, typical "
        "size 2.63), so a rate that suits scaled data is far too large here; standardize the features."
    )
    assert explain.blowup_cause_sentence("unscaled_target", {"target_scale": 162.0}, 0.03) == (
        "Likely cause: the target is not scaled (typical size 162), so the first errors and gradients are "
        "huge; standardize the target."
    )
    # λ_max 2 (the diabetes linear model's, ERRATA 3): the edge is 2/2 = 1, and lr 2 is twice it.
    assert explain.blowup_cause_sentence(
        "learning_rate", {"sharpness": 2.0, "edge": 1.0, "lr_over_edge": 2.0}, 2.0
    ) == (
        "Learning rate 2 is too large for this model and data: at the starting weights the loss's sharpness is "
        "λ_max = 2, so gradient descent is stable only for lr < 2/λ_max = 1, and 2 is 2× that. Try a smaller one."
    )
    assert (
        explain.blowup_cause_sentence("learning_rate", {}, 0.5)
        == "Learning rate 0.5 is too large for this model and data; try a smaller one."
    )


def test_features_in_use_and_the_target_guess_say_what_the_sidebar_chose():
    assert (
        explain.features_in_use("standardized")
        == "Features standardized with the training rows' mean and std (mean 0, std 1)."
    )
    columns = SimpleNamespace(names=("a", "b", "empty"), default_target="b")
    assert (
        explain.target_guess("b", columns)
        == "Predicting **b**, the last usable column: is that what you want? Pick another above."
    )
    assert explain.target_guess("a", columns) == "Predicting **a**, your choice."
    last = SimpleNamespace(names=("a", "b"), default_target="b")
    assert (
        explain.target_guess("b", last)
        == "Predicting **b**, the last column: is that what you want? Pick another above."
    )


# -- the tutorial, step by step --------------------------------------------------------------------


def test_tutorial_agreement_counts_decimals():
    assert explain._agreement(0.0) == "exactly the same"
    assert explain._agreement(4.3e-9) == "the same to 8 decimals"
    assert explain._agreement(0.5) == "0.5 apart"


def test_tutorial_one_example_names_the_loss_that_never_moves():
    assert explain.tutorial_one_example(4.3e-9, 398.9825051020408, 0.0, 25.0) == (
        "From the tutorial's start weights nnlab ends at the weights, bias and prediction it printed, the same to "
        "8 decimals (prediction 25). The loss it printed, 398.98, is not the error of that prediction: it squares "
        "w₁x₁ + b − y, …, w₅x₅ + b − y one feature at a time and averages them, because `w * x` multiplies without "
        "summing. The code's gradient belongs to the prediction's own squared error, (w·x + b − y)², which is 0 at "
        "the end. So the prediction is perfect while the printed number never moves."
    )


def test_tutorial_three_examples_says_how_close():
    assert explain.tutorial_three_examples(4.6e-9, 8.2e-16) == (
        "Weights, bias and predictions are those the tutorial printed, the same to 8 decimals; the losses it "
        "printed every 100 epochs, the same to 15 decimals. The same algorithm on the same numbers gives the "
        "same answer."
    )


def test_tutorial_first_loss_explains_the_kept_bias():
    assert explain.tutorial_first_loss(29711.32, 6078.967813535314, 153.7365, 6076.398, 1.603) == (
        "With w = 0 every prediction is the bias b, so the first loss is var(y) + (ȳ − b)² = 6,076.4 + "
        "(153.74 − b)². With b = 0, as the cell says, that is **29,711.3**; nnlab starts there, and so does the "
        "tutorial's own `MyModel` a few cells later. The printed 6,078.97 needs b within 1.60 of ȳ = 153.74: the "
        "bias had already been trained by an earlier run of the notebook, and only w was reset to zero."
    )


def test_tutorial_r2_against_pytorch_and_least_squares():
    assert explain.tutorial_r2(0.41666, 0.41665, 0.4167, 0.45260, 10000, 0.01, 0.99999) == (
        "After 10,000 epochs at lr 0.01 nnlab's test R² is 0.4167 from zero and 0.4167 from small random weights; "
        "the tutorial's PyTorch run printed 0.4167. Least squares, the best any linear model can do on this split, "
        "reaches 0.4526: the run is not finished, because lr 0.01 is 1.0% of the largest stable rate on this data, "
        "2/λ_max = 1.00."
    )


def test_tutorial_units_says_why_the_default_numbers_differ():
    assert explain.tutorial_units(153.7, 77.9) == (
        "The app standardizes the target by default (subtracts 153.7, divides by 77.9), so its losses are in "
        "standardized units and about 6,068 times smaller than the tutorial's, and its weights differ too. The "
        "tutorial trains on the target in its own units; the numbers here, and the link below, use those units."
    )


def test_tutorial_network_states_the_gradient_bug_and_the_floor():
    assert explain.tutorial_network([1098.74, 2.0042], [1098.74, 2.0001], 177.146, 2.00233, 2.0, 3, 0.001) == (
        "The tutorial steps along dA = ŷ − y but prints the mean squared error, whose gradient is 2(ŷ − y)/3: "
        "its steps are 1.5 times the loss's own gradient, as if lr were 0.0015 instead of 0.001. From the same "
        "start weights nnlab's loss goes from 1,098.7 to 2.0042 and the tutorial's loop from 1,098.7 to 2.0001. "
        "Both settle near 2, as the tutorial's did (177.1 to 2.0023): the three rows lie on one line, so a network "
        "whose ReLUs are all on, or all off, for every row fits a straight line through them, and the best "
        "straight line has mean squared error 2. Its start weights were drawn without a seed, so its first loss "
        "cannot be reproduced; nnlab's seed sets these."
    )


def test_tutorial_network_predictions_beside_the_targets():
    assert explain.tutorial_network_predictions([11.0535, 26.015, 40.9764], [10.0, 28.0, 40.0]) == (
        "nnlab's network predicts 11.05 for 10, 26.02 for 28, 40.98 for 40: a nearly straight line through the "
        "three targets."
    )


def test_prediction_sentence_names_the_target_and_the_value():
    assert (
        explain.prediction_sentence("progression", 151.234)
        == "For this input the network predicts **progression = 151.2**."
    )
