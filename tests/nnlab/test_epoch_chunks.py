"""The trainer's recording: rows filled a chunk of epochs at a time must equal those of each epoch's
own parameters, whatever the chunk length, across chunk ends and runs retired mid-chunk."""

import numpy as np
import pytest

from nnlab import epoch_chunks
from nnlab.activations import ACTIVATIONS
from nnlab.config import Config
from nnlab.health import DEAD_SLOPE, SATURATED_SLOPE
from nnlab.training import train

RNG = np.random.default_rng(3)
X = RNG.standard_normal((40, 3))
Y = np.sin(X @ np.array([1.0, -2.0, 0.5])) + 0.1 * RNG.standard_normal(40)
X_VAL, Y_VAL = X[:9] + 0.3, Y[:9]
EPOCHS = 2 * epoch_chunks.CHUNK_EPOCHS + 20  # three chunks, the last one partly filled


def expected_rows(history, epoch, activation_name):
    """Dead share, saturated share per hidden layer and the validation loss, from the epoch's snapshot."""
    activation = ACTIVATIONS[activation_name]
    index = history.snapshot_epochs.tolist().index(epoch)
    weights = [w[index] for w in history.weights]
    biases = [b[index] for b in history.biases]

    def hidden_slopes(inputs):
        slopes, a = [], inputs
        for W, b in zip(weights[:-1], biases[:-1]):
            z = a @ W + b
            slopes.append(activation.derivative(z))
            a = activation.function(z)
        return slopes, a @ weights[-1] + biases[-1]

    slopes, _ = hidden_slopes(X)
    dead = [np.mean(np.abs(s.sum(axis=0)) <= DEAD_SLOPE * activation.max_slope * len(X)) for s in slopes]
    saturated = [np.mean(s < SATURATED_SLOPE * activation.max_slope) for s in slopes]
    _, prediction = hidden_slopes(X_VAL)
    return dead, saturated, np.mean((prediction[:, 0] - Y_VAL) ** 2)


@pytest.mark.parametrize(
    "activation, optimizer, batch_size",
    [("relu", "sgd", None), ("leaky_relu", "momentum", None), ("tanh", "sgd", 16), ("relu", "adam", 16)],
)
def test_every_epochs_rows_equal_those_of_its_own_parameters(activation, optimizer, batch_size):
    config = Config(
        hidden=(6, 4), activation=activation, optimizer=optimizer, lr=0.01 if optimizer == "adam" else 0.05,
        epochs=EPOCHS, batch_size=batch_size, record_every=1,
    )  # fmt: skip
    (result,) = train([config], X, Y, eval_set=(X_VAL, Y_VAL))
    history = result.history
    chunk = epoch_chunks.CHUNK_EPOCHS
    for epoch in (0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk, EPOCHS - 1):
        dead, saturated, val_loss = expected_rows(history, epoch, activation)
        np.testing.assert_allclose(history.dead_fraction[epoch], dead)
        np.testing.assert_allclose(history.saturation[epoch], saturated, rtol=1e-12, atol=1e-15)
        assert history.val_loss[epoch] == pytest.approx(val_loss, rel=1e-12)
        for layer, grads in enumerate(history.weight_grads):
            assert history.grad_norm[epoch, layer] == pytest.approx(np.linalg.norm(grads[epoch]), rel=1e-12)
            before, after = history.weights[layer][epoch], history.weights[layer][epoch + 1]
            ratio = np.linalg.norm(after - before) / np.linalg.norm(before)
            assert history.update_ratio[epoch, layer] == pytest.approx(ratio, rel=1e-9)


def stacked_runs_with_one_retired_mid_chunk():
    configs = [Config(hidden=(6, 4), lr=lr, epochs=EPOCHS) for lr in (0.01, 0.05, 40.0)]
    results = train(configs, X, Y, eval_set=(X_VAL, Y_VAL))
    assert results[2].history.diverged_at is not None  # the premise: it blew up, the others did not
    assert 0 < results[2].history.diverged_at < epoch_chunks.CHUNK_EPOCHS
    assert results[0].history.diverged_at is None and results[1].history.diverged_at is None
    return [r.history for r in results]


def test_the_chunk_length_changes_no_value(monkeypatch):
    chunked = stacked_runs_with_one_retired_mid_chunk()
    monkeypatch.setattr(epoch_chunks, "CHUNK_BYTES", 1)  # one epoch a chunk: a flush after every epoch
    epoch_by_epoch = stacked_runs_with_one_retired_mid_chunk()
    for a, b in zip(chunked, epoch_by_epoch):
        for field in ("dead_fraction", "saturation", "val_loss", "grad_norm", "update_ratio"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_a_retired_run_keeps_its_rows_and_has_no_update_at_its_last_epoch():
    retired = stacked_runs_with_one_retired_mid_chunk()[2]
    last = retired.diverged_at
    assert len(retired.loss) == last + 1
    assert np.isfinite(retired.val_loss).all() and np.isfinite(retired.dead_fraction).all()
    assert np.isfinite(retired.update_ratio[:last]).all()
    assert np.isnan(retired.update_ratio[last]).all()  # it was retired before that epoch's update


def test_a_run_stopped_mid_chunk_keeps_every_row_it_recorded():
    config = Config(hidden=(6, 4), lr=0.05, epochs=EPOCHS)
    stop_after = epoch_chunks.CHUNK_EPOCHS + 6
    (stopped,) = train([config], X, Y, eval_set=(X_VAL, Y_VAL), on_epoch=lambda epoch, _: epoch < stop_after)
    (short,) = train([Config(hidden=(6, 4), lr=0.05, epochs=stop_after + 1)], X, Y, eval_set=(X_VAL, Y_VAL))
    assert stopped.history.stopped_at == stop_after
    for field in ("dead_fraction", "saturation", "val_loss", "grad_norm", "update_ratio"):
        np.testing.assert_array_equal(getattr(stopped.history, field), getattr(short.history, field))
