"""nnlab.plots.backprop: the walk's diagram (data by equality, figure by traces) and the k-step loss chart."""

import numpy as np
import pandas as pd

from nnlab import backprop, plots

X = np.array([[1.0, -2.0], [0.5, 1.0], [2.0, 0.0], [-1.0, 1.0]])
Y = np.array([1.0, -1.0, 2.0, 0.5])
TRACE = backprop.trace_layers(
    [np.array([[0.5, -1.0], [0.25, 0.5]]), np.array([[2.0], [-1.0]])],
    [np.array([0.1, 0.2]), np.array([0.5])],
    X,
    Y,
    "relu",
    lr=0.1,
)
POSITION = {step.key: i for i, step in enumerate(TRACE.steps)}


def diagram(key, row=1):
    return plots.backprop_diagram_data(TRACE, POSITION[key], row, ("age", "bmi"))


def test_units_show_what_is_known_so_far():
    nodes, _ = diagram("z1")
    # Row 2 is x = (0.5, 1): z₁ = (0.6, 0.2); nothing above it is computed yet.
    assert nodes.text.tolist() == ["age = 0.5", "bmi = 1", "z = 0.6", "z = 0.2", ""]
    nodes, _ = diagram("delta1")
    assert nodes.text.tolist() == [
        "age = 0.5",
        "bmi = 1",
        "z = 0.6 → a = 0.6<br>δ = 2.5",
        "z = 0.2 → a = 0.2<br>δ = −1.25",
        "ŷ = 1.5   (y = −1)<br>δ = 1.25",
    ]
    assert nodes.y.tolist() == [0.5, -0.5, 0.5, -0.5, -0.0], "unit 1 on top"


def test_the_operation_is_highlighted_and_its_weights_numbered():
    nodes, edges = diagram("z2")  # ŷ = a₁·W₂ + b₂: computes the output from the hidden units over W₂
    assert nodes.role.tolist() == ["", "", "source", "source", "target"]
    assert edges.role.tolist() == ["", "", "", "", "source", "source"]
    assert edges.label.tolist() == ["", "", "", "", "2", "−1"] and edges.written[4:].all()
    _, edges = diagram("dW1")  # the gradient is written on the edges it belongs to
    assert edges.role.tolist()[:4] == ["target"] * 4
    assert edges.label.tolist()[:4] == ["2.35", "−1.48", "3.1", "−0.4"]
    assert edges.what.tolist()[:2] == ["∂L/∂W₁[1, 1]", "∂L/∂W₁[1, 2]"]
    _, edges = diagram("new:W2")
    assert edges.label.tolist()[4:] == ["1.89", "−0.881"] and edges.what.tolist()[4] == "new W₂[1, 1]"
    nodes, _ = diagram("loss")
    assert nodes.role.tolist() == ["", "", "", "", "target"]


def test_a_crowded_block_is_numbered_on_hover_only():
    wide = backprop.trace_layers(
        [np.ones((3, 4)), np.ones((4, 1))], [np.zeros(4), np.zeros(1)], X[:, :1].repeat(3, 1), Y, "tanh"
    )
    _, edges = plots.backprop_diagram_data(wide, 0)
    first = edges[edges.layer == 1]
    assert len(first) == 12 and (first.label != "").all() and not first.written.any()


def test_the_diagram_figure():
    nodes, edges = diagram("z2")
    fig = plots.backprop_diagram_figure(nodes, edges, "The network on row 2 of 4")
    # Quiet edges by sign (both), the edges read, their numbers, then the units: plain, read, computed.
    assert [t.mode for t in fig.data] == [
        "lines",
        "lines",
        "lines",
        "text+markers",
        "markers+text",
        "markers+text",
        "markers+text",
    ]
    assert fig.data[-1].marker.color == "#ff7f0e" and list(fig.data[-1].x) == [2.0]
    assert fig.layout.title.text == "The network on row 2 of 4"
    assert list(fig.layout.xaxis.ticktext) == ["inputs X", "hidden 1 (a₁)", "output ŷ = z₂"]
    empty = plots.backprop_diagram_figure(nodes.iloc[:0], edges.iloc[:0], "Nothing")
    assert len(empty.data) == 0 and empty.layout.title.text == "Nothing"


def test_the_descent_chart():
    data = plots.descent_data({"nnlab": [3.0, 2.0, 1.0], "tutorial": [3.0, 50.0, np.inf]})
    pd.testing.assert_frame_equal(
        data,
        pd.DataFrame(
            {"rule": ["nnlab"] * 3 + ["tutorial"] * 2, "step": [0, 1, 2, 0, 1], "loss": [3.0, 2.0, 1.0, 3.0, 50.0]}
        ),
    )
    fig = plots.descent_figure(data)
    assert [t.name for t in fig.data] == ["nnlab", "tutorial"] and fig.data[1].line.dash == "dash"
    assert fig.layout.yaxis.type == "linear"
    assert len(plots.descent_figure(plots.descent_data({})).data) == 0
