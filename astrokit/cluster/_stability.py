"""Helpers of :func:`astrokit.cluster.stability`: matching runs, scoring clusters."""

from __future__ import annotations

import numpy as np

__all__ = ["match_labels", "best_jaccard", "consensus"]


def match_labels(ref: np.ndarray, run: np.ndarray, n_ref: int) -> np.ndarray:
    """Map a run's labels onto the reference's by maximum overlap.

    Noise stays -1; a run cluster left without a partner becomes -2.
    """
    from scipy.optimize import linear_sum_assignment

    n_run = int(run.max()) + 1 if (run >= 0).any() else 0
    mapped = np.where(run < 0, -1, -2)
    if n_run == 0 or n_ref == 0:
        return mapped
    both = (ref >= 0) & (run >= 0)
    overlap = np.zeros((n_ref, n_run))
    np.add.at(overlap, (ref[both], run[both]), 1)
    r_idx, c_idx = linear_sum_assignment(-overlap)
    lookup = np.full(n_run, -2)
    lookup[c_idx] = r_idx
    real = run >= 0
    mapped[real] = lookup[run[real]]
    return mapped


def best_jaccard(ref: np.ndarray, run: np.ndarray, n_ref: int) -> np.ndarray:
    """For each reference cluster, its best Jaccard similarity with a run cluster."""
    n_run = int(run.max()) + 1 if (run >= 0).any() else 0
    best = np.full(n_ref, np.nan)
    ref_size = np.bincount(ref[ref >= 0], minlength=n_ref)
    present = ref_size > 0
    best[present] = 0.0
    if n_run == 0:
        return best
    run_size = np.bincount(run[run >= 0], minlength=n_run)
    both = (ref >= 0) & (run >= 0)
    inter = np.zeros((n_ref, n_run))
    np.add.at(inter, (ref[both], run[both]), 1)
    union = ref_size[:, None] + run_size[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, inter / union, 0.0)
    best[present] = jac[present].max(axis=1)
    return best


def consensus(votes: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Most-voted label per row (ties go to ``ref``) and its share of the votes.

    ``votes[k + 2, i]`` counts the runs that gave row ``i`` the matched label
    ``k`` (``-2``: an unmatched cluster, ``-1``: noise). Returns labels
    (unmatched folded into noise) and the fraction of the row's runs that
    agree (NaN for rows no run saw and for noise rows of the reference).
    """
    n = votes.shape[1]
    seen = votes.sum(axis=0)
    top = votes.max(axis=0)
    ref_votes = votes[ref + 2, np.arange(n)]
    label = np.where(ref_votes == top, ref, votes.argmax(axis=0) - 2)
    label = np.where(label == -2, -1, label)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(seen > 0, top / np.maximum(seen, 1), np.nan)
    return label, np.where(ref < 0, np.nan, share)
