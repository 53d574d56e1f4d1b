"""The compare page's grid: what to train (initializers × learning rates × seeds), its form, its sweep.

grid = grid_controls()               # the form, bound to the URL -> Grid
run = train_grid(grid, dataset)      # on the button: the sweep, kept in the session's run store
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from nnlab import explain, plots
from nnlab.activations import ACTIVATIONS
from nnlab.initializers import INITIALIZERS
from nnlab.sweeps import estimate_seconds, expand, sweep

from . import state
from .frame import show_error
from .training import Run, remember, run_store

PAGE = "compare"
HIDDEN = (64, 32)
RATES = (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0)
# Not nnlab.training.MAX_LR (1e3): in a grid every rate trains for every initializer, and above
# 10 all of them blow up at once, which teaches nothing a rate of 10 does not.
MAX_GRID_LR = 10.0
MAX_RATES, MAX_SEEDS = 8, 5
EPOCHS = (50, 2000, 50)  # slider min, max, step
LONG_SECONDS = 60  # estimated single-core work above which the progress bar says how long
LAST_KEY = "nnlab.compare.last"  # the grid the page showed last: an emptied choice falls back to it


@dataclass(frozen=True)
class Grid:
    """What to train: every initializer × learning rate, `seeds` times. Frozen: it keys the run."""

    inits: tuple = tuple(INITIALIZERS)
    lrs: tuple = (0.001, 0.01, 0.1, 2.0)
    seeds: int = 1
    epochs: int = 300
    activation: str = "relu"

    @property
    def runs(self):
        return len(self.inits) * len(self.lrs) * self.seeds


def _link_rates() -> set[float]:
    """The link's learning rates a grid may take: they join the preset options."""
    rates = set()
    for raw in st.query_params.get_all("lrs"):
        try:
            rate = float(raw)
        except ValueError:
            continue
        if 0 < rate <= MAX_GRID_LR:
            rates.add(rate)
    return rates


def _link_checks(rates) -> dict[str, state.Check]:
    default = Grid()
    return {
        "inits": state.items(list(default.inits), INITIALIZERS),
        "lrs": state.items(list(default.lrs), [plots.grid_label(r) for r in rates], most=MAX_RATES),
        "seeds": state.whole(default.seeds, 1, MAX_SEEDS),
        "epochs": state.whole(default.epochs, *EPOCHS),
        "act": state.choice(default.activation, ACTIVATIONS),
    }


def _keep_or_restore() -> None:
    """on_click of the form: an emptied list goes back to the grid shown before, with a warning."""
    last = st.session_state.get(LAST_KEY, Grid())
    for key, field, what in (("inits", "inits", "initializer"), ("lrs", "lrs", "learning rate")):
        if not st.session_state.get(key):
            st.session_state[key] = list(getattr(last, field))
            st.session_state.setdefault(f"{LAST_KEY}.notes", []).append(
                f"Pick at least one {what}; the previous ones were kept."
            )
    st.session_state[f"{LAST_KEY}.train"] = True


def grid_controls() -> tuple[Grid, bool]:
    """The form; returns (the grid it holds, whether Train was just pressed)."""
    default, bound = Grid(), state.BOUND
    rates = sorted(set(RATES) | set(default.lrs) | _link_rates())
    link = state.check_link(_link_checks(rates))
    with st.form("compare-grid"):
        left, middle, right = st.columns([4, 4, 2])
        inits = left.multiselect(
            "Initializers (heatmap rows)",
            list(INITIALIZERS),
            default=list(default.inits),
            key="inits",
            **bound,
            help="\n".join(f"- **{name}**: {f.__doc__.split(':')[0]}" for name, f in INITIALIZERS.items()),
        )
        lrs = middle.multiselect(
            "Learning rates (heatmap columns)",
            rates,
            default=list(default.lrs),
            key="lrs",
            format_func=plots.grid_label,
            max_selections=MAX_RATES,
            **bound,
        )
        activation = right.selectbox("Activation", list(ACTIVATIONS), key="act", **bound)
        seeds = left.slider(
            "Seeds per cell",
            1,
            MAX_SEEDS,
            default.seeds,
            key="seeds",
            **bound,
            help="Each seed draws different starting weights. With more than one, the charts "
            "show the mean and the spread, so you can tell a real difference from luck.",
        )
        # A select slider, not a slider: a bound slider takes any number in range from a link (123).
        epochs = middle.select_slider(
            "Epochs", range(EPOCHS[0], EPOCHS[1] + 1, EPOCHS[2]), default.epochs, key="epochs", **bound
        )
        right.markdown("&nbsp;")
        right.form_submit_button(
            "Train the grid", type="primary", on_click=_keep_or_restore, icon=":material/play_arrow:", width="stretch"
        )
    state.settle_link(link)
    for note in st.session_state.pop(f"{LAST_KEY}.notes", []):
        st.warning(note, icon="🔗")
    grid = Grid(
        tuple(i for i in INITIALIZERS if i in inits), tuple(sorted(set(lrs))), int(seeds), int(epochs), activation
    )
    if not grid.inits or not grid.lrs:  # emptied but not submitted: keep showing the last grid
        grid = replace(
            grid,
            inits=grid.inits or st.session_state.get(LAST_KEY, default).inits,
            lrs=grid.lrs or st.session_state.get(LAST_KEY, default).lrs,
        )
    st.session_state[LAST_KEY] = grid
    return grid, st.session_state.pop(f"{LAST_KEY}.train", False)


def plan(grid: Grid) -> dict:
    """sweep()'s arguments for the grid."""
    return dict(
        grid={"init": list(grid.inits), "lr": list(grid.lrs)},
        seeds=grid.seeds,
        base=dict(hidden=HIDDEN, activation=grid.activation, epochs=grid.epochs, record_every=grid.epochs),
    )  # first and last weights only: light to keep


def stored_run(grid: Grid, dataset_digest: str) -> Run | None:
    """This session's run of the grid on the data, if it was trained; else None."""
    return run_store().get((grid, dataset_digest))


def latest_run() -> Run | None:
    return run_store().latest.get(PAGE)


def train_grid(grid: Grid, dataset) -> Run | None:
    """Sweep the grid on the training rows (test rows as the eval set) with a progress bar."""
    eval_set = (dataset.X_test, dataset.y_test)
    try:
        work = estimate_seconds(expand(**plan(grid))[1], dataset.X_train.shape, eval_set)
    except ValueError as exc:
        show_error(exc, "This grid cannot be trained")
        return None
    note = explain.work_note(work, LONG_SECONDS)
    return remember(
        grid,
        dataset,
        lambda progress: sweep(
            dataset.X_train,
            dataset.y_train,
            eval_set=eval_set,
            **plan(grid),
            on_progress=lambda done, total, row: progress.runs(done, total, row, note),
        ),
        page=PAGE,
        text=f"Training {grid.runs} runs{note}…",
        error_context="This grid cannot be trained",
    )


def network_name(grid: Grid) -> str:
    return f"{'-'.join(map(str, HIDDEN))} {grid.activation} network"
