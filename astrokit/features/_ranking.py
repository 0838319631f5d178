"""Ranking features: which carry independent information, which matter.

Everything here takes a feature table (e.g. from
:func:`astrokit.features.derive`), reads it through
:func:`astrokit.features.to_matrix` and returns a pandas object a lesson can
print or plot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_max_rows
from astrokit.features._matrix import to_matrix

__all__ = [
    "correlation",
    "mutual_information",
    "forest_importance",
    "unsupervised_importance",
]


def _labels(features: pd.DataFrame, names) -> dict:
    defs = features.attrs.get("definitions", {})
    return {n: defs.get(n, {}).get("short", n) for n in names}


def correlation(
    features: pd.DataFrame,
    *,
    method: str = "spearman",
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Correlation matrix, rows and columns ordered by hierarchical clustering.

    Features are clustered with average linkage on the distance ``1 - |r|``
    (strong correlations and anti-correlations alike group together), leaves
    in optimal order (scipy), so blocks of redundant features sit on the
    diagonal.

    Parameters
    ----------
    features : pandas.DataFrame
        Feature table (checked by :func:`to_matrix`).
    method : {"spearman", "pearson"}, default "spearman"
        Spearman (rank) is robust to outliers and to monotonic non-linear
        relations; Pearson measures linear ones.
    columns : list of str, optional
        As in :func:`to_matrix`.

    Returns
    -------
    pandas.DataFrame
        The ordered ``(d, d)`` matrix. ``attrs``: ``order`` (names in order),
        ``linkage`` (scipy linkage matrix as a list of rows, in the original
        column order of ``columns``), ``method``, ``labels`` (plot labels).

    Raises
    ------
    ValueError
        For an unknown ``method``, or what :func:`to_matrix` refuses.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [4.0, 1, 3, 2],
    ...                   "c": [2.0, 4, 6, 9]})
    >>> correlation(t)  # a and c rise together: adjacent, 1.0 by rank
         b    c    a
    b  1.0 -0.4 -0.4
    c -0.4  1.0  1.0
    a -0.4  1.0  1.0
    """
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    if method not in ("spearman", "pearson"):
        msg = f"method={method!r} must be 'spearman' or 'pearson'."
        raise ValueError(msg)
    frame = to_matrix(features, columns=columns, scale=None)
    X, names = frame.to_numpy(), list(frame.columns)
    if method == "spearman":
        from scipy.stats import rankdata

        X = rankdata(X, axis=0)
    corr = np.atleast_2d(np.corrcoef(X, rowvar=False))
    if len(names) > 1:
        dist = np.clip(1.0 - np.abs(corr), 0.0, None)
        np.fill_diagonal(dist, 0.0)
        link = linkage(squareform(dist, checks=False), "average", optimal_ordering=True)
        order = list(leaves_list(link))
    else:
        link, order = np.empty((0, 4)), [0]
    ordered = [names[i] for i in order]
    out = pd.DataFrame(corr, index=names, columns=names).loc[ordered, ordered]
    out.attrs = {
        "order": ordered,
        "linkage": link.tolist(),
        "method": method,
        "labels": _labels(features, ordered),
    }
    return out


def _sample(n: int, max_rows, random_state) -> np.ndarray:
    max_rows = check_max_rows(max_rows)
    if max_rows is None or n <= max_rows:
        return np.arange(n)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n, int(max_rows), replace=False))


def _target(features: pd.DataFrame, target) -> tuple[np.ndarray, bool]:
    """Target values aligned with ``features`` and whether they are classes."""
    if isinstance(target, pd.Series):
        lacking = ~features.index.isin(target.index)
        if lacking.any():
            msg = (
                f"target lacks {int(lacking.sum())} of the {len(features)} rows of "
                "the feature table (matched by index); pass a Series covering them."
            )
            raise ValueError(msg)
        target = target.loc[features.index]
    else:
        values = np.asarray(target)
        if values.shape != (len(features),):
            msg = (
                f"target has shape {values.shape} but the feature table has "
                f"{len(features)} rows; pass one value per row."
            )
            raise ValueError(msg)
        target = pd.Series(values, index=features.index)
    dtype = target.dtype
    is_class = not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(
        dtype
    )
    if target.isna().any():
        msg = f"target has {int(target.isna().sum())} missing values; drop those rows."
        raise ValueError(msg)
    if is_class:
        return pd.factorize(target, sort=True)[0], True
    return target.to_numpy(dtype=float), False


def mutual_information(
    features: pd.DataFrame,
    target=None,
    *,
    columns: Sequence[str] | None = None,
    max_rows: int | None = 5_000,
    n_neighbors: int = 3,
    random_state: int | None = 0,
    n_jobs: int | None = None,
) -> pd.DataFrame | pd.Series:
    """Mutual information (nats) between features, or with a target.

    Unlike a correlation, mutual information also sees non-monotonic
    relations. Estimated by scikit-learn's k-nearest-neighbour estimator
    (Kraskov et al. 2004; Ross 2014 for a discrete target).

    Parameters
    ----------
    features : pandas.DataFrame
        Feature table (checked by :func:`to_matrix`).
    target : pandas.Series or array-like, optional
        A label (categorical, string or bool: classes) or a number per row.
        A Series is matched on the index. Default: between the features.
    columns : list of str, optional
        As in :func:`to_matrix`.
    max_rows : int or None, default 5000
        Rows drawn at random (``random_state``) to keep the cost down.
    n_neighbors : int, default 3
        Neighbours of the estimator.
    random_state : int or None, default 0
    n_jobs : int or None
        Cores for scikit-learn (None: 1, -1: all).

    Returns
    -------
    pandas.DataFrame or pandas.Series
        Without target: the symmetric ``(d, d)`` matrix (diagonal NaN).
        With target: one value per feature, largest first.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=500)
    >>> t = pd.DataFrame({"a": a, "a2": a**2, "noise": rng.normal(size=500)})
    >>> mi = mutual_information(t)
    >>> bool(mi.loc["a", "a2"] > 1.0 > 0.1 > mi.loc["a", "noise"])  # r ~ 0, MI high
    True
    """
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    frame = to_matrix(features, columns=columns, scale=None)
    X, names = frame.to_numpy(), list(frame.columns)
    rows = _sample(len(X), max_rows, random_state)
    X = X[rows].astype(np.float64)
    kw = dict(n_neighbors=n_neighbors, random_state=random_state)
    if n_jobs is not None:  # a keyword of scikit-learn 1.5 and later
        kw["n_jobs"] = n_jobs
    if target is not None:
        y, is_class = _target(features, target)
        estimate = mutual_info_classif if is_class else mutual_info_regression
        mi = estimate(X, y[rows], **kw)
        return pd.Series(mi, index=names, name="mutual_information").sort_values(
            ascending=False
        )
    matrix = np.array(
        [mutual_info_regression(X, X[:, j], **kw) for j in range(len(names))]
    )
    matrix = (matrix + matrix.T) / 2
    np.fill_diagonal(matrix, np.nan)
    return pd.DataFrame(matrix, index=names, columns=names)


def _importances(forest, names, score, labels) -> pd.DataFrame:
    per_tree = np.array([t.feature_importances_ for t in forest.estimators_])
    out = pd.DataFrame(
        {"importance": forest.feature_importances_, "std": per_tree.std(axis=0)},
        index=pd.Index(names, name="feature"),
    ).sort_values("importance", ascending=False)
    out.attrs = {"oob_score": float(score), "labels": labels}
    return out


def forest_importance(
    features: pd.DataFrame,
    target,
    *,
    columns: Sequence[str] | None = None,
    n_estimators: int = 100,
    max_rows: int | None = 20_000,
    random_state: int | None = 0,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Random-forest importances of the features for predicting ``target``.

    A supervised check: which features separate known classes (e.g. the
    synthetic ``truth_env``), or predict a known quantity. Importances are the
    mean decrease in impurity (scikit-learn's ``feature_importances_``),
    summing to 1; ``std`` is their spread over the trees.

    Parameters
    ----------
    features : pandas.DataFrame
        Feature table (checked by :func:`to_matrix`).
    target : pandas.Series or array-like
        Classes (categorical, string, bool) for a classifier, numbers for a
        regressor. A Series is matched on the index.
    columns : list of str, optional
        As in :func:`to_matrix`.
    n_estimators : int, default 100
    max_rows : int or None, default 20000
        Rows drawn at random to train on.
    random_state : int or None, default 0
    n_jobs : int or None
        Cores for scikit-learn (None: 1, -1: all).

    Returns
    -------
    pandas.DataFrame
        Columns ``importance`` and ``std``, index the features, largest first;
        ``attrs["oob_score"]``: out-of-bag accuracy (classes) or R^2.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> t = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    >>> label = pd.Series(np.where(t["b"] > 0, "high", "low"))
    >>> forest_importance(t, label, n_estimators=20).index[0]
    'b'
    """
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    frame = to_matrix(features, columns=columns, scale=None)
    X, names = frame.to_numpy(), list(frame.columns)
    y, is_class = _target(features, target)
    rows = _sample(len(X), max_rows, random_state)
    Forest = RandomForestClassifier if is_class else RandomForestRegressor
    forest = Forest(
        n_estimators=n_estimators,
        oob_score=True,
        random_state=random_state,
        n_jobs=n_jobs,
    ).fit(X[rows], y[rows])
    return _importances(forest, names, forest.oob_score_, _labels(features, names))


def unsupervised_importance(
    features: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    n_estimators: int = 100,
    max_rows: int | None = 10_000,
    random_state: int | None = 0,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Which features a forest uses to tell the real rows from shuffled ones.

    The idea of the unsupervised random forest (Baron & Poznanski 2017):
    synthetic rows are drawn from the product of the marginals (each column
    shuffled independently, which keeps every feature's distribution and
    destroys the relations between features); a classifier learns real versus
    synthetic; its importances say which features carry the joint structure
    (clusters, correlations, sequences). A feature independent of all others
    looks the same in both sets and scores low, however multimodal it is on
    its own.

    Parameters
    ----------
    features : pandas.DataFrame
        Feature table (checked by :func:`to_matrix`).
    columns : list of str, optional
        As in :func:`to_matrix`.
    n_estimators : int, default 100
    max_rows : int or None, default 10000
        Real rows drawn at random; as many synthetic rows are made from them.
    random_state : int or None, default 0
        Seeds the sample, the shuffles and the forest.
    n_jobs : int or None
        Cores for scikit-learn (None: 1, -1: all).

    Returns
    -------
    pandas.DataFrame
        Columns ``importance`` and ``std``, index the features, largest first;
        ``attrs["oob_score"]``: out-of-bag accuracy at telling real from
        shuffled (0.5: no joint structure at all).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=400)
    >>> t = pd.DataFrame({"a": a, "b": a + 0.1 * rng.normal(size=400),
    ...                   "noise": rng.normal(size=400)})
    >>> unsupervised_importance(t, n_estimators=30).index[-1]
    'noise'
    """
    from sklearn.ensemble import RandomForestClassifier

    frame = to_matrix(features, columns=columns, scale=None)
    X, names = frame.to_numpy(), list(frame.columns)
    rng = np.random.default_rng(random_state)
    real = X[_sample(len(X), max_rows, random_state)]
    synthetic = rng.permuted(real, axis=0)
    data = np.vstack([real, synthetic])
    label = np.r_[np.ones(len(real), int), np.zeros(len(synthetic), int)]
    forest = RandomForestClassifier(
        n_estimators=n_estimators,
        oob_score=True,
        random_state=random_state,
        n_jobs=n_jobs,
    ).fit(data, label)
    return _importances(forest, names, forest.oob_score_, _labels(features, names))
