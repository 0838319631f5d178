"""Labels of a Dask table's rows by a fitted clustering, partition by partition.

The per-partition part of :mod:`astrokit.cluster._dask`, apart so that
:meth:`astrokit.cluster.Clusterer.predict` can use it without an import
cycle (``_dask`` itself fits a ``Clusterer``). A task gets the fitted
predictor and the size lookup as arguments, nothing else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared import dask as _engine

__all__ = ["predict", "raw_labels", "label_counts", "partition_labels", "labels_meta"]


def raw_labels(part: pd.DataFrame, predictor) -> pd.Series:
    if not len(part):
        return pd.Series([], index=part.index, dtype=np.int64, name="cluster")
    values = np.ascontiguousarray(part.to_numpy(dtype=np.float64))  # as in memory
    raw = np.asarray(predictor.predict(values), dtype=np.int64)
    return pd.Series(raw, index=part.index, name="cluster")


def label_counts(part: pd.DataFrame, predictor, n_raw: int) -> np.ndarray:
    raw = raw_labels(part, predictor).to_numpy()
    return np.bincount(raw[raw >= 0], minlength=n_raw)[:n_raw]


def partition_labels(part: pd.DataFrame, predictor, lookup) -> pd.Series:
    raw = raw_labels(part, predictor)
    return pd.Series(lookup[raw.to_numpy()], index=part.index, name="cluster")


def labels_meta(table) -> pd.Series:
    return pd.Series([], index=table._meta.index, dtype=np.int64, name="cluster")


def predict(model, table):
    """Labels of the rows of a Dask ``table`` by a fitted :class:`Clusterer`."""
    from dask import delayed

    _engine.check_dask_frame(table, "X")
    fitted = getattr(model, "feature_names_in_", None)
    if fitted is not None and list(fitted) != list(table.columns):
        msg = (
            f"X has columns {list(table.columns)}; this Clusterer was fitted on "
            f"{list(fitted)}: pass the same feature columns in the same order."
        )
        raise ValueError(msg)
    predictor = delayed(model._predictor, pure=False, traverse=False)
    return table.map_partitions(
        partition_labels,
        predictor,
        model._lookup,
        meta=labels_meta(table),
        align_dataframes=False,
    )
