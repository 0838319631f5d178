"""The fitted outlier model: :class:`OutlierScorer`, kept to score new rows.

:func:`astrokit.outliers.score` is ``OutlierScorer(...).fit(features).scores_``.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from astrokit._shared.checks import (
    check_int,
    check_max_rows,
    check_n_neighbors,
    check_random_state,
)
from astrokit._shared.dask import is_dask
from astrokit._shared.matrix import feature_matrix, names_list
from astrokit.outliers import _methods as m
from astrokit.outliers._combine import DEFAULT_RULE, check_rule, combine_percentiles

__all__ = [
    "OutlierScorer",
    "DEFAULT_METHODS",
    "GLOSH_MAX_ROWS",
    "MIN_GROUP_FRACTION",
    "LOF_MAX_PAIRS",
]

logger = logging.getLogger("astrokit.outliers")

DEFAULT_METHODS = ("forest", "lof", "isolation", "glosh", "knn")
"""The methods scored when ``methods`` is None (GLOSH only where it can run)."""

GLOSH_MAX_ROWS = 200_000
"""Above this many rows the default methods leave GLOSH out (its tree costs
grow steeply: 31 s at 74,000 rows here); name it in ``methods`` to force it."""

MIN_GROUP_FRACTION = 0.01
"""GLOSH's default ``min_cluster_size`` as a fraction of the rows: a tight
group of fewer rows than this counts as outlying rather than as a cluster.
LOF takes as many neighbours (the same group scale), within
:data:`LOF_MAX_PAIRS`."""

LOF_MAX_PAIRS = 50_000_000
"""The most (row, neighbour) pairs LOF's neighbour search keeps, 16 bytes each
(800 MB): on N rows LOF takes at most ``LOF_MAX_PAIRS // N`` neighbours (and
never fewer than ``n_neighbors``); 465 on the 46,529 demo rows fit, a million
rows get 50. Fewer neighbours than ``min_cluster_size`` is a logged warning."""


def _percentiles(raw: pd.DataFrame, fitted: pd.DataFrame | None) -> pd.DataFrame:
    """``<method>_pct``: rank among the fitted rows (``fitted`` None: ``raw``)."""
    if fitted is None:
        return raw.rank(pct=True).add_suffix("_pct")
    out = {}
    for name in raw.columns:
        ref = np.sort(fitted[name].to_numpy())
        out[f"{name}_pct"] = np.searchsorted(ref, raw[name], side="right") / len(ref)
    return pd.DataFrame(out, index=raw.index)


class OutlierScorer(BaseEstimator):
    """Outlier scores of several methods, kept so that new rows can be scored.

    The parameters are those of :func:`astrokit.outliers.score`, which is
    ``OutlierScorer(...).fit(features).scores_``.

    Parameters
    ----------
    methods : str or list of str, optional
        Keys of :data:`astrokit.outliers.METHODS`; default
        :data:`DEFAULT_METHODS`, leaving GLOSH out where it cannot run (more
        than :data:`GLOSH_MAX_ROWS` rows, or a subsample: see ``max_rows``).
    columns : list of str, optional
        Feature columns (default: ``attrs["features"]``, else all).
    n_neighbors : int, default 25
        Other rows each row is compared with (a row is never its own
        neighbour) for ``knn``; HDBSCAN's ``min_samples`` for ``glosh``.
    min_cluster_size : int, optional
        The group scale (default: 1% of the rows, at least ``n_neighbors``):
        a group of similar rows smaller than this is outlying. HDBSCAN's
        smallest cluster for ``glosh``, and the neighbours of ``lof`` (at
        most ``LOF_MAX_PAIRS // N``, see :data:`LOF_MAX_PAIRS`): with fewer
        neighbours than a group
        has members, LOF sees the group as normal.
    combine : list of str, optional
        Methods whose percentiles make ``combined`` (default: all).
    rule : str, default "fisher"
        How ``combined`` is made from their percentiles: a key of
        :data:`astrokit.outliers.RULES` (see :func:`astrokit.outliers.score`).
    max_rows : int or None, default None
        Fit on a random subsample of at most this many rows, then score every
        row against it (None: all rows). GLOSH cannot score rows it was not
        fitted on: the default methods leave it out, naming it is an error.
    random_state : int, Generator, RandomState or None, default 0
        Seeds the two forests and the subsample.
    n_jobs : int or None, default None
        Threads (None: 1, -1: all cores).
    progress : bool, default True
        Progress bars of the unsupervised random forest.

    Attributes
    ----------
    scores_ : DataFrame
        The table of :func:`astrokit.outliers.score` for the rows given to
        :meth:`fit`.
    methods_, combine_ : list of str
    rule_ : str
    n_neighbors_, min_cluster_size_ : int
    lof_neighbors_ : int
        Neighbours of ``lof``: ``min_cluster_size_``, at most
        at most ``LOF_MAX_PAIRS // N`` (not below ``n_neighbors_``) and
        fewer than the fitted rows.
    fit_rows_ : ndarray of int
        Positions of the rows the models were fitted on.
    mean_, scale_ : ndarray of shape (d,)
        The standardisation of the fitted rows, applied to new rows.
    feature_names_in_ : list
    n_features_in_ : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    >>> model = OutlierScorer(["knn", "lof", "isolation"], n_neighbors=10).fit(X)
    >>> new = pd.DataFrame({"a": [0.1, 8.0], "b": [0.0, -8.0], "c": [0.2, 8.0]})
    >>> model.score_samples(new)["combined"].round(2).tolist()
    [0.24, 1.0]
    """

    def __init__(
        self,
        methods=None,
        *,
        columns=None,
        n_neighbors: int = 25,
        min_cluster_size: int | None = None,
        combine=None,
        rule: str = DEFAULT_RULE,
        max_rows: int | None = None,
        random_state=0,
        n_jobs: int | None = None,
        progress: bool = True,
    ):
        self.methods = methods
        self.columns = columns
        self.n_neighbors = n_neighbors
        self.min_cluster_size = min_cluster_size
        self.combine = combine
        self.rule = rule
        self.max_rows = max_rows
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress

    def _names(self, n_rows: int, subsample: bool) -> tuple[list, list, list]:
        """``(methods, combine, skipped)``, checked; GLOSH left out if it can't run."""
        names = m.check_methods(
            DEFAULT_METHODS if self.methods is None else self.methods
        )
        skipped = []
        if self.methods is None and (subsample or n_rows > GLOSH_MAX_ROWS):
            names.remove("glosh")
            skipped.append("glosh")
            why = (
                f"fitted on a subsample, max_rows={self.max_rows}"
                if subsample
                else f"more than GLOSH_MAX_ROWS={GLOSH_MAX_ROWS}"
            )
            logger.warning(
                "outliers.score: glosh left out on %d rows (%s); pass "
                "methods=[..., 'glosh'] to run it anyway.", n_rows, why,
            )  # fmt: skip
        elif subsample and "glosh" in names:
            msg = (
                f"max_rows={self.max_rows} fits on a subsample, but 'glosh' scores "
                "only the rows it is fitted on; leave 'glosh' out of methods, or "
                "use max_rows=None."
            )
            raise ValueError(msg)
        combine = names if self.combine is None else m.check_methods(self.combine)
        missing = [c for c in combine if c not in names]
        if missing:
            msg = (
                f"combine={self.combine!r} names {missing}, which are not in "
                f"methods={names}."
            )
            raise ValueError(msg)
        return names, list(combine), skipped

    def fit(self, features, y=None) -> OutlierScorer:
        """Fit every method on the rows of ``features`` and score them.

        Parameters
        ----------
        features : DataFrame or array of shape (N, d)
            As for :func:`astrokit.outliers.score`; standardised here.
        y : None
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        self
            With :attr:`scores_`, the table of every row of ``features``.

        Raises
        ------
        ValueError
            Unknown methods or columns; NaN, non-numeric or constant
            features; ``n_neighbors`` not smaller than the fitted rows;
            ``glosh`` named with a subsample.
        """
        values, names, index = m.prepare(features, self.columns)
        max_rows = check_max_rows(self.max_rows)
        random_state = check_random_state(self.random_state)
        rows = np.arange(len(values))
        if max_rows is not None and len(values) > max_rows:
            rng = np.random.default_rng(random_state)
            rows = np.sort(rng.choice(len(values), max_rows, replace=False))
        methods, combine, skipped = self._names(len(values), len(rows) < len(values))
        k = check_n_neighbors(self.n_neighbors, len(rows))
        size = self.min_cluster_size
        if size is None:  # at least 2: HDBSCAN's smallest cluster
            size = max(2, k, int(round(MIN_GROUP_FRACTION * len(rows))))
        self.min_cluster_size_ = check_int(size, "min_cluster_size", minimum=2)
        self.rule_ = check_rule(self.rule)
        memory = max(k, LOF_MAX_PAIRS // len(rows))
        self.lof_neighbors_ = min(max(k, self.min_cluster_size_), memory)
        self.lof_neighbors_ = min(self.lof_neighbors_, len(rows) - 1)
        if "lof" in methods and self.lof_neighbors_ < self.min_cluster_size_:
            logger.warning(
                "outliers.score: lof compares each of %d rows with %d neighbours, "
                "fewer than min_cluster_size=%d (LOF_MAX_PAIRS=%d keeps memory "
                "bounded): groups of %d to %d similar rows look normal to lof; "
                "fit on a subsample (max_rows) to see them.", len(rows),
                self.lof_neighbors_, self.min_cluster_size_, LOF_MAX_PAIRS,
                self.lof_neighbors_, self.min_cluster_size_,
            )  # fmt: skip
        self.methods_, self.combine_, self.n_neighbors_ = methods, combine, k
        self.feature_names_in_, self.n_features_in_ = names, len(names)
        self._from_frame = isinstance(features, pd.DataFrame)
        # kept, unlike astrokit._shared.matrix.standardize (the same z-scoring,
        # which returns no statistics), to standardise new rows the same way
        self.mean_, self.scale_ = values[rows].mean(axis=0), values[rows].std(axis=0)
        z = (values - self.mean_) / self.scale_
        self.fit_rows_ = rows
        raw, self._seconds = self._fit_methods(z[rows], random_state)
        self._fitted = pd.DataFrame(raw, index=index[rows])
        table = self._fitted.reindex(index)
        if len(rows) < len(values):
            rest = np.setdiff1d(np.arange(len(values)), rows)
            new = self._score_new(z[rest], index[rest])
            table.iloc[rest] = new.to_numpy()
            pct = _percentiles(table, self._fitted)
            pct.iloc[rows] = _percentiles(self._fitted, None).to_numpy()
        else:
            pct = _percentiles(table, None)
        self.scores_ = self._table(table, pct, skipped, self._seconds)
        return self

    def _fit_methods(self, z: np.ndarray, random_state) -> tuple[dict, dict]:
        """Raw scores of the fitted rows per method, and each method's seconds."""
        raw, seconds, self._models = {}, {}, {}
        for name in self.methods_:
            start = time.perf_counter()
            if name in ("knn", "lof"):
                if "knn" in raw:  # one neighbour search serves both
                    seconds[name] = seconds["lof" if name == "knn" else "knn"]
                    continue
                model, raw["knn"], raw["lof"] = m.fit_neighbours(
                    z, self.n_neighbors_, lof_neighbors=self.lof_neighbors_,
                    n_jobs=self.n_jobs,
                )  # fmt: skip
                self._models["neighbours"] = model
            elif name == "isolation":
                model = m.fit_isolation(
                    z, random_state=random_state, n_jobs=self.n_jobs
                )
                raw[name] = -model.score_samples(z)
                self._models[name] = model
            elif name == "forest":
                model = m.fit_forest(
                    z, random_state=random_state, n_jobs=self.n_jobs,
                    progress=self.progress,
                )  # fmt: skip
                raw[name] = model.weirdness()
                self._models[name] = model
            else:
                raw[name] = m.glosh(
                    z, min_samples=self.n_neighbors_,
                    min_cluster_size=self.min_cluster_size_,
                )  # fmt: skip
            seconds[name] = time.perf_counter() - start
            logger.info("outliers.score: %s on %d rows in %.1f s", name, len(z),
                        seconds[name])  # fmt: skip
        return {n: raw[n] for n in self.methods_}, seconds

    def _score_new(self, z: np.ndarray, index: pd.Index) -> pd.DataFrame:
        """Raw scores of standardised new rows against the fitted ones."""
        raw = {}
        if "neighbours" in self._models:
            raw["knn"], raw["lof"] = m.neighbour_scores(self._models["neighbours"], z)
        if "isolation" in self._models:
            raw["isolation"] = -self._models["isolation"].score_samples(z)
        if "forest" in self._models:
            raw["forest"] = self._models["forest"].weirdness(z.astype(np.float32))
        return pd.DataFrame({n: raw[n] for n in self.methods_}, index=index)

    def _table(self, raw, pct, skipped, seconds) -> pd.DataFrame:
        out = pd.concat([raw, pct], axis=1)
        chosen = pct[[f"{c}_pct" for c in self.combine_]]
        out["combined"] = combine_percentiles(chosen, self.rule_, len(self._fitted))
        out.attrs = {
            "methods": list(self.methods_),
            "combine": list(self.combine_),
            "rule": self.rule_,
            "n_neighbors": self.n_neighbors_,
            "min_cluster_size": self.min_cluster_size_,
            "lof_neighbors": self.lof_neighbors_,
            "seconds": seconds,
            "skipped": skipped,
        }
        return out

    def score_samples(self, features=None) -> pd.DataFrame:
        """Score new rows against the fitted ones (None: the fitted rows).

        Parameters
        ----------
        features : DataFrame, array of shape (M, d), or Dask DataFrame, optional
            The fitted feature columns (a DataFrame may hold more columns:
            the fitted ones are picked by name). None returns
            :attr:`scores_`, where each fitted row is scored against the
            *other* fitted rows.

        Returns
        -------
        pandas.DataFrame
            The columns of :func:`astrokit.outliers.score`, indexed like
            ``features``: raw scores, ``<method>_pct`` (the fraction of
            fitted rows scoring at most as high) and ``combined``. A new
            row's neighbours are its ``n_neighbors`` nearest fitted rows.

        Raises
        ------
        ValueError
            ``glosh`` among the methods (it cannot score new rows); missing
            columns; NaN or non-numeric values.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "scores_")
        if features is None:
            return self.scores_.copy()
        if is_dask(features):  # lazy, per partition: outliers._dask_scores
            from astrokit.outliers import _dask_scores

            return _dask_scores.score_samples(self, features)
        if "glosh" in self.methods_:
            keep = [n for n in self.methods_ if n != "glosh"]
            msg = (
                "method 'glosh' cannot score new rows (scikit-learn's HDBSCAN "
                f"keeps no model that places them); fit OutlierScorer(methods={keep}) "
                "to score new rows, or score old and new rows together with "
                "astrokit.outliers.score(pd.concat([old, new]))."
            )
            raise ValueError(msg)
        columns = self.feature_names_in_ if self._from_frame else None
        values, names, index = feature_matrix(
            features, name="features", columns=columns, allow_constant=True,
            purpose="outlier scoring",
        )  # fmt: skip
        if len(names) != self.n_features_in_:
            msg = (
                f"features has {len(names)} columns {names_list(names)}; this "
                f"OutlierScorer was fitted on {self.n_features_in_}: pass the same "
                "feature columns in the same order."
            )
            raise ValueError(msg)
        start = time.perf_counter()
        raw = self._score_new((values - self.mean_) / self.scale_, index)
        seconds = {n: time.perf_counter() - start for n in self.methods_}
        return self._table(raw, _percentiles(raw, self._fitted), [], seconds)
