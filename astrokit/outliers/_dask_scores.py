"""Scores of a Dask table's rows by a fitted OutlierScorer, partition by partition.

The per-partition part of :mod:`astrokit.outliers._dask`, apart so that
:meth:`astrokit.outliers.OutlierScorer.score_samples` can use it without an
import cycle (``_dask`` itself fits an ``OutlierScorer``). A task gets the
fitted scorer as an argument, nothing else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared import dask as _engine

__all__ = ["score_samples", "scores_meta", "shipped"]


def _score_new(part, scorer):
    return scorer.score_samples(part)


def scores_meta(table, scorer) -> pd.DataFrame:
    columns = scorer.scores_.columns
    return pd.DataFrame(
        {c: pd.Series([], dtype=np.float64) for c in columns}, index=table._meta.index
    )


def shipped(scorer):
    """``scorer`` as one Dask object, its neighbour index built first.

    The index is built lazily (:class:`astrokit.embedding._place.LazyIndex`);
    built here, on the client, it travels with the scorer instead of being
    built again by every worker.
    """
    from dask import delayed

    neighbours = getattr(scorer, "_models", {}).get("neighbours")
    if neighbours is not None:
        neighbours[0].build()
    return delayed(scorer, pure=False, traverse=False)


def score_samples(scorer, table):
    """Scores of the rows of a Dask ``table`` against the fitted ones (lazy)."""
    _engine.check_dask_frame(table, "features")
    missing = [c for c in scorer.feature_names_in_ if c not in table.columns]
    if missing:
        msg = (
            f"features lacks the fitted columns {missing}; pass a table with "
            f"{list(scorer.feature_names_in_)}."
        )
        raise ValueError(msg)
    if "glosh" in scorer.methods_:  # raises: GLOSH cannot score new rows
        scorer.score_samples(table._meta)
    table = table[list(scorer.feature_names_in_)]
    meta = scores_meta(table, scorer)
    return table.map_partitions(
        _score_new, shipped(scorer), meta=meta, align_dataframes=False
    )
