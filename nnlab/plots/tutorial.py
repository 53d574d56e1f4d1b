"""The guide's chart: nnlab's curves as lines, the tutorial's printed values as markers on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._style import PALETTE, downsample_indices, empty_figure, layout, reference_line


def printed_beside_data(curves, printed):
    """Tidy (curve, epoch, value, printed): {name: values per epoch} as lines, {name: {epoch: value}} as markers."""
    frames = []
    for name, values in curves.items():
        values = np.asarray(values, dtype=float)
        index = downsample_indices(len(values))
        frames.append(pd.DataFrame({"curve": name, "epoch": index, "value": values[index], "printed": False}))
    for name, points in printed.items():
        frames.append(
            pd.DataFrame({"curve": name, "epoch": list(points), "value": list(points.values()), "printed": True})
        )
    return (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["curve", "epoch", "value", "printed"])
    )


def printed_beside_figure(data, title, y_title, floor=None, floor_label="least squares", log_y=True):
    """printed_beside_data as lines (computed) and diamonds (printed), with an optional floor line."""
    if data.empty:
        return empty_figure(title)
    fig = go.Figure()
    for i, ((curve, printed), part) in enumerate(data.groupby(["curve", "printed"], sort=False)):
        style = (
            dict(mode="markers", marker=dict(symbol="diamond", size=9, color=PALETTE[i % len(PALETTE)]))
            if printed
            else dict(mode="lines", line=dict(width=3, color=PALETTE[i % len(PALETTE)]))
        )
        fig.add_trace(go.Scatter(x=part.epoch, y=part.value, name=curve, **style))
    if floor is not None:
        reference_line(fig, [0, int(data.epoch.max())], floor, floor_label)
    return layout(fig, title, "epoch", y_title, legend="below", log_y=log_y)
