"""What the clusters and the embedding mean, in physical features and on the sky.

Tables:

- :func:`effect_sizes`: for each cluster against the rest, a signed effect
  size per feature, ranked: the features that distinguish the cluster.
- :func:`summarize`: one line per cluster, its size and its top features
  with their signed effect sizes (a cluster's "signature").
- :func:`average_object`: the median feature values in square or hexagonal
  bins of the embedding, the "average object" of each region of the map
  (as self-organising maps show it).
- :func:`sky_map`: labels (or any per-row value) back on a galaxy's grid.

Figures (each returns the axes it drew; point plots switch to Datashader
above a size threshold, see :func:`astrokit.plot._points.points`):

- :func:`plot_embedding`: the embedding coloured by labels or one value;
- :func:`plot_features`: the embedding coloured by every feature;
- :func:`plot_violins`: per-cluster feature distributions;
- :func:`plot_effect_sizes`: the effect-size table as a heat map;
- :func:`plot_sky`: labels or values on each galaxy's sky grid;
- :func:`plot_average_object`: the average-object table as maps.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from astrokit.data import sky_map
from astrokit.interpret._inputs import (
    align_features,
    coordinates,
    numeric_columns,
)
from astrokit.interpret._plots import (
    plot_average_object,
    plot_effect_sizes,
    plot_embedding,
    plot_features,
    plot_sky,
    plot_violins,
)

__all__ = [
    "effect_sizes",
    "summarize",
    "average_object",
    "sky_map",
    "plot_embedding",
    "plot_features",
    "plot_violins",
    "plot_effect_sizes",
    "plot_sky",
    "plot_average_object",
]

_MAD_TO_SIGMA = 1.4826
_EFFECTS = ("robust", "cohen")


def _pooled(s1: np.ndarray, s2: np.ndarray, n1: np.ndarray, n2: np.ndarray):
    dof = np.maximum(n1 + n2 - 2, 1)
    return np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / dof)


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
        scale = _pooled(s1, s2, n1, n2)
        scale = np.where(scale > 0, scale, _pooled(d1, d2, n1, n2))
        with np.errstate(divide="ignore", invalid="ignore"):
            effect = np.where(c1 == c2, 0.0, (c1 - c2) / scale)
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
    out = pd.concat(parts, ignore_index=True)
    return out[
        [
            "cluster",
            "feature",
            "effect",
            "rank",
            "centre_cluster",
            "centre_rest",
            "n_cluster",
        ]
    ]


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
    ValueError
        ``top`` below 1, or a table that is not the output of ``effect_sizes``.

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
    if not isinstance(top, int | np.integer) or top < 1:
        msg = f"top={top!r} must be a positive integer."
        raise ValueError(msg)
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


def _bin_hex(xy: np.ndarray, size: float, origin: np.ndarray) -> np.ndarray:
    """Centres of the hexagons (a triangular lattice of spacing ``size``)."""
    step = np.array([size, size * np.sqrt(3.0)])
    rel = xy - origin
    a = np.round(rel / step) * step
    b = (np.floor(rel / step) + 0.5) * step
    use_a = np.sum((rel - a) ** 2, axis=1) <= np.sum((rel - b) ** 2, axis=1)
    return origin + np.where(use_a[:, None], a, b)


def average_object(
    embedding,
    features: pd.DataFrame,
    *,
    bins: int = 20,
    kind: str = "hex",
    statistic: str = "median",
    min_count: int = 5,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """The "average object" in each bin of the embedding.

    The embedding is cut into square or hexagonal bins, ``bins`` across the
    wider of its two ranges (squares have sides ``w = range / bins``;
    hexagons are centred on a triangular lattice of spacing ``w``), and each
    feature's median (or mean) is taken over the rows of each bin.

    Parameters
    ----------
    embedding : DataFrame or array of shape (N, 2)
        Two coordinates per row (``umap_x``, ``umap_y``).
    features : DataFrame
        Features, aligned on the embedding's index (NaN ignored).
    bins : int, default 20
        Bins across the wider range of the embedding.
    kind : {"hex", "square"}, default "hex"
    statistic : {"median", "mean"}, default "median"
    min_count : int, default 5
        Bins with fewer rows are left out.
    columns : list of str, optional
        Features to summarise; default every numeric column.

    Returns
    -------
    DataFrame
        One row per bin: ``bin_x``, ``bin_y`` (centre), ``count``, then one
        column per feature. ``attrs``: ``kind``, ``size`` (``w``) and
        ``coordinates`` (names of the two embedding columns), used by
        :func:`plot_average_object`.

    Raises
    ------
    KeyError
        Unknown column names.
    ValueError
        Bad ``bins``, ``kind``, ``statistic`` or ``min_count``;
        an embedding without two columns; misaligned features.

    Examples
    --------
    >>> emb = pd.DataFrame({"umap_x": [0.1, 0.2, 0.9, 1.9],
    ...                     "umap_y": [0.1, 0.3, 0.2, 0.1]})
    >>> f = pd.DataFrame({"a": [1.0, 2.0, 4.0, 10.0]})
    >>> average_object(emb, f, bins=2, kind="square", min_count=1)
       bin_x  bin_y  count     a
    0   0.55   0.55      3   2.0
    1   1.45   0.55      1  10.0
    """
    if not isinstance(bins, int | np.integer) or bins < 1:
        msg = f"bins={bins!r} must be a positive integer."
        raise ValueError(msg)
    if kind not in ("hex", "square"):
        msg = f"kind={kind!r} must be 'hex' or 'square'."
        raise ValueError(msg)
    if statistic not in ("median", "mean"):
        msg = f"statistic={statistic!r} must be 'median' or 'mean'."
        raise ValueError(msg)
    if not isinstance(min_count, int | np.integer) or min_count < 1:
        msg = f"min_count={min_count!r} must be a positive integer."
        raise ValueError(msg)
    xy, index, names = coordinates(embedding)
    columns = numeric_columns(features, columns)
    values, _ = align_features(features, pd.Series(0, index=index), columns)
    ok = np.isfinite(xy).all(axis=1)
    xy, values = xy[ok], values[ok]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    width = float(np.max(hi - lo)) / bins
    width = width if width > 0 else 1.0
    if kind == "square":
        cell = np.minimum(np.floor((xy - lo) / width), np.ceil((hi - lo) / width) - 1)
        centre = lo + (np.maximum(cell, 0) + 0.5) * width
    else:
        centre = _bin_hex(xy, width, lo)
    frame = pd.DataFrame(values, columns=columns)
    frame["bin_x"], frame["bin_y"] = (
        np.round(centre[:, 0], 12),
        np.round(centre[:, 1], 12),
    )
    grouped = frame.groupby(["bin_x", "bin_y"], sort=True)
    stats = (
        grouped[columns].median() if statistic == "median" else grouped[columns].mean()
    )
    stats.insert(0, "count", grouped.size())
    stats = stats[stats["count"] >= min_count].reset_index()
    stats.attrs = {
        "kind": kind,
        "size": width,
        "coordinates": names,
        "statistic": statistic,
    }
    return stats
