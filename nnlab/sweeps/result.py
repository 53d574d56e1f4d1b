"""A sweep's result: the table of runs, their histories and parameters, summaries, and the saved file."""

from __future__ import annotations

import io
import json
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..history import History
from ..training import RunResult
from .expansion import CONFIG_KEYS, _text

METRICS = ("final_loss", "final_val_loss", "final_val_r2", "best_val_loss", "best_epoch", "diverged_at", "seconds")
CURVES = ("loss", "r2", "val_loss", "val_r2")
# The code that reads a saved sweep back, as the dashboard shows it to users (the Compare runs
# page's download help); tests/test_sweep.py runs this very text, with `nnlab` imported and `path`
# bound to a file written by SweepResult.save_histories().
LOAD_SNIPPET = "nnlab.load_sweep(path)"


@dataclass
class SweepResult:
    """Runs of a sweep, in grid order (grid points in `itertools.product` order, seeds innermost).

    table: one row per run; histories, configs, coefs, intercepts: lists in the table's row order;
    keys: the grid keys, the columns that tell runs apart (with `seed`). The table's `seconds` is
    the run's share of its train() call (that call's wall time over the runs stacked in it);
    `best_epoch` is that of the lowest validation loss, or of the lowest training loss without
    an eval set.
    """

    table: pd.DataFrame
    histories: list
    configs: list
    coefs: list
    intercepts: list
    keys: tuple = ()

    def __len__(self):
        return len(self.configs)

    def label(self, run):
        """A short name for a run: its grid values and seed, e.g. 'lr=0.1, init=he, seed=0'."""
        config = self.configs[run]
        parts = [f"{key}={_text(getattr(config, key))}" for key in self.keys]
        return ", ".join(parts + [f"seed={_text(config.random_state)}"])

    def summary(self, by=None):
        """Per grid point (or per the `by` keys): runs, diverged, and mean/std/min/max of each metric."""
        by = self._by(by)
        rows = []
        for values, runs in self._groups(by).items():
            part = self.table.iloc[runs]
            row = dict(zip(by, values), runs=len(runs), diverged=int(part["diverged_at"].notna().sum()))
            for metric in ("final_loss", "final_val_loss", "final_val_r2", "best_val_loss", "best_epoch"):
                column = part[metric].astype(float)
                row |= {
                    f"{metric}_mean": column.mean(),
                    f"{metric}_std": column.std(),
                    f"{metric}_min": column.min(),
                    f"{metric}_max": column.max(),
                }
            rows.append(row)
        return pd.DataFrame(rows)

    def band(self, metric="loss", by=None):
        """Per grid point (or `by` keys) and epoch: mean, std, min and max of a curve over its runs.

        metric: one of CURVES. Tidy: columns by…, label, epoch, mean, std, min, max, n; n counts the
        runs with a finite value at that epoch (a diverged run drops out from its blow-up on).
        """
        _check_curve(metric, self.histories)
        by = self._by(by)
        parts = []
        for values, runs in self._groups(by).items():
            curves = _padded([getattr(self.histories[r], metric) for r in runs])
            curves[~np.isfinite(curves)] = np.nan  # a blown-up last value would flatten the chart
            n = np.sum(~np.isnan(curves), axis=0)
            with warnings.catch_warnings():  # an epoch no run reached gives all-NaN columns
                warnings.simplefilter("ignore", RuntimeWarning)
                stats = {
                    "mean": np.nanmean(curves, axis=0),
                    "std": np.nanstd(curves, axis=0, ddof=1) if len(runs) > 1 else np.full(len(n), np.nan),
                    "min": np.nanmin(curves, axis=0),
                    "max": np.nanmax(curves, axis=0),
                }
            label = ", ".join(f"{key}={_text(value)}" for key, value in zip(by, values)) or "all runs"
            frame = pd.DataFrame({"epoch": np.arange(curves.shape[1]), **stats, "n": n})
            for key, value in reversed(list(zip(by, values))):
                frame.insert(0, key, [value] * len(frame))
            frame.insert(len(by), "label", label)
            parts.append(frame)
        return pd.concat(parts, ignore_index=True)

    def curves(self, runs, metric=("loss", "val_loss")):
        """Tidy curves of some runs to overlay: columns run, label, metric, epoch, value."""
        metrics = [metric] if isinstance(metric, str) else list(metric)
        parts = []
        for run in runs:
            history = self.histories[run]
            for name in metrics:
                _check_curve(name, self.histories)
                values = getattr(history, name)
                if values is None:
                    continue
                parts.append(
                    pd.DataFrame(
                        {
                            "run": run,
                            "label": self.label(run),
                            "metric": name,
                            "epoch": np.arange(len(values)),
                            "value": values,
                        }
                    )
                )
        if not parts:
            return pd.DataFrame(columns=["run", "label", "metric", "epoch", "value"])
        return pd.concat(parts, ignore_index=True)

    def diff(self, i, j):
        """The config keys on which runs i and j differ: index key, columns 'run i', 'run j'."""
        first, second = self.configs[i].as_dict(), self.configs[j].as_dict()
        keys = [key for key in CONFIG_KEYS if first[key] != second[key]]
        frame = pd.DataFrame(
            {f"run {i}": [_cell(first[k]) for k in keys], f"run {j}": [_cell(second[k]) for k in keys]},
            index=pd.Index(keys, name="key"),
        )
        return frame

    def default_pair(self):
        """(run with the lowest test loss, the run differing from it only in init that did worst) to compare."""
        table = self.table
        loss = table.final_val_loss.where(table.diverged_at.isna())
        best = int(np.nanargmin(loss.to_numpy(dtype=float))) if loss.notna().any() else 0
        same = table[(table.lr == table.lr.iloc[best]) & (table.seed == table.seed.iloc[best]) & (table.index != best)]
        if same.empty:
            return best, (best + 1) % len(table)
        return best, int(same.final_val_loss.astype(float).fillna(np.inf).idxmax())

    def outcomes(self, a, b):
        """How runs a and b ended, as text: columns 'result', 'run A', 'run B'; '—' where there is no epoch."""
        return pd.DataFrame(
            {
                "result": ["final test loss", "final test R²", "best epoch (test loss)", "diverged at epoch"],
                "run A": _outcome(self.table.iloc[a]),
                "run B": _outcome(self.table.iloc[b]),
            }
        )

    def model(self, run):
        """A fitted `MLP` holding run's final parameters and history, ready to predict."""
        from ..mlp import MLP  # mlp imports scikit-learn's estimator machinery; only needed here

        config = self.configs[run]
        model = MLP(**{key: getattr(config, key) for key in CONFIG_KEYS})
        model.coefs_, model.intercepts_ = self.coefs[run], self.intercepts[run]
        model.history_ = self.histories[run]
        model.n_features_in_ = self.coefs[run][0].shape[0]
        return model

    def to_csv(self, path):
        """Write the table (tuples such as hidden as their text)."""
        self.table.to_csv(path, index_label="run")

    def save_histories(self, path):
        """Everything in one .npz that loads with allow_pickle=False: see `load_sweep`."""
        arrays = {}
        for run, history in enumerate(self.histories):
            buffer = io.BytesIO()
            history.save(buffer)
            arrays[f"history_{run}"] = np.frombuffer(buffer.getvalue(), dtype=np.uint8)
            for layer, (coef, intercept) in enumerate(zip(self.coefs[run], self.intercepts[run])):
                arrays[f"coef_{run}_{layer}"] = coef
                arrays[f"intercept_{run}_{layer}"] = intercept
        meta = {
            "keys": list(self.keys),
            "seconds": self.table["seconds"].tolist(),
            "layers": [len(c) for c in self.coefs],
        }
        arrays["meta"] = np.array(json.dumps(meta))
        np.savez(path, **arrays)

    # -- grouping -----------------------------------------------------------------------------
    def _by(self, by):
        by = list(self.keys) if by is None else [by] if isinstance(by, str) else list(by)
        unknown = [key for key in by if key not in CONFIG_KEYS and key != "seed"]
        if unknown:
            raise ValueError(f"by: {unknown} are not config keys; choose from {list(CONFIG_KEYS)}")
        return by

    def _groups(self, by):
        """{values of the by keys: [runs]} in order of first appearance."""
        groups = {}
        for run, config in enumerate(self.configs):
            values = tuple(config.random_state if key == "seed" else getattr(config, key) for key in by)
            groups.setdefault(values, []).append(run)
        return groups


def _row(config, history, keys, seconds):
    """One table row: grid values, seed and the run's summary numbers."""
    val_loss = history.val_loss
    has_val = val_loss is not None and np.any(~np.isnan(val_loss))
    best_of = val_loss if has_val else history.loss
    best_epoch = int(np.nanargmin(np.where(np.isnan(best_of), np.inf, best_of))) if np.any(~np.isnan(best_of)) else None
    row = {key: getattr(config, key) for key in keys}
    row |= {
        "seed": config.random_state,
        # "Final" as History defines it: the kept parameters, after the last update.
        "final_loss": history.final_loss,
        "final_val_loss": history.final_val_loss,
        "final_val_r2": history.final_val_r2,
        "best_val_loss": float(np.nanmin(val_loss)) if has_val else np.nan,
        "best_epoch": best_epoch,
        "diverged_at": history.diverged_at,
        "seconds": seconds,
    }
    return row


def _result(configs, results, keys, rows):
    """The SweepResult of runs in grid order: RunResults and their table rows (from _row)."""
    table = pd.DataFrame(rows, columns=[*keys, "seed", *METRICS])
    for key in keys:  # keep None and tuples as they are (pandas would turn None into NaN)
        values = [row[key] for row in rows]
        if any(value is None or isinstance(value, tuple) for value in values):
            table[key] = pd.Series(values, dtype=object)
    for column in ("best_epoch", "diverged_at"):
        table[column] = table[column].astype("Int64")
    if all(c.random_state is not None for c in configs):
        table["seed"] = table["seed"].astype("int64")
    return SweepResult(
        table=table,
        histories=[r.history for r in results],
        configs=list(configs),
        coefs=[r.coefs for r in results],
        intercepts=[r.intercepts for r in results],
        keys=tuple(keys),
    )


def _outcome(row):
    """One table row's final test loss, R², best epoch and blow-up epoch, as text."""
    best = "—" if pd.isna(row.best_epoch) else f"{int(row.best_epoch)}"
    diverged = "—" if pd.isna(row.diverged_at) else f"{int(row.diverged_at)}"
    return [f"{row.final_val_loss:.4g}", f"{row.final_val_r2:.3f}", best, diverged]


def load_sweep(path):
    """Read a file written by SweepResult.save_histories() back into a SweepResult (also `nnlab.load_sweep`)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        histories, coefs, intercepts = [], [], []
        for run, layers in enumerate(meta["layers"]):
            histories.append(History.load(io.BytesIO(data[f"history_{run}"].tobytes())))
            coefs.append([data[f"coef_{run}_{layer}"] for layer in range(layers)])
            intercepts.append([data[f"intercept_{run}_{layer}"] for layer in range(layers)])
    configs = [history.config for history in histories]
    results = [RunResult(c, i, h) for c, i, h in zip(coefs, intercepts, histories)]
    rows = [
        _row(config, history, meta["keys"], share)
        for config, history, share in zip(configs, histories, meta["seconds"])
    ]
    return _result(configs, results, meta["keys"], rows)


def load_histories(path):
    """Just the histories of a file written by SweepResult.save_histories(), in run order."""
    return load_sweep(path).histories


def _check_curve(metric, histories):
    if metric not in CURVES:
        raise ValueError(f"metric must be one of {list(CURVES)}, got {metric!r}")
    if metric.startswith("val_") and histories and histories[0].val_loss is None:
        raise ValueError(f"{metric}: this sweep ran without an eval_set")


def _padded(curves):
    """(runs, longest) with NaN after each shorter curve's end."""
    out = np.full((len(curves), max(len(c) for c in curves)), np.nan)
    for row, curve in zip(out, curves):
        row[: len(curve)] = curve
    return out


def _cell(value):
    return tuple(value) if isinstance(value, list) else value
