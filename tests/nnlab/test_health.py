"""nnlab.health: which units stopped learning, and the last healthy epochs of a run."""

from __future__ import annotations

import numpy as np
import pytest
from diabetes_runs import fit

import nnlab
from nnlab import health


def test_failure_mode_follows_the_derivative():
    modes = {name: health.failure_mode(name) for name in nnlab.activations.ACTIVATIONS}
    assert modes == {
        "relu": "dead_fraction",
        "leaky_relu": "dead_fraction",
        "elu": "dead_fraction",
        "gelu": "dead_fraction",
        "softplus": "dead_fraction",
        "sigmoid": "saturation",
        "tanh": "saturation",
        "linear": None,
    }


def test_hidden_share_weights_layers_by_width():
    history = fit(hidden=(8, 4), lr=0.5).history_
    dead = history.dead_fraction
    np.testing.assert_allclose(health.hidden_share(history, "dead_fraction"), (8 * dead[:, 0] + 4 * dead[:, 1]) / 12)
    assert np.isnan(health.hidden_share(fit(hidden=()).history_, "saturation")).all()


def test_activation_summary_reads_the_last_good_epoch():
    runs = {"relu": fit().history_, "tanh": fit(activation="tanh", lr=80.0).history_}
    table = health.activation_summary(runs).set_index("run")
    relu, tanh = runs["relu"], runs["tanh"]
    assert table.loc["relu", "epoch"] == 39 and table.loc["relu", "loss"] == relu.loss[39]
    assert table.loc["relu", "val_r2"] == relu.val_r2[39]
    assert table.loc["relu", "gradient_reach"] == pytest.approx(relu.grad_norm[0, 0] / relu.grad_norm[0, 2])
    assert table.loc["relu", "stall"] == "dead" and table.loc["tanh", "stall"] == "saturated"
    assert tanh.diverged_at is not None and table.loc["tanh", "diverged_at"] == tanh.diverged_at
    assert table.loc["tanh", "epoch"] == tanh.diverged_at - 1


def test_activation_summary_of_a_zero_start_has_no_gradient_ratio():
    table = health.activation_summary({"relu": fit(init="zeros").history_})
    assert np.isnan(table.gradient_reach[0])  # 0 / 0: no layer gets any gradient from W = 0


def test_healthy_snapshots_stop_before_the_blow_up():
    history = fit(lr=100.0).history_
    assert history.diverged_at is not None
    kept = health.healthy_snapshots(history)
    assert (history.snapshot_epochs[kept] < history.diverged_at).all()
    assert len(health.healthy_snapshots(fit().history_)) == len(fit().history_.snapshot_epochs)
