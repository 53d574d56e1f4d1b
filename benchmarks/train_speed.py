"""Per-epoch training time of a 10-64-32-1 ReLU network, full batch, on the diabetes training split.

Contenders run interleaved in one process (A B C A B C ...), each pinned to one BLAS thread:
nnlab float64 with full recording, nnlab float64 without recording, nnlab float32, scikit-learn's
MLPRegressor (plain SGD, no momentum, no penalty, one batch of all rows, no early stopping) and,
when installed, PyTorch on the CPU. Prints median and min-max microseconds per epoch, then ratios
against the issue's targets.

    python benchmarks/train_speed.py [--epochs 300] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from threadpoolctl import threadpool_limits

from nnlab.config import Config
from nnlab.training import train

HIDDEN = (64, 32)
LR = 0.01


def data():
    X, y = load_diabetes(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=42)
    return X_train, (y_train - y_train.mean()) / y_train.std()


def nnlab_runner(dtype="float64", record=True):
    def run(X, y, epochs):
        train([Config(hidden=HIDDEN, lr=LR, epochs=epochs, dtype=dtype)], X, y, record=record)

    return run


def sklearn_run(X, y, epochs):
    model = MLPRegressor(
        hidden_layer_sizes=HIDDEN,
        solver="sgd",
        learning_rate_init=LR,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=len(X),
        max_iter=epochs,
        shuffle=False,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        early_stopping=False,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.n_iter_ == epochs


def torch_runner():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def run(X, y, epochs):
        torch.manual_seed(0)
        X_t = torch.tensor(X, dtype=torch.float64)
        y_t = torch.tensor(y, dtype=torch.float64).view(-1, 1)
        model = torch.nn.Sequential(
            torch.nn.Linear(10, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1)
        ).double()
        optimizer = torch.optim.SGD(model.parameters(), lr=LR)
        loss_fn = torch.nn.MSELoss()
        for _ in range(epochs):
            optimizer.zero_grad()
            loss = loss_fn(model(X_t), y_t)
            loss.backward()
            optimizer.step()

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    X, y = data()
    contenders = {
        "nnlab float64, recording": nnlab_runner("float64", True),
        "nnlab float64, no recording": nnlab_runner("float64", False),
        "nnlab float32, recording": nnlab_runner("float32", True),
        "scikit-learn MLPRegressor": sklearn_run,
    }
    torch_run = torch_runner()
    if torch_run is not None:
        contenders["PyTorch CPU float64"] = torch_run
    times = {name: [] for name in contenders}
    with threadpool_limits(limits=1, user_api="blas"):
        for run in contenders.values():  # warm-up: imports, allocator, BLAS kernels
            run(X, y, 5)
        for _ in range(args.rounds):
            for name, run in contenders.items():
                started = time.perf_counter()
                run(X, y, args.epochs)
                times[name].append((time.perf_counter() - started) / args.epochs * 1e6)
    print(f"{len(X)} rows, 10-64-32-1 ReLU, full batch, {args.epochs} epochs x {args.rounds} rounds, 1 BLAS thread\n")
    print(f"{'contender':32s} {'median µs/epoch':>16s} {'min-max':>16s}")
    median = {}
    for name, values in times.items():
        median[name] = statistics.median(values)
        print(f"{name:32s} {median[name]:16.0f} {min(values):8.0f}-{max(values):<8.0f}")
    sk = median["scikit-learn MLPRegressor"]
    rec = median["nnlab float64, recording"]
    print("\nratios (lower is faster; target in brackets)")
    print(f"  nnlab float64 / scikit-learn        {rec / sk:5.2f}  [<= 0.60]")
    print(f"  nnlab float32 / scikit-learn        {median['nnlab float32, recording'] / sk:5.2f}  [<= 0.40]")
    if torch_run is not None:
        print(f"  nnlab float64 / PyTorch             {rec / median['PyTorch CPU float64']:5.2f}  [<= 0.50]")
    print(f"  recording overhead                  {rec / median['nnlab float64, no recording'] - 1:+5.0%}  [<= +10%]")


if __name__ == "__main__":
    main()
