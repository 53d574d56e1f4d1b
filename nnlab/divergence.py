"""When a run has blown up, and when it is on its way: the two documented divergence rules.

Stop rule (`bound`): a run is stopped, and `History.diverged_at` set, when its loss is not finite
or exceeds DIVERGENCE_FACTOR × its loss scale: the larger of its first loss and mean(y²), and,
for optimizers whose steps do not shrink with the gradient (Adam moves every weight by about lr
whatever the scale of the target), also the loss after the first update, as long as that first
update raised the loss by at most FIRST_STEP_ALLOWANCE. A tiny target would otherwise make any
lr-sized first step look like a blow-up (target × 1e-4 at lr 0.01: ×1e5 after the first step, then
it converges), while a first step that multiplies the loss by more than 10¹² is a blow-up whatever
the optimizer (ReLU networks at lr 1000: ×1e20).

Warning rule (`diverging_from`): a run that was not stopped is *diverging* when, from the lowest
point of its objective to the end, at least DIVERGING_WINDOW epochs pass, the objective rises in
at least DIVERGING_RISING of them and ends at least DIVERGING_GROWTH × above that lowest point.
Such a run grows geometrically but has not crossed the stop bound yet; it is recorded, not stopped.
"""

from __future__ import annotations

import numpy as np

DIVERGENCE_FACTOR = 1e4  # loss above this × the starting loss scale counts as a blow-up
# Measured here: Adam's first step at lr 0.01 multiplies the loss by ~1e5 on a target scaled by
# 1e-4 and ~1e9 at 1e-6 (both converge); sigmoid/tanh nets at lr 1000 by ~1e8 (they recover);
# ReLU-family nets at lr 1000 by 1e19-1e21 (they never do).
FIRST_STEP_ALLOWANCE = 1e12
DIVERGING_WINDOW = 10  # epochs of growth at least: a spike of a few epochs is not a trend
DIVERGING_GROWTH = 10.0  # ... that multiplied the objective by at least this much
DIVERGING_RISING = 0.9  # share of those epochs in which it rose: noise may dip once, a blow-up does not


def bound(first_losses, y_scale, after_first_update=None):
    """Stop bound per run (runs,): DIVERGENCE_FACTOR × the run's loss scale (see the module doc)."""
    scale = np.maximum(np.nan_to_num(first_losses, nan=0.0, posinf=0.0), y_scale)
    if after_first_update is not None:
        step = np.nan_to_num(after_first_update, nan=np.inf)
        scale = np.where(step <= FIRST_STEP_ALLOWANCE * scale, np.maximum(scale, step), scale)
    return DIVERGENCE_FACTOR * np.where(scale > 0, scale, 1.0)


def diverging_from(objective):
    """The epoch where sustained geometric growth of ``objective`` (epochs,) began, or None."""
    values = np.asarray(objective, dtype=np.float64)
    if len(values) <= DIVERGING_WINDOW or not np.all(np.isfinite(values)):
        return None  # a non-finite loss is the stop rule's business
    start = int(np.argmin(values))
    tail = values[start:]
    if len(tail) - 1 < DIVERGING_WINDOW:
        return None
    grew = tail[-1] > 0 if tail[0] <= 0 else tail[-1] >= DIVERGING_GROWTH * tail[0]
    rising = float(np.mean(np.diff(tail) > 0))
    return start if grew and rising >= DIVERGING_RISING else None


def growth_per_epoch(objective, start):
    """The geometric mean factor by which the objective grew per epoch from ``start`` to the end."""
    values = np.asarray(objective, dtype=np.float64)
    epochs = len(values) - 1 - start
    if epochs <= 0 or values[start] <= 0:
        return np.nan
    return float((values[-1] / values[start]) ** (1.0 / epochs))
