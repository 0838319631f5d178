"""Labels against a truth column: :func:`agreement` and :func:`contingency`.

A check that real surveys never have, but synthetic data does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["agreement", "contingency"]


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
