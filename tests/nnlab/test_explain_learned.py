"""nnlab.explain_learned: each sentence in full, from numbers chosen so every branch is read."""

from __future__ import annotations

import pandas as pd

from nnlab import explain_learned


def table(rows):
    return pd.DataFrame(rows, columns=["feature", "network", "network_std", "linear", "linear_std"])


TABLE = table(
    [
        ("bmi", 0.231, 0.040, 0.228, 0.038),
        ("s5", 0.132, 0.028, 0.512, 0.049),
        ("s1", 0.024, 0.007, 0.541, 0.089),
        ("age", -0.003, 0.005, -0.003, 0.003),
    ]
)


def test_importance_summary_names_the_top_feature_with_its_spread():
    assert explain_learned.importance_summary(TABLE, 10, 89) == (
        "Shuffling **bmi** across the 89 test rows costs the network 0.231 of its test R² (± 0.040 over 10 "
        "shuffles): the feature it leans on most. The linear model loses 0.228 on it."
    )


def test_the_largest_disagreement_beyond_the_spread_is_named():
    # s1: gap 0.517 − 2·0.096 = 0.325 beyond the spread; s5: 0.380 − 2·0.077 = 0.226.
    assert explain_learned.importance_difference(TABLE) == (
        "They disagree most on **s1**: shuffling it costs the network 0.024 of its R² and the linear model 0.541. "
        "A line can put large weights of opposite sign on correlated columns that cancel out; shuffling one of "
        "them undoes the balance, so the line looks to depend on it more than it does."
    )
    network_ahead = table([("x", 0.5, 0.01, 0.1, 0.01)])
    assert explain_learned.importance_difference(network_ahead) == (
        "They disagree most on **x**: shuffling it costs the network 0.500 of its R² and the linear model 0.100."
    )


def test_agreement_within_the_spread_says_so():
    # gap 0.05 < 2·(0.02 + 0.01) = 0.06
    assert explain_learned.importance_difference(table([("x", 0.30, 0.02, 0.25, 0.01)])) == (
        "On every feature the two agree within 2 spreads of their shuffles: the network leans on the same "
        "features as the line."
    )


def test_features_below_zero_are_listed_or_nothing_is_said():
    assert explain_learned.unused_features(TABLE) == (
        "Below 0 for the network: age (-0.0030). Shuffling these did no harm beyond the shuffles' noise, so the "
        "network does not use them."
    )
    assert explain_learned.unused_features(TABLE.iloc[:2]) == ""


def test_a_curve_is_straight_or_bends():
    assert explain_learned.curve_sentence("bmi", 0.9993, 83.2153, "progression") == (
        "**bmi**: the network's average predicted progression moves by 83.2 over the feature's range, and a "
        "straight line explains 99.9% of its curve: as straight as the linear model's."
    )
    assert explain_learned.curve_sentence("x", 0.42, 1.5, "y") == (
        "**x**: the network's average predicted y moves by 1.5 over the feature's range, and a straight line "
        "explains 42.0% of its curve: a bend the linear model cannot make."
    )


def test_the_function_error_against_the_noise():
    start = (
        "Over the range of the data the network's function is {:.3f} (root mean square) from the true sin(x); "
        "the training rows scatter 0.100 around it (their noise)."
    )
    assert explain_learned.function_error("sin(x)", 0.03, 0.1) == start.format(0.03) + (
        " It found the function, not the noise."
    )
    assert explain_learned.function_error("sin(x)", 0.08, 0.1) == start.format(0.08) + (
        " It is closer to the truth than the data are."
    )
    assert explain_learned.function_error("sin(x)", 0.4, 0.1) == start.format(0.4) + (
        " It is still further from the truth than the noise: train longer, or a wider network."
    )


def test_the_replay_caption_says_how_many_snapshots_it_plays():
    assert explain_learned.replay_caption(60, 301, 0, 300, 60) == (
        "The replay plays 60 of the 301 recorded weight snapshots, evenly spread from epoch 0 to epoch 300 "
        "(at most 60: the whole replay is sent to the browser once). Playing, pausing and dragging the slider "
        "happen in your browser: nothing is recomputed."
    )
    assert explain_learned.replay_caption(21, 21, 0, 20, 60) == (
        "The replay plays all 21 recorded weight snapshots from epoch 0 to epoch 20. Playing, pausing and "
        "dragging the slider happen in your browser: nothing is recomputed."
    )
