"""nnlab.explain_landscape: every sentence pinned as the full string a learner reads."""

from __future__ import annotations

import numpy as np

from nnlab import explain_landscape as words
from nnlab.landscape import NO_MOVEMENT, Line, Surface


def test_percent_never_rounds_to_zero_or_to_a_hundred():
    assert [words.percent(s) for s in (0.9812, 0.004, 0.00002, 0.99998, 0.996, 1.0, 0.0)] == [
        "98%",
        "0.4%",
        "< 0.1%",
        "> 99.9%",
        "99.6%",
        "100%",
        "0%",
    ]


def test_axis_titles_carry_each_direction_s_share():
    assert words.axis_title("pca", 0, 0.94) == "PC1: 94% of the path's variance"
    assert words.axis_title("pca", 1, 0.04) == "PC2: 4% of the path's variance"
    assert words.axis_title("random", 1, 0.001) == "random direction 2 (filter-normalised)"


def test_share_note_says_how_much_of_the_story_the_plane_tells():
    assert words.share_note("pca", 0.98) == "This plane holds 98% of the path's variance; the other 2% is off it."
    assert words.share_note("pca", 0.4) == (
        "This plane holds only 40% of the path's variance: most of the movement is off it, "
        "so this picture leaves most of the story out."
    )
    assert words.share_note("random", 0.0004) == (
        "Random directions: this plane holds < 0.1% of the path's variance. "
        "The path drawn is its shadow on the plane, not where it went."
    )
    assert words.share_note("random", np.nan, NO_MOVEMENT) == (
        "The run never moved from its start, so there is no path to follow: two random directions instead."
    )


def line(loss, alpha=(-0.5, 0.0, 0.5, 1.0, 1.5)):
    loss = np.asarray(loss, dtype=float)
    return Line(np.asarray(alpha), loss, loss[1], loss[3], 12.3456, 0, 300)


def test_line_story_finds_a_ridge_between_start_and_end():
    head = (
        "On the straight line from the start (epoch 0, loss 1) to the end (epoch 300, loss 0.25), "
        "12.3 apart in parameter space,"
    )
    assert words.line_story(line([2, 1, 0.5, 0.25, 1])) == (
        f"{head} the loss falls without a ridge in between: the start and the end lie in one valley."
    )
    assert words.line_story(line([2, 1, 3.5, 0.25, 1])) == (
        f"{head} the loss rises to 3.5 at α = 0.50: a ridge lies between them on this line, "
        "so the path gradient descent took went another way."
    )
    assert words.line_story(line([2, 1, 1.005, 1.2, 1])).endswith(
        "the end is no lower than the start: training did not go downhill overall."
    )


def surface(loss):
    axis = np.array([-2.0, 0.0, 2.0])
    loss = np.asarray(loss, dtype=float)
    path_loss = np.array([2.0, 0.5, 40.0, loss[1, 1]])  # recorded at epochs 0, 3, 6, 7
    epochs = np.array([0, 3, 6, 7])
    return Surface(
        "pca", axis, axis * 0.5, loss, np.zeros((4, 2)), epochs, 1.0, np.ones(2), loss[1, 1], None, "", path_loss
    )


def test_lowest_point_story_points_at_lower_ground_or_at_the_end():
    bowl = [[3, 2, 3], [2, 1, 2], [3, 2, 3]]
    assert words.lowest_point_story(surface(bowl)) == (
        "The run ended at loss 1, the lowest point of this plane: no lower ground is in view."
    )
    slope = [[3, 2, 0.25], [2, 1, 2], [3, 2, 3]]
    assert words.lowest_point_story(surface(slope)) == (
        "The run ended at loss 1; the lowest point in view is 0.25 at (2, -1), 75% lower: the run did not end at "
        "the bottom of what this plane shows."
    )
    assert words.lowest_point_story(surface(bowl), diverged=True) == (
        "The run blew up: the centre is its last good point, at loss 1, high on a wall. Its lowest loss was 0.5, "
        "at epoch 3; from there each step overshot the valley by more than the step before."
    )
