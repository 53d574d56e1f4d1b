"""nnlab.diagnostics: the sampled gradient check and the trust checks that gather it with the twin."""

from __future__ import annotations

import numpy as np
from diabetes_runs import X_TEST, X_TRAIN, Z_TEST, Z_TRAIN, fit

import nnlab
from nnlab import diagnostics, explain
from nnlab.diagnostics import gradcheck


def test_sampled_gradcheck_equals_the_full_check_on_small_layers():
    model = fit()
    ours = diagnostics.sampled_gradcheck(model, X_TRAIN[:10], Z_TRAIN[:10], per_block=1000)
    full = gradcheck(model, X_TRAIN[:10], Z_TRAIN[:10])
    np.testing.assert_allclose(ours.relative_error, full.relative_error, rtol=1e-9)
    assert (ours.checked == ours.entries).all() and ours.ok.all()


def test_sampled_gradcheck_checks_a_sample_of_big_layers():
    table = diagnostics.sampled_gradcheck(nnlab.MLP(hidden=(30, 20)), X_TRAIN[:5], Z_TRAIN[:5], per_block=25)
    assert table.checked.tolist() == [25, 25, 20, 25, 1, 20] and table.entries.sum() == 300 + 600 + 20 + 30 + 20 + 1
    passed, sentence = explain.gradcheck_verdict(table)
    assert passed and "116 of 971 gradient entries" in sentence


def test_gradcheck_verdict_catches_a_wrong_gradient(monkeypatch):
    true_objective = diagnostics.objective_and_gradient
    calls = []

    def off_by_one_percent(network, X, y):  # the first call is backprop's: make it 1% too big
        loss, grad = true_objective(network, X, y)
        calls.append(1)
        return loss, grad * 1.01 if len(calls) == 1 else grad

    monkeypatch.setattr(diagnostics, "objective_and_gradient", off_by_one_percent)
    passed, sentence = explain.gradcheck_verdict(diagnostics.sampled_gradcheck(fit(), X_TRAIN[:5], Z_TRAIN[:5]))
    assert not passed and "disagree" in sentence and "layer 1 W" in sentence


def test_trust_checks_gather_both_checks_and_the_twin():
    checks = diagnostics.trust_checks(fit(activation="gelu"), X_TRAIN, Z_TRAIN, X_TEST, Z_TEST, rows=8)
    assert checks["start"].ok.all() and checks["end"].ok.all()
    assert "no 'gelu' activation" in checks["twin"]
