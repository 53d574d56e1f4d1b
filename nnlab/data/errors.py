"""The one error a dataset raises, and the rule every dataset, built in or uploaded, must meet."""

from __future__ import annotations


class DataError(ValueError):
    """A dataset cannot be built; the message says why, in words for the dashboard's user."""


MIN_ROWS = 10  # fewer rows leave a test split of one or two points, which measures nothing
