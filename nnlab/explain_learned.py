"""Sentences about what a network learned and about its replay, built from the numbers (pages hold only fixed text)."""

from __future__ import annotations

import numpy as np

from .importance import STRAIGHT

AGREE_SPREADS = 2.0  # two importances closer than this many (summed) spreads agree, within the shuffles' noise


def importance_summary(table, n_repeats, n_rows):
    """What the network leans on most, from importance.importance_table (most important first)."""
    top = table.iloc[0]
    return (
        f"Shuffling **{top.feature}** across the {n_rows} test rows costs the network {top.network:.3f} of its "
        f"test R² (± {top.network_std:.3f} over {n_repeats} shuffles): the feature it leans on most. "
        f"The linear model loses {top.linear:.3f} on it."
    )


def importance_difference(table):
    """Where the network and the linear model disagree most, or that they agree within their spread."""
    gap = (table.network - table.linear).abs()
    spread = AGREE_SPREADS * (table.network_std + table.linear_std)
    beyond = gap - spread
    if not (beyond > 0).any():
        return (
            f"On every feature the two agree within {AGREE_SPREADS:g} spreads of their shuffles: "
            "the network leans on the same features as the line."
        )
    row = table.loc[beyond.idxmax()]
    sentence = (
        f"They disagree most on **{row.feature}**: shuffling it costs the network {row.network:.3f} of its R² "
        f"and the linear model {row.linear:.3f}."
    )
    if row.linear > row.network:
        sentence += (
            " A line can put large weights of opposite sign on correlated columns that cancel out; "
            "shuffling one of them undoes the balance, so the line looks to depend on it more than it does."
        )
    return sentence


def unused_features(table):
    """Which features score below 0 for the network (shuffling them did no harm), or ''."""
    below = table[table.network < 0]
    if below.empty:
        return ""
    listed = ", ".join(f"{row.feature} ({row.network:.4f})" for row in below.itertuples())
    return (
        f"Below 0 for the network: {listed}. Shuffling these did no harm beyond the shuffles' noise, "
        "so the network does not use them."
    )


def curve_sentence(feature, straightness, rise, target_name):
    """How a network's partial dependence curve on one feature is shaped, beside a line."""
    verdict = (
        "as straight as the linear model's." if straightness >= STRAIGHT else "a bend the linear model cannot make."
    )
    return (
        f"**{feature}**: the network's average predicted {target_name} moves by {rise:.3g} over the feature's "
        f"range, and a straight line explains {straightness:.1%} of its curve: {verdict}"
    )


def function_error(formula, rms, noise):
    """How far the learned 1-D or 2-D function is from the true one, against the data's own noise."""
    sentence = (
        f"Over the range of the data the network's function is {rms:.3f} (root mean square) from the true "
        f"{formula}; the training rows scatter {noise:.3f} around it (their noise)."
    )
    if not np.isfinite(rms):
        return sentence
    if rms < noise / 2:
        return sentence + " It found the function, not the noise."
    if rms < noise:
        return sentence + " It is closer to the truth than the data are."
    return sentence + " It is still further from the truth than the noise: train longer, or a wider network."


def replay_caption(n_frames, n_snapshots, first, last, max_frames):
    """What the replay plays: how many of the recorded snapshots, over which epochs."""
    if n_frames < n_snapshots:
        picked = f"{n_frames} of the {n_snapshots} recorded weight snapshots, evenly spread"
        cap = f" (at most {max_frames}: the whole replay is sent to the browser once)"
    else:
        picked, cap = f"all {n_snapshots} recorded weight snapshots", ""
    return (
        f"The replay plays {picked} from epoch {first} to epoch {last}{cap}. Playing, pausing and "
        "dragging the slider happen in your browser: nothing is recomputed."
    )
