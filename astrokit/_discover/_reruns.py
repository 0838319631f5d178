"""The whole method rerun with new UMAP seeds: which groups it finds again.

HDBSCAN's own reruns keep the embedding, so they cannot see a group that
UMAP tore out of a continuous population. :func:`embedding_runs` reruns
the whole method (embedding, HDBSCAN, split) on subsamples, each with a new
UMAP seed; :func:`found_again` scores each group against a run, and
:func:`join_reunited` finds the groups that the runs find only together
with another, as one. The code is bookkeeping over UMAP's and
scikit-learn's models.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "EMBEDDING_RUNS",
    "FRACTION",
    "found_again",
    "embedding_runs",
    "mean_found_again",
    "join_reunited",
]

EMBEDDING_RUNS = 3
"""Reruns of the whole method, each on a subsample with a new UMAP seed.

Measured (``random_state=0``; the mean of :func:`found_again` over the
three): pieces of a 4-D Gaussian (10,000 rows) 0.03-0.19 and of a uniform
3-D cube (3,000 rows) dissolve; the demo tier's seven groups 0.65-0.99,
SDSS colours' five 0.94-0.99 and the Gaia cone's field and M67 0.88-0.95
stay (2026-12-04; ``benchmarks/bench_discover.py`` prints the ranges).
The three added about 100 s on the demo tier (discover without outliers, 2
cores: 80 s before, 184 s with them; with scikit-learn's HDBSCAN, before
fast_hdbscan and the warm-started split made discover a third faster)."""
FRACTION = 0.8
"""Share of the rows in each subsample rerun."""


def found_again(ref: np.ndarray, run: np.ndarray, n_ref: int) -> np.ndarray:
    """Per reference group, its Jaccard with the best run group, or with the
    pieces it came back as, whichever is higher.

    The pieces of group ``g`` are the run groups with more than half of their
    rows in ``g``. UMAP tears a long sequence (SDSS's stellar locus) into
    islands that move with the seed: the sequence then comes back in pieces,
    each smaller than it, but their union is the sequence again (3,000 SDSS
    colours: the stars' best match 0.35, their pieces 0.67). A piece of a
    continuous population comes back as neither (a 4-D Gaussian: 0.07-0.09
    and 0.00).
    """
    from astrokit.cluster._stability import best_jaccard

    best = best_jaccard(ref, run, n_ref)
    n_run = int(run.max()) + 1 if (run >= 0).any() else 0
    if n_run == 0:
        return best
    both = (ref >= 0) & (run >= 0)
    inter = np.zeros((n_ref, n_run))
    np.add.at(inter, (ref[both], run[both]), 1)
    run_size = np.bincount(run[run >= 0], minlength=n_run)
    inside = inter > run_size / 2
    shared = (inter * inside).sum(axis=1)
    union = np.bincount(ref[ref >= 0], minlength=n_ref) + inside @ run_size - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        pieces = np.where(union > 0, shared / union, 0.0)
    return np.fmax(best, pieces)


def embedding_runs(X, embed, n_neighbors, max_rows, random_state):
    """:data:`EMBEDDING_RUNS` reruns of the whole method: a list of
    ``(rows, labels of those rows)``, from ``embed(rows of X, seed)``,
    HDBSCAN and the split.

    Each rerun draws :data:`FRACTION` of at most ``max_rows`` rows; HDBSCAN
    keeps its group size, as in its own reruns (:func:`astrokit.cluster.stability`).
    """
    from astrokit import cluster
    from astrokit.cluster._methods import fit_method

    rng = np.random.default_rng(random_state)
    pool = np.arange(len(X))
    if len(X) > max_rows:
        pool = rng.choice(len(X), max_rows, replace=False)
    size = cluster.smallest_group(len(pool), n_neighbors)
    opts = {"min_cluster_size": size, "min_samples": size}  # as HDBSCAN's reruns
    runs = []
    for r in range(EMBEDDING_RUNS):
        rows = np.sort(rng.choice(pool, int(round(FRACTION * len(pool))), False))
        seed = random_state + 1 + r
        emb = np.asarray(embed(X.iloc[rows], seed), dtype=np.float64)
        _, run = fit_method("hdbscan", emb, None, seed, opts)
        run, _ = cluster.split_groups(  # parts scaled as in split_stability
            X.iloc[rows], run, min_size=max(1, int(FRACTION * size)),
            random_state=seed,
        )  # fmt: skip
        runs.append((rows, run.to_numpy()))
    return runs


def mean_found_again(ref: np.ndarray, runs, n_ref: int) -> np.ndarray:
    """Each reference group's mean :func:`found_again` over ``runs``."""
    if not n_ref:
        return np.array([])
    return np.mean([found_again(ref[rows], run, n_ref) for rows, run in runs], axis=0)


def _mean_best(ref: np.ndarray, runs, n_ref: int) -> np.ndarray:
    """Each reference group's mean Jaccard with its best single run group."""
    from astrokit.cluster._stability import best_jaccard

    return np.mean([best_jaccard(ref[rows], run, n_ref) for rows, run in runs], axis=0)


def join_reunited(ref: np.ndarray, runs, dissolved: float) -> tuple[dict, np.ndarray]:
    """``({group: group it joins}, mean found-again per group after the joins)``.

    A group found again at most ``dissolved`` joins the group ``h`` whose
    union with it the runs find again as one group (its best Jaccard, not
    in pieces) better than they find ``h`` alone, and better than
    ``dissolved``: new embeddings keep the two together, so the table holds
    their union, not two groups (SDSS colours with log z, seed 3: HDBSCAN
    parts the galaxies in two that new embeddings find as one; withdrawn,
    1,910 of them were noise). Pieces do not count here: a union of UMAP's
    tears of one population comes back in pieces as readily as the whole
    (an 800-row uniform cube came out as two groups when they did).
    Greedy: the best such union first, then again.
    Joined groups keep no figure of their own (NaN).
    """
    ref = np.asarray(ref).copy()
    n_ref = int(ref.max()) + 1 if (ref >= 0).any() else 0
    found = mean_found_again(ref, runs, n_ref)
    joined: dict[int, int] = {}
    while True:
        best = None
        for g in range(n_ref):
            if not found[g] <= dissolved or g in joined:
                continue
            for h in range(n_ref):
                if h == g or h in joined:
                    continue
                union = _mean_best(np.where(ref == g, h, ref), runs, n_ref)[h]
                if union > max(found[h], dissolved) and (
                    best is None or union > best[2]
                ):
                    best = (g, h, union)
        if best is None:
            return joined, found
        g, h, union = best
        joined = {k: (h if v == g else v) for k, v in joined.items()} | {g: h}
        ref = np.where(ref == g, h, ref)
        found[h], found[g] = union, np.nan
