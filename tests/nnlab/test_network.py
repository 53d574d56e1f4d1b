"""nnlab.network on its own: the flat layout, and forward and backward on a network worked by hand."""

import numpy as np
import pytest

from nnlab.network import Layout, Network, initial_parameters

# 1 input → 2 ReLU units → 1 output.
W0, B0 = np.array([[1.0, -1.0]]), np.array([0.0, 0.5])
W1, B1 = np.array([[2.0], [3.0]]), np.array([0.1])
X = np.array([[1.0], [2.0]])
Y = np.array([2.0, 4.0])


def network():
    return Network.from_layers([W0, W1], [B0, B1], "relu")


def test_layout_places_every_w_then_every_b():
    layout = Layout([1, 2, 1])
    # weights 1·2 + 2·1 = 4, biases 2 + 1 = 3
    assert (layout.n_weights, layout.n_params, layout.n_layers) == (4, 7, 2)
    assert layout.starts.tolist() == [0, 2, 4, 6]
    weights, biases = layout.views(np.arange(7.0))
    assert weights[0].tolist() == [[0, 1]] and weights[1].tolist() == [[2], [3]]
    assert biases[0].tolist() == [4, 5] and biases[1].tolist() == [6]


def test_pack_is_the_inverse_of_views():
    layout = Layout([3, 4, 2, 1])
    flat = np.random.default_rng(0).standard_normal((2, layout.n_params))
    np.testing.assert_array_equal(layout.pack(*layout.views(flat)), flat)


def test_forward_on_the_hand_worked_network():
    net = network()
    prediction = net.forward(X, net.buffers(len(X)))
    # x = 1: z₀ = (1, −1 + 0.5) = (1, −0.5), a₀ = (1, 0), ŷ = 2·1 + 3·0 + 0.1 = 2.1
    # x = 2: z₀ = (2, −2 + 0.5) = (2, −1.5), a₀ = (2, 0), ŷ = 2·2 + 0.1 = 4.1
    np.testing.assert_allclose(prediction, [[2.1, 4.1]])


def test_loss_and_backward_on_the_hand_worked_network():
    net = network()
    buffers = net.buffers(len(X))
    loss = net.loss(net.forward(X, buffers), Y, buffers)
    # errors (0.1, 0.1): MSE = 0.01
    np.testing.assert_allclose(loss, [0.01])
    net.backward(X, buffers)
    # δ_out = 2/n·error = (0.1, 0.1); ∂W₁ = a₀ᵀδ = (1·0.1 + 2·0.1, 0) = (0.3, 0); ∂b₁ = 0.2
    # δ₀ = δ_out·W₁ᵀ ⊙ relu′(z₀) = (0.2, 0.3) ⊙ (1, 0) per row = (0.2, 0);
    # ∂W₀ = Xᵀδ₀ = (1·0.2 + 2·0.2, 0) = (0.6, 0); ∂b₀ = (0.4, 0)
    np.testing.assert_allclose(net.gW[0][0], [[0.6, 0.0]])
    np.testing.assert_allclose(net.gW[1][0], [[0.3], [0.0]])
    np.testing.assert_allclose(net.gb[0][0], [0.4, 0.0])
    np.testing.assert_allclose(net.gb[1][0], [0.2])


def test_l2_adds_its_penalty_and_its_gradient_to_the_weights_only():
    net = network()
    net.l2[:] = 0.1
    # l2·ΣW² = 0.1·(1 + 1 + 4 + 9) = 1.5
    np.testing.assert_allclose(net.penalty(), [1.5])
    buffers = net.buffers(len(X))
    net.loss(net.forward(X, buffers), Y, buffers)
    net.backward(X, buffers)
    # ∂W₀ = 0.6 + 2·0.1·1 = 0.8 and 0 + 2·0.1·(−1) = −0.2; biases unchanged
    np.testing.assert_allclose(net.gW[0][0], [[0.8, -0.2]])
    np.testing.assert_allclose(net.gb[0][0], [0.4, 0.0])


def test_stacked_runs_compute_what_each_computes_alone():
    layout = Layout([3, 5, 1])
    rngs = [np.random.default_rng(s) for s in (1, 2)]
    theta = initial_parameters(layout, ["he", "xavier"], rngs, np.float64)
    X3 = np.random.default_rng(3).standard_normal((7, 3))
    both = Network(theta, layout, "tanh")
    together = both.forward(X3, both.buffers(7))
    for run in range(2):
        alone = Network(theta[run : run + 1].copy(), layout, "tanh")
        np.testing.assert_allclose(alone.forward(X3, alone.buffers(7))[0], together[run])


def test_initial_parameters_start_biases_at_zero():
    layout = Layout([4, 3, 1])
    theta = initial_parameters(layout, ["he"], [np.random.default_rng(0)], np.float32)
    assert theta.shape == (1, 4 * 3 + 3 * 1 + 3 + 1) and theta.dtype == np.float32
    _, biases = layout.views(theta)
    assert all(not b.any() for b in biases)


def test_keep_drops_runs_and_their_gradients():
    layout = Layout([1, 2, 1])
    theta = np.arange(21.0).reshape(3, 7)
    net = Network(theta, layout, "relu", l2=[0.1, 0.2, 0.3])
    net.keep(np.array([0, 2]))
    assert net.runs == 2 and net.l2[:, 0].tolist() == pytest.approx([0.1, 0.3])
    np.testing.assert_array_equal(net.theta, theta[[0, 2]])
