"""nnlab.doctor: each kind found on a run built to show it, absent on healthy runs, and cured by its fix."""

import warnings
from dataclasses import replace
from functools import cache

import numpy as np
import pytest

import nnlab
from nnlab import data, doctor
from nnlab.config import Config
from nnlab.linear import lr_bound

STANDARD = data.make_dataset("diabetes", target_scaling="standardize")  # the app's default data
DATASETS = {
    "standard": STANDARD,
    "raw features": data.make_dataset("diabetes", scaling="raw", target_scaling="standardize"),
    "raw target": data.make_dataset("diabetes", target_scaling="none"),
}
DEEP = dict(hidden=(64, 32), init="he", lr=0.03, epochs=300)  # the deep page's default run
LINEAR_BOUND = lr_bound(STANDARD.X_train)["bound"]

# kind -> (MLP parameters, dataset): a run built to show it.
CONSTRUCTED = {
    "diverged": (dict(DEEP, activation="tanh", lr=1.0), "standard"),
    "diverging": (dict(hidden=(), lr=1.1 * LINEAR_BOUND, epochs=60), "standard"),  # |1 − lr·λ_max| = 1.2
    "oscillating": (dict(DEEP, lr=0.1), "standard"),  # the edge of stability: sharpness 2/lr = 20
    "lr_too_small": (dict(DEEP, lr=1e-4), "standard"),
    "stalled": (dict(hidden=(32,) * 6, init="random", lr=0.03, epochs=300), "standard"),
    "dead_units": (dict(DEEP, lr=1.0), "standard"),
    "saturated_units": (dict(DEEP, activation="sigmoid", lr=0.3), "standard"),
    "vanishing_gradient": (
        dict(hidden=(32,) * 6, activation="sigmoid", init="xavier", lr=0.03, epochs=300),
        "standard",
    ),
    "exploding_gradient": (dict(DEEP, lr=1.0), "standard"),
    "symmetric_units": (dict(DEEP, activation="tanh", init="zeros"), "standard"),
    "overfitting": (dict(DEEP, optimizer="adam", lr=0.003), "standard"),
    "unscaled_features": (dict(DEEP, activation="tanh", lr=0.001), "raw features"),
    "unscaled_target": (dict(DEEP, lr=0.01), "raw target"),
}
# Healthy runs: the app's defaults, noisy Adam, batch size 1, other activations and target scales.
HEALTHY = {
    "deep default": (DEEP, "standard", 1.0),
    "deep default, target × 0.1": (DEEP, "standard", 0.1),
    "deep default, target × 0.3": (DEEP, "standard", 0.3),
    "tanh": (dict(DEEP, activation="tanh"), "standard", 1.0),
    "elu": (dict(DEEP, activation="elu"), "standard", 1.0),
    "gelu": (dict(DEEP, activation="gelu"), "standard", 1.0),
    "momentum": (dict(DEEP, optimizer="momentum", lr=0.01), "standard", 1.0),
    "noisy adam, batch 32": (dict(DEEP, optimizer="adam", lr=0.001, batch_size=32, epochs=30), "standard", 1.0),
    "noisy adam, target × 0.3": (dict(DEEP, optimizer="adam", lr=0.001, batch_size=32, epochs=30), "standard", 0.3),
    "sgd, batch 1": (dict(DEEP, lr=0.01, batch_size=1, epochs=20), "standard", 1.0),
    "linear": (dict(hidden=(), lr=0.1, epochs=300), "standard", 1.0),
    "linear, half the bound": (dict(hidden=(), lr=0.5, epochs=300), "standard", 1.0),
}


@cache
def _fit(params, dataset, scale=1.0):
    """(model, Diagnosis) of MLP(**params) on a dataset's training rows, its test rows as eval set."""
    d = DATASETS[dataset]
    model = nnlab.MLP(**dict(params))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)
        model.fit(d.X_train, d.y_train * scale, eval_set=(d.X_test, d.y_test * scale))
    return model, nnlab.diagnose(model, d.X_train, d.y_train * scale)


def _key(params):
    return tuple(sorted(params.items()))


def constructed(kind):
    params, dataset = CONSTRUCTED[kind]
    return _fit(_key(params), dataset)


def healthy(name):
    params, dataset, scale = HEALTHY[name]
    return _fit(_key(params), dataset, scale)


def test_every_kind_has_a_constructed_run():
    assert set(CONSTRUCTED) == set(doctor.RULES)


@pytest.mark.parametrize("kind", list(CONSTRUCTED))
def test_constructed_run_shows_its_finding(kind):
    _, diagnosis = constructed(kind)
    finding = diagnosis.get(kind)
    assert finding is not None, diagnosis.kinds
    assert finding.severity in doctor.SEVERITIES
    first, last = finding.epochs
    assert 0 <= first <= last < nnlab.MLP(**CONSTRUCTED[kind][0]).epochs
    assert set(finding.evidence) <= set(doctor.EVIDENCE)
    assert all(np.isfinite(v) for v in finding.evidence.values())
    assert not diagnosis.healthy


@pytest.mark.parametrize("name", list(HEALTHY))
def test_healthy_run_has_no_finding(name):
    _, diagnosis = healthy(name)
    assert diagnosis.kinds == []
    assert diagnosis.healthy and diagnosis.summary.startswith("Healthy: ")


@pytest.mark.parametrize("kind", list(CONSTRUCTED))
def test_the_fix_removes_the_finding(kind):
    model, diagnosis = constructed(kind)
    finding = diagnosis.get(kind)
    if finding.fix is None:
        assert kind in (
            "unscaled_features",
            "unscaled_target",
            "saturated_units",
        )  # the data's scaling, not a parameter
        return
    fixed = doctor.apply_fix(model.config(), finding)
    assert fixed.random_state == model.random_state
    _, after = _fit(_key(fixed.as_dict() | {"hidden": tuple(fixed.hidden)}), CONSTRUCTED[kind][1])
    assert kind not in after.kinds, after.kinds


def test_fixes_name_real_parameters_and_values():
    for kind in CONSTRUCTED:
        model, diagnosis = constructed(kind)
        for finding in diagnosis:
            if finding.fix is not None:
                doctor.apply_fix(model.config(), finding).validate()


def test_findings_are_ordered_most_serious_first():
    _, diagnosis = constructed("dead_units")
    ranks = [doctor.SEVERITIES.index(f.severity) for f in diagnosis]
    assert ranks == sorted(ranks) and len(diagnosis) >= 2


def test_findings_point_at_their_epochs_and_layers():
    # lr 1 kills both hidden layers within a few epochs; 6 sigmoid layers fade the gradient from the start.
    dead = constructed("dead_units")[1].get("dead_units")
    assert dead.layers == (0, 1) and dead.epochs[0] < 10 and dead.evidence["dead_share"] >= doctor.DEAD_SHARE
    vanishing = constructed("vanishing_gradient")[1].get("vanishing_gradient")
    assert vanishing.epochs[0] == 0 and vanishing.evidence["gradient_ratio"] < doctor.VANISHING_RATIO
    overfit = constructed("overfitting")[1].get("overfitting")
    assert overfit.fix == {"epochs": overfit.evidence["best_epoch"] + 1}


def test_oscillation_is_explained_by_the_sharpness():
    finding = constructed("oscillating")[1].get("oscillating")
    # lr 0.1 drives the sharpness up to 2/lr = 20 and holds it there: the edge of stability.
    assert finding.evidence["lr_over_edge"] == pytest.approx(1.0, abs=0.1)
    assert "2/λ_max" in finding.message


def _scaled(history, s):
    """The history of the same run on a target × s: losses × s², gradients × s."""
    losses = {name: getattr(history, name) * s**2 for name in ("loss", "penalty", "objective", "val_loss")}
    return replace(
        history,
        **losses,
        grad_norm=history.grad_norm * s,
        bias_grad_norm=history.bias_grad_norm * s,
        blowup_loss=history.blowup_loss * s**2,
        divergence_bound=history.divergence_bound * s**2,
    )


@pytest.mark.parametrize("scale", [1e-4, 1e4])
@pytest.mark.parametrize("kind", list(CONSTRUCTED))
def test_the_history_detectors_do_not_depend_on_the_targets_scale(kind, scale):
    model, _ = constructed(kind)
    history = model.history_
    assert nnlab.diagnose(_scaled(history, scale)).kinds == nnlab.diagnose(history).kinds


def test_a_bare_history_is_diagnosed_without_the_data(tmp_path):
    model, _ = constructed("dead_units")
    model.history_.save(tmp_path / "run.npz")
    diagnosis = nnlab.diagnose(nnlab.History.load(tmp_path / "run.npz"))
    assert "dead_units" in diagnosis.kinds and "unscaled_target" not in diagnosis.kinds


def test_recorded_sharpness_is_used_when_there():
    model = nnlab.MLP(**DEEP, sharpness_every=10).fit(STANDARD.X_train, STANDARD.y_train)
    assert nnlab.diagnose(model).kinds == []
    tiny = nnlab.MLP(**dict(DEEP, lr=1e-4), sharpness_every=50).fit(STANDARD.X_train, STANDARD.y_train)
    finding = nnlab.diagnose(tiny).get("lr_too_small")
    assert finding.evidence["sharpness"] == tiny.history_.sharpness[-1]
    assert finding.fix == {"lr": float(f"{doctor.CRAWL_FIX_SHARE * 2 / tiny.history_.sharpness[-1]:.2g}")}


def test_linear_lr_too_small_is_read_against_the_bound():
    model = nnlab.MLP(hidden=(), lr=0.001, epochs=100).fit(STANDARD.X_train, STANDARD.y_train)
    finding = nnlab.diagnose(model, STANDARD.X_train, STANDARD.y_train).get("lr_too_small")
    assert finding.evidence["lr_over_bound"] == pytest.approx(0.001 / LINEAR_BOUND)
    assert finding.fix == {"lr": float(f"{LINEAR_BOUND / 2:.2g}")}


@pytest.mark.parametrize("name", list(doctor.PRESETS))
def test_each_preset_shows_its_finding(name):
    preset = doctor.PRESETS[name]
    _, diagnosis = _fit(_key(preset.params), "standard")
    assert preset.shows in diagnosis.kinds


def test_verdicts():
    assert doctor.verdict(healthy("deep default")[1]) == "converged"
    expected = {
        "diverged": "diverged",
        "diverging": "diverging",
        "dead_units": "dead",
        "stalled": "stalled",
        "oscillating": "oscillating",
        "overfitting": "overfitting",
        "lr_too_small": "slow",
    }
    for kind, word in expected.items():
        assert doctor.verdict(constructed(kind)[1]) == word
    assert set(doctor.VERDICTS.values()) | {"converged"} == set(doctor.VERDICT_ORDER)


def test_verdicts_of_a_sweep_recorded_without_diagnostics():
    # record=False keeps the loss alone: the verdicts come from its shape and the stop rules.
    result = nnlab.sweep(
        STANDARD.X_train,
        STANDARD.y_train,
        grid={"lr": [1e-4, 0.03, 5.0]},
        n_jobs=1,
        record=False,
        base=dict(hidden=(64, 32), epochs=300),
    )
    assert [doctor.verdict(nnlab.diagnose(h)) for h in result.histories] == ["slow", "converged", "diverged"]


def test_diagnose_speed_on_a_long_history_is_not_the_bottleneck():
    # Timing is the benchmark's job; this only checks a 1,000-epoch history is handled whole.
    model = nnlab.MLP(hidden=(8, 4), lr=0.03, epochs=1000).fit(STANDARD.X_train, STANDARD.y_train)
    assert isinstance(nnlab.diagnose(model.history_), doctor.Diagnosis)


def test_config_default_for_a_history_without_one():
    model, _ = constructed("dead_units")
    bare = replace(model.history_, config=None)
    assert nnlab.diagnose(bare).kinds == nnlab.diagnose(model.history_).kinds
    # The fixes of a history without its config are relative to the default one.
    assert nnlab.diagnose(bare).get("exploding_gradient").fix == {"lr": Config().lr / 10}


def test_blowup_cause_names_unscaled_features_then_target_then_the_rate():
    from sklearn.datasets import load_diabetes

    from nnlab.doctor import blowup_cause

    X, y = load_diabetes(return_X_y=True)
    model = nnlab.MLP(hidden=(), init="zeros", lr=2.0)
    raw = X * 1000.0 + np.arange(X.shape[1]) * 100.0
    assert blowup_cause(model, raw, y / y.std())[0] == "unscaled_features"
    assert blowup_cause(model, X, y)[0] == "unscaled_target"
    kind, evidence = blowup_cause(model, X, (y - y.mean()) / y.std())
    # For a linear model the sharpness at the start is the exact Hessian's λ_max, whatever the weights.
    assert kind == "learning_rate"
    assert evidence["sharpness"] == pytest.approx(lr_bound(X)["lambda_max"], rel=1e-6)
    assert evidence["lr_over_edge"] == pytest.approx(2.0 * evidence["sharpness"] / 2.0)
