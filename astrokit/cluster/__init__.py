"""Clustering an embedding or a feature matrix, and how much to trust it.

- :func:`cluster` runs one of :data:`METHODS` (k-means, Gaussian mixture,
  agglomerative, DBSCAN, HDBSCAN) with sensible defaults and returns one
  label per row (a ``pandas.Series`` keeping the index; ``-1`` is noise;
  clusters are numbered by size, 0 the largest). :class:`Clusterer` is the
  same as a scikit-learn estimator, kept to label new rows (``predict``).
- :func:`choose_n_clusters` tabulates the integrated completed likelihood
  (ICL) and Bayesian information criterion of Gaussian mixtures (or the
  silhouette of k-means/agglomerative) over a range of cluster numbers and
  picks the best (lowest ICL for mixtures: groups, not Gaussians).
- :func:`stability` repeats a clustering over random subsamples (or seeds),
  matches every run's clusters to the reference clusters (Hungarian
  matching on their overlap) and returns, for each row, the fraction of
  runs that put it in its consensus cluster (its *confidence*), and for
  each cluster its mean Jaccard similarity with its best match across runs
  (its *stability*; Hennig 2007: below 0.5 a cluster "dissolves", above
  0.75 it is stable).
- :func:`smallest_group` is the smallest group: 1% of the rows (HDBSCAN's
  default), and in :func:`astrokit.discover` twice UMAP's neighbourhood.
- :func:`split_groups` splits a group in two where its features hold two
  separate Gaussians (Hennig's 2010 rule for merging mixture components,
  turned round): a tail that density clustering leaves inside a group;
  :func:`split_stability` reruns the splits on subsamples.
- :class:`SelfOrganizingMap` (minisom) puts every row on a node of a 2-D
  grid, similar nodes side by side; :func:`node_average` gives the average
  object per node.
- :func:`agreement` and :func:`contingency` compare labels with a truth
  column: a check that real surveys never have, but synthetic data does.

Clustering cares about scale: standardise features first (an embedding's
two coordinates already share one scale).
"""

from __future__ import annotations

import pandas as pd

from astrokit._shared.checks import keyword_only_after
from astrokit._shared.dask import is_dask
from astrokit._shared.matrix import select_columns
from astrokit.cluster import _dask
from astrokit.cluster._choose import choose_n_clusters
from astrokit.cluster._compare import agreement, contingency
from astrokit.cluster._estimator import Clusterer
from astrokit.cluster._methods import METHODS, smallest_group
from astrokit.cluster._som import SelfOrganizingMap, node_average
from astrokit.cluster._split import split_groups, split_stability
from astrokit.cluster._stability import stability

__all__ = [
    "METHODS",
    "Clusterer",
    "cluster",
    "choose_n_clusters",
    "stability",
    "smallest_group",
    "split_groups",
    "split_stability",
    "agreement",
    "contingency",
    "SelfOrganizingMap",
    "node_average",
]


@keyword_only_after(1)
def cluster(
    data,
    *,
    method: str = "gmm",
    n_clusters: int | None = None,
    columns: list[str] | None = None,
    max_rows: int | str | None = "auto",
    random_state: int | None = 0,
    **options,
) -> pd.Series:
    """Cluster the rows of an embedding or a feature matrix.

    Parameters
    ----------
    data : DataFrame, array of shape (N, d), or dask.dataframe.DataFrame
        Numeric and finite: an embedding (``umap_x``, ``umap_y``) or
        standardised features. A DataFrame's index is kept. A Dask table is
        fitted on a sample of ``max_rows`` (None or "auto": 200,000) and
        labelled per partition, lazily: ``astrokit.cluster._dask``.
    method : {"gmm", "kmeans", "agglomerative", "dbscan", "hdbscan"}, default "gmm"
        - ``"gmm"``: Gaussian mixture (full covariances, best of
          ``n_init=3`` initialisations: a single one often stops in a poor
          local optimum); elliptical clusters.
        - ``"kmeans"``: k-means (10 initialisations); round clusters of
          similar size.
        - ``"agglomerative"``: Ward linkage; fitted on at most ``max_rows``
          rows (``"auto"``: 5,000; Ward's memory grows as rows squared,
          3.2 GB at 20,000), the other rows take the label of their
          nearest fitted row.
        - ``"dbscan"``: density; ``min_samples`` defaults to ``max(10, 2 * d)``
          and ``eps`` to the 95th percentile of the distance to that
          neighbour (so about 5% of rows, the sparsest, may become noise).
        - ``"hdbscan"``: hierarchical density (``sklearn.cluster.HDBSCAN``;
          ``fast_hdbscan``, the same clusters faster, from 5,000 rows unless
          an option such as ``metric`` needs scikit-learn's);
          ``min_cluster_size`` defaults to ``max(10, N // 100)`` (on a UMAP
          embedding, at least twice its ``attrs["n_neighbors"]``:
          :func:`smallest_group`) and
          ``min_samples`` to ``min_cluster_size`` (scikit-learn's own
          default: density judged at the scale of the smallest group, as
          :func:`astrokit.discover` does). Labels sparse rows ``-1`` (noise).
    n_clusters : int, optional
        For gmm, kmeans, agglomerative. Default: chosen by
        :func:`choose_n_clusters` (ICL for gmm, silhouette otherwise, over
        1..10 or 2..10).
    columns : list of str, optional
        Cluster on these columns of a DataFrame only (e.g. the embedding
        columns of a table that holds more).
    max_rows : int, None or "auto", default "auto"
        Fit on a random subsample of at most this many rows, then label
        every row (gmm and kmeans predict; the other methods give a row its
        nearest fitted row's label). None: all rows. ``"auto"``: 5,000 for
        agglomerative, all rows otherwise.
    random_state : int or None, default 0
        Seed of the random initialisation (and of any subsample).
    **options
        Passed to the scikit-learn estimator (e.g. ``covariance_type``,
        ``linkage``, ``eps``, ``min_cluster_size``).

    Returns
    -------
    pandas.Series
        Integer labels named ``"cluster"``, on the index of ``data`` (or
        0..N-1): 0 for the largest cluster, 1 for the next, ...; -1 noise.
        ``labels.attrs["choice"]`` says how the number of clusters came
        about (for reading only: :attr:`Clusterer.choice_` keeps it, with
        the scores). A choice at the edge of the searched range, all rows
        noise, or one cluster holding nearly every row is logged as a
        WARNING; HDBSCAN that finds no cluster is refitted with
        ``allow_single_cluster=True`` (logged) unless that option is given.

    Raises
    ------
    ValueError
        An unknown method; fewer than 2 rows; ``n_clusters`` larger than
        the rows or given to DBSCAN/HDBSCAN; NaN, infinite, constant or
        non-numeric columns.

    See Also
    --------
    Clusterer : the fitted model, to label new rows.
    stability : how reproducible the clusters are.
    astrokit.interpret.effect_sizes : what distinguishes each cluster.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.vstack([rng.normal(0, 1, (60, 2)),
    ...                             rng.normal(8, 1, (40, 2))]),
    ...                  columns=["umap_x", "umap_y"])
    >>> labels = cluster(X, method="kmeans", n_clusters=2)
    >>> labels.value_counts().sort_index().tolist()  # 0 is the largest
    [60, 40]
    >>> cluster(X, method="hdbscan", min_cluster_size=20).nunique()
    2
    """
    if is_dask(data):  # fitted on a sample, labelled per partition: _dask
        labels, _ = _dask.cluster(
            data, method=method, n_clusters=n_clusters, columns=columns,
            max_rows=max_rows, random_state=random_state, options=options,
        )  # fmt: skip
        return labels
    if columns is not None:
        data = select_columns(data, columns)
    model = Clusterer(
        method, n_clusters=n_clusters, max_rows=max_rows,
        random_state=random_state, options=options,
    ).fit(data)  # fmt: skip
    index = data.index if isinstance(data, pd.DataFrame) else None
    labels = pd.Series(model.labels_, index=index, name="cluster")
    labels.attrs["choice"] = {k: v for k, v in model.choice_.items() if k != "scores"}
    return labels
