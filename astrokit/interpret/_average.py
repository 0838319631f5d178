"""The "average object" in each bin of an embedding, as self-organising maps show."""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int
from astrokit.interpret._inputs import align_features, coordinates, numeric_columns

__all__ = ["average_object"]


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
    bins = check_int(bins, "bins")
    if kind not in ("hex", "square"):
        msg = f"kind={kind!r} must be 'hex' or 'square'."
        raise ValueError(msg)
    if statistic not in ("median", "mean"):
        msg = f"statistic={statistic!r} must be 'median' or 'mean'."
        raise ValueError(msg)
    min_count = check_int(min_count, "min_count")
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
