"""The Sequencer's distances between rows, as whole (N, N) matrices.

Baron & Ménard (2020) compare objects (spectra on a common wavelength grid)
with four measures; each is computed here for every pair at once, in
compiled code (``scipy.spatial.distance.cdist`` or one matrix product), never
pair by pair in Python:

- ``"euclidean"``: the L2 distance between the rows;
- ``"emd"``: the earth mover's (first Wasserstein) distance between the rows
  read as distributions over the grid. For two distributions on the same
  grid it is the integral of the absolute difference of their cumulative
  sums, ``sum_k |P_k - Q_k| (x_{k+1} - x_k)``: a weighted L1 (cityblock)
  distance between the CDFs, what ``scipy.stats.wasserstein_distance``
  computes for one pair;
- ``"energy"``: the energy distance, ``sqrt(2) * sqrt(sum_k (P_k - Q_k)**2
  (x_{k+1} - x_k))``, what ``scipy.stats.energy_distance`` computes for one
  pair: a weighted L2 distance between the CDFs;
- ``"kl"``: the Kullback-Leibler divergence ``sum p log(p / q)``
  (``scipy.stats.entropy`` for one pair) from one matrix product. It is not
  symmetric; the spanning tree needs an undirected graph, so the two
  directions are averaged (half the Jeffreys divergence).

The tests compare every matrix with the scipy function applied pair by pair.
Rows are read as distributions (divided by their sum) for ``emd``, ``energy``
and ``kl``, which therefore need non-negative values (strictly positive for
``kl``); :func:`check_values` says so before any work.
"""

from __future__ import annotations

import numpy as np

__all__ = ["METRICS", "DISTRIBUTION_METRICS", "check_values", "distance_matrix"]

METRICS = ("euclidean", "emd", "energy", "kl")
"""The distances the Sequencer knows (Baron & Ménard 2020, section 2)."""

DISTRIBUTION_METRICS = ("emd", "energy", "kl")
"""The distances that read each row as a distribution over the grid."""


def check_values(values: np.ndarray, metric: str) -> None:
    """Refuse values a distribution metric cannot read (negative; zero for KL)."""
    if metric not in DISTRIBUTION_METRICS:
        return
    lowest = float(values.min())
    if metric == "kl" and lowest <= 0:
        msg = (
            f"metrics: 'kl' needs strictly positive values (it takes log p); the "
            f"data's smallest value is {lowest:g}. Leave 'kl' out, or add an "
            "offset to every row."
        )
        raise ValueError(msg)
    if lowest < 0:
        msg = (
            f"metrics: {metric!r} reads each row as a distribution and needs "
            f"non-negative values; the data's smallest value is {lowest:g}. Use "
            "metrics=['euclidean'] for features that can be negative (log "
            "ratios, standardised columns), or add an offset to every row."
        )
        raise ValueError(msg)


def _distributions(values: np.ndarray) -> np.ndarray:
    return values / values.sum(axis=1, keepdims=True)


def distance_matrix(values: np.ndarray, grid: np.ndarray, metric: str) -> np.ndarray:
    """The symmetric (N, N) matrix of ``metric`` between the rows of ``values``.

    ``values`` is (N, d) float64 (each row with a positive sum for the
    distribution metrics); ``grid`` holds the d increasing x values.
    """
    from scipy.spatial.distance import cdist

    if metric == "euclidean":
        return cdist(values, values)
    p = _distributions(values)
    if metric == "kl":
        logp = np.log(p)
        own = np.einsum("ij,ij->i", p, logp)
        kl = own[:, None] - p @ logp.T
        kl = np.maximum((kl + kl.T) / 2, 0.0)  # rounding can dip below 0
        np.fill_diagonal(kl, 0.0)
        return kl
    cdf = np.cumsum(p, axis=1)[:, :-1]
    step = np.diff(grid)
    if metric == "emd":
        return cdist(cdf, cdf, "cityblock", w=step)
    if metric == "energy":
        weighted = cdf * np.sqrt(step)
        return np.sqrt(2.0) * cdist(weighted, weighted)
    msg = f"metric={metric!r} is not one of {METRICS}."
    raise ValueError(msg)
