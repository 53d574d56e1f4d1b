"""The loss's curvature: the largest eigenvalue of its Hessian (the sharpness), by power iteration.

Gradient descent with rate lr is stable along a direction of curvature λ only while lr < 2/λ
(the linear page's bound), so the sharpness λ_max tells whether a run's rate is past that edge.
"""

from __future__ import annotations

import numpy as np

SHARPNESS_ITERATIONS = 100  # power iterations at most for a standalone estimate
SHARPNESS_TOLERANCE = 1e-6  # ... stopped once λ changes by less than this share between two
# During training the vector is carried from one record to the next and the sharpness moves
# slowly, so one or two iterations each time keep up with it. Each record stops as soon as its
# vector is nearly an eigenvector, the residual ‖Hv − λv‖ / |λ| at most TRACKING_RESIDUAL; λ's
# error is then about the residual's square. Measured by benchmarks/sharpness_tracking.py, every
# 10 epochs on the deep page's default run, at lr 0.06 and 0.1, with tanh, with Adam and another
# seed: within 0.07% of the converged value at every record (medians 1e-6 to 1e-4), in 47–61
# Hessian-vector products for 30 records where two iterations at every record took 68. The first
# record stops after 4–5, later ones after 1 about half the time. One iteration at every record
# is off by up to 27%.
TRACKING_RESIDUAL = 0.02
FIRST_ITERATIONS = 10  # at most, for the first record, which starts from a random vector
TRACKING_ITERATIONS = 2  # at most, for the later ones


def power_iteration(
    hessian_vector, start, iterations=SHARPNESS_ITERATIONS, tolerance=SHARPNESS_TOLERANCE, residual=None
):
    """Largest-magnitude eigenvalue per run (runs,) and its unit vector (runs, n), from start (runs, n).

    hessian_vector(v) returns H·v for v (runs, n). λ is the Rayleigh quotient vᵀHv of the last
    unit vector; a run whose H·v is 0 keeps its vector and gets λ = 0. Stops after `iterations`,
    or once λ changes by at most `tolerance` of itself, or once every run's ‖Hv − λv‖ / |λ| is at
    most `residual`.
    """
    vector = _unit(start, _norms(start))
    eigenvalue = np.full(len(vector), np.nan)
    for _ in range(iterations):
        product = hessian_vector(vector)
        previous, eigenvalue = eigenvalue, np.einsum("rp,rp->r", vector, product)
        norms = _norms(product)
        vector = _unit(product, norms, fallback=vector)
        if tolerance is not None and np.all(np.abs(eigenvalue - previous) <= tolerance * np.abs(eigenvalue)):
            break
        # v has norm 1, so ‖Hv − λv‖² = ‖Hv‖² − λ²: the residual costs no second pass.
        if residual is not None and np.all(norms[:, 0] ** 2 - eigenvalue**2 <= (residual * eigenvalue) ** 2):
            break
    return eigenvalue, vector


def _norms(vectors):
    return np.linalg.norm(vectors, axis=1, keepdims=True)


def _unit(vectors, norms, fallback=None):
    """Rows of vectors scaled to norm 1; a zero row is replaced by fallback's row."""
    unit = vectors / np.where(norms > 0, norms, 1.0)
    return unit if fallback is None else np.where(norms > 0, unit, fallback)
