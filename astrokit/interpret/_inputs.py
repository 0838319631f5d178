"""Input checks shared by :mod:`astrokit.interpret`: columns, alignment, coordinates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.matrix import check_unique_index
from astrokit._shared.matrix import numeric_columns as shared_numeric_columns

__all__ = ["numeric_columns", "align_features", "coordinates"]


def numeric_columns(features: pd.DataFrame, columns=None) -> list[str]:
    """The requested (or all numeric) columns of ``features``, checked.

    The default is the kit's numeric columns, booleans (flags) left out
    (:func:`astrokit._shared.matrix.numeric_columns`); a boolean named in
    ``columns`` is accepted. Raises KeyError for unknown names and ValueError
    for non-numeric ones.
    """
    if not isinstance(features, pd.DataFrame):
        msg = f"features must be a pandas DataFrame; got {type(features).__name__}."
        raise ValueError(msg)
    if columns is None:
        names = shared_numeric_columns(features)  # flags (bool) left out
        if not names:
            msg = "features has no numeric columns."
            raise ValueError(msg)
        return names
    names = [columns] if isinstance(columns, str) else list(columns)
    unknown = [c for c in names if c not in features.columns]
    if unknown:
        msg = (
            f"unknown feature names {unknown}; features has columns "
            f"{list(features.columns)}."
        )
        raise KeyError(msg)
    bad = [c for c in names if not pd.api.types.is_numeric_dtype(features[c])]
    if bad:
        msg = f"features {bad} are not numeric."
        raise ValueError(msg)
    if not names:
        msg = "columns=[] selects no feature."
        raise ValueError(msg)
    return names


def align_features(features: pd.DataFrame, labels, columns: list[str]):
    """``(values, labels)`` as arrays on the same rows.

    A Series of labels selects (and orders) the rows of ``features`` by its
    index; an array must have one label per row of ``features``.
    """
    check_unique_index(features, "features")
    check_unique_index(labels, "labels")
    if isinstance(labels, pd.Series):
        missing = labels.index.difference(features.index)
        if len(missing):
            msg = (
                f"features lack {len(missing)} of the labels' index values "
                f"(e.g. {missing[0]!r}); pass features of the same rows."
            )
            raise ValueError(msg)
        frame = features.loc[labels.index, columns]
        lab = labels.to_numpy()
    else:
        lab = np.asarray(labels)
        if lab.ndim != 1 or len(lab) != len(features):
            msg = (
                f"labels has shape {lab.shape}; expected ({len(features)},), "
                "one label per row of features."
            )
            raise ValueError(msg)
        frame = features[columns]
    return frame.to_numpy(dtype=float), lab


def coordinates(embedding) -> tuple[np.ndarray, pd.Index, list[str]]:
    """``(xy, index, names)`` of a two-column embedding (DataFrame or array)."""
    if isinstance(embedding, pd.DataFrame):
        if embedding.shape[1] != 2:
            if {"umap_x", "umap_y"} <= set(embedding.columns):
                embedding = embedding[["umap_x", "umap_y"]]
            else:
                msg = (
                    f"embedding has columns {list(embedding.columns)}; pass the "
                    "two coordinates (e.g. umap_x, umap_y)."
                )
                raise ValueError(msg)
        names = [str(c) for c in embedding.columns]
        return embedding.to_numpy(dtype=float), embedding.index, names
    xy = np.asarray(embedding, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2:
        msg = f"embedding must have shape (N, 2); got {xy.shape}."
        raise ValueError(msg)
    return xy, pd.RangeIndex(len(xy)), ["x", "y"]
