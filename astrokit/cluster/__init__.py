"""Clustering an embedding or a feature matrix, and how much to trust it.

- :func:`cluster` runs one of :data:`METHODS` (k-means, Gaussian mixture,
  agglomerative, DBSCAN, HDBSCAN) with sensible defaults and returns one
  label per row (a ``pandas.Series`` keeping the index; ``-1`` is noise;
  clusters are numbered by size, 0 the largest).
- :func:`choose_n_clusters` tabulates the Bayesian information criterion of
  Gaussian mixtures (or the silhouette of k-means/agglomerative) over a
  range of cluster numbers and picks the best.
- :func:`stability` repeats a clustering over random subsamples (or seeds),
  matches every run's clusters to the reference clusters (Hungarian
  matching on their overlap) and returns, for each row, the fraction of
  runs that put it in its consensus cluster (its *confidence*), and for
  each cluster its mean Jaccard similarity with its best match across runs
  (its *stability*; Hennig 2007: below 0.5 a cluster "dissolves", above
  0.75 it is stable).
- :func:`agreement` and :func:`contingency` compare labels with a truth
  column: a check that real surveys never have, but synthetic data does.

Clustering cares about scale: standardise features first (an embedding's
two coordinates already share one scale).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from astrokit.cluster import _stability
from astrokit.cluster._methods import METHODS, as_matrix, run_method

__all__ = [
    "METHODS",
    "cluster",
    "choose_n_clusters",
    "stability",
    "agreement",
    "contingency",
]

logger = logging.getLogger("astrokit.cluster")


def _check_method(method) -> str:
    if method not in METHODS:
        msg = f"method={method!r} is not a clustering method; use one of {METHODS}."
        raise ValueError(msg)
    return method


def _check_n(n_clusters, method: str, n_rows: int) -> int | None:
    if n_clusters is None:
        return None
    if method in ("dbscan", "hdbscan"):
        msg = (
            f"n_clusters={n_clusters!r} does not apply to method={method!r}, which "
            "finds the number of clusters itself (tune min_cluster_size or eps)."
        )
        raise ValueError(msg)
    if not isinstance(n_clusters, int | np.integer) or n_clusters < 1:
        msg = f"n_clusters={n_clusters!r} must be a positive integer."
        raise ValueError(msg)
    if n_clusters > n_rows:
        msg = (
            f"n_clusters={n_clusters} needs at least {n_clusters} rows; "
            f"data has {n_rows}."
        )
        raise ValueError(msg)
    return int(n_clusters)


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0, 1, ... from the largest; noise stays -1."""
    out = np.full(labels.shape, -1, dtype=np.int64)
    real = labels >= 0
    if not real.any():
        return out
    uniq, counts = np.unique(labels[real], return_counts=True)
    order = uniq[np.lexsort((uniq, -counts))]
    lookup = {old: new for new, old in enumerate(order)}
    out[real] = [lookup[v] for v in labels[real]]
    return out


def _sample_rows(n: int, max_rows: int | None, random_state) -> np.ndarray:
    if max_rows is None or n <= max_rows:
        return np.arange(n)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n, int(max_rows), replace=False))


def choose_n_clusters(
    data,
    *,
    method: str = "gmm",
    n_clusters=range(1, 11),
    random_state: int | None = 0,
    max_rows: int | None = 20_000,
    **options,
) -> tuple[pd.DataFrame, int]:
    """Score a range of cluster numbers and pick the best.

    Gaussian mixtures are scored by the Bayesian information criterion
    (BIC, lower is better; it rewards likelihood and penalises the number
    of parameters); k-means and agglomerative clustering by the mean
    silhouette (higher is better, needs at least 2 clusters).

    Parameters
    ----------
    data : DataFrame or array of shape (N, d)
        Numeric, finite (an embedding, or standardised features).
    method : {"gmm", "kmeans", "agglomerative"}, default "gmm"
    n_clusters : iterable of int, default 1..10
        Candidates (values above the number of rows are dropped).
    random_state : int or None, default 0
        Seeds the fits and the subsample.
    max_rows : int or None, default 20,000
        Score on a random subsample of this many rows (all rows if None);
        the silhouette is always computed on at most 5,000.
    **options
        Passed to the method (e.g. ``covariance_type="diag"``). Each
        candidate is fitted once (``n_init=1`` for gmm, for speed; pass
        ``n_init=3`` to match :func:`cluster`).

    Returns
    -------
    table : DataFrame
        One row per candidate: ``n_clusters`` and ``bic`` and ``aic`` (gmm) or
        ``silhouette``; ``best`` marks the chosen one.
    best : int
        The chosen number of clusters.

    Raises
    ------
    ValueError
        An unknown or unsuitable method, no usable candidate, bad data.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(c, 0.3, size=(100, 2)) for c in (0, 3, 6)])
    >>> table, best = choose_n_clusters(X, n_clusters=range(1, 6))
    >>> best
    3
    >>> table.columns.tolist()
    ['n_clusters', 'bic', 'aic', 'best']
    """
    _check_method(method)
    if method not in ("gmm", "kmeans", "agglomerative"):
        msg = (
            f"method={method!r}: choose_n_clusters applies to 'gmm', 'kmeans' "
            "and 'agglomerative' only."
        )
        raise ValueError(msg)
    X, _, _ = as_matrix(data)
    X = X[_sample_rows(len(X), max_rows, random_state)]
    lowest = 1 if method == "gmm" else 2
    cands = sorted({int(n) for n in n_clusters if lowest <= n <= len(X) - 1})
    if not cands:
        msg = (
            f"n_clusters={n_clusters!r} holds no candidate between {lowest} and "
            f"{len(X) - 1} (the rows available) for method={method!r}."
        )
        raise ValueError(msg)
    rows = []
    if method == "gmm":
        from sklearn.mixture import GaussianMixture

        for n in cands:
            gmm = GaussianMixture(n, random_state=random_state, **options).fit(X)
            rows.append({"n_clusters": n, "bic": gmm.bic(X), "aic": gmm.aic(X)})
        table = pd.DataFrame(rows)
        best_at = int(table["bic"].idxmin())
    else:
        from sklearn.metrics import silhouette_score

        for n in cands:
            labels = run_method(method, X, n, random_state, options)
            score = silhouette_score(
                X, labels, sample_size=min(len(X), 5_000), random_state=random_state
            )
            rows.append({"n_clusters": n, "silhouette": score})
        table = pd.DataFrame(rows)
        best_at = int(table["silhouette"].idxmax())
    table["best"] = table.index == best_at
    return table, int(table.loc[best_at, "n_clusters"])


def cluster(
    data,
    method: str = "gmm",
    *,
    n_clusters: int | None = None,
    random_state: int | None = 0,
    **options,
) -> pd.Series:
    """Cluster the rows of an embedding or a feature matrix.

    Parameters
    ----------
    data : DataFrame or array of shape (N, d)
        Numeric and finite: an embedding (``umap_x``, ``umap_y``) or
        standardised features. A DataFrame's index is kept.
    method : {"gmm", "kmeans", "agglomerative", "dbscan", "hdbscan"}, default "gmm"
        - ``"gmm"``: Gaussian mixture (full covariances, best of
          ``n_init=3`` initialisations: a single one often stops in a poor
          local optimum); elliptical clusters.
        - ``"kmeans"``: k-means (10 initialisations); round clusters of
          similar size.
        - ``"agglomerative"``: Ward linkage; above ``max_rows`` (default
          5,000: Ward's memory grows as rows squared, 3.2 GB at 20,000) it
          is fitted on a random subsample and the other rows take the
          label of their nearest fitted neighbour.
        - ``"dbscan"``: density; ``min_samples`` defaults to ``max(10, 2 * d)``
          and ``eps`` to the 95th percentile of the distance to that
          neighbour (so about 5% of rows, the sparsest, may become noise).
        - ``"hdbscan"``: hierarchical density (``sklearn.cluster.HDBSCAN``);
          ``min_cluster_size`` defaults to ``max(10, N // 100)`` and
          ``min_samples`` to 10. Labels sparse rows ``-1`` (noise).
    n_clusters : int, optional
        For gmm, kmeans, agglomerative. Default: chosen by
        :func:`choose_n_clusters` (BIC for gmm, silhouette otherwise, over
        1..10 or 2..10).
    random_state : int or None, default 0
        Seed of the random initialisation (and of any subsample).
    **options
        Passed to the scikit-learn estimator (e.g. ``covariance_type``,
        ``linkage``, ``eps``, ``min_cluster_size``), plus ``max_rows`` for
        agglomerative.

    Returns
    -------
    pandas.Series
        Integer labels named ``"cluster"``, on the index of ``data`` (or
        0..N-1): 0 for the largest cluster, 1 for the next, ...; -1 noise.

    Raises
    ------
    ValueError
        An unknown method; fewer than 2 rows; ``n_clusters`` larger than
        the rows or given to DBSCAN/HDBSCAN; NaN, infinite, constant or
        non-numeric columns.

    See Also
    --------
    stability : how reproducible the clusters are.
    astrokit.interpret.effect_sizes : what distinguishes each cluster.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.vstack([rng.normal(0, 1, (60, 2)),
    ...                             rng.normal(8, 1, (40, 2))]),
    ...                  columns=["umap_x", "umap_y"])
    >>> labels = cluster(X, "kmeans", n_clusters=2)
    >>> labels.value_counts().sort_index().tolist()  # 0 is the largest
    [60, 40]
    >>> cluster(X, "hdbscan", min_cluster_size=20).nunique()
    2
    """
    _check_method(method)
    X, index, _ = as_matrix(data)
    n_clusters = _check_n(n_clusters, method, len(X))
    if n_clusters is None and method in ("gmm", "kmeans", "agglomerative"):
        opts = {k: v for k, v in options.items() if k != "max_rows"}
        _, n_clusters = choose_n_clusters(
            X, method=method, random_state=random_state, **opts
        )
        logger.info("method=%r: chose n_clusters=%d", method, n_clusters)
    labels = run_method(method, X, n_clusters, random_state, options)
    return pd.Series(_by_size(labels), index=index, name="cluster")


def stability(
    data,
    method: str = "gmm",
    *,
    n_clusters: int | None = None,
    n_runs: int = 20,
    resample: str = "subsample",
    fraction: float = 0.8,
    random_state: int = 0,
    **options,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How reproducible a clustering is, per row and per cluster.

    The reference is ``cluster(data, method, ...)``. Each of ``n_runs``
    runs clusters again, either a random ``fraction`` of the rows
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
    method, n_clusters, random_state, **options
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
    >>> rows, clusters = stability(X, "kmeans", n_clusters=2, n_runs=5)
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
    if not isinstance(n_runs, int | np.integer) or n_runs < 1:
        msg = f"n_runs={n_runs!r} must be a positive integer."
        raise ValueError(msg)
    reference = cluster(
        data, method, n_clusters=n_clusters, random_state=random_state, **options
    )
    X, index, _ = as_matrix(data)
    ref = reference.to_numpy()
    n_ref = int(ref.max()) + 1 if (ref >= 0).any() else 0
    if method in ("gmm", "kmeans", "agglomerative"):
        n_clusters = max(n_ref, 1)
    n = len(X)
    votes = np.zeros((n_ref + 2, n), dtype=np.int32)  # rows: -2, -1, 0..n_ref-1
    seen = np.zeros(n, dtype=np.int32)
    jaccard = np.full((n_runs, n_ref), np.nan)
    rng = np.random.default_rng(random_state)
    m = max(2, int(round(fraction * n)))
    for r in range(n_runs):
        rows = (
            np.sort(rng.choice(n, m, replace=False))
            if resample == "subsample"
            else np.arange(n)
        )
        seed = None if random_state is None else random_state + 1 + r
        run = cluster(
            X[rows], method, n_clusters=n_clusters, random_state=seed, **options
        ).to_numpy()
        mapped = _stability.match_labels(ref[rows], run, n_ref)
        votes[mapped + 2, rows] += 1
        seen[rows] += 1
        jaccard[r] = _stability.best_jaccard(ref[rows], run, n_ref)
    consensus, confidence = _stability.consensus(votes, ref)
    rows_table = pd.DataFrame(
        {
            "cluster": ref,
            "consensus": consensus,
            "confidence": confidence,
            "n_runs": seen,
        },
        index=index,
    )
    labels = np.arange(n_ref)
    conf = rows_table[ref >= 0].groupby("cluster")["confidence"].mean()
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
    return rows_table, clusters


def _aligned(labels, truth) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(labels, pd.Series) and isinstance(truth, pd.Series):
        missing = labels.index.difference(truth.index)
        if len(missing):
            msg = (
                f"truth lacks {len(missing)} of the labels' index values "
                f"(e.g. {missing[0]!r}); pass the truth of the same rows."
            )
            raise ValueError(msg)
        truth = truth.reindex(labels.index)
    lab, tru = np.asarray(labels), np.asarray(truth)
    if lab.shape != tru.shape or lab.ndim != 1:
        msg = f"labels {lab.shape} and truth {tru.shape} must be 1-D of equal length."
        raise ValueError(msg)
    return lab, tru


def agreement(labels, truth, *, ignore_noise: bool = False) -> pd.Series:
    """How well cluster labels recover a truth column.

    Parameters
    ----------
    labels : Series or array of shape (N,)
        Cluster labels (``-1`` noise counts as one more cluster unless
        ``ignore_noise``).
    truth : Series or array of shape (N,)
        Known classes (e.g. ``table["truth_env"]``). Series are aligned on
        the labels' index.
    ignore_noise : bool, default False
        Leave out rows labelled ``-1``.

    Returns
    -------
    pandas.Series
        ``ari`` (adjusted Rand index: 1 identical, about 0 random),
        ``ami`` (adjusted mutual information), ``homogeneity`` (each cluster
        holds one class), ``completeness`` (each class in one cluster),
        ``n_rows`` compared, ``n_clusters``, ``n_classes``.

    Examples
    --------
    >>> agreement([0, 0, 1, 1], ["a", "a", "b", "b"])["ari"]
    np.float64(1.0)
    """
    from sklearn import metrics

    lab, tru = _aligned(labels, truth)
    if ignore_noise:
        keep = lab != -1
        lab, tru = lab[keep], tru[keep]
    tru = pd.Series(tru).astype(str).to_numpy()
    return pd.Series(
        {
            "ari": metrics.adjusted_rand_score(tru, lab),
            "ami": metrics.adjusted_mutual_info_score(tru, lab),
            "homogeneity": metrics.homogeneity_score(tru, lab),
            "completeness": metrics.completeness_score(tru, lab),
            "n_rows": float(len(lab)),
            "n_clusters": float(len(np.unique(lab[lab != -1]))),
            "n_classes": float(len(np.unique(tru))),
        }
    )


def contingency(labels, truth, *, normalize: str | None = None) -> pd.DataFrame:
    """Rows: clusters; columns: truth classes; cells: counts (or fractions).

    Parameters
    ----------
    labels, truth : Series or array of shape (N,)
        As for :func:`agreement`.
    normalize : {None, "cluster", "truth"}
        None: counts. ``"cluster"``: each row sums to 1 (what a cluster is
        made of). ``"truth"``: each column sums to 1 (where a class went).

    Returns
    -------
    DataFrame
        Index ``cluster``, columns ``truth``.

    Examples
    --------
    >>> contingency([0, 0, 1], ["a", "b", "b"])  # doctest: +NORMALIZE_WHITESPACE
    truth    a  b
    cluster
    0        1  1
    1        0  1
    """
    allowed = (None, "cluster", "truth")
    if normalize not in allowed:
        msg = f"normalize={normalize!r} must be one of {allowed}."
        raise ValueError(msg)
    lab, tru = _aligned(labels, truth)
    table = pd.crosstab(pd.Series(lab, name="cluster"), pd.Series(tru, name="truth"))
    if normalize == "cluster":
        table = table.div(table.sum(axis=1), axis=0)
    elif normalize == "truth":
        table = table.div(table.sum(axis=0), axis=1)
    return table
