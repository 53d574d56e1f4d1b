"""nnlab.training on its own: history shapes, a step worked by hand, determinism, stacking, stopping."""

import numpy as np
import pytest

from nnlab.config import Config
from nnlab.training import RunResult, train

RNG = np.random.default_rng(0)
X = RNG.standard_normal((20, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * RNG.standard_normal(20)


def run(config, **kwargs):
    (result,) = train([config], X, Y, **kwargs)
    return result


def test_one_gradient_step_of_a_linear_model_by_hand():
    config = Config(hidden=(), init="zeros", lr=0.01, epochs=2)
    (result,) = train([config], np.array([[1.0], [2.0]]), np.array([2.0, 4.0]))
    # From w = b = 0: errors (−2, −4), loss = (4 + 16)/2 = 10;
    # ∂w = 2/2·(−2·1 − 4·2) = −10, ∂b = 2/2·(−2 − 4) = −6, so w = 0.1, b = 0.06;
    # then ŷ = (0.16, 0.26), errors (−1.84, −3.74), loss = (3.3856 + 13.9876)/2 = 8.6866.
    np.testing.assert_allclose(result.history.loss, [10.0, 8.6866])
    # Two steps: w = 0.1 + 0.01·(1.84 + 2·3.74) = 0.1932, b = 0.06 + 0.01·(1.84 + 3.74) = 0.1158
    np.testing.assert_allclose(result.coefs[0], [[0.1932]])
    np.testing.assert_allclose(result.intercepts[0], [0.1158])


def test_history_arrays_have_one_row_per_epoch():
    result = run(Config(hidden=(4, 3), epochs=6, lr=0.01), eval_set=(X[:5], Y[:5]))
    history = result.history
    assert isinstance(result, RunResult)
    assert history.loss.shape == history.r2.shape == history.val_loss.shape == (6,)
    assert history.grad_norm.shape == history.bias_grad_norm.shape == history.update_ratio.shape == (6, 3)
    assert history.dead_fraction.shape == history.saturation.shape == (6, 2)
    assert history.snapshot_epochs.tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert [w.shape for w in history.weights] == [(7, 3, 4), (7, 4, 3), (7, 3, 1)]
    assert [c.shape for c in result.coefs] == [(3, 4), (4, 3), (3, 1)]
    assert np.all(np.isfinite(history.loss)) and np.all(np.isfinite(history.grad_norm))


def test_the_last_snapshot_holds_the_final_parameters():
    result = run(Config(hidden=(4,), epochs=5, lr=0.01))
    np.testing.assert_array_equal(result.history.weights[0][-1], result.coefs[0])
    np.testing.assert_array_equal(result.history.biases[1][-1], result.intercepts[1])


def test_a_small_rate_lowers_the_loss():
    loss = run(Config(hidden=(8,), epochs=50, lr=0.01)).history.loss
    assert loss[-1] < 0.5 * loss[0]


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    first, again = (run(Config(hidden=(5,), epochs=10, batch_size=4, random_state=3)) for _ in range(2))
    other = run(Config(hidden=(5,), epochs=10, batch_size=4, random_state=4))
    assert first.history.equals(again.history)
    assert not first.history.equals(other.history)


def test_a_stacked_run_equals_the_same_run_alone():
    configs = [
        Config(hidden=(6,), epochs=20, lr=lr, init=init, random_state=1)
        for lr, init in ((0.01, "he"), (0.05, "xavier"))
    ]
    stacked = train(configs, X, Y)
    for config, together in zip(configs, stacked):
        alone = run(config)
        np.testing.assert_allclose(together.history.loss, alone.history.loss, rtol=1e-12)
        np.testing.assert_allclose(together.coefs[0], alone.coefs[0], rtol=1e-12)


def test_runs_of_different_architectures_do_not_stack():
    with pytest.raises(ValueError, match="stacks runs that differ only in"):
        train([Config(hidden=(4,)), Config(hidden=(5,))], X, Y)


def test_on_epoch_returning_false_stops_after_that_epoch():
    seen = []

    def stop_after_three(epoch, losses):
        seen.append(epoch)
        return epoch < 2

    history = run(Config(hidden=(4,), epochs=10), on_epoch=stop_after_three).history
    assert seen == [0, 1, 2] and history.stopped_at == 2 and history.epochs == 3


def test_record_false_keeps_the_loss_only():
    history = run(Config(hidden=(4,), epochs=5), record=False).history
    assert np.all(np.isfinite(history.loss))
    assert np.all(np.isnan(history.grad_norm)) and np.all(np.isnan(history.dead_fraction))


def test_a_diverged_run_is_retired_alone():
    calm, wild = train([Config(hidden=(4,), epochs=30, lr=0.001), Config(hidden=(4,), epochs=30, lr=50.0)], X, Y)
    assert calm.history.diverged_at is None and calm.history.epochs == 30
    assert wild.history.diverged_at is not None and wild.history.epochs == wild.history.diverged_at + 1
    assert np.all(np.isfinite(wild.coefs[0]))  # its last good parameters, not the blown-up ones


@pytest.mark.parametrize("batch_size", [None, 6])
def test_the_validation_rows_ride_the_training_pass_without_changing_training(batch_size):
    """The eval set's rows share the full pass's forward products (one pass per layer for both); each
    epoch's validation loss is still that of the parameters the training loss saw, and training is
    the run without an eval set up to BLAS's row tiling (≤ a few ulps: a matrix product of more rows
    may sum a tail row's products in another order)."""
    config = Config(hidden=(6, 4), epochs=15, lr=0.02, batch_size=batch_size)
    X_val, y_val = X[:7] + 0.5, Y[:7]
    with_eval = run(config, eval_set=(X_val, y_val)).history
    without = run(config).history
    np.testing.assert_allclose(with_eval.loss, without.loss, rtol=1e-13)
    np.testing.assert_allclose(with_eval.grad_norm, without.grad_norm, rtol=1e-12)
    for index, epoch in enumerate(with_eval.snapshot_epochs[:-1]):
        hidden = X_val
        for layer in range(2):
            hidden = np.maximum(hidden @ with_eval.weights[layer][index] + with_eval.biases[layer][index], 0)
        prediction = hidden @ with_eval.weights[2][index][:, 0] + with_eval.biases[2][index][0]
        np.testing.assert_allclose(with_eval.val_loss[epoch], np.mean((prediction - y_val) ** 2), rtol=1e-12)
