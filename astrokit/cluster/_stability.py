"""How reproducible a clustering is: :func:`stability` and its helpers.

Each run clusters again (a subsample, or another seed); its clusters are
matched to the reference's (:func:`match_labels`), scored by their best
Jaccard similarity (:func:`best_jaccard`), and every row's votes give its
consensus label and confidence (:func:`consensus`).
"""

from __future__ import annotations

import contextlib
import logging

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int, keyword_only_after
from astrokit.cluster._estimator import Clusterer
from astrokit.cluster._methods import NEEDS_N, as_matrix, embedding_scale

__all__ = ["stability", "match_labels", "best_jaccard", "consensus"]


@keyword_only_after(1)
def stability(
    data,
    *,
    method: str = "gmm",
    n_clusters: int | None = None,
    n_runs: int = 20,
    resample: str = "subsample",
    fraction: float = 0.8,
    max_rows: int | str | None = "auto",
    random_state: int = 0,
    **options,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How reproducible a clustering is, per row and per cluster.

    The reference is ``cluster(data, method=method, ...)``. Each of
    ``n_runs`` runs clusters again, either a random ``fraction`` of the rows
    (``resample="subsample"``, works for every method) or all rows with
    another seed (``resample="seed"``, meaningful for gmm and kmeans
    only). The run's clusters are matched to the reference's by the
    Hungarian algorithm on their overlap.

    - A row's ``consensus`` is the matched label it got most often over the
      runs that included it (ties go to its reference label); its
      ``confidence`` is the fraction of those runs that gave it that label.
    - A cluster's ``stability`` is the mean over runs of its best Jaccard
      similarity ``|A & B| / |A | B|`` with any cluster of the run
      (restricted to the rows the run saw). ``dissolved`` is the fraction
      of runs in which that best match fell below 0.5.

    Parameters
    ----------
    data : DataFrame or array of shape (N, d)
        As for :func:`cluster`.
    method, n_clusters, max_rows, random_state, **options
        As for :func:`cluster`; ``n_clusters`` is fixed by the reference
        run (when None, chosen once) so that runs are comparable.
    n_runs : int, default 20
        Number of repetitions.
    resample : {"subsample", "seed"}, default "subsample"
    fraction : float, default 0.8
        Fraction of rows in each subsample (without replacement).

    Returns
    -------
    rows : DataFrame
        On the index of ``data``: ``cluster`` (reference label),
        ``consensus``, ``confidence`` (0..1; NaN for noise rows of the
        reference and rows no run saw), ``n_runs`` (runs that saw the row).
    clusters : DataFrame
        Indexed by reference cluster (noise excluded): ``size``,
        ``stability``, ``stability_std``, ``dissolved`` and ``confidence``
        (mean over its rows).

    Raises
    ------
    ValueError
        Bad ``resample``, ``fraction`` or ``n_runs``; anything
        :func:`cluster` rejects.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = np.vstack([rng.normal(c, 0.5, size=(80, 2)) for c in (0, 5)])
    >>> rows, clusters = stability(X, method="kmeans", n_clusters=2, n_runs=5)
    >>> clusters["stability"].round(2).tolist()
    [1.0, 1.0]
    >>> float(rows["confidence"].min())
    1.0
    """
    if resample not in ("subsample", "seed"):
        msg = f"resample={resample!r} must be 'subsample' or 'seed'."
        raise ValueError(msg)
    if not 0 < fraction <= 1:
        msg = f"fraction={fraction!r} must be in (0, 1]."
        raise ValueError(msg)
    n_runs = check_int(n_runs, "n_runs")
    options = embedding_scale(data, method, options)  # the reruns see arrays

    def model(n, seed):
        return Clusterer(
            method, n_clusters=n, max_rows=max_rows, random_state=seed,
            options=options,
        )  # fmt: skip

    ref = model(n_clusters, random_state).fit(data).labels_
    X, index, _ = as_matrix(data)
    n_ref = int(ref.max()) + 1 if (ref >= 0).any() else 0
    if method in NEEDS_N:
        n_clusters = max(n_ref, 1)
    with _quiet():  # the reference run has said what there is to say
        votes, seen, jaccard = _repeat(
            lambda rows, seed: model(n_clusters, seed).fit(X[rows]).labels_,
            ref, n_runs=n_runs,
            fraction=fraction if resample == "subsample" else None,
            random_state=random_state,
        )  # fmt: skip
    return _tables(ref, index, votes, seen, jaccard)


@contextlib.contextmanager
def _quiet():
    """Hold back the cluster logger's warnings during the reruns."""
    log = logging.getLogger("astrokit.cluster")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _repeat(run_labels, ref, *, n_runs, fraction, random_state):
    """``(votes, seen, jaccard)`` over ``n_runs`` runs of ``run_labels(rows, seed)``.

    ``fraction`` None: every run sees all rows (another seed each time).
    """
    n, n_ref = len(ref), int(ref.max()) + 1 if (ref >= 0).any() else 0
    votes = np.zeros((n_ref + 2, n), dtype=np.int32)  # rows: -2, -1, 0..n_ref-1
    seen = np.zeros(n, dtype=np.int32)
    jaccard = np.full((n_runs, n_ref), np.nan)
    rng = np.random.default_rng(random_state)
    m = n if fraction is None else max(2, int(round(fraction * n)))
    for r in range(n_runs):
        rows = np.arange(n) if fraction is None else np.sort(rng.choice(n, m, False))
        seed = None if random_state is None else random_state + 1 + r
        run = run_labels(rows, seed)
        votes[match_labels(ref[rows], run, n_ref) + 2, rows] += 1
        seen[rows] += 1
        jaccard[r] = best_jaccard(ref[rows], run, n_ref)
    return votes, seen, jaccard


def _tables(ref, index, votes, seen, jaccard) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-row and per-cluster tables of :func:`stability`."""
    n_ref = jaccard.shape[1]
    label, confidence = consensus(votes, ref)
    rows = pd.DataFrame(
        {"cluster": ref, "consensus": label, "confidence": confidence, "n_runs": seen},
        index=index,
    )
    labels = np.arange(n_ref)
    conf = rows[ref >= 0].groupby("cluster")["confidence"].mean()
    clusters = pd.DataFrame(
        {
            "size": np.bincount(ref[ref >= 0], minlength=n_ref),
            "stability": np.nanmean(jaccard, axis=0) if n_ref else [],
            "stability_std": np.nanstd(jaccard, axis=0) if n_ref else [],
            "dissolved": np.nanmean(jaccard < 0.5, axis=0) if n_ref else [],
            "confidence": conf.reindex(labels).to_numpy(),
        },
        index=pd.Index(labels, name="cluster"),
    )
    return rows, clusters


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
