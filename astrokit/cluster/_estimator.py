"""The fitted clustering model: :class:`Clusterer`, kept to label new rows."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin

from astrokit._shared.checks import check_int, check_random_state
from astrokit._shared.dask import is_dask
from astrokit._shared.matrix import feature_matrix, names_list
from astrokit.cluster._choose import choose_n_clusters
from astrokit.cluster._methods import (
    NEEDS_N,
    as_matrix,
    check_method,
    embedding_scale,
    fit_on_sample,
    resolve_max_rows,
)

__all__ = ["Clusterer"]

logger = logging.getLogger("astrokit.cluster")


def _check_n(n_clusters, method: str, n_rows: int) -> int | None:
    if n_clusters is None:
        return None
    if method not in NEEDS_N:
        msg = (
            f"n_clusters={n_clusters!r} does not apply to method={method!r}, which "
            "finds the number of clusters itself (tune min_cluster_size or eps)."
        )
        raise ValueError(msg)
    n_clusters = check_int(n_clusters, "n_clusters")
    if n_clusters > n_rows:
        msg = (
            f"n_clusters={n_clusters} needs at least {n_clusters} rows; "
            f"data has {n_rows}."
        )
        raise ValueError(msg)
    return n_clusters


def _size_lookup(raw: np.ndarray, n_raw: int) -> np.ndarray:
    """``lookup[raw]``: clusters renumbered 0, 1, ... from the largest.

    Ties go to the lower raw label; raw labels no row has (a mixture
    component left empty) are numbered after the others. The last entry is
    -1, so that noise (raw label -1) stays -1.
    """
    counts = np.bincount(raw[raw >= 0], minlength=n_raw)
    order = np.lexsort((np.arange(len(counts)), -counts))
    lookup = np.full(len(counts) + 1, -1, dtype=np.int64)
    lookup[order] = np.arange(len(counts))
    return lookup


DOMINANT = 0.9
"""A cluster with this fraction of the clustered rows is reported as dominant."""


def _choose(values, method, random_state, options, choice) -> int:
    """The number of clusters by :func:`choose_n_clusters`, warned at an edge."""
    table, n = choose_n_clusters(
        values, method=method, random_state=random_state, **options
    )
    score = "icl" if "icl" in table else "silhouette"
    low, high = int(table["n_clusters"].min()), int(table["n_clusters"].max())
    rule = (
        "lowest ICL (BIC + 2 x membership entropy)"
        if score == "icl"
        else ("highest silhouette")
    )
    choice.update(rule=f"{rule} over n_clusters={low}..{high}", scores=table)
    logger.info("method=%r: chose n_clusters=%d (%s)", method, n, choice["rule"])
    if n == high and high > low:
        logger.warning(
            "method=%r chose n_clusters=%d, the top of the range searched "
            "(%d..%d): the %s is still improving, so the data are probably not "
            "%d compact groups. Try method='hdbscan' (it finds the number "
            "itself, best on an embedding), or look at the scores over a wider "
            "range (choose_n_clusters(X, n_clusters=range(1, 21))).",
            method, n, low, high, score, n,
        )  # fmt: skip
    return n


def _single_cluster_refit(values, max_rows, random_state, options, choice):
    """HDBSCAN again with ``allow_single_cluster=True``, after all-noise."""
    logger.warning(
        "method='hdbscan' found no cluster (every row noise): the rows hold at "
        "most one dense group. Refitted with allow_single_cluster=True, which "
        "lets that one group stand; pass allow_single_cluster=False to keep "
        "the all-noise answer, or a smaller min_cluster_size to look for "
        "small groups."
    )
    choice["refit"] = "allow_single_cluster=True after an all-noise fit"
    return fit_on_sample(
        "hdbscan", values, None, max_rows=max_rows, random_state=random_state,
        options={**options, "allow_single_cluster": True},
    )  # fmt: skip


def _density_rule(model, method: str) -> str:
    if method == "hdbscan":
        return (
            f"HDBSCAN's most stable clusters of at least "
            f"min_cluster_size={model.min_cluster_size} rows"
        )
    return f"DBSCAN at eps={model.eps:.3g}, min_samples={model.min_samples}"


def _warn_if_degenerate(raw: np.ndarray, method: str, choice: dict) -> None:
    """WARNING for all-noise labels or one cluster holding nearly every row."""
    clustered = raw[raw >= 0]
    if not len(clustered):
        logger.warning(
            "method=%r labelled all %d rows noise: no group is dense enough. "
            "Try a smaller min_cluster_size (hdbscan) or a larger eps "
            "(dbscan), or cluster an embedding, where groups are denser.",
            method, len(raw),
        )  # fmt: skip
        choice["warning"] = "all rows noise"
        return
    share = np.bincount(clustered).max() / len(raw)
    if share >= DOMINANT and len(np.unique(clustered)) > 1:
        logger.warning(
            "method=%r: one cluster holds %.0f%% of the rows; the others are "
            "small. Check them with stability() before "
            "reading them as physical groups.",
            method, 100 * share,
        )  # fmt: skip
        choice["warning"] = f"one cluster holds {100 * share:.0f}% of the rows"


class Clusterer(ClusterMixin, BaseEstimator):
    """A clustering of the rows, kept so that new rows can be labelled.

    Parameters
    ----------
    method : str, default "gmm"
        A key of :data:`astrokit.cluster.METHODS` (see
        :func:`astrokit.cluster.cluster` for each method's defaults).
    n_clusters : int, optional
        For gmm, kmeans, agglomerative. Default: chosen by
        :func:`astrokit.cluster.choose_n_clusters`.
    max_rows : int, None or "auto", default "auto"
        Fit on a random subsample of at most this many rows, then label
        every row (None: fit on all rows). ``"auto"``: 5,000 for
        agglomerative (Ward's memory grows as rows squared), all rows for
        the other methods.
    random_state : int, Generator, RandomState or None, default 0
        Seed of the initialisation and of the subsample.
    options : dict, optional
        Passed to the scikit-learn estimator (``covariance_type``,
        ``linkage``, ``eps``, ``min_cluster_size``...). A dict rather than
        ``**options`` so that ``get_params`` and ``clone`` see them, as
        scikit-learn requires of an estimator.

    Attributes
    ----------
    labels_ : ndarray of int64, shape (N,)
        Labels of the rows given to :meth:`fit`: 0 for the largest cluster,
        1 for the next, ...; -1 noise.
    n_clusters_ : int
        Clusters among those rows (noise excluded).
    estimator_ : scikit-learn estimator
        The fitted model (``GaussianMixture``, ``KMeans``, ...).
    fit_rows_ : ndarray of int
        Positions of the rows the model was fitted on (all, unless
        ``max_rows`` is smaller than the number of rows).
    choice_ : dict
        How the number of clusters came about: ``method``, ``n_clusters``,
        ``rule`` (in words) and ``scores`` (the table of
        :func:`astrokit.cluster.choose_n_clusters` when it chose, else None).
        A choice at the edge of the searched range, all rows noise, or one
        cluster holding nearly every row is also logged as a WARNING that
        says what to try.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame.

    See Also
    --------
    astrokit.cluster.cluster : the same as a function returning a Series.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(8, 1, (40, 2))])
    >>> model = Clusterer("kmeans", n_clusters=2).fit(X)
    >>> np.bincount(model.labels_).tolist()  # 0 is the largest
    [60, 40]
    >>> model.predict([[8.0, 8.0], [0.5, -0.5]]).tolist()
    [1, 0]
    >>> Clusterer("hdbscan", options={"min_cluster_size": 20}).fit(X).n_clusters_
    2
    """

    def __init__(
        self,
        method: str = "gmm",
        *,
        n_clusters: int | None = None,
        max_rows: int | str | None = "auto",
        random_state=0,
        options: dict | None = None,
    ):
        self.method = method
        self.n_clusters = n_clusters
        self.max_rows = max_rows
        self.random_state = random_state
        self.options = options

    def fit(self, X, y=None) -> Clusterer:
        """Fit on the rows of ``X``; :attr:`labels_` labels every one of them.

        Parameters
        ----------
        X : DataFrame or array of shape (N, d)
            Numeric and finite (an embedding, or standardised features).
        y : None
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            An unknown method; fewer than 2 rows; ``n_clusters`` larger than
            the rows or given to DBSCAN/HDBSCAN; bad ``max_rows``; NaN,
            infinite, constant or non-numeric columns.
        """
        method = check_method(self.method)
        values, _, names = as_matrix(X)
        n = _check_n(self.n_clusters, method, len(values))
        max_rows = resolve_max_rows(self.max_rows, method)
        random_state = check_random_state(self.random_state)
        options = embedding_scale(X, method, self.options or {})
        choice = {"method": method, "n_clusters": n, "rule": "given", "scores": None}
        if n is None and method in NEEDS_N:
            n = _choose(values, method, random_state, options, choice)
        model, predictor, rows, raw = fit_on_sample(
            method, values, n, max_rows=max_rows, random_state=random_state,
            options=options,
        )  # fmt: skip
        if (
            method == "hdbscan"
            and (raw < 0).all()
            and "allow_single_cluster" not in options
        ):
            model, predictor, rows, raw = _single_cluster_refit(
                values, max_rows, random_state, options, choice
            )
        if method in ("dbscan", "hdbscan"):
            choice["rule"] = _density_rule(model, method)
        _warn_if_degenerate(raw, method, choice)
        n_raw = max(n or 0, int(raw.max()) + 1 if len(raw) else 0)
        self._lookup = _size_lookup(raw, n_raw)
        self._predictor = predictor
        self.labels_ = self._lookup[raw]
        self.n_clusters_ = int(len(np.unique(raw[raw >= 0])))
        self.estimator_ = model
        self.fit_rows_ = rows
        choice["n_clusters"] = self.n_clusters_
        self.choice_ = choice
        self.n_features_in_ = values.shape[1]
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(names, dtype=object)
        return self

    def predict(self, X) -> np.ndarray:
        """Labels of new rows, numbered as :attr:`labels_` (-1 noise).

        gmm and kmeans use their fitted model; agglomerative, DBSCAN and
        HDBSCAN have none, so a row takes the label of its nearest fitted
        row (Euclidean).

        Parameters
        ----------
        X : DataFrame, array of shape (M, d), or dask.dataframe.DataFrame
            The fitted features (same columns, same order). A Dask table
            gives a lazy Dask Series of labels, per partition.

        Returns
        -------
        ndarray of int64, shape (M,)

        Raises
        ------
        ValueError
            Other columns than the fitted ones; NaN or non-numeric values.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "labels_")
        if is_dask(X):  # a lazy Dask Series, per partition: cluster._dask_labels
            from astrokit.cluster import _dask_labels

            return _dask_labels.predict(self, X)
        values, names, _ = feature_matrix(
            X, name="X", min_rows=1, allow_constant=True, purpose="predict"
        )
        fitted = getattr(self, "feature_names_in_", None)
        if values.shape[1] != self.n_features_in_ or (
            fitted is not None
            and isinstance(X, pd.DataFrame)
            and list(fitted) != list(names)
        ):
            have = names_list(fitted) if fitted is not None else self.n_features_in_
            msg = (
                f"X has columns {names_list(names)}; this Clusterer was fitted on "
                f"{have}: pass the same feature columns in the same order."
            )
            raise ValueError(msg)
        raw = np.asarray(self._predictor.predict(values), dtype=np.int64)
        return self._lookup[raw]
