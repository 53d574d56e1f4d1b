"""The loss landscape around a run: the training objective on a plane through the final parameters,
with the recorded path projected onto it, and on the straight line from the start to the end.

    surface = landscape.plane(model, X, y)                 # the path's two principal directions
    surface = landscape.plane(model, X, y, "random")       # two random filter-normalised ones
    section = landscape.line(model, X, y)                  # start (α = 0) to end (α = 1)

The plane is θ(a, b) = θ_final + a·d₁ + b·d₂. With "pca", d₁ and d₂ are the first two principal
directions of the recorded snapshots (Li et al. 2018, §7), so the plane holds as much of the path's
movement as any plane can; `explained` says how much that is. With "random", each direction is
drawn from N(0, 1) and every unit's incoming weights are scaled to the norm of that unit's
weights in θ_final (filter normalisation, Li et al. 2018, §4), biases left at 0. Every point is a
forward pass of the whole training set; they are evaluated as stacks of runs of one `Network`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

from .network import Layout, Network

DIRECTIONS = ("pca", "random")
NO_MOVEMENT = "no_movement"  # Surface.note: asked for "pca", but the path never moved, so random directions
STEPS = 41  # grid points per axis: odd, so the centre point is θ_final itself
# steps² × rows × parameters of one plane: ~2 s on one core here (the deep page's default 41² grid on 353
# rows and 2,817 parameters is 1.7e9 and takes 0.14 s); larger networks get a coarser grid, down to MIN_STEPS.
MAX_WORK = 2e10
MIN_STEPS = 11
LINE_STEPS = 121
LINE_SPAN = (-0.25, 1.25)  # α beyond 0 and 1 shows whether start and end sit in a dip
PAD = 1.25  # the grid reaches this far beyond the farthest projected snapshot
MIN_ASPECT = 0.2  # the narrower axis spans at least this share of the wider one's range
RANDOM_EXTENT = 1.0  # ±1 in filter-normalised units: a step as large as each unit's own weights
# Stacked runs per forward pass: enough rows of activations to amortise the Python per layer, few
# enough that one chunk's z and a stay near the cache (measured in benchmarks/landscape_speed.py).
CHUNK_FLOATS = 1_000_000
_blas = ThreadpoolController()


@dataclass
class Surface:
    """The objective on a plane: loss[i, j] at θ_final + x[j]·d₁ + y[i]·d₂.

    kind: "pca" or "random" (also "random" when asked for "pca" on a path that never moved: note says so).
    x, y: (steps,) coordinates along d₁ and d₂, centred on 0 (θ_final); loss: (steps, steps).
    path: (k, 2) the snapshots' coordinates in the plane; epochs: (k,) their epochs (the last is θ_final);
    path_loss: (k,) the objective the run recorded there (off the plane, where the path leaves it).
    explained: share of the path's variance (about its mean) that lies in the plane, in [0, 1];
    explained_axes: (2,) the share along d₁ and along d₂ (for "pca", the principal components').
    center_loss: the objective at θ_final; directions: (2, n_params); note: NO_MOVEMENT when "pca" fell back, else "".
    """

    kind: str
    x: np.ndarray
    y: np.ndarray
    loss: np.ndarray
    path: np.ndarray
    epochs: np.ndarray
    explained: float
    explained_axes: np.ndarray
    center_loss: float
    directions: np.ndarray
    note: str = ""
    path_loss: np.ndarray | None = None


@dataclass
class Line:
    """The objective on θ_start + α·(θ_final − θ_start): loss (m,) at alpha (m,); distance = ‖θ_final − θ_start‖."""

    alpha: np.ndarray
    loss: np.ndarray
    start_loss: float
    end_loss: float
    distance: float
    start_epoch: int
    end_epoch: int


# -- the path --------------------------------------------------------------------------------


def layout_of(model):
    """The Layout of a fitted MLP's parameters."""
    return Layout([model.coefs_[0].shape[0]] + [W.shape[1] for W in model.coefs_])


def final_parameters(model):
    """θ_final (n_params,): the kept parameters (coefs_, what predict uses), as one flat row."""
    return layout_of(model).pack([W[None] for W in model.coefs_], [b[None] for b in model.intercepts_])[0]


def path(model):
    """(snapshots (k, n_params), epochs (k,)): the recorded parameters up to the last good epoch, ending at θ_final.

    A run that blew up keeps only the finite snapshots taken at or before history_.last_good_epoch;
    θ_final (the last good parameters) is appended when no snapshot holds it.
    """
    history = model.history_
    snapshots = layout_of(model).pack(history.weights, history.biases)
    epochs = np.asarray(history.snapshot_epochs)
    keep = np.all(np.isfinite(snapshots), axis=1)
    if history.diverged_at is not None:
        keep &= epochs <= history.last_good_epoch
    snapshots, epochs = snapshots[keep], epochs[keep]
    final = final_parameters(model)
    if len(snapshots) == 0 or not np.array_equal(snapshots[-1], final):
        end = history.epochs if history.diverged_at is None else history.last_good_epoch
        snapshots, epochs = np.vstack([snapshots, final]), np.r_[epochs, end]
    return snapshots.astype(np.float64), epochs.astype(int)


def principal_directions(snapshots, seed=0):
    """(directions (2, n_params), variance shares (2,)): the path's first two principal components.

    Shares are of the total variance of the snapshots about their mean. The signs are fixed so the
    first snapshot lies at negative d₁ and d₂: every path comes in from the lower left.
    """
    centred = snapshots - snapshots.mean(axis=0)
    # The top of the smaller Gram matrix: k snapshots × k when the path is shorter than θ is long
    # (301 × 301 for the deep page: 10× faster than an SVD of 301 × 2,817), else n × n.
    short = len(centred) <= centred.shape[1]
    gram = centred @ centred.T if short else centred.T @ centred
    variance, vectors = np.linalg.eigh(gram)
    variance, vectors = np.clip(variance[::-1], 0, None), vectors[:, ::-1]
    total = variance.sum()
    directions = np.zeros((2, snapshots.shape[1]))
    shares = np.zeros(2)
    count = min(2, len(variance))
    for i in range(count):
        if variance[i] <= total * 1e-12:  # no movement along it: no direction to draw
            continue
        # With the k × k Gram matrix, the principal direction is centredᵀ u / √λ.
        direction = centred.T @ vectors[:, i] if short else vectors[:, i]
        directions[i] = direction / np.linalg.norm(direction)
        shares[i] = variance[i] / total
    if shares[0] > 0 and shares[1] == 0:
        # A straight path has one direction; any unit vector at right angles to it completes the plane.
        other = np.random.default_rng(seed).standard_normal(snapshots.shape[1])
        other -= (other @ directions[0]) * directions[0]
        directions[1] = other / np.linalg.norm(other)
    start = (snapshots[0] - snapshots[-1]) @ directions.T
    directions[start > 0] *= -1
    return directions, shares


def filter_normalized_directions(model, seed=0, count=2):
    """(count, n_params) random directions, each unit's incoming weights scaled to that unit's norm in θ_final.

    Li et al. 2018: d_j ← d_j / ‖d_j‖ · ‖θ_j‖ for every unit j's column of W; biases are 0 in d. A unit
    whose weights are all 0 (zeros init: they may never move) gets ‖d_j‖ = 1 instead of none, or the
    plane of such a network would shrink to its output layer.
    """
    layout = layout_of(model)
    theta = final_parameters(model)
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((count, layout.n_params))
    directions[:, layout.n_weights :] = 0.0
    weights, _ = layout.views(directions)
    for W, W_final in zip(weights, layout.views(theta)[0]):
        norms = np.linalg.norm(W, axis=1, keepdims=True)  # (count, 1, fan_out): each unit's column
        scale = np.linalg.norm(W_final, axis=0)
        W *= np.where(scale > 0, scale, 1.0) / np.where(norms > 0, norms, 1.0)
    return directions


def explained_variance(snapshots, directions):
    """(share of the snapshots' variance in the plane of directions (2, n), share along each direction).

    The plane's share uses an orthonormal basis of it, so non-orthogonal (random) directions count
    no variance twice; the per-direction shares are those of each direction on its own.
    """
    centred = snapshots - snapshots.mean(axis=0)
    total = float(np.sum(centred**2))
    if total == 0:
        return np.nan, np.full(2, np.nan)
    basis, _ = np.linalg.qr(directions.T)
    in_plane = float(np.sum((centred @ basis) ** 2))
    lengths = np.linalg.norm(directions, axis=1, keepdims=True)
    unit = directions / np.where(lengths > 0, lengths, 1.0)
    along = np.sum((centred @ unit.T) ** 2, axis=0) / total
    return min(in_plane / total, 1.0), along


def project(snapshots, center, directions):
    """(k, 2) coordinates (a, b) of each snapshot's nearest point on the plane center + a·d₁ + b·d₂."""
    coords, *_ = np.linalg.lstsq(directions.T, (snapshots - center).T, rcond=None)
    return coords.T


# -- the objective at many points ---------------------------------------------------------------


def objective(model, X, y, center, directions, coords, chunk=None):
    """mean((ŷ − y)²) + l2·Σ‖W‖² (m,) at center + coords (m, d) @ directions (d, n_params).

    The points are evaluated a chunk of stacked runs at a time: one Network, its parameter rows
    overwritten in place for each chunk, so its buffers are allocated once. Overflow gives inf.
    """
    config = model.history_.config
    dtype = np.dtype(config.dtype if config is not None else model.coefs_[0].dtype)
    layout = layout_of(model)
    X = np.ascontiguousarray(X, dtype=dtype)
    y = np.ascontiguousarray(np.asarray(y).reshape(-1), dtype=dtype)
    coords = np.asarray(coords, dtype=np.float64).reshape(len(coords), -1)
    chunk = chunk or chunk_size(len(X), layout)
    runs = min(chunk, len(coords))
    l2 = config.l2 if config is not None else model.l2
    net = Network(np.tile(center.astype(dtype), (runs, 1)), layout, model.activation, l2)
    buffers = net.buffers(len(X), purpose="landscape")
    out = np.empty(len(coords))
    with _blas.limit(limits=1, user_api="blas"), np.errstate(over="ignore", invalid="ignore"):
        for begin in range(0, len(coords), runs):
            part = coords[begin : begin + runs]
            rows = net.theta[: len(part)]
            rows[...] = part @ directions + center  # into the network's own parameter rows: its views follow
            prediction = net.forward(X, buffers)
            values = net.loss(prediction, y, buffers) + net.penalty()
            out[begin : begin + len(part)] = values[: len(part)]
    return np.where(np.isfinite(out), out, np.inf)


def chunk_size(rows, layout):
    """Stacked runs per forward pass: CHUNK_FLOATS of activations (rows × every layer's width)."""
    per_run = rows * sum(layout.sizes[1:])
    return int(max(1, CHUNK_FLOATS // max(per_run, 1)))


# -- the two views ----------------------------------------------------------------------------


def grid_steps(rows, n_params, wanted=STEPS):
    """The largest odd number of points per axis, at most wanted, whose steps² forward passes fit MAX_WORK.

    Raises ValueError when even MIN_STEPS² passes would not: the network or the data is too large to map.
    """
    affordable = int(np.sqrt(MAX_WORK / max(rows * n_params, 1)))
    steps = min(wanted, affordable - (affordable % 2 == 0))
    if steps < MIN_STEPS:
        raise ValueError(
            f"a {MIN_STEPS}×{MIN_STEPS} grid of forward passes over {rows:,} rows and {n_params:,} parameters "
            f"is over the cap of {MAX_WORK:.0e} multiply-adds; map a smaller network or fewer rows"
        )
    return steps


def plane(model, X, y, directions="pca", steps=None, seed=0, chunk=None):
    """`Surface` of a fitted MLP's training objective on X (rows, features), y (rows,) around θ_final.

    steps: points per axis (odd); None takes grid_steps(), STEPS unless the network is large.
    """
    if directions not in DIRECTIONS:
        raise ValueError(f"unknown directions {directions!r}; choose one of {', '.join(map(repr, DIRECTIONS))}")
    steps = grid_steps(len(X), layout_of(model).n_params) if steps is None else steps
    if steps < 3 or steps % 2 == 0:
        raise ValueError(f"steps must be an odd number ≥ 3, so the grid has a centre; got {steps}")
    with _blas.limit(limits=1, user_api="blas"):  # a page's server shares its cores: one thread, like training
        return _plane(model, X, y, directions, steps, seed, chunk)


def _plane(model, X, y, directions, steps, seed, chunk):
    snapshots, epochs = path(model)
    center = final_parameters(model)
    kind, note = directions, ""
    if kind == "pca":
        basis, shares = principal_directions(snapshots, seed)
        if not shares.any():
            kind, note = "random", NO_MOVEMENT
    if kind == "random":
        basis = filter_normalized_directions(model, seed)
    explained, along = explained_variance(snapshots, basis)
    if kind == "pca" and np.isfinite(explained):
        along = shares
    coords = project(snapshots, center, basis)
    x, y_axis = _axes(coords, kind, steps)
    grid = np.stack(np.meshgrid(x, y_axis), axis=-1).reshape(-1, 2)
    loss = objective(model, X, y, center, basis, grid, chunk).reshape(steps, steps)
    return Surface(
        kind=kind,
        x=x,
        y=y_axis,
        loss=loss,
        path=coords,
        epochs=epochs,
        explained=float(explained),
        explained_axes=np.asarray(along, dtype=float),
        center_loss=float(loss[steps // 2, steps // 2]),
        directions=basis,
        note=note,
        path_loss=recorded_objective(model, epochs, float(loss[steps // 2, steps // 2])),
    )


def recorded_objective(model, epochs, final):
    """(k,) the objective history_ recorded at these epochs (at the start of each, before its update); final
    for θ_final's epoch when the run trained to the end (no epoch records the parameters after the last update)."""
    history = model.history_
    objective = history.objective if history.objective is not None else history.loss
    inside = epochs < len(objective)
    return np.where(inside, objective[np.minimum(epochs, len(objective) - 1)], final)


def _axes(coords, kind, steps):
    """Symmetric coordinate ranges around 0 that hold the projected path, neither axis squashed to a line."""
    reach = PAD * np.max(np.abs(coords), axis=0) if len(coords) else np.zeros(2)
    if kind == "random":
        reach = np.maximum(reach, RANDOM_EXTENT)
    widest = reach.max()
    if widest == 0:
        reach = np.ones(2)
    else:
        reach = np.maximum(reach, MIN_ASPECT * widest)
    return tuple(np.linspace(-r, r, steps) for r in reach)


def line(model, X, y, steps=LINE_STEPS, span=LINE_SPAN, chunk=None):
    """`Line`: the training objective on the straight line through the first snapshot (α = 0) and θ_final (α = 1)."""
    snapshots, epochs = path(model)
    start, end = snapshots[0], snapshots[-1]
    alpha = np.linspace(*span, steps)
    # Exact 0 and 1 among the points, so start and end are evaluated where the path has them.
    alpha[np.argmin(np.abs(alpha))] = 0.0
    alpha[np.argmin(np.abs(alpha - 1.0))] = 1.0
    loss = objective(model, X, y, start, (end - start)[None], alpha[:, None], chunk)
    return Line(
        alpha=alpha,
        loss=loss,
        start_loss=float(loss[alpha == 0.0][0]),
        end_loss=float(loss[alpha == 1.0][0]),
        distance=float(np.linalg.norm(end - start)),
        start_epoch=int(epochs[0]),
        end_epoch=int(epochs[-1]),
    )
