"""Property tests: whatever `MLP` is given, `fit` trains or raises ValueError, and nothing else.

Hypothesis draws constructor arguments (each one valid, or replaced by anything at all: None,
bools, NaN and ±inf, huge and negative numbers, strings, bytes, tuples, lists, dicts, NumPy
scalars, Decimals) and small data sets (0 to 6 rows, NaN/inf cells, constant columns, values
scaled up to 1e±300, mismatched lengths, non-numeric arrays). The promises checked:

- the only exception is ValueError; the only warning is DivergenceWarning (every RuntimeWarning
  is an error here, as in pytest.ini, so an overflow that escapes NumPy's errstate fails);
- after a successful fit the kept parameters are finite, every loss before `diverged_at` is
  finite, a non-finite loss always sets `diverged_at` (and a DivergenceWarning says so), and
  predictions on the training rows are finite whenever those rows are of moderate size.

Epochs and widths are kept tiny: 1,200 examples take ~10 s when all pass (a failing run shrinks
its example: 15-45 s on a busy 2-core machine).
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.control import event as _hypothesis_event
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import DataConversionWarning

import nnlab
from nnlab import config
from nnlab.activations import ACTIVATIONS
from nnlab.initializers import INITIALIZERS
from nnlab.optimizers import OPTIMIZERS


def event(text):
    """hypothesis.event, also callable from the plain tests below (where it does nothing)."""
    if currently_in_test_context():
        _hypothesis_event(text)


MODERATE = 1e6  # |X| up to this: a finite network's forward pass cannot overflow on it

# Anything at all. Integers skip 1..999,999, so that a "bad" epochs or width is never a valid,
# expensive one; they include ints too large for a C long or a float (10**400).
HUGE_INTS = st.sampled_from([2**63 - 1, 2**63, 2**64, 10**30, -(10**30), 10**400, -(10**400)])
ODD_OBJECTS = st.sampled_from(
    [
        np.float64(np.nan),
        np.float32(np.inf),
        np.float16(-np.inf),
        np.int64(-1),
        np.uint64(2**64 - 1),
        np.bool_(True),
        np.bool_(False),
        np.array([1, 2]),
        np.array(3.0),
        np.array([]),
        Decimal("0.01"),
        Decimal("NaN"),
        Fraction(1, 3),
        complex(1, 1),
        object(),
        type,
        print,
        np.float64,
        Ellipsis,
        frozenset({1}),
        range(3),
        b"relu",
        bytearray(b"x"),
        "",
        " relu",
        "RELU",
        "relu\x00",
    ]
)
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(max_value=0),
    st.integers(min_value=1_000_000),
    HUGE_INTS,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.binary(max_size=4),
    st.tuples(st.integers(-3, 5)),
    st.lists(st.integers(-3, 5), max_size=3),
    st.tuples(st.floats(allow_nan=True), st.text(max_size=2)),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.sets(st.integers(), max_size=2),
    ODD_OBJECTS,
)
# Out of range, but of the right type: the cases a validator most easily lets through.
BAD_WIDTH = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=config.MAX_WIDTH + 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=2),
)
NEAR_MISSES = {
    "hidden": st.one_of(
        st.lists(st.integers(1, 3), min_size=config.MAX_DEPTH + 1, max_size=config.MAX_DEPTH + 3).map(tuple),
        st.lists(BAD_WIDTH, min_size=1, max_size=3).map(tuple),
        st.lists(st.integers(1, 4), min_size=1, max_size=2).map(np.array),
    ),
    "lr": st.one_of(st.floats(max_value=0), st.floats(min_value=config.MAX_LR, exclude_min=True), HUGE_INTS),
    "epochs": st.one_of(st.integers(max_value=0), st.integers(min_value=config.MAX_EPOCHS + 1), st.floats(1, 10)),
    "batch_size": st.one_of(st.integers(max_value=0), st.floats(1, 10)),
    "momentum": st.one_of(st.floats(max_value=0, exclude_max=True), st.floats(min_value=1), HUGE_INTS),
    "l2": st.one_of(
        st.floats(max_value=0, exclude_max=True), st.floats(min_value=config.MAX_L2, exclude_min=True), HUGE_INTS
    ),
    "random_state": st.one_of(st.integers(max_value=-1), st.floats()),
    "record_every": st.one_of(st.integers(max_value=0), st.floats(1, 10)),
    "sharpness_every": st.one_of(st.integers(max_value=0), st.floats(1, 10)),
    "activation": st.one_of(st.text(max_size=8), st.lists(st.sampled_from(list(ACTIVATIONS)), max_size=1)),
    "init": st.one_of(st.text(max_size=8), st.dictionaries(st.sampled_from(list(INITIALIZERS)), st.none())),
    "optimizer": st.one_of(st.text(max_size=8), st.sets(st.sampled_from(list(OPTIMIZERS)), max_size=1)),
    "dtype": st.sampled_from(["float16", "int64", "f8", np.float64, np.dtype("float32"), "object"]),
}
# Valid values, cheap ones: tiny layers and few epochs.
VALID = {
    "hidden": st.one_of(st.lists(st.integers(1, 5), max_size=3).map(tuple), st.lists(st.integers(1, 5), max_size=2)),
    "activation": st.sampled_from(list(ACTIVATIONS)),
    "init": st.sampled_from(list(INITIALIZERS)),
    "lr": st.one_of(st.floats(min_value=1e-8, max_value=config.MAX_LR), st.integers(-8, 3).map(lambda k: 10.0**k)),
    "epochs": st.integers(1, 6),
    "batch_size": st.one_of(st.none(), st.integers(1, 8), st.sampled_from([10**12, 2**64])),
    "optimizer": st.sampled_from(list(OPTIMIZERS)),
    "momentum": st.floats(0, 1, exclude_max=True),
    "l2": st.one_of(st.floats(0, config.MAX_L2), st.just(0.0)),
    # Not None: an unseeded run differs on every call, and hypothesis needs to replay a failure.
    "random_state": st.one_of(st.integers(0, 2**70), st.integers(0, 2**32).map(np.random.default_rng)),
    "record_every": st.one_of(st.none(), st.integers(1, 8), st.just(2**80)),
    "sharpness_every": st.one_of(st.none(), st.integers(1, 8), st.just(2**80)),
    "dtype": st.sampled_from(list(config.DTYPES)),
}


@st.composite
def model_params(draw):
    """MLP kwargs: every argument valid except (usually) none, one or two, which may be anything."""
    broken = draw(st.sets(st.sampled_from(sorted(VALID)), max_size=2))
    params = {}
    for name, valid in VALID.items():
        if name in broken:
            params[name] = draw(st.one_of(ANYTHING, NEAR_MISSES[name]))
        else:
            params[name] = draw(valid)
    event(f"broken: {sorted(broken) or 'none'}")
    return params


FINITE = st.floats(-1e3, 1e3, allow_subnormal=False)
ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)


@st.composite
def data_sets(draw):
    """(X, y): mostly float arrays of 0..6 rows and 0..3 columns, sometimes anything."""
    rows = draw(st.sampled_from([0, 1, 1, 2, 3, 4, 5, 6]))
    cols = draw(st.sampled_from([0, 1, 1, 2, 2, 3]))
    kind = draw(st.sampled_from(["clean", "clean", "any", "scaled", "constant", "odd"]))
    event(f"data: {kind}")
    if kind == "odd":
        return draw(st.sampled_from(ODD_DATA))
    elements = ANY_FLOAT if kind == "any" else FINITE
    X = draw(arrays(np.float64, (rows, cols), elements=elements))
    y_rows = draw(st.sampled_from([rows] * 6 + [max(rows - 1, 0), rows + 1]))
    y = draw(arrays(np.float64, (y_rows,), elements=elements))
    if kind == "scaled":
        X, y = X * 10.0 ** draw(st.integers(-300, 300)), y * 10.0 ** draw(st.integers(-300, 300))
    elif kind == "constant" and cols:
        X[:, draw(st.integers(0, cols - 1))] = draw(FINITE)
        if draw(st.booleans()):
            y[:] = draw(FINITE)
    return X, y


ODD_DATA = [
    (None, None),
    (None, [1.0]),
    ([[1.0, 2.0]], None),
    (3.0, 1.0),
    ("abc", [1.0]),
    ([], []),
    ([[1, 2], [3]], [1, 2]),
    (np.ones(3), np.ones(3)),
    (np.zeros((2, 2, 2)), np.ones(2)),
    (np.array([["a", "b"], ["c", "d"]]), [1.0, 2.0]),
    (np.ones((2, 2)), np.array(["x", "y"])),
    (np.ones((2, 2)) + 1j, [1.0, 2.0]),
    (np.ones((2, 2)), [1j, 2.0]),
    (np.ones((3, 2)) > 0, [0, 1, 2]),
    (np.array([[1, None], [2, 3]], dtype=object), [1.0, 2.0]),
    (np.ones((2, 2)), np.ones((2, 2))),
    (np.ones((2, 1)), np.ones((2, 1))),
    (np.full((2, 1), 1e39), [1.0, 2.0]),
    (np.arange(6, dtype=np.int64).reshape(3, 2), np.arange(3, dtype=np.int8)),
    (np.ones((2, 2), dtype=np.float16), [np.float16(1), np.float16(2)]),
]


@st.composite
def eval_sets(draw, n_features):
    """None, or (X_val, y_val) that may disagree with the training data in width or length."""
    if draw(st.booleans()):
        return None
    rows = draw(st.integers(0, 4))
    cols = draw(st.sampled_from([n_features, n_features, n_features + 1, max(n_features - 1, 0)]))
    elements = draw(st.sampled_from([FINITE, FINITE, ANY_FLOAT]))
    X_val = draw(arrays(np.float64, (rows, cols), elements=elements))
    y_val = draw(arrays(np.float64, (draw(st.sampled_from([rows, rows, rows + 1])),), elements=elements))
    return X_val, y_val


def fit_or_refuse(params, X, y, eval_set=None):
    """(model, DivergenceWarning messages) after fit, or (None, the ValueError); any other exception,
    and any other warning, fails the test."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)  # an overflow NumPy reports is a failure
        try:
            model = nnlab.MLP(**params).fit(X, y, eval_set=eval_set)
        except ValueError as exc:
            assert str(exc), "a ValueError must say what is wrong"
            event(f"refused: {str(exc)[:25]}")
            return None, exc
    # scikit-learn's own DataConversionWarning (a column-vector y is raveled) is its convention.
    others = [w for w in caught if not issubclass(w.category, (nnlab.DivergenceWarning, DataConversionWarning))]
    assert not others, [f"{w.category.__name__}: {w.message}" for w in others]
    return model, [str(w.message) for w in caught if issubclass(w.category, nnlab.DivergenceWarning)]


def check_fitted(model, X, divergence_messages):
    """A fitted model keeps finite parameters, marks any non-finite loss, and predicts finitely."""
    history = model.history_
    for array in model.coefs_ + model.intercepts_:
        assert np.all(np.isfinite(array)), "kept parameters must be the last finite ones"
    loss = history.loss
    assert 1 <= len(loss) <= model.epochs
    bad = np.flatnonzero(~np.isfinite(loss))
    if len(bad):
        assert history.diverged_at is not None and history.diverged_at <= bad[0], (
            f"loss {loss[bad[0]]} at epoch {bad[0]} but diverged_at = {history.diverged_at}"
        )
    if history.diverged_at is None:
        assert not divergence_messages
        event("trained")
    else:
        assert np.all(np.isfinite(loss[: history.diverged_at]))
        assert len(divergence_messages) == 1 and "diverged at epoch" in divergence_messages[0]
        event("diverged")
    X = np.asarray(X, dtype=np.float64)
    if np.max(np.abs(X), initial=0.0) <= MODERATE:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            prediction = model.predict(X)
        assert prediction.shape == (len(X),)
        assert np.all(np.isfinite(prediction)), f"non-finite predictions {prediction}"


# One bug reported (and shrunk) at a time keeps a failing run to a minute or so.
SETTINGS = settings(
    max_examples=1000, deadline=None, report_multiple_bugs=False, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(params=model_params(), data=data_sets())
def test_fit_trains_or_raises_value_error(params, data):
    X, y = data
    model, outcome = fit_or_refuse(params, X, y)
    if model is not None:
        check_fitted(model, X, outcome)


@settings(max_examples=200, deadline=None)
@given(params=st.fixed_dictionaries({name: VALID[name] for name in VALID}), data=st.data())
def test_valid_arguments_on_clean_data_always_train(params, data):
    """Every valid argument set trains on clean data (a blow-up is a result, not an error),
    with or without an eval set, which may itself be refused when it does not fit."""
    rows, cols = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 3))
    X = data.draw(arrays(np.float64, (rows, cols), elements=FINITE))
    y = data.draw(arrays(np.float64, (rows,), elements=FINITE))
    eval_set = data.draw(eval_sets(cols))
    model, outcome = fit_or_refuse(params, X, y, eval_set)
    if model is None:
        assert eval_set is not None, f"valid arguments and clean data were refused: {outcome}"
        return
    check_fitted(model, X, outcome)
    if eval_set is not None:
        assert len(model.history_.val_loss) == len(model.history_.loss)


# The smallest failing inputs hypothesis found, kept as plain examples so that they are checked
# on every run, whatever the random draw.
ODD_ARGUMENTS = [
    ("lr", 10**400),
    ("momentum", 10**400),
    ("l2", -(10**400)),
    ("lr", Decimal("1e400")),
    ("activation", ["relu"]),
    ("init", {}),
    ("optimizer", {"sgd"}),
    ("dtype", ["float64"]),
    ("hidden", (3, 10**400)),
    ("epochs", 10**400),
    ("random_state", 10**400),
    ("batch_size", 10**400),
    ("record_every", 10**400),
]


@pytest.mark.parametrize(
    "name, value", ODD_ARGUMENTS, ids=[f"{name}={str(value)[:12]}" for name, value in ODD_ARGUMENTS]
)
def test_odd_argument_is_refused_with_value_error_or_trains(name, value):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]])
    y = np.array([1.0, 0.0, 1.0])
    model, outcome = fit_or_refuse({"hidden": (2,), "epochs": 2, name: value}, X, y)
    if model is not None:
        check_fitted(model, X, outcome)


@pytest.mark.parametrize("scale", [1e150, 1e160, 1e300])
@pytest.mark.parametrize("hidden", [(), (3,)])
def test_a_target_whose_square_overflows_is_caught_at_once(scale, hidden):
    """Where mean(y²) overflows (1e160, 1e300) the loss is inf from epoch 0, so the run must stop
    there; at 1e150 mean(y²) ≈ 1.6e300 is still finite, and the run trains or is caught later."""
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [1.0, 1.0]])
    y = scale * np.array([1.0, -1.0, 2.0, 0.5])
    model, outcome = fit_or_refuse({"hidden": hidden, "epochs": 5, "lr": 0.1}, X, y)
    if model is not None:
        check_fitted(model, X, outcome)
        with np.errstate(over="ignore"):
            overflows = not np.isfinite(np.mean(y**2))
        if overflows:
            assert model.history_.diverged_at == 0 and model.history_.epochs == 1  # caught at once
        else:
            assert model.history_.diverged_at is not None or math.isfinite(model.history_.loss.max())
