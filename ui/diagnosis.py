"""The training doctor on a page: a Diagnosis panel of finding cards, Try this fix, the evidence on the
charts, sharpness against 2/lr, the compare page's verdict map and presets a teacher can hand out.

    d = diagnosis_panel(model, dataset, config, page="deep")         # right under the run summary
    fig = marked(plots.loss_figure(...), d, "loss", "val_loss")       # the evidence on a page's chart

A fix is a rerun of the same config with the finding's one change, through the run store
(ui.training.train_model: cached, with Stop); which fix is open is kept in st.session_state by the
run's key, so it survives reruns and comes back when the learner returns to that run.
"""

from __future__ import annotations

from collections import OrderedDict
from urllib.parse import urlencode

import streamlit as st

import nnlab
from nnlab import doctor, explain, plots

from .frame import show_error
from .training import as_config, run_key, train_model

FIX_KEY = "nnlab.diagnosis.fix"  # {run key: the kind of the finding whose fix is open}
CACHE_KEY = "nnlab.diagnosis.cache"  # {(run key, part): Diagnosis}
KEPT = 32
BADGE = {"problem": "red", "warning": "orange", "note": "blue"}
# The deep page's runs record λ_max every 10 epochs: 30 points on its chart for +29% training time at its
# default (best of 5, measured here; every 20 epochs: +16%), under the issue's +30%.
SHARPNESS_EVERY = 10
DEEP_PAGE = "Deep_network"  # the deep page's URL path
CHART = {"width": "stretch"}


# -- diagnoses ---------------------------------------------------------------------------------


def diagnosis_of(model_or_history, dataset, key, X=True):
    """nnlab.diagnose of a run on dataset's training rows (X=False: the history alone), once per key."""
    cache = st.session_state.setdefault(CACHE_KEY, OrderedDict())
    history = getattr(model_or_history, "history_", model_or_history)
    key = (key, history.stopped_at)  # a stopped run and the same settings trained in full share a run key
    if key not in cache:
        data = (dataset.X_train, dataset.y_train) if X else (None, None)
        cache[key] = nnlab.diagnose(model_or_history, *data)
        while len(cache) > KEPT:
            cache.popitem(last=False)
    return cache[key]


def marks(diagnosis):
    """evidence_marks_data of a Diagnosis (empty without one)."""
    return plots.evidence_marks_data(diagnosis or [])


def marked(fig, diagnosis, *metrics):
    """fig with the evidence of these metrics (EVIDENCE_CHART values) marked: a span or an epoch line."""
    table = marks(diagnosis)
    for metric in metrics:
        plots.add_evidence_marks(fig, table, metric)
    return fig


# -- the panel ---------------------------------------------------------------------------------


def _where(finding):
    first, last = finding.epochs
    parts = [f"epoch {first}" if first == last else f"epochs {first}–{last}"]
    if finding.layers:
        numbers = [i + 1 for i in finding.layers]
        parts.append(
            f"layer {numbers[0]}"
            if len(numbers) == 1
            else f"layers {numbers[0]}–{numbers[-1]}"
            if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2
            else "layers " + ", ".join(map(str, numbers))
        )
    return " · ".join(parts)


# Evidence a page does not chart itself: the card draws it, the finding's span marked.
CARD_CHARTS = {
    "dead_fraction": "Share of dead units in each layer",
    "saturation": "Share of saturated slopes in each layer",
    "grad_norm": "Gradient norm ‖∂L/∂W‖ of each layer (log scale)",
}


def _evidence_chart(history, finding, key):
    metric = plots.EVIDENCE_CHART.get(finding.kind)
    if metric not in CARD_CHARTS or getattr(history, metric, None) is None:
        return
    fig = plots.layer_lines_figure(
        plots.layer_series_data(history, metric),
        metric,
        log_y=metric == "grad_norm",
        diverged_at=history.diverged_at,
        title=CARD_CHARTS[metric],
    )
    plots.place_legend(fig, "right", height=280)
    st.plotly_chart(
        plots.add_evidence_marks(fig, marks([finding]), metric), key=f"{key}-evidence-{finding.kind}", **CHART
    )


def _card(finding, config, fix_state, key, compact, history=None, repeated=False):
    with st.container(border=True, key=f"{key}-card-{finding.kind}"):
        st.markdown(
            f":{BADGE[finding.severity]}-badge[{finding.severity}] **{finding.title}** :gray[· {_where(finding)}]"
        )
        (st.caption if compact else st.markdown)(finding.message)
        if not compact and history is not None:
            _evidence_chart(history, finding, key)
        if finding.fix is not None and repeated:
            st.caption(
                "The fix above is the one change for this too: " + explain.doctor_fix_change(config, finding.fix) + "."
            )
        elif finding.fix is not None:
            left, right = (st, st) if compact else st.columns([1, 3], vertical_alignment="center")
            left.button(
                "Try this fix",
                key=f"{key}.fix.{finding.kind}",
                icon=":material/healing:",
                on_click=_open_fix,
                args=(fix_state, finding.kind),
                help="Train the same network again, same seed and data, with this one change.",
            )
            right.caption("The change: " + explain.doctor_fix_change(config, finding.fix))


def _open_fix(state_key, kind):
    st.session_state.setdefault(FIX_KEY, {})[state_key] = kind


def _close_fix(state_key):
    st.session_state.setdefault(FIX_KEY, {}).pop(state_key, None)


def diagnosis_panel(
    model_or_history, dataset, config, page, eval=True, key=None, title="Diagnosis", compact=False, X=True
):
    """The Diagnosis panel of one run: its summary, a card per finding, the open fix; returns the Diagnosis."""
    key = key or f"{page}-diagnosis"
    diagnosis, fix = _cards(model_or_history, dataset, config, eval, key, title, compact, X)
    if fix is not None:
        _show_fix(model_or_history, diagnosis, *fix, dataset, page, eval, key, X)
    return diagnosis


def _cards(model_or_history, dataset, config, eval, key, title, compact, X):
    """The summary line or the finding cards; returns (Diagnosis, (open finding, config, state key) or None)."""
    config = as_config(config)
    state_key = run_key(config, dataset, eval)
    try:
        diagnosis = diagnosis_of(model_or_history, dataset, (state_key, "run"), X)
    except Exception as exc:  # noqa: BLE001 - the page's charts stay usable, and no traceback is shown
        show_error(exc, "The training doctor could not read this run")
        return doctor.Diagnosis([], ""), None
    with st.container(key=key):
        if title:
            st.markdown(f"**{title}**")
        if diagnosis.healthy:
            with st.container(border=True, key=f"{key}-healthy"):
                st.markdown(f":green-badge[:material/check_circle: healthy] {diagnosis.summary}")
        fixes = []
        for finding in diagnosis:
            _card(
                finding,
                config,
                state_key,
                key,
                compact,
                getattr(model_or_history, "history_", model_or_history),
                repeated=finding.fix is not None and finding.fix in fixes,
            )
            fixes.append(finding.fix)
    kind = st.session_state.get(FIX_KEY, {}).get(state_key)
    finding = diagnosis.get(kind) if kind else None
    return diagnosis, (finding, config, state_key) if finding is not None and finding.fix is not None else None


def activation_panels(histories, configs, dataset, page="act"):
    """One compact Diagnosis per activation run, side by side; an open fix below them, full width.

    Returns {run name: Diagnosis}, for marking each run's findings on the page's shared charts."""
    st.markdown("**Diagnosis of each run**")
    columns = st.columns(min(len(histories), 3))
    opened, diagnoses = [], {}
    for i, ((name, history), config) in enumerate(zip(histories.items(), configs)):
        with columns[i % len(columns)]:
            key = f"{page}-diagnosis-{name}"
            diagnoses[name], fix = _cards(history, dataset, config, True, key, name, True, True)
        if fix is not None:
            opened.append((history, diagnoses[name], fix, key, name))
    for history, diagnosis, fix, key, name in opened:
        _show_fix(history, diagnosis, *fix, dataset, page, True, key, True, name)
    return diagnoses


def marked_runs(fig, run_marks, metric, suffix=""):
    """fig (one line per run, named by run + suffix) with each run's findings for metric marked on its
    line; run_marks: {run name: marks(its Diagnosis)}."""
    for run, table in run_marks.items():
        plots.add_run_marks(fig, table, metric, f"{run}{suffix}")
    return fig


def _show_fix(before, diagnosis, finding, config, state_key, dataset, page, eval, key, X, run_name=None):
    """Train the fixed config (the run store: cached, Stop works) and overlay before and after."""
    fixed = doctor.apply_fix(config, finding)
    with st.container(border=True, key=f"{key}-fix"):
        which = f"{run_name}: " if run_name else ""
        st.markdown(f"**{which}Tried: {explain.doctor_fix_change(config, finding.fix)}** — same seed, same data")
        model = train_model(fixed, dataset, eval=eval, page=f"{page}-fix")
        if model is None:
            return
        after = diagnosis_of(model, dataset, (run_key(fixed, dataset, eval), "run"), X)
        h_before = getattr(before, "history_", before)
        st.markdown(explain.doctor_fix_outcome(diagnosis, after, h_before, model.history_))
        st.caption("After the fix: " + after.summary)
        runs = {"before": h_before, "after": model.history_}
        left, right = st.columns(2)
        left.plotly_chart(
            plots.pair_figure(runs, title="Before and after the fix: training (solid) and test (dotted) loss"),
            key=f"{key}-fix-loss",
            **CHART,
        )
        right.plotly_chart(
            plots.name_test_rows(
                plots.legend_below(
                    plots.r2_figure(runs, title="Before and after the fix: R², training (solid) and test (dotted)")
                )
            ),
            key=f"{key}-fix-r2",
            **CHART,
        )
        st.button(
            "Close the fix", key=f"{key}.fix.close", on_click=_close_fix, args=(state_key,), icon=":material/close:"
        )


# -- sharpness, the deep page ---------------------------------------------------------------------


def sharpness_chart(history, key="deep-sharpness"):
    """λ_max against 2/lr over training: the edge of stability."""
    st.plotly_chart(plots.sharpness_figure(plots.sharpness_data(history)), key=key, **CHART)
    st.caption(
        "The sharpness λ_max is the loss's largest curvature. Full-batch gradient descent is stable only "
        "while λ_max < 2/lr (the dashed line): training tends to push λ_max up to that edge and then "
        "hover there, the loss wobbling as it goes on falling. Past it, each step overshoots."
    )


# -- the compare page ----------------------------------------------------------------------------


def verdict_map(stored, grid):
    """Each grid cell's verdict (doctor.verdict of nnlab.diagnose of its history), spread over seeds."""
    result = stored.result
    data = stored.figure(
        "verdicts:data",
        lambda: plots.verdict_map_data(result.table, [doctor.verdict(nnlab.diagnose(h)) for h in result.histories]),
    )
    left, right = st.columns([3, 2])
    left.plotly_chart(
        stored.figure(
            "verdicts",
            lambda: plots.verdict_map_figure(
                data, "The doctor's verdict on each cell" + (f" ({grid.seeds} seeds)" if grid.seeds > 1 else "")
            ),
        ),
        key="compare-verdicts",
        **CHART,
    )
    right.markdown("**Diagnosis of the grid**")
    right.caption(
        "Each run's history goes through the training doctor; a cell shows the verdict most of its "
        "seeds got, and says how many when they disagree. The heatmaps below give the numbers."
    )
    counts = data.verdict.value_counts()
    right.markdown(
        "\n".join(
            f"- :{_tint(v)}[**{v}**]: {counts[v]} of {len(data)} cells" for v in doctor.VERDICT_ORDER if v in counts
        )
    )


def _tint(verdict):
    return {
        "converged": "green",
        "slow": "blue",
        "overfitting": "violet",
        "oscillating": "orange",
        "stalled": "gray",
        "dead": "gray",
        "diverging": "red",
        "diverged": "red",
    }[verdict]


# -- presets a teacher can hand out -------------------------------------------------------------------


def preset_query(name):
    """The deep page's URL parameters that open it with the preset's config."""
    params = doctor.PRESETS[name].params
    query = {
        "deep.hidden": ", ".join(map(str, params["hidden"])),
        "deep.activation": params["activation"],
        "deep.init": params["init"],
        "deep.optimizer": params["optimizer"],
        "deep.lr": f"{params['lr']:g}",
        "deep.epochs": str(params["epochs"]),
        "deep.l2": f"{params['l2']:g}",
        "deep.seed": str(params["random_state"]),
    }
    if params["batch_size"] is not None:
        query["deep.batch"] = str(params["batch_size"])
    return query


def preset_link(name):
    """A relative link to the deep page with the preset's config (a new tab: a cold link, as handed out)."""
    return f"{DEEP_PAGE}?{urlencode(preset_query(name))}"


def presets(expanded=False):
    """An expander of the presets, each a link that opens the deep page with its config."""
    with st.expander("Presets for a class: runs that go wrong on purpose", expanded=expanded, icon=":material/school:"):
        st.caption(
            "Each link opens the deep network page with a run that shows one problem; the Diagnosis "
            "names it and offers the fix. Copy a link to hand it out."
        )
        st.markdown(
            "\n".join(
                f"- [{name}]({preset_link(name)}): shows *{doctor.RULES[p.shows].title.lower()}*"
                for name, p in doctor.PRESETS.items()
            )
        )
