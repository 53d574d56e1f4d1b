"""plots.diagnosis: the evidence marks and the sharpness chart, data by equality, figures by traces."""

import numpy as np
import pandas as pd

import nnlab
from nnlab import doctor, plots
from tests.nnlab.diabetes_runs import X_TRAIN, Z_TRAIN


def _finding(kind, severity, epochs, layers=()):
    return doctor.Finding(kind, severity, epochs, layers, {}, "", None)


def test_every_kind_names_a_chart_or_none():
    assert set(plots.EVIDENCE_CHART) == set(doctor.RULES)
    assert {m for m in plots.EVIDENCE_CHART.values() if m} <= set(nnlab.History.__dataclass_fields__)


def test_evidence_marks_data():
    diagnosis = doctor.Diagnosis(
        [
            _finding("diverged", "problem", (5, 5)),
            _finding("dead_units", "problem", (12, 299), (1,)),
            _finding("unscaled_target", "warning", (0, 299)),
        ],
        "",
    )
    marks = plots.evidence_marks_data(diagnosis)
    expected = pd.DataFrame(
        {
            "kind": ["diverged", "dead_units"],
            "severity": ["problem", "problem"],
            "metric": ["loss", "dead_fraction"],
            "first": [5, 12],
            "last": [5, 299],
            "layers": [(), (1,)],
            "mark": ["epoch", "span"],
        }
    )
    pd.testing.assert_frame_equal(marks, expected)
    assert plots.evidence_marks_data(doctor.Diagnosis([], "")).empty


def test_add_evidence_marks_draws_only_this_charts_marks():
    diagnosis = doctor.Diagnosis(
        [
            _finding("diverged", "problem", (5, 5)),
            _finding("oscillating", "warning", (150, 299)),
            _finding("dead_units", "problem", (12, 299), (1,)),
        ],
        "",
    )
    fig = plots.add_evidence_marks(plots.empty_figure("loss"), plots.evidence_marks_data(diagnosis), "loss")
    assert [shape.type for shape in fig.layout.shapes] == ["line", "rect"]


def test_a_finding_on_layers_emphasises_their_lines_and_fades_the_others():
    model = nnlab.MLP(hidden=(8, 4), epochs=20).fit(X_TRAIN, Z_TRAIN)
    fig = plots.layer_lines_figure(plots.layer_series_data(model.history_, "dead_fraction"), "dead_fraction")
    diagnosis = doctor.Diagnosis([_finding("dead_units", "problem", (3, 19), (1,))], "")
    plots.add_evidence_marks(fig, plots.evidence_marks_data(diagnosis), "dead_fraction")
    widths = [trace.line.width for trace in fig.data]
    opacities = [trace.opacity for trace in fig.data]
    assert widths == [None, plots.diagnosis.EMPHASIS_WIDTH] and opacities == [plots.diagnosis.FADED_OPACITY, 1.0]
    assert [shape.type for shape in fig.layout.shapes] == ["rect"]


def test_run_marks_sit_on_their_runs_line_where_the_finding_begins():
    histories = {
        name: nnlab.MLP(hidden=(4,), lr=lr, epochs=40).fit(X_TRAIN, Z_TRAIN).history_
        for name, lr in (("calm", 0.01), ("wild", 0.02))
    }
    fig = plots.loss_figure(histories)
    before = len(fig.data)
    diagnosis = doctor.Diagnosis(
        [_finding("oscillating", "warning", (17, 39)), _finding("dead_units", "problem", (2, 39), (0,))], ""
    )
    plots.add_run_marks(fig, plots.evidence_marks_data(diagnosis), "loss", "wild")
    (mark,) = fig.data[before:]  # the dead units are not a loss-chart finding
    wild = next(trace for trace in fig.data if trace.name == "wild")
    at = list(wild.x).index(17)
    assert mark.x == (17,) and mark.y == (wild.y[at],) and mark.marker.symbol == "diamond-open"
    assert "oscillat" in mark.hovertemplate and "epoch 17" in mark.hovertemplate and not mark.showlegend
    assert len(plots.add_run_marks(fig, plots.evidence_marks_data(diagnosis), "loss", "no such run").data) == before + 1


def test_sharpness_data_and_figure():
    model = nnlab.MLP(hidden=(8, 4), lr=0.05, epochs=30, sharpness_every=10).fit(X_TRAIN, Z_TRAIN)
    data = plots.sharpness_data(model.history_)
    assert data.epoch.tolist() == [0, 10, 20] and np.all(data.edge == 2 / 0.05)
    np.testing.assert_array_equal(data.sharpness, model.history_.sharpness)
    fig = plots.sharpness_figure(data)
    assert [trace.name for trace in fig.data] == ["sharpness λ_max", "edge 2/lr"]


def test_sharpness_figure_without_a_record_is_empty_and_titled():
    model = nnlab.MLP(hidden=(8, 4), epochs=5).fit(X_TRAIN, Z_TRAIN)
    data = plots.sharpness_data(model.history_)
    fig = plots.sharpness_figure(data)
    assert data.empty and len(fig.data) == 0 and "Sharpness" in fig.layout.title.text


def _grid_table(inits, lrs, seeds):
    rows = [{"init": i, "lr": r, "seed": s} for i in inits for r in lrs for s in range(seeds)]
    return pd.DataFrame(rows)


def test_verdict_map_data_one_seed_is_its_verdict():
    table = _grid_table(["he", "zeros"], [0.01, 1.0], 1)
    data = plots.verdict_map_data(table, ["converged", "diverged", "stalled", "diverged"])
    expected = pd.DataFrame(
        {
            "init": ["he", "he", "zeros", "zeros"],
            "lr": ["0.01", "1", "0.01", "1"],
            "verdict": ["converged", "diverged", "stalled", "diverged"],
            "count": [1] * 4,
            "seeds": [1] * 4,
            "text": ["converged", "diverged", "stalled", "diverged"],
            "detail": ["1 converged", "1 diverged", "1 stalled", "1 diverged"],
        }
    )
    pd.testing.assert_frame_equal(data, expected)


def test_verdict_map_data_spread_over_seeds():
    table = _grid_table(["he"], [0.1, 0.3], 3)
    data = plots.verdict_map_data(
        table,
        [
            "diverged",
            "converged",
            "diverged",  # 2 of 3 diverged
            "slow",
            "oscillating",
            "converged",
        ],
    )  # a three-way tie
    assert data.verdict.tolist() == ["diverged", "oscillating"]  # a tie goes to the more serious
    assert data["count"].tolist() == [2, 1] and data.seeds.tolist() == [3, 3]
    assert data.text.tolist() == ["2/3 seeds diverged", "1/3 seeds oscillating"]
    assert data.detail.tolist() == ["2 diverged, 1 converged", "1 oscillating, 1 slow, 1 converged"]


def test_verdict_map_figure_a_colour_and_a_legend_entry_per_verdict():
    table = _grid_table(["he", "zeros"], [0.01, 1.0], 1)
    data = plots.verdict_map_data(table, ["converged", "diverged", "stalled", "diverged"])
    fig = plots.verdict_map_figure(data)
    assert [t.type for t in fig.data] == ["heatmap", "scatter"] * 3
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert [t.name for t in heatmaps] == ["diverged", "stalled", "converged"]  # doctor.VERDICT_ORDER
    assert [t.colorscale[0][1] for t in heatmaps] == [
        plots.VERDICT_COLORS[v] for v in ("diverged", "stalled", "converged")
    ]
    diverged = np.array(heatmaps[0].z, dtype=float)
    np.testing.assert_array_equal(np.isfinite(diverged), [[False, True], [False, True]])
    assert [t.name for t in fig.data if t.type == "scatter" and t.showlegend] == ["diverged", "stalled", "converged"]
    assert set(plots.VERDICT_COLORS) == set(doctor.VERDICT_ORDER)
    assert [row[1] for row in heatmaps[0].customdata] == ["1 diverged", "1 diverged"]  # column lr 1: the hover
    assert [row[1] for row in heatmaps[0].text] == ["diverged", "diverged"]


def test_verdict_map_figure_empty():
    fig = plots.verdict_map_figure(plots.verdict_map_data(pd.DataFrame(columns=["init", "lr", "seed"]), []))
    assert not fig.data and "What each run did" in fig.layout.title.text


def test_verdict_map_figure_spread_in_two_lines():
    table = _grid_table(["he"], [0.1], 3)
    fig = plots.verdict_map_figure(plots.verdict_map_data(table, ["diverged", "converged", "diverged"]))
    assert (
        fig.data[0].text[0][0] == "2/3 seeds<br>diverged" and fig.data[0].customdata[0][0] == "2 diverged, 1 converged"
    )
