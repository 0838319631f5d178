"""Effect sizes: which features distinguish each cluster, and a summary line.

:func:`effect_sizes` is the one effect size of astrokit (robust, or Cohen's
d); :func:`group_effect` is its formula on per-group statistics, which the
explorer's selection summary uses with running sums so that a selection on
millions of rows stays fast and gives the same number.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int
from astrokit._shared.matrix import check_unique_index
from astrokit.interpret._inputs import align_features, numeric_columns

__all__ = ["effect_sizes", "group_effect", "summarize", "EFFECT_COLUMNS"]

EFFECT_COLUMNS = [
    "cluster", "feature", "effect", "rank", "centre_cluster", "centre_rest",
    "n_cluster",
]  # fmt: skip
"""The columns of :func:`effect_sizes`, in order."""
_MAD_TO_SIGMA = 1.4826
_EFFECTS = ("robust", "cohen")


def _pooled(s1, s2, n1, n2):
    """Pooled scale; a group of one row (scale NaN) adds nothing to it."""
    dof = np.maximum(n1 + n2 - 2, 1)
    with np.errstate(invalid="ignore"):
        t1 = np.where(n1 > 1, (n1 - 1) * s1**2, 0.0)
        t2 = np.where(n2 > 1, (n2 - 1) * s2**2, 0.0)
    return np.sqrt((t1 + t2) / dof)


def group_effect(c1, s1, d1, n1, c2, s2, d2, n2):
    """Signed effect size of group 1 against group 2, per column.

    ``c``: centre (median or mean), ``s``: scale (robust or standard
    deviation, ``ddof=1``), ``d``: standard deviation (``ddof=1``), ``n``:
    count of finite values, for each group. The difference of the centres
    over the pooled scale, ``sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1+n2-2))``;
    the pooled standard deviation where the pooled scale is zero; 0 where
    the centres are equal. The one effect size of astrokit: the explorer's
    selection summary computes it from running sums with this function.

    Examples
    --------
    >>> float(group_effect(2.0, 1.0, 1.0, 10, 0.0, 1.0, 1.0, 30))
    2.0
    """
    scale = _pooled(s1, s2, n1, n2)
    scale = np.where(scale > 0, scale, _pooled(d1, d2, n1, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c1 == c2, 0.0, (np.asarray(c1) - c2) / scale)


def _group_stats(values: np.ndarray, robust: bool):
    """Centre, scale, standard deviation and count per column, NaN ignored."""
    n = np.sum(np.isfinite(values), axis=0).astype(float)
    with warnings.catch_warnings():  # all-NaN columns in a group: NaN, silently
        warnings.simplefilter("ignore", RuntimeWarning)
        if robust:
            centre = np.nanmedian(values, axis=0)
            scale = _MAD_TO_SIGMA * np.nanmedian(np.abs(values - centre), axis=0)
        else:
            centre = np.nanmean(values, axis=0)
            scale = np.nanstd(values, axis=0, ddof=1)
        std = np.nanstd(values, axis=0, ddof=1)
    return centre, scale, std, n


def effect_sizes(
    features: pd.DataFrame,
    labels,
    *,
    columns: list[str] | None = None,
    method: str = "robust",
) -> pd.DataFrame:
    """Which features distinguish each cluster from the rest, ranked.

    For cluster ``c`` and feature ``f`` (rows of ``c`` against all other
    clustered rows; noise ``-1`` is left out):

    - ``method="robust"`` (default): ``(median_c - median_rest) / s``, with
      ``s`` the pooled robust scale (1.4826 x median absolute deviation,
      pooled like a standard deviation). Insensitive to a few wild pixels.
    - ``method="cohen"``: Cohen's d, ``(mean_c - mean_rest) / pooled std``.

    Where the robust scale is zero (heavily tied values) the pooled standard
    deviation is used instead. The sign says whether the cluster is high
    (+) or low (-); about 0.2 is small, 0.8 large, above 2 the groups
    barely overlap.

    Parameters
    ----------
    features : DataFrame
        Numeric features (NaN allowed; ignored per feature).
    labels : Series or array of shape (N,)
        Cluster labels; a Series is aligned on the index of ``features``.
    columns : list of str, optional
        Features to use; default all numeric columns of ``features``.
    method : {"robust", "cohen"}, default "robust"

    Returns
    -------
    DataFrame
        One row per (cluster, feature), sorted by cluster and rank:
        ``cluster``, ``feature``, ``effect`` (signed), ``rank`` (1 = largest
        ``|effect|`` in that cluster), ``centre_cluster``, ``centre_rest``
        (medians, or means for Cohen's d), ``n_cluster``.

    Raises
    ------
    KeyError
        Unknown column names.
    ValueError
        Unknown ``method``; a constant feature; fewer than two clusters;
        labels that do not match the features.

    Examples
    --------
    >>> f = pd.DataFrame({"a": [1.0, 2, 3, 11, 12, 13], "b": [1.0, 3, 2, 2, 1, 3]})
    >>> es = effect_sizes(f, [0, 0, 0, 1, 1, 1])
    >>> es[es.cluster == 1][["feature", "effect", "rank"]].round(2)
      feature  effect  rank
    2       a    6.74     1
    3       b    0.00     2
    """
    if method not in _EFFECTS:
        msg = f"method={method!r} is not an effect size; use one of {list(_EFFECTS)}."
        raise ValueError(msg)
    check_unique_index(features, "features")
    columns = numeric_columns(features, columns)
    values, lab = align_features(features, labels, columns)
    keep = lab != -1
    values, lab = values[keep], lab[keep]
    spread = np.nanmax(values, axis=0) - np.nanmin(values, axis=0)
    constant = [c for c, s in zip(columns, spread, strict=True) if not s > 0]
    if constant:
        msg = (
            f"features {constant} are constant (or all NaN) over the clustered "
            "rows; no effect size can be computed, drop them."
        )
        raise ValueError(msg)
    clusters = sorted(pd.unique(lab).tolist())
    if len(clusters) < 2:
        msg = f"labels hold {len(clusters)} cluster(s) {clusters}; need at least 2."
        raise ValueError(msg)
    robust = method == "robust"
    parts = []
    for c in clusters:
        inside = lab == c
        c1, s1, d1, n1 = _group_stats(values[inside], robust)
        c2, s2, d2, n2 = _group_stats(values[~inside], robust)
        effect = group_effect(c1, s1, d1, n1, c2, s2, d2, n2)
        part = pd.DataFrame(
            {
                "cluster": c,
                "feature": columns,
                "effect": effect,
                "centre_cluster": c1,
                "centre_rest": c2,
                "n_cluster": n1.astype(int),
            }
        )
        order = np.argsort(-np.abs(np.nan_to_num(effect, nan=0.0)), kind="stable")
        part["rank"] = np.empty(len(columns), dtype=int)
        part.loc[order, "rank"] = np.arange(1, len(columns) + 1)
        parts.append(part.sort_values("rank"))
    return pd.concat(parts, ignore_index=True)[EFFECT_COLUMNS]


def summarize(effects: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """One row per cluster: its size and its ``top`` most distinguishing features.

    Parameters
    ----------
    effects : DataFrame
        The table of :func:`effect_sizes`.
    top : int, default 3
        Features listed per cluster.

    Returns
    -------
    DataFrame
        Index ``cluster``; columns ``size``, then ``top_1`` ... ``top_<top>``,
        each a feature and its signed effect size (e.g. ``"log_sii_ha +2.1"``:
        [SII]/Halpha high in that cluster; ``"log_oiii_hb -1.3"``: low).

    Raises
    ------
    TypeError, ValueError
        ``top`` not an integer of at least 1;
    ValueError
        A table that is not the output of ``effect_sizes``.

    Examples
    --------
    >>> f = pd.DataFrame({"a": [1.0, 2, 3, 11, 12, 13], "b": [1.0, 3, 2, 2, 1, 3]})
    >>> summarize(effect_sizes(f, [0, 0, 0, 1, 1, 1]), top=1)["top_1"].tolist()
    ['a -6.7', 'a +6.7']
    """
    need = {"cluster", "feature", "effect", "rank", "n_cluster"}
    if not need <= set(effects.columns):
        msg = (
            f"effects lacks columns {sorted(need - set(effects.columns))}; pass "
            "the table of effect_sizes()."
        )
        raise ValueError(msg)
    top = check_int(top, "top")
    best = effects[effects["rank"] <= top].sort_values(["cluster", "rank"])
    rows = {}
    for c, group in best.groupby("cluster", sort=True):
        row = {"size": int(group["n_cluster"].iloc[0])}
        for k, (f, e) in enumerate(zip(group["feature"], group["effect"], strict=True)):
            row[f"top_{k + 1}"] = f"{f} {e:+.1f}"
        rows[c] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "cluster"
    return out
