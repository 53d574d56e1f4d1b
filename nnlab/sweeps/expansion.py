"""A sweep's grid expanded into validated `Config`s: every combination of the grid × seeds."""

from __future__ import annotations

import itertools
from dataclasses import fields

import numpy as np

from ..config import Config

MAX_SWEEP_RUNS = 1024  # runs in one sweep (grid points × seeds)
CONFIG_KEYS = tuple(f.name for f in fields(Config))


def expand(grid=None, seeds=1, base=None):
    """(grid keys, validated Configs) of every combination of grid × seeds, seeds innermost."""
    grid, base = dict(grid or {}), dict(base or {})
    for name, table in (("grid", grid), ("base", base)):
        unknown = [key for key in table if key not in CONFIG_KEYS]
        if unknown:
            raise ValueError(f"{name}: {unknown} are not config keys; choose from {list(CONFIG_KEYS)}")
    both = sorted(set(grid) & set(base))
    if both:
        raise ValueError(f"{both} are in both grid and base; put each key in one of them")
    for key, values in grid.items():
        if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
            raise ValueError(f"grid[{key!r}] must be a non-empty list of values, got {values!r}")
        grid[key] = [_plain(value) for value in values]
        if not grid[key]:
            raise ValueError(f"grid[{key!r}] must be a non-empty list of values, got an empty one")
    base = {key: _plain(value) for key, value in base.items()}
    seed_list = _seeds(seeds, base, grid)
    keys = tuple(grid)
    combos = list(itertools.product(*[grid[key] for key in keys]))
    if len(combos) * len(seed_list) > MAX_SWEEP_RUNS:
        raise ValueError(
            f"grid × seeds = {len(combos)} × {len(seed_list)} runs is over the cap of "
            f"{MAX_SWEEP_RUNS}; use fewer values or seeds"
        )
    configs = []
    for combo in combos:
        for seed in seed_list:
            params = base | dict(zip(keys, combo))
            if seed is not _GRID_SEED:
                params["random_state"] = seed
            config = Config(**params)
            try:
                config.validate()
            except ValueError as error:
                where = ", ".join(f"{k}={_text(v)}" for k, v in zip(keys, combo))
                raise ValueError(f"{error} (in the run with {where or 'the base settings'})") from None
            if isinstance(config.random_state, np.random.Generator):
                raise ValueError("random_state: a sweep needs integer seeds (or None), not a Generator")
            configs.append(config)
    return keys, configs


_GRID_SEED = object()  # random_state comes from the grid itself


def _seeds(seeds, base, grid):
    if "random_state" in grid:
        if seeds != 1:
            raise ValueError("seeds: random_state is already a grid key; leave seeds=1")
        return [_GRID_SEED]
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive integer or a list of seeds, got {seeds!r}")
        start = base.get("random_state", 0)
        if start is None:
            if seeds > 1:
                raise ValueError(
                    "seeds: with random_state=None the seeds cannot be numbered; "
                    "give an integer random_state or a list of seeds"
                )
            return [None]
        if not isinstance(start, (int, np.integer)):
            raise ValueError(f"random_state must be None or a non-negative integer, got {start!r}")
        return [int(start) + i for i in range(seeds)]
    if not hasattr(seeds, "__iter__"):
        raise ValueError(f"seeds must be a positive integer or a list of seeds, got {seeds!r}")
    seeds = [_plain(seed) for seed in seeds]
    if not seeds:
        raise ValueError("seeds: the list of seeds is empty")
    return seeds


def _text(value):
    """Compact text of a config value: (64, 32) -> '64x32', () -> '()', 0.001 -> '0.001'."""
    if isinstance(value, tuple):
        return "x".join(map(str, value)) or "()"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _plain(value):
    """NumPy scalars as Python ones, so configs stay JSON-friendly (History.save); lists as tuples."""
    if isinstance(value, np.generic):
        return value.item()
    return tuple(value) if isinstance(value, list) else value
