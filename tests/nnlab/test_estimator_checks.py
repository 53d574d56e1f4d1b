"""scikit-learn's own conformance checks, and the estimator inside scikit-learn's tools."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import estimator_checks_generator

from nnlab import MLP, DivergenceWarning

# nnlab computes in NumPy only: scikit-learn's array-API check (which skips itself unless
# SCIPY_ARRAY_API is set) does not apply, so it is left out by name rather than skipped.
NOT_APPLICABLE = {"check_array_api_input"}


def _check_name(check):
    return getattr(check, "func", check).__name__


# The defaults, as a user gets them (on some of the checks' unscaled data they diverge, which must
# still leave a conforming estimator); and a config shown not to diverge on any check's data, so
# the checks also see models that really learned: Adam's steps do not grow with the target's scale.
ESTIMATORS = {"defaults": MLP(), "calm": MLP(hidden=(16,), optimizer="adam", lr=0.01, epochs=300)}
CHECKS = [
    (name, estimator, check)
    for name, base in ESTIMATORS.items()
    for estimator, check in estimator_checks_generator(base, legacy=True)
    if _check_name(check) not in NOT_APPLICABLE
]


@pytest.mark.parametrize("name, estimator, check", CHECKS, ids=[f"{n}-{_check_name(c)}" for n, _, c in CHECKS])
def test_sklearn_compatible(name, estimator, check):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DivergenceWarning)
        check(estimator)
    diverged = [str(w.message) for w in caught if issubclass(w.category, DivergenceWarning)]
    if name == "calm":
        assert not diverged, f"{_check_name(check)} checked a blown-up model: {diverged[0]}"


def test_every_other_sklearn_check_is_run():
    names = [_check_name(c) for n, _, c in CHECKS if n == "calm"]
    assert len(names) >= 50 and NOT_APPLICABLE.isdisjoint(names)
    assert sorted(names) == sorted(_check_name(c) for n, _, c in CHECKS if n == "defaults")


def _regression(seed=0, rows=120):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.1 * rng.standard_normal(rows)
    return X, y


def test_pipeline_cross_val_and_grid_search():
    X, y = _regression()
    pipeline = make_pipeline(StandardScaler(), MLP(hidden=(8,), lr=0.05, epochs=200))
    scores = cross_val_score(pipeline, X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.9
    search = GridSearchCV(MLP(hidden=(), epochs=200), {"lr": [1e-4, 0.1]}, cv=3).fit(X, y)
    assert search.best_params_ == {"lr": 0.1}


def test_clone_keeps_parameters_and_drops_fit():
    model = MLP(hidden=(4, 2), activation="tanh", lr=0.02).fit(*_regression(rows=30))
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "coefs_")
