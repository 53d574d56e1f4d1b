"""Train a grid of initializers × learning rates side by side, and see which pairs learn, which crawl
and which blow up.

The grid (initializers, rates, seeds, epochs, activation) lives in the URL, so a link reproduces it.
Training starts on the button: the default 16 runs take a few seconds, too long to make every
visit wait. The latest result is kept in the session, keyed by the grid and the data.
"""
from __future__ import annotations

import io
import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import streamlit as st

from nnlab import health, plots
from nnlab.activations import ACTIVATIONS
from nnlab.initializers import INITIALIZERS, TUTORIAL_STD
from nnlab.sweeps import LOAD_SNIPPET, estimate_seconds, expand, sweep
from nnlab.training import DIVERGENCE_FACTOR
from ui.frame import frame, show_error
from ui.training import dataset_key

HIDDEN = (64, 32)
RATES = (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0)
MAX_RATES, MAX_LR, MAX_SEEDS = 8, 10.0, 5
SAME_LOSS = 0.005  # final test losses this close (relative) draw as one line
STUCK_R2 = 0.01  # below this test R², a run learned next to nothing
LONG_SECONDS = 60  # estimated single-core work above which the progress bar says how long
EPOCHS = (50, 2000, 50)  # slider min, max, step
GRID_KEY, RESULT_KEY = "nnlab.compare.grid", "nnlab.compare.result"
RUN_KEY, PROBLEMS_KEY = "nnlab.compare.run", "nnlab.compare.problems"
W = "_nnlab.compare."  # widget keys: copies of the grid's fields
QUERY = {"inits": "inits", "lrs": "lrs", "seeds": "seeds", "epochs": "epochs", "activation": "act"}


@dataclass(frozen=True)
class Grid:
    """What to train: every initializer × learning rate, `seeds` times. Frozen: it keys the result."""

    inits: tuple = tuple(INITIALIZERS)
    lrs: tuple = (0.001, 0.01, 0.1, 2.0)
    seeds: int = 1
    epochs: int = 300
    activation: str = "relu"

    @property
    def runs(self):
        return len(self.inits) * len(self.lrs) * self.seeds


@dataclass(frozen=True)
class Stored:
    key: tuple  # (Grid, dataset digest)
    result: object  # nnlab.SweepResult
    seconds: float
    figures: dict = field(default_factory=dict, compare=False)  # built once: a rerun only redraws them

    def figure(self, name, build):
        """The figure called name, built on first use (plotly figures take a while to build)."""
        if name not in self.figures:
            self.figures[name] = build()
        return self.figures[name]


# -- the grid <-> the URL ----------------------------------------------------------------------------

def _parse_inits(raw):
    items = [i.strip() for i in raw.split(",") if i.strip()]
    good = tuple(i for i in INITIALIZERS if i in items)
    bad = [i for i in items if i not in INITIALIZERS]
    return good or None, f"choose from {', '.join(INITIALIZERS)}" if bad else None


def _parse_lrs(raw):
    good, bad = set(), []
    for item in (i.strip() for i in raw.split(",") if i.strip()):
        try:
            lr = float(item)
        except ValueError:
            lr = math.nan
        if 0 < lr <= MAX_LR:
            good.add(lr)
        else:
            bad.append(item)
    good = tuple(sorted(good))
    why = f"a learning rate must be a number above 0 and at most {MAX_LR:g}" if bad else None
    if len(good) > MAX_RATES:
        good, why = good[:MAX_RATES], f"at most {MAX_RATES} learning rates"
    return good or None, why


def _parse_int(low, high, step=1):
    def parse(raw):
        ok = raw.strip().isdigit() and low <= int(raw) <= high and (int(raw) - low) % step == 0
        return (int(raw), None) if ok else (None, f"a whole number from {low} to {high}"
                                                   + (f" in steps of {step}" if step > 1 else ""))
    return parse


def _parse_activation(raw):
    return (raw, None) if raw in ACTIVATIONS else (None, f"choose from {', '.join(ACTIVATIONS)}")


PARSERS = {"inits": _parse_inits, "lrs": _parse_lrs, "seeds": _parse_int(1, MAX_SEEDS),
           "epochs": _parse_int(*EPOCHS), "activation": _parse_activation}


def grid_from_query(params) -> tuple[Grid, list[str]]:
    """{name: [values]} from the URL -> (Grid, warnings about values that were ignored)."""
    values, problems = {}, []
    for field, name in QUERY.items():
        raw = params.get(name)
        if not raw:
            continue
        raw = ",".join(raw) if isinstance(raw, (list, tuple)) else str(raw)
        value, why = PARSERS[field](raw)
        if value is not None:
            values[field] = value
        if why:
            kept = "the rest are used" if value is not None else f"using the default, `{_query_text(getattr(Grid(), field))}`"
            problems.append(f"The link's `{name}={raw}` was not fully used: {why}; {kept}.")
    return replace(Grid(), **values), problems


def _query_text(value):
    return ",".join(plots.grid_label(v) for v in value) if isinstance(value, tuple) else str(value)


def current_grid() -> Grid:
    """The session's grid; on the page's first run in a session, read from the URL."""
    if GRID_KEY not in st.session_state:
        params = {name: st.query_params.get_all(name) for name in QUERY.values()}
        st.session_state[GRID_KEY], st.session_state[PROBLEMS_KEY] = grid_from_query(params)
    return st.session_state[GRID_KEY]


def mirror_query(grid: Grid) -> None:
    """Write the grid into the URL, only where it changed (the data sidebar owns its own names)."""
    for field, name in QUERY.items():
        text = _query_text(getattr(grid, field))
        if st.query_params.get(name) != text:
            st.query_params[name] = text


# -- controls ---------------------------------------------------------------------------------------

def _submit() -> None:
    """on_click of the form: the widgets' values become the grid (empty choices keep the old ones)."""
    old, problems = current_grid(), []
    inits = tuple(i for i in INITIALIZERS if i in st.session_state[W + "inits"])
    lrs = tuple(sorted(set(st.session_state[W + "lrs"])))
    if not inits:
        problems.append("Pick at least one initializer; the previous ones were kept.")
    if not lrs:
        problems.append("Pick at least one learning rate; the previous ones were kept.")
    st.session_state[GRID_KEY] = Grid(inits or old.inits, lrs or old.lrs, int(st.session_state[W + "seeds"]),
                                      int(st.session_state[W + "epochs"]), st.session_state[W + "activation"])
    st.session_state[PROBLEMS_KEY] = problems
    st.session_state[RUN_KEY] = True


def grid_controls(grid: Grid) -> None:
    """The form. Widget state is dropped on page switch, so the grid is copied back in first."""
    for field in QUERY:
        value = getattr(grid, field)
        value = list(value) if isinstance(value, tuple) else value
        if st.session_state.get(W + field) != value:
            st.session_state[W + field] = value
    with st.form("compare-grid"):
        left, middle, right = st.columns([4, 4, 2])
        left.multiselect("Initializers (heatmap rows)", list(INITIALIZERS), key=W + "inits",
                         help="\n".join(f"- **{name}**: {f.__doc__.split(':')[0]}" for name, f in INITIALIZERS.items()))
        middle.multiselect("Learning rates (heatmap columns)", sorted(set(RATES) | set(grid.lrs)),
                           key=W + "lrs", format_func=plots.grid_label, max_selections=MAX_RATES)
        right.selectbox("Activation", list(ACTIVATIONS), key=W + "activation")
        left.slider("Seeds per cell", 1, MAX_SEEDS, key=W + "seeds",
                    help="Each seed draws different starting weights. With more than one, the charts show "
                         "the mean and the spread, so you can tell a real difference from luck.")
        middle.slider("Epochs", EPOCHS[0], EPOCHS[1], step=EPOCHS[2], key=W + "epochs")
        right.markdown("&nbsp;")
        right.form_submit_button("Train the grid", type="primary", on_click=_submit,
                                 icon=":material/play_arrow:", width="stretch")


# -- training -----------------------------------------------------------------------------------------

def train_grid(grid: Grid, dataset, key: tuple) -> Stored | None:
    """Sweep the grid on the training rows (test rows as the eval set) with a progress bar."""
    plan = dict(grid={"init": list(grid.inits), "lr": list(grid.lrs)}, seeds=grid.seeds,
                base=dict(hidden=HIDDEN, activation=grid.activation, epochs=grid.epochs,
                          record_every=grid.epochs))  # first and last weights only: light to keep
    eval_set = (dataset.X_test, dataset.y_test)
    try:
        work = estimate_seconds(expand(**plan)[1], dataset.X_train.shape, eval_set)
    except ValueError as exc:
        show_error(exc, "This grid cannot be trained")
        return None
    note = f" · about {work / 60:.0f} min of work for one processor core" if work > LONG_SECONDS else ""
    bar = st.progress(0.0, text=f"Training {grid.runs} runs{note}…")

    def on_progress(done, total, row):
        bar.progress(min(done / total, 1.0), text=f"{done:.0f} of {total} runs trained{note}")

    started = time.perf_counter()
    try:
        result = sweep(dataset.X_train, dataset.y_train, eval_set=eval_set, on_progress=on_progress, **plan)
    except ValueError as exc:
        show_error(exc, "This grid cannot be trained")
        return None
    finally:
        bar.empty()
    return Stored(key, result, time.perf_counter() - started)


# -- results ------------------------------------------------------------------------------------------

def show_summary(stored: Stored, grid: Grid) -> None:
    table, summary = stored.result.table, stored.result.summary()
    healthy = summary[summary.diverged == 0]
    line = (f"**{len(table)} runs** ({len(grid.inits)} initializers × {len(grid.lrs)} learning rates × "
            f"{grid.seeds} seed{'s' * (grid.seeds > 1)}) of the {_network(grid)}, {grid.epochs:,} epochs each, "
            f"trained in {stored.seconds:.1f} s.")
    if not healthy.empty:
        best = healthy.loc[healthy.final_val_loss_mean.idxmin()]
        line += (f" Lowest test loss: **{best.init}** at learning rate **{best.lr:g}** "
                 f"(test R² {best.final_val_r2_mean:.2f}{', mean over seeds' * (grid.seeds > 1)}).")
    st.markdown(line)


def show_heatmaps(stored: Stored, grid: Grid) -> None:
    table = stored.result.table
    left, right = st.columns(2)
    left.plotly_chart(stored.figure("heatmap:loss", lambda: plots.grid_heatmap_figure(
        table, "final_val_loss", "Test loss after training (lower is better)", "test MSE", reverse=True)),
        width="stretch", key="compare-heatmap-loss")
    right.plotly_chart(stored.figure("heatmap:r2", lambda: plots.grid_heatmap_figure(
        table, "final_val_r2", "Test R² after training (higher is better)", "test R²", low=-1.0)),
        width="stretch", key="compare-heatmap-r2")
    notes = ["Bright is good on both. R² 0 means no better than always predicting the average."]
    if (table.final_val_r2[table.diverged_at.isna()] < -1).any():  # a ✕ cell has no colour
        notes.append("R² colours stop at −1; the numbers do not.")
    if grid.seeds > 1:
        notes.append(f"Each cell is the mean of its {grid.seeds} seeds; ✕ if any of them diverged.")
    blown = table[table.diverged_at.notna()]
    if not blown.empty:
        per_rate = "; ".join(f"learning rate {lr:g}: {len(part)} of {len(table[table.lr == lr])} runs, "
                             f"at epoch {_span(part.diverged_at)}" for lr, part in blown.groupby("lr"))
        notes.append(f"✕ **diverged** ({per_rate}): each step overshot the bottom of the valley by more "
                     f"than it corrected, so the loss grew until it passed {_power(DIVERGENCE_FACTOR)} × its "
                     "starting size and that run was stopped. A smaller learning rate cures it.")
    growing = [stored.result.label(run) for run, history in enumerate(stored.result.histories)
               if history.diverging_from is not None]
    if growing:
        notes.append(f"▲ **diverging** ({'; '.join(growing)}): still growing geometrically at the end, not yet "
                     "past the blow-up bound; more epochs would blow it up. A smaller learning rate cures it.")
    st.caption(" ".join(notes))


def show_curves(stored: Stored, grid: Grid) -> None:
    result = stored.result
    choice = st.radio("Curve", ["test loss", "training loss"], horizontal=True, key=W + "curve",
                      label_visibility="collapsed")
    metric = "val_loss" if choice == "test loss" else "loss"
    how = f": line = mean of {grid.seeds} seeds, band = their range" if grid.seeds > 1 else ""
    st.plotly_chart(stored.figure(f"curves:{metric}", lambda: plots.bands_figure(
        plots.bands_data(result.band(metric)), f"{choice.capitalize()} during training, one panel per "
                                               f"initializer{how}", f"{choice} (MSE)",
        diverged=plots.diverged_runs_data(result.table, result.histories, metric))),
        width="stretch", key="compare-curves")
    calm = result.summary().query("diverged == 0")
    same = [init for init, part in calm.groupby("init", sort=False)
            if len(part) > 1 and np.ptp(part.final_val_loss_mean) <= SAME_LOSS * part.final_val_loss_mean.mean()]
    if same:
        stuck = calm[calm.init.isin(same)].final_val_r2_mean.max() < STUCK_R2
        st.caption(f"In the {', '.join(f'**{init}**' for init in same)} panel{'s' * (len(same) > 1)}, the runs that "
                   f"did not diverge ended within {SAME_LOSS:.1%} of each other's test loss, so their lines lie on top of one "
                   "another" + (f": none reached a test R² of {STUCK_R2:g}, so none did better than predicting "
                                "the average." if stuck else "."))


def show_gradients(stored: Stored) -> None:
    result = stored.result
    data = plots.initial_gradients_data(result.histories, [c.init for c in result.configs])
    summary = health.initial_gradients_summary(data)
    left, right = st.columns([3, 2])
    left.plotly_chart(stored.figure("gradients", lambda: plots.initial_gradients_figure(
        data, "‖∂L/∂W‖ per layer at epoch 0, before any step", order=list(INITIALIZERS))),
        width="stretch", key="compare-gradients")
    with right:
        st.markdown(gradient_story(summary))


def gradient_story(summary: pd.DataFrame) -> str:
    """What the epoch-0 gradients say, in words, from the numbers in the summary."""
    largest = summary.loc[summary.geometric_mean.idxmax(), "group"] if summary.geometric_mean.notna().any() else None
    lines = []
    for row in summary.itertuples():
        if row.all_zero:
            lines.append(f"- **{row.group}**: every weight gradient is exactly 0.")
        elif row.hidden_zero:
            lines.append(f"- **{row.group}**: the hidden layers' gradients are exactly 0; only the output layer's are not.")
        else:
            size = "the largest here" if row.group == largest else f"about {1 / row.relative:,.0f}× smaller than {largest}'s"
            lines.append(f"- **{row.group}**: {size}; its layers within {row.spread:.1f}× of each other.")
    groups, why = set(summary.group), []
    if groups & {"he", "xavier"}:
        why.append("**He** and **Xavier** scale each layer's weights to its width, so the signal going up and "
                   "the error coming back keep their size: every layer starts learning at once.")
    if "random" in groups:
        why.append(f"**random** draws every weight from N(0, {TUTORIAL_STD:g}²) whatever the width, so the "
                   "signal shrinks at each layer going up and the error shrinks at each layer coming back down "
                   "toward the input. A layer's gradient is the product of the two, so *every* layer's is tiny, "
                   "not just the first: at first the network barely moves.")
    if "zeros" in groups:
        zeros = summary.set_index("group").loc["zeros"]
        after = ("No weight ever moves, so only the output bias learns: a constant prediction."
                 if zeros.all_zero else
                 "Only the output weights move at first, all alike, so the hidden units stay copies of each "
                 "other: each layer works as if it had a single unit.")
        why.append("**zeros** makes every unit in a layer identical, so they would get identical updates and "
                   "stay copies of each other (symmetry); and with the weights above them at 0, no error "
                   f"reaches the hidden layers at all. {after}")
    head = ("Each initializer's first gradients, averaged over its runs (the learning rate plays no part "
            "before the first step) and compared by their geometric mean over the layers:")
    return "\n".join([head, "", *lines]) + "\n\n" + "\n\n".join(why)


def show_pair(result, stored: Stored) -> None:
    labels = [result.label(run) for run in range(len(result))]
    first, second = default_pair(result)
    tag = f"{abs(hash(stored.key)) % 10**8}"  # a new result starts from its own default pair
    left, right = st.columns(2)
    a = left.selectbox("Run A", range(len(result)), index=first, format_func=labels.__getitem__, key=f"{W}a.{tag}")
    b = right.selectbox("Run B", range(len(result)), index=second, format_func=labels.__getitem__, key=f"{W}b.{tag}")
    if a == b:
        st.info("Pick two different runs to compare them.")
        return
    diff = result.diff(a, b)
    settings = pd.DataFrame({"setting": diff.index, "run A": [plots.grid_label(v) for v in diff.iloc[:, 0]],
                             "run B": [plots.grid_label(v) for v in diff.iloc[:, 1]]})
    outcome = pd.DataFrame({"result": ["final test loss", "final test R²", "best epoch (test loss)", "diverged at epoch"],
                            "run A": _outcome(result.table.iloc[a]), "run B": _outcome(result.table.iloc[b])})
    tables, chart = st.columns([2, 3])
    tables.markdown("**Settings that differ**")
    tables.dataframe(settings, hide_index=True, width="stretch")
    tables.markdown("**What came of it**")
    tables.dataframe(outcome, hide_index=True, width="stretch")
    histories = {f"A: {labels[a]}": result.histories[a], f"B: {labels[b]}": result.histories[b]}
    chart.plotly_chart(plots.pair_figure(histories, title="Runs A and B: training (solid) and test (dotted) loss"),
                       width="stretch", key="compare-pair")


def default_pair(result) -> tuple[int, int]:
    """The run with the lowest test loss, and the run that differs from it only in init and did worst."""
    table = result.table
    loss = table.final_val_loss.where(table.diverged_at.isna())
    best = int(np.nanargmin(loss.to_numpy(dtype=float))) if loss.notna().any() else 0
    same = table[(table.lr == table.lr.iloc[best]) & (table.seed == table.seed.iloc[best]) & (table.index != best)]
    if same.empty:
        return best, (best + 1) % len(table)
    return best, int(same.final_val_loss.astype(float).fillna(np.inf).idxmax())


def _outcome(row) -> list[str]:
    diverged = "—" if pd.isna(row.diverged_at) else f"{int(row.diverged_at)}"
    best = "—" if pd.isna(row.best_epoch) else f"{int(row.best_epoch)}"
    return [f"{row.final_val_loss:.4g}", f"{row.final_val_r2:.3f}", best, diverged]


def show_exports(result) -> None:
    def csv():
        buffer = io.StringIO()
        result.to_csv(buffer)
        return buffer.getvalue()

    def npz():
        buffer = io.BytesIO()
        result.save_histories(buffer)
        return buffer.getvalue()

    left, right, _ = st.columns([1, 1, 2])
    left.download_button("Metrics table (CSV)", csv, file_name="compare_runs.csv", mime="text/csv",
                         on_click="ignore", icon=":material/download:", width="stretch")
    right.download_button("Every run's history (.npz)", npz, file_name="compare_runs.npz",
                          mime="application/octet-stream", on_click="ignore", icon=":material/download:",
                          width="stretch", help=f"Loads back with {LOAD_SNIPPET}.")


def show_waiting(grid: Grid, changed: bool) -> None:
    """Before training: the grid about to be filled, and what will appear."""
    note = "The settings or the data changed since the last run. " if changed else ""
    st.info(f"{note}Press **Train the grid** to train these {grid.runs} runs of the {_network(grid)}, "
            f"{grid.epochs:,} epochs each. Then each cell shows where its run ended; below come the loss "
            "curves, the first gradients of each initializer, and any two runs side by side.",
            icon=":material/play_arrow:")
    left, _ = st.columns(2)
    left.plotly_chart(plots.grid_preview_figure(grid.inits, grid.lrs, "The grid to train"),
                      width="stretch", key="compare-heatmap-empty")


def _power(value: float) -> str:
    """1e4 -> '10⁴' (a power of ten in superscript)."""
    exponent = round(math.log10(value))
    return "10" + str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _span(values) -> str:
    low, high = int(values.min()), int(values.max())
    return f"{low}" if low == high else f"{low}–{high}"


def _network(grid: Grid) -> str:
    return f"{'-'.join(map(str, HIDDEN))} {grid.activation} network"


# -- the page -----------------------------------------------------------------------------------------

dataset = frame(
    "Compare runs",
    f"Does it matter how a network's weights start, and how big its steps are? Here the same "
    f"{'-'.join(map(str, HIDDEN))} network trains once for every pair of initializer and learning "
    "rate you pick. Read the grid to see which pairs learn, which crawl, which never move and which "
    "blow up (✕), then look at the curves and the very first gradients to see why.",
)
grid = current_grid()
for problem in st.session_state.pop(PROBLEMS_KEY, []):
    st.warning(problem, icon="🔗")
grid_controls(grid)
grid = current_grid()
mirror_query(grid)

key = (grid, dataset_key(dataset))
stored = st.session_state.get(RESULT_KEY)
if st.session_state.pop(RUN_KEY, False) and (stored is None or stored.key != key):
    stored = train_grid(grid, dataset, key)
    if stored is not None:
        st.session_state[RESULT_KEY] = stored

if stored is None or stored.key != key:
    show_waiting(grid, changed=stored is not None)
else:
    result = stored.result
    show_summary(stored, grid)
    show_heatmaps(stored, grid)
    st.subheader("How each run got there")
    show_curves(stored, grid)
    st.subheader("Why the initializer matters: the first gradients")
    show_gradients(stored)
    st.subheader("Compare two runs")
    show_pair(result, stored)
    st.subheader("Export")
    show_exports(result)
