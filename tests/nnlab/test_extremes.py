"""Settings at their extremes finish, or stop with a message; nothing runs past the documented caps.

Covers lr 1e-8 and 1e3 (MAX_LR), epochs at MAX_EPOCHS, depth and width at MAX_DEPTH and
MAX_WIDTH, batch size 1, the work and step caps (MAX_WORK, MAX_STEPS; how long the longest allowed
runs take is measured in benchmarks/caps_speed.py, not here), the
history's memory budget (SNAPSHOT_BUDGET_BYTES) on a 20,000-epoch deep run, and noisy but
converging runs (Adam, batch size 1) that must never be flagged as diverged.

Every RuntimeWarning is an error (pytest.ini), so an overflow NumPy reports fails the test.
The slowest test here takes ~10 s; the whole file ~25 s on an idle 2-core machine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import nnlab
from nnlab import config
from nnlab.activations import ACTIVATIONS
from nnlab.optimizers import OPTIMIZERS

ROOT = Path(__file__).resolve().parents[2]


def sine(rows=40, features=1, seed=0):
    """y = sin(x₀)·cos(x₁)… + noise on [-3, 3]: X (rows, features), y (rows,)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3.0, 3.0, (rows, features))
    y = np.prod(np.cos(X[:, 1:]), axis=1) * np.sin(X[:, 0]) + 0.1 * rng.standard_normal(rows)
    return X, y


def fit_quietly(X, y, **params):
    """Fit with every warning recorded; (model, [DivergenceWarning messages]). Any other warning fails."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        model = nnlab.MLP(**params).fit(X, y)
    others = [
        f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(w.category, nnlab.DivergenceWarning)
    ]
    assert not others
    return model, [str(w.message) for w in caught]


def history_bytes(history, names):
    """Bytes held by the named History fields (arrays, or lists of arrays)."""
    total = 0
    for name in names:
        value = getattr(history, name)
        if value is None:
            continue
        total += sum(a.nbytes for a in value) if isinstance(value, list) else value.nbytes
    return total


SNAPSHOTS = ("weights", "biases", "weight_grads", "snapshot_epochs")
SERIES = (
    "loss",
    "r2",
    "val_loss",
    "val_r2",
    "grad_norm",
    "bias_grad_norm",
    "update_ratio",
    "dead_fraction",
    "saturation",
)


# -- learning rate ---------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_smallest_learning_rate_finishes_and_barely_moves(optimizer):
    X, y = sine()
    model, diverged = fit_quietly(X, y, hidden=(8,), lr=1e-8, epochs=200, optimizer=optimizer)
    loss = model.history_.loss
    assert not diverged and model.history_.diverged_at is None
    assert len(loss) == 200 and np.all(np.isfinite(loss))
    assert loss[-1] <= loss[0] and loss[-1] == pytest.approx(loss[0], rel=1e-2)
    assert np.all(np.isfinite(model.predict(X)))


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_largest_learning_rate_stops_at_once_with_a_message(activation, optimizer):
    X, y = sine(features=2)
    model, messages = fit_quietly(
        X, y, hidden=(8, 8), activation=activation, optimizer=optimizer, lr=config.MAX_LR, epochs=200
    )
    history = model.history_
    if optimizer == "adam" and activation in ("sigmoid", "tanh"):
        # Adam moves each weight by about lr, and these units saturate: the output jumps (×1e8 after
        # the first step, within nnlab.divergence.FIRST_STEP_ALLOWANCE) and then comes back.
        # Stopping it would be a false alarm; it must end where it started, not blown up.
        assert history.diverged_at is None and not messages
        assert history.final_loss < 2 * history.loss[0]
        return
    assert history.diverged_at is not None and history.diverged_at <= 5, "lr 1e3 must be caught early"
    assert len(messages) == 1 and f"diverged at epoch {history.diverged_at}" in messages[0]
    assert "Learning rate 1000 is too large" in messages[0]
    assert history.epochs == history.diverged_at + 1  # history kept up to the blow-up, no further
    assert np.all(np.isfinite(history.loss[: history.diverged_at]))
    assert all(np.all(np.isfinite(p)) for p in model.coefs_ + model.intercepts_)
    assert np.all(np.isfinite(model.predict(X)))


def test_learning_rate_just_over_the_cap_is_refused():
    X, y = sine()
    with pytest.raises(ValueError, match=r"lr must be a finite number in \(0, 1000\]"):
        nnlab.MLP(lr=np.nextafter(config.MAX_LR, np.inf), epochs=1).fit(X, y)


def test_the_last_update_is_checked_for_divergence_too():
    """One epoch at lr 1e3: its only update sends the loss from 2.5 to ~4e7 (bound 2.5e4).

    The loss is measured before each update, so the last update is never measured by the loop;
    the kept parameters must still not be ones past the blow-up bound without diverged_at saying so.
    """
    X, y = np.array([[1.0], [2.0]]), np.array([1.0, 2.0])
    model, messages = fit_quietly(X, y, hidden=(), init="zeros", lr=config.MAX_LR, epochs=1)
    final_loss = float(np.mean((model.predict(X) - y) ** 2))
    history = model.history_
    assert history.diverged_at == 0 and len(messages) == 1, "the only update blows up: caught at once"
    assert history.blowup_loss > history.divergence_bound
    assert final_loss == pytest.approx(history.loss[0]) == pytest.approx(history.final_loss), (
        "the kept parameters are those from before the update that blew up"
    )


# -- epochs ------------------------------------------------------------------------------------


@pytest.mark.timeout(120)  # ~5 s here (≈50 µs an epoch); the timeout is the hang guard
def test_epochs_at_the_cap_finish():
    """MAX_EPOCHS on a linear model and 5 rows trains to the end with every loss finite."""
    X, y = sine(rows=5)
    model, messages = fit_quietly(X, y, hidden=(), lr=0.01, epochs=config.MAX_EPOCHS)
    assert not messages and model.history_.epochs == config.MAX_EPOCHS
    assert np.all(np.isfinite(model.history_.loss))


def test_epochs_over_the_cap_are_refused_before_any_work():
    X, y = sine()
    with pytest.raises(ValueError, match=r"epochs must be an integer from 1 to 100,000"):
        nnlab.MLP(epochs=config.MAX_EPOCHS + 1).fit(X, y)


# -- depth and width ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hidden, match",
    [
        ((4,) * (config.MAX_DEPTH + 1), "at most 10 layer widths"),
        ((config.MAX_WIDTH + 1,), "integer from 1 to 2048"),
        ((4, 0, 4), "integer from 1 to 2048"),
    ],
)
def test_depth_or_width_over_the_cap_is_refused(hidden, match):
    X, y = sine()
    with pytest.raises(ValueError, match=match):
        nnlab.MLP(hidden=hidden, epochs=1).fit(X, y)


def test_depth_and_width_at_the_caps_are_refused_by_the_parameter_cap():
    """(2048,)×10 has 37.8 M parameters, far over MAX_PARAMS: refused before anything is allocated."""
    X, y = sine(rows=353, features=10)
    with pytest.raises(ValueError, match=rf"hidden: 37,791,745 parameters .* over the cap of {config.MAX_PARAMS:,}"):
        nnlab.MLP(hidden=(config.MAX_WIDTH,) * config.MAX_DEPTH, epochs=1000).fit(X, y)


def test_work_cap_refuses_a_long_run_of_a_large_allowed_model():
    X, y = sine(rows=353, features=10)
    with pytest.raises(
        ValueError, match=rf"epochs × rows × parameters .* over the cap of {re.escape(f'{config.MAX_WORK:.0e}')}"
    ):
        nnlab.MLP(hidden=(512, 512), epochs=100_000).fit(X, y)


def test_depth_and_width_at_the_caps_fit_in_a_bounded_amount_of_memory():
    """The caps let (2048,)×10 train for 1 epoch on 2 rows (work 7.6e7); it must be refused or
    fit in MEMORY_LIMIT. Run in a child with RLIMIT_DATA set, so a breach fails fast instead
    of taking the machine's memory (measured: ~145 bytes per parameter, ~5.5 GB here)."""
    limit = 1 << 30  # 1 GiB on top of what the child holds after imports
    script = textwrap.dedent(f"""
        import json, resource
        import numpy as np
        import nnlab
        from nnlab import config

        def data_bytes():
            with open("/proc/self/status") as status:
                fields = dict(line.split(":", 1) for line in status)
            return int(fields["VmData"].split()[0]) * 1024

        X, y = np.ones((2, 2)), np.array([0.0, 1.0])
        model = nnlab.MLP(hidden=(config.MAX_WIDTH,) * config.MAX_DEPTH, epochs=1, lr=1e-6)
        resource.setrlimit(resource.RLIMIT_DATA, (data_bytes() + {limit}, resource.RLIM_INFINITY))
        try:
            model.fit(X, y)
            outcome = "trained"
        except ValueError as exc:
            outcome = "refused: " + str(exc)
        except MemoryError:
            outcome = "out of memory"
        print(json.dumps(outcome))
    """)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome != "out of memory", (
        f"a run at MAX_DEPTH × MAX_WIDTH that the caps allow needs more than {limit >> 20} MB"
    )


def test_a_wide_model_keeps_its_snapshots_within_the_budget():
    """(780, 780) is about the widest pair MAX_PARAMS allows: its two snapshots (start and end,
    weights and gradients) must still fit SNAPSHOT_BUDGET_BYTES; (1024,)×3 is refused."""
    X, y = sine(rows=2, features=2)
    with pytest.raises(ValueError, match="hidden"):
        nnlab.MLP(hidden=(1024,) * 3, epochs=2).fit(X, y)
    model, _ = fit_quietly(X, y, hidden=(780, 780), lr=1e-6, epochs=2)
    held = history_bytes(model.history_, SNAPSHOTS)
    assert held <= config.SNAPSHOT_BUDGET_BYTES, (
        f"{len(model.history_.snapshot_epochs)} snapshots hold {held / 1e6:.1f} MB, "
        f"over the {config.SNAPSHOT_BUDGET_BYTES / 1e6:g} MB budget"
    )


# -- batch size and the longest allowed runs --------------------------------------------------


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.01), ("momentum", 0.005), ("adam", 0.01)])
def test_batch_size_one_finishes_and_learns(optimizer, lr):
    X, y = sine(rows=30)
    model, messages = fit_quietly(X, y, hidden=(16, 16), batch_size=1, optimizer=optimizer, lr=lr, epochs=20)
    loss = model.history_.loss
    assert not messages and model.history_.diverged_at is None
    assert len(loss) == 20 and np.all(np.isfinite(loss)) and loss[-1] < loss[0]


def test_steps_over_the_cap_are_refused_naming_it():
    X, y = sine(rows=60)  # 60 batches an epoch: 100,000 epochs is 6 M steps
    with pytest.raises(
        ValueError, match=rf"epochs × batches per epoch = 6,000,000 is over the cap of {config.MAX_STEPS:,}"
    ):
        nnlab.MLP(hidden=(), batch_size=1, epochs=config.MAX_EPOCHS).fit(X, y)


# -- memory budget of a long deep run ---------------------------------------------------------


@pytest.mark.timeout(120)
def test_20000_epoch_deep_run_keeps_its_snapshots_within_the_budget():
    """(16,)×10 for 20,000 epochs on 2 rows (~8 s): the snapshot stride is chosen from
    SNAPSHOT_BUDGET_BYTES, so the weight snapshots stay under it however long the run."""
    X, y = sine(rows=2, features=2)
    model, messages = fit_quietly(X, y, hidden=(16,) * 10, optimizer="adam", lr=1e-3, epochs=20_000)
    history = model.history_
    snapshots = history_bytes(history, SNAPSHOTS)
    series = history_bytes(history, SERIES)
    print(
        f"20,000 epochs, depth 10: {len(history.snapshot_epochs)} snapshots, {snapshots / 1e6:.2f} MB; "
        f"per-epoch series {series / 1e6:.2f} MB; total {(snapshots + series) / 1e6:.2f} MB "
        f"(budget {config.SNAPSHOT_BUDGET_BYTES / 1e6:g} MB)"
    )
    assert not messages and history.epochs == 20_000
    assert snapshots <= config.SNAPSHOT_BUDGET_BYTES
    assert len(history.snapshot_epochs) >= 100, "the stride should use the budget, not waste it"
    assert history.snapshot_epochs[0] == 0 and history.snapshot_epochs[-1] == 20_000
    # The per-epoch series are outside the snapshot budget: (epochs, ≤ 2·layers) float64 each.
    layers = len(model.coefs_)
    assert series <= 20_000 * 8 * (4 + 3 * layers + 2 * (layers - 1))


# -- noisy but converging runs ------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu"])
@pytest.mark.parametrize(
    "options",
    [
        dict(optimizer="adam", lr=0.01, epochs=300),
        dict(optimizer="adam", lr=0.05, epochs=300),
        dict(batch_size=1, lr=0.01, epochs=20),
        dict(batch_size=1, optimizer="adam", lr=0.01, epochs=20),
        dict(batch_size=4, optimizer="momentum", lr=0.01, epochs=60),
    ],
    ids=["adam-0.01", "adam-0.05", "bs1-sgd", "bs1-adam", "bs4-momentum"],
)
def test_noisy_but_converging_runs_are_never_flagged(options, activation):
    """Loss spikes of up to ~60× the first loss happen here (tanh, Adam 0.05); the bound is 10⁴×."""
    X, y = sine(rows=30)
    for seed in range(2):
        model, messages = fit_quietly(X, y, hidden=(16, 16), activation=activation, random_state=seed, **options)
        loss = model.history_.loss
        assert not messages and model.history_.diverged_at is None, messages
        assert loss[-1] < 0.5 * loss[0]
