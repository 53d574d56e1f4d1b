"""Sentences about a loss landscape (`nnlab.landscape`), built from its numbers; pages hold only fixed text."""

from __future__ import annotations

import math

import numpy as np

from .landscape import NO_MOVEMENT

LOW_SHARE = 0.5  # below this the plane leaves out most of the path's movement, and the chart says so
BARRIER_SHARE = 0.01  # a rise on the straight line above both ends by more than this share is a barrier


def percent(share):
    """0.9812 -> '98%', 0.004 -> '0.4%', 0.00002 -> '< 0.1%', 0.99998 -> '> 99.9%': never a rounded 0 or 100."""
    value = 100 * share
    if 99.9 < value < 100:
        return "> 99.9%"
    if 99.5 <= value < 100:
        return f"{value:.1f}%"
    if value >= 1 or value == 0:
        return f"{value:.0f}%"
    return f"{value:.1f}%" if value >= 0.1 else "< 0.1%"


def axis_title(kind, index, share):
    """The plane's axis title: 'PC1: 94% of the path's variance' or 'random direction 1 (filter-normalised)'."""
    if kind == "pca":
        return f"PC{index + 1}: {percent(share)} of the path's variance"
    return f"random direction {index + 1} (filter-normalised)"


def share_note(kind, explained, note=""):
    """The sentence written on the chart: how much of the path's movement the plane holds."""
    if note == NO_MOVEMENT or not math.isfinite(explained):
        return "The run never moved from its start, so there is no path to follow: two random directions instead."
    share = percent(explained)
    if kind == "random":
        return (
            f"Random directions: this plane holds {share} of the path's variance. "
            "The path drawn is its shadow on the plane, not where it went."
        )
    if explained < LOW_SHARE:
        return (
            f"This plane holds only {share} of the path's variance: most of the movement is off it, "
            "so this picture leaves most of the story out."
        )
    return f"This plane holds {share} of the path's variance; the other {percent(1 - explained)} is off it."


def line_story(line):
    """What the straight line from start to end shows: a barrier between them, or a slope all the way."""
    inside = (line.alpha > 0) & (line.alpha < 1)
    alpha, inner = line.alpha[inside], np.where(np.isfinite(line.loss[inside]), line.loss[inside], -np.inf)
    top = int(np.argmax(inner))
    start, end = line.start_loss, line.end_loss
    head = (
        f"On the straight line from the start (epoch {line.start_epoch}, loss {start:.4g}) to the end "
        f"(epoch {line.end_epoch}, loss {end:.4g}), {line.distance:.3g} apart in parameter space,"
    )
    if inner[top] > max(start, end) * (1 + BARRIER_SHARE):
        return (
            f"{head} the loss rises to {inner[top]:.4g} at α = {alpha[top]:.2f}: a ridge lies between them on "
            "this line, so the path gradient descent took went another way."
        )
    if end < start:
        return f"{head} the loss falls without a ridge in between: the start and the end lie in one valley."
    return f"{head} the end is no lower than the start: training did not go downhill overall."


def lowest_point_story(surface, diverged=False):
    """Where the plane's lowest point lies against the run's end: the end itself, or lower ground nearby.

    diverged: the run blew up, so its end (the centre) is its last good parameters, up a wall; then the
    lowest loss is the path's own (surface.path_loss), where it was before it bounced out.
    """
    finite = np.where(np.isfinite(surface.loss), surface.loss, np.inf)
    i, j = np.unravel_index(np.argmin(finite), finite.shape)
    lowest, end = float(finite[i, j]), surface.center_loss
    if lowest >= end * (1 - BARRIER_SHARE) and not diverged:
        return f"The run ended at loss {end:.4g}, the lowest point of this plane: no lower ground is in view."
    where = f"({surface.x[j]:.3g}, {surface.y[i]:.3g})"
    if diverged:
        # The path's own record, not the grid: a narrow valley's floor can fall between grid points.
        best = int(np.nanargmin(surface.path_loss))
        return (
            f"The run blew up: the centre is its last good point, at loss {end:.4g}, high on a wall. Its lowest "
            f"loss was {surface.path_loss[best]:.4g}, at epoch {surface.epochs[best]}; from there each step "
            "overshot the valley by more than the step before."
        )
    return (
        f"The run ended at loss {end:.4g}; the lowest point in view is {lowest:.4g} at "
        f"{where}, {percent(1 - lowest / end)} lower: the run did not end at the bottom of what this plane shows."
    )
