import numpy as np
import pytest

from nnlab.activations import ACTIVATIONS

Z = np.linspace(-6, 6, 2001)


# (derivative, what it differentiates, tolerance): f' against f, and f'' against f'.
DERIVATIVES = [("derivative", "function", 1e-7), ("second_derivative", "derivative", 1e-6)]


@pytest.mark.parametrize("derivative, of, atol", DERIVATIVES, ids=["f'", "f''"])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_matches_finite_differences(name, derivative, of, atol):
    activation = ACTIVATIONS[name]
    step = 1e-6
    f = getattr(activation, of)
    numeric = (f(Z + step) - f(Z - step)) / (2 * step)
    away_from_kinks = np.abs(Z) > 1e-3
    np.testing.assert_allclose(getattr(activation, derivative)(Z)[away_from_kinks], numeric[away_from_kinks], atol=atol)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_out_buffer_gives_same_values(name):
    activation = ACTIVATIONS[name]
    out = np.empty_like(Z)
    np.testing.assert_array_equal(activation.function(Z, out=out), activation.function(Z))
    np.testing.assert_array_equal(activation.derivative(Z, out=out), activation.derivative(Z))
    np.testing.assert_array_equal(activation.second_derivative(Z, out=out), activation.second_derivative(Z))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_max_slope_is_the_derivatives_maximum(name):
    activation = ACTIVATIONS[name]
    wide = np.linspace(-40, 40, 400001)
    assert np.max(activation.derivative(wide)) == pytest.approx(activation.max_slope, rel=1e-3)


def test_hand_values():
    # relu(-1)=0, relu(2)=2; sigmoid(0)=1/2 with slope 1/4; tanh'(0)=1; softplus(0)=log 2.
    assert ACTIVATIONS["relu"].function(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]
    assert ACTIVATIONS["sigmoid"].function(np.array([0.0]))[0] == 0.5
    assert ACTIVATIONS["sigmoid"].derivative(np.array([0.0]))[0] == 0.25
    assert ACTIVATIONS["tanh"].derivative(np.array([0.0]))[0] == 1.0
    assert ACTIVATIONS["softplus"].function(np.array([0.0]))[0] == pytest.approx(np.log(2))


def test_no_overflow_warnings_at_extremes():
    extreme = np.array([-1e300, -800.0, 800.0, 1e300])
    for activation in ACTIVATIONS.values():
        assert np.all(np.isfinite(activation.derivative(extreme)))
        assert np.all(np.isfinite(activation.second_derivative(extreme)))
        assert not np.any(np.isnan(activation.function(extreme)))
