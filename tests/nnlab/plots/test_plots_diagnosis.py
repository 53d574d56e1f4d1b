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
    diagnosis = doctor.Diagnosis([_finding("diverged", "problem", (5, 5)), _finding("dead_units", "problem", (12, 299), (1,)),
                                  _finding("unscaled_target", "warning", (0, 299))], "")
    marks = plots.evidence_marks_data(diagnosis)
    expected = pd.DataFrame({"kind": ["diverged", "dead_units"], "severity": ["problem", "problem"],
                             "metric": ["loss", "dead_fraction"], "first": [5, 12], "last": [5, 299],
                             "layers": [(), (1,)], "mark": ["epoch", "span"]})
    pd.testing.assert_frame_equal(marks, expected)
    assert plots.evidence_marks_data(doctor.Diagnosis([], "")).empty


def test_add_evidence_marks_draws_only_this_charts_marks():
    diagnosis = doctor.Diagnosis([_finding("diverged", "problem", (5, 5)), _finding("oscillating", "warning", (150, 299)),
                                  _finding("dead_units", "problem", (12, 299), (1,))], "")
    fig = plots.add_evidence_marks(plots.empty_figure("loss"), plots.evidence_marks_data(diagnosis), "loss")
    assert [shape.type for shape in fig.layout.shapes] == ["line", "rect"]


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
