"""The home page's learning-rate figure, now in nnlab.plots.linear: data half by equality, figure by its traces."""

from __future__ import annotations

import numpy as np
import pytest

import nnlab
from nnlab import plots

RNG = np.random.default_rng(1)
X = RNG.uniform(-1, 1, (30, 2))
Y = X @ np.array([3.0, -1.0]) + 5 + 0.1 * RNG.standard_normal(30)


@pytest.fixture(scope="module")
def histories():
    return {
        lr: nnlab.MLP(hidden=(), init="zeros", lr=lr, epochs=50).fit(X, Y, eval_set=(X, Y)).history_
        for lr in (0.01, 0.5)
    }


def test_log_ticks_are_1_2_3_5_per_decade_inside_the_range():
    assert plots.log_ticks([2500, 31_000]) == [3000, 5000, 10_000, 20_000, 30_000]
    assert plots.log_ticks([0.0, -1.0, np.inf, 1.0, 3.0]) == [1.0, 2.0, 3.0]
    assert plots.log_ticks([0.0, np.nan]) == []


def test_learning_rate_data_names_each_run_by_its_rate_and_test_r2(histories):
    data = plots.learning_rate_data(histories, floor=0.01, tutorial_rate=0.01)
    names = list(dict.fromkeys(data.run))
    assert names == [
        f"learning rate 0.01 (the tutorial's): test R² {histories[0.01].val_r2[-1]:.2f}",
        f"learning rate 0.5: test R² {histories[0.5].val_r2[-1]:.2f}",
    ]
    assert set(data.split) == {"train"} and data.attrs["floor"] == 0.01
    np.testing.assert_array_equal(data[data.run == names[1]].value, histories[0.5].loss)


def test_learning_rate_figure_draws_thick_lines_over_the_floor_on_a_log_axis(histories):
    fig = plots.learning_rate_figure(plots.learning_rate_data(histories, floor=0.01))
    slow, fast, floor = fig.data
    assert (slow.line.color, fast.line.color) == (plots.PALETTE[1], plots.PALETTE[0])
    assert slow.line.width == fast.line.width == 3
    assert list(floor.y) == [0.01, 0.01] and floor.name.startswith("least squares")
    values = [0.01, *histories[0.01].loss, *histories[0.5].loss]
    assert fig.layout.yaxis.type == "log" and list(fig.layout.yaxis.tickvals) == plots.log_ticks(values)
    assert fig.layout.yaxis.range == pytest.approx((np.log10(0.75 * min(values)), np.log10(1.1 * max(values))))
    assert fig.layout.legend.y < 0
