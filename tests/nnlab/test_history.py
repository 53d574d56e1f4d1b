"""nnlab.history on its own: save/load round trip, last_good_epoch, snapshot_at, to_frame, equals."""

import io

import numpy as np
import pytest

from nnlab.config import Config
from nnlab.history import History
from nnlab.training import train


def history(loss, diverged_at=None, bound=np.inf, snapshot_epochs=(0, 5, 10)):
    """A History of one layer with the given loss curve and snapshot epochs."""
    epochs, k = len(loss), len(snapshot_epochs)
    return History(
        loss=np.asarray(loss, float),
        r2=np.zeros(epochs),
        grad_norm=np.ones((epochs, 1)),
        bias_grad_norm=np.ones((epochs, 1)),
        update_ratio=np.ones((epochs, 1)),
        dead_fraction=np.zeros((epochs, 0)),
        saturation=np.zeros((epochs, 0)),
        snapshot_epochs=np.asarray(snapshot_epochs),
        weights=[np.zeros((k, 2, 1))],
        biases=[np.zeros((k, 1))],
        weight_grads=[np.zeros((k, 2, 1))],
        diverged_at=diverged_at,
        divergence_bound=bound,
    )


@pytest.fixture(scope="module")
def trained():
    X = np.random.default_rng(0).standard_normal((12, 2))
    y = X.sum(axis=1)
    (result,) = train([Config(hidden=(3,), epochs=8, lr=0.05, l2=0.01)], X, y, eval_set=(X[:4], y[:4]))
    return result.history


def test_save_then_load_gives_the_same_history(trained):
    buffer = io.BytesIO()
    trained.save(buffer)
    buffer.seek(0)
    loaded = History.load(buffer)
    assert loaded.equals(trained)
    assert loaded.config == trained.config and loaded.final_loss == trained.final_loss
    assert [w.shape for w in loaded.weights] == [w.shape for w in trained.weights]


def test_equals_notices_one_changed_value(trained):
    buffer = io.BytesIO()
    trained.save(buffer)
    buffer.seek(0)
    changed = History.load(buffer)
    changed.loss[3] += 1e-9
    assert not changed.equals(trained)
    assert changed.equals(trained, atol=1e-8)


def test_last_good_epoch_of_a_run_that_did_not_diverge():
    assert history([3.0, 2.0, 1.0]).last_good_epoch == 2


def test_last_good_epoch_when_the_recorded_loss_blew_up():
    # Epoch 2's loss (inf) is over the bound: the kept parameters are epoch 1's.
    assert history([3.0, 2.0, np.inf], diverged_at=2, bound=30.0).last_good_epoch == 1
    # Blown at epoch 0: nothing earlier to fall back on.
    assert history([np.inf], diverged_at=0, bound=30.0).last_good_epoch == 0


def test_last_good_epoch_when_only_the_last_update_blew_up():
    # diverged_at is the last epoch, whose own loss (1.0) was within the bound: that epoch is kept.
    assert history([3.0, 2.0, 1.0], diverged_at=2, bound=30.0).last_good_epoch == 2


def test_snapshot_at_finds_the_last_snapshot_at_or_before_an_epoch():
    h = history(np.ones(11))
    assert [h.snapshot_at(e) for e in (0, 4, 5, 7, 10, 99, -1)] == [0, 0, 1, 1, 2, 2, 0]


def test_to_frame_has_a_row_per_epoch_metric_and_layer():
    frame = history([3.0, 2.0]).to_frame()
    # 2 epochs × (loss, r2 + grad_norm, bias_grad_norm, update_ratio with one layer each) = 2 × 5
    assert len(frame) == 10
    assert set(frame.metric) == {"loss", "r2", "grad_norm", "bias_grad_norm", "update_ratio"}
    assert frame.loc[frame.metric == "loss", "value"].tolist() == [3.0, 2.0]
    assert frame.loc[frame.metric == "loss", "layer"].isna().all()
