"""Which rows are close? Distances as k-nearest-neighbour graphs.

Every downstream step (UMAP, clustering, outliers) only needs each row's
nearest neighbours, so a metric here produces a sparse k-nearest-neighbour
graph (:class:`KNNGraph`), never an N x N matrix:

- :data:`METRICS` is the registry: ``"euclidean"`` (on standardised
  features), ``"cosine"``, ``"correlation"``, ``"mahalanobis"`` and ``"urf"``,
  the unsupervised random forest of Baron & Poznanski (2017);
- :func:`knn_graph` builds the graph of a table under one metric;
- :class:`UnsupervisedRandomForest` is the forest itself, a scikit-learn
  estimator with neighbours, a dense matrix for small tables and the
  weirdness (outlier) score; ``fit``, ``kneighbors`` and ``weirdness``
  also take a ``dask.dataframe.DataFrame`` (trees trained on a sample, each
  row's nearest sample rows, the weirdness of every row exact by a
  map-reduce of leaf occupancies: ``astrokit.distances._dask``);
- :func:`neighbour_overlap` compares metrics by how many neighbours they
  share (Jaccard index, per row and on average);
  :func:`astrokit.embedding.embed_graphs` and
  :func:`astrokit.embedding.plot_embeddings` put their UMAP embeddings side
  by side.

A graph feeds the next stages directly: ``astrokit.embedding.embed(graph)``,
``umap.UMAP(precomputed_knn=graph.precomputed_knn)``, or
``sklearn.cluster.DBSCAN(metric="precomputed").fit(graph.to_sparse())``.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_n_neighbors, keyword_only_after
from astrokit._shared.matrix import feature_matrix
from astrokit.distances._graph import SPACE_METRICS, KNNGraph, space_knn

if TYPE_CHECKING:  # imported on first use (below): it loads scikit-learn
    from astrokit.distances._forest import UnsupervisedRandomForest

__all__ = [
    "METRICS",
    "KNNGraph",
    "UnsupervisedRandomForest",
    "knn_graph",
    "neighbour_overlap",
]

METRICS: dict[str, str] = {
    "euclidean": "straight-line distance between standardised features "
    "(zero mean, unit variance per feature)",
    "cosine": "1 - cosine of the angle between standardised feature vectors",
    "correlation": "1 - Pearson correlation between two rows' standardised "
    "features (the shape of the row, not its level)",
    "mahalanobis": "Euclidean distance after whitening: correlated features "
    "are not counted twice",
    "urf": "unsupervised random forest (Baron & Poznanski 2017): 1 - fraction "
    "of trees in which two rows share a leaf classified as real",
}
"""The metrics :func:`knn_graph` knows, with what each measures."""


_MOVED = ("embed_graphs", "plot_embeddings")


def __getattr__(name: str):
    # The forest subclasses scikit-learn's BaseEstimator: import it on first use.
    if name == "UnsupervisedRandomForest":
        from astrokit.distances._forest import UnsupervisedRandomForest

        return UnsupervisedRandomForest
    if name in _MOVED:
        msg = (
            f"astrokit.distances.{name} moved to astrokit.embedding.{name} "
            "(it embeds graphs, so it belongs to the embedding stage)."
        )
        raise AttributeError(msg)
    msg = f"module 'astrokit.distances' has no attribute {name!r}"
    raise AttributeError(msg)


def _check_metric(metric) -> str:
    if metric not in METRICS:
        import difflib

        known = list(METRICS)
        close = difflib.get_close_matches(str(metric), known, n=1, cutoff=0.75)
        hint = f"did you mean {close[0]!r}? " if close else ""
        msg = f"metric={metric!r} is not in the registry; {hint}choose one of {known}."
        raise ValueError(msg)
    return metric


@keyword_only_after(1)
def knn_graph(
    X,
    *,
    metric: str = "euclidean",
    n_neighbors: int = 25,
    columns=None,
    random_state=0,
    n_jobs: int | None = None,
    progress: bool = True,
    **forest_params,
) -> KNNGraph:
    """Each row's ``n_neighbors`` nearest other rows under ``metric``.

    Parameters
    ----------
    X : DataFrame or array of shape (N, d)
        Numeric features without NaN, every column used unless ``columns``
        names some: from ``astrokit.features.derive``, pass
        ``features[features.attrs["features"]]``.
    metric : str, default "euclidean"
        A key of :data:`METRICS`. The geometric metrics standardise the
        features first; ``"urf"`` fits an :class:`UnsupervisedRandomForest`.
    n_neighbors : int, default 25
        Neighbours per row. A row is never its own neighbour: 25 means 25
        other rows, the one rule of the kit (:mod:`astrokit._shared.checks`).
    columns : str or list of str, optional
        Use only these columns of the DataFrame ``X`` (unknown names are an
        error that lists the columns).
    random_state : int, RandomState or None, default 0
        Seeds the forest (``"urf"`` only; the other metrics are exact). The
        default is fixed, so two calls give the same graph.
    n_jobs : int or None, default None
        Threads (None: 1, -1: all cores).
    progress : bool, default True
        Progress bars for the forest's long steps.
    **forest_params
        Passed to :class:`UnsupervisedRandomForest` (``n_estimators``,
        ``max_samples``, ``leaves``, ``algorithm``...); only with ``"urf"``.

    Returns
    -------
    KNNGraph
        ``indices`` and ``distances`` (N, n_neighbors), the rows' ``index``;
        for ``"urf"``, ``info["model"]`` is the fitted forest.

    Raises
    ------
    ValueError
        Unknown metric (the registry is listed); unknown ``columns``;
        non-numeric, NaN or all-NaN columns (named); constant columns for the
        geometric metrics; ``n_neighbors`` not smaller than the number of
        rows; ``"mahalanobis"`` with too few rows to estimate the covariance
        (at most one more row than features: every pair would be equidistant).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    >>> g = knn_graph(X, metric="correlation", n_neighbors=10)
    >>> g
    KNNGraph(metric='correlation', rows=200, n_neighbors=10)
    >>> g.to_sparse().shape, g.to_sparse().nnz
    ((200, 200), 2000)
    >>> knn_graph(X, columns=["a", "b"], n_neighbors=5).n_neighbors
    5
    """
    _check_metric(metric)
    if forest_params and metric != "urf":
        msg = (
            f"{sorted(forest_params)} are forest parameters; they only apply "
            f"to metric='urf', not metric={metric!r}."
        )
        raise TypeError(msg)
    values, names, index = feature_matrix(
        X, name="X", columns=columns, allow_constant=True, purpose="a kNN graph"
    )
    n_neighbors = check_n_neighbors(n_neighbors, len(values))
    if metric in SPACE_METRICS:
        ind, dist = space_knn(values, names, metric, n_neighbors, n_jobs=n_jobs)
        return KNNGraph(ind, dist, metric, index)
    from astrokit.distances._forest import UnsupervisedRandomForest

    _check_forest_params(forest_params, UnsupervisedRandomForest)
    model = UnsupervisedRandomForest(
        n_neighbors=n_neighbors,
        random_state=random_state,
        n_jobs=n_jobs,
        progress=progress,
        **forest_params,
    )
    frame = pd.DataFrame(values, columns=[str(n) for n in names])
    dist, ind = model.fit(frame).kneighbors()
    return KNNGraph(ind, dist, metric, index, info={"model": model})


def _check_forest_params(params: dict, forest) -> None:
    """TypeError naming unknown forest parameters, with the close matches."""
    import difflib

    own = ("n_neighbors", "random_state", "n_jobs", "progress")  # knn_graph's
    known = [p for p in forest._get_param_names() if p not in own]
    unknown = [p for p in params if p not in known]
    if unknown:
        close = {p: difflib.get_close_matches(p, known, n=1) for p in unknown}
        hints = "".join(
            f" {p!r}: did you mean {c[0]!r}?" for p, c in close.items() if c
        )
        msg = (
            f"{unknown} are not parameters of UnsupervisedRandomForest.{hints} "
            f"Its parameters: {known}."
        )
        raise TypeError(msg)


def _check_graphs(graphs: Mapping[str, KNNGraph]) -> list[str]:
    if not isinstance(graphs, Mapping) or len(graphs) < 2:
        msg = (
            "graphs must be a dict of at least two KNNGraph, e.g. "
            "{'euclidean': knn_graph(X), 'urf': knn_graph(X, metric='urf')}; "
            f"got {type(graphs).__name__} of length {len(graphs)}."
        )
        raise ValueError(msg)
    names = list(graphs)
    first = graphs[names[0]]
    for name in names:
        g = graphs[name]
        if not isinstance(g, KNNGraph):
            msg = f"graphs[{name!r}] is a {type(g).__name__}, not a KNNGraph."
            raise TypeError(msg)
        if len(g) != len(first) or not g.index.equals(first.index):
            msg = (
                f"graphs[{name!r}] has {len(g)} rows and graphs[{names[0]!r}] "
                f"{len(first)}, or their indexes differ: build every graph "
                "from the same table."
            )
            raise ValueError(msg)
    return names


def _jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise Jaccard index of two (N, k) neighbour index arrays."""
    k = a.shape[1]
    both = np.sort(np.hstack([a, b]), axis=1)
    shared = (both[:, 1:] == both[:, :-1]).sum(axis=1)
    return shared / (2 * k - shared)


def neighbour_overlap(
    graphs: Mapping[str, KNNGraph], *, per_row: bool = False
) -> pd.DataFrame:
    """How many neighbours two metrics agree on: the Jaccard index per row.

    For each row and each pair of metrics, ``|A & B| / |A | B|`` where A and B
    are the row's ``k`` nearest neighbours under each metric (``k``: the
    smaller of the two graphs'). 1 means the same neighbours, 0 none shared;
    two random neighbour sets of a table of N rows share about ``k / N``.

    Parameters
    ----------
    graphs : dict of str to KNNGraph
        At least two graphs of the same table (same rows, same index).
    per_row : bool, default False
        Return every row's values (to map or histogram) instead of a summary.

    Returns
    -------
    pandas.DataFrame
        ``per_row=False``: one row per pair of metrics, columns ``metric_a``,
        ``metric_b``, ``n_neighbors``, ``mean_jaccard``, ``median_jaccard``.
        ``per_row=True``: the graphs' index, one column per pair named
        ``"<metric_a> vs <metric_b>"``.

    Raises
    ------
    ValueError
        Fewer than two graphs, or graphs of different tables.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4))
    >>> metrics = ["euclidean", "cosine"]
    >>> graphs = {m: knn_graph(X, metric=m, n_neighbors=10) for m in metrics}
    >>> neighbour_overlap(graphs)[["metric_a", "metric_b"]].values.tolist()
    [['euclidean', 'cosine']]
    >>> neighbour_overlap(graphs, per_row=True).shape
    (300, 1)
    """
    names = _check_graphs(graphs)
    rows, columns = [], {}
    for a, b in combinations(names, 2):
        k = min(graphs[a].n_neighbors, graphs[b].n_neighbors)
        values = _jaccard(graphs[a].indices[:, :k], graphs[b].indices[:, :k])
        columns[f"{a} vs {b}"] = values
        rows.append(
            {
                "metric_a": a,
                "metric_b": b,
                "n_neighbors": k,
                "mean_jaccard": float(values.mean()),
                "median_jaccard": float(np.median(values)),
            }
        )
    if per_row:
        return pd.DataFrame(columns, index=graphs[names[0]].index)
    return pd.DataFrame(rows)
