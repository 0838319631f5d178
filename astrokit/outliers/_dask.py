"""Outlier scores of a Dask table: models fitted on a sample, rows scored per partition.

:func:`astrokit.outliers.score` dispatches here for a
``dask.dataframe.DataFrame``; :meth:`~astrokit.outliers.OutlierScorer.score_samples`
too. The rows to fit on are drawn as the in-memory path draws them
(``max_rows`` positions of the whole table, ``numpy.random.default_rng``
seeded by ``random_state``), gathered to the client, and an
:class:`~astrokit.outliers.OutlierScorer` is fitted on them in memory. In
each partition, the fitted rows take their scores from that fit (each
scored against the other fitted rows) and the other rows are scored as new
rows (``score_samples``); percentiles are relative to the fitted rows
(fitted rows are recognised by their index labels, unique in every kit
table). So
the table equals the in-memory ``score(table, max_rows=m)`` row for row.

Methods that need all pairs of rows: GLOSH (HDBSCAN's tree of all rows)
cannot score rows it was not fitted on, so it runs only when the whole table
is the sample; left out by default otherwise (as in memory), an error when
named. LOF, k-nearest-neighbour distances, the isolation forest and the
forest weirdness score new rows against the fitted sample.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from astrokit._shared import dask as _engine
from astrokit._shared.checks import check_max_rows, check_random_state
from astrokit._shared.matrix import select_columns
from astrokit.outliers._dask_scores import scores_meta, shipped
from astrokit.outliers._scorer import OutlierScorer

__all__ = ["SAMPLE_ROWS", "score"]

logger = logging.getLogger("astrokit.outliers")

SAMPLE_ROWS = _engine.SAMPLE_ROWS
"""Rows the models are fitted on by default (``max_rows=None``) when the
Dask table is larger."""


def _columns(table, columns) -> list:
    """``columns``, else ``attrs["features"]`` (``derive``), else the float ones."""
    if columns is None:
        columns = (getattr(table._meta, "attrs", {}) or {}).get("features")
    if columns is not None:  # the table's empty meta frame, checked
        return select_columns(table._meta, columns, "features").columns.tolist()
    floats = [c for c, t in table.dtypes.items() if pd.api.types.is_float_dtype(t)]
    if not floats:
        msg = (
            "features has no float columns; pass columns=[...] naming the "
            f"feature columns (it has {list(table.columns)})."
        )
        raise ValueError(msg)
    return floats


def _score_part(part, scorer, fitted):
    """Scores of one partition: fitted rows from the fit, the others as new.

    The fitted rows are found by their index labels (unique in every kit
    table), not by position: a partition computed alone (``.partitions[i]``)
    or after any optimisation still finds its own.
    """
    is_fit = part.index.isin(fitted.index)
    out = pd.DataFrame(np.nan, index=part.index, columns=fitted.columns)
    if is_fit.any():
        out.iloc[np.flatnonzero(is_fit)] = fitted.loc[part.index[is_fit]].to_numpy()
    if not is_fit.all():
        new = np.flatnonzero(~is_fit)
        out.iloc[new] = scorer.score_samples(part.iloc[new]).to_numpy()
    return out


def score(table, *, params: dict, columns, max_rows, random_state, progress=True):
    """``(scores, scorer)``: a lazy Dask DataFrame of scores and the fitted model.

    ``params`` are the other keywords of :class:`OutlierScorer` (methods,
    n_neighbors, min_cluster_size, combine, rule, n_jobs).
    """
    from dask import delayed

    _engine.check_dask_frame(table, "features")
    table = table[_columns(table, columns)]
    max_rows = check_max_rows(max_rows)
    default = max_rows is None
    max_rows = SAMPLE_ROWS if default else max_rows
    random_state = check_random_state(random_state)
    lengths = _engine.partition_lengths(table, progress=progress)
    n_rows = int(lengths.sum())
    rows = np.arange(n_rows)
    if n_rows > max_rows:  # drawn as OutlierScorer.fit draws its subsample
        rng = np.random.default_rng(random_state)
        rows = np.sort(rng.choice(n_rows, max_rows, replace=False))
        if default:
            logger.info(
                "outliers.score: models fitted on %d of the %d rows of the Dask "
                "table (max_rows=None); pass max_rows to change it.",
                max_rows, n_rows,
            )  # fmt: skip
    probe = OutlierScorer(params["methods"], combine=params["combine"],
                          max_rows=max_rows)  # fmt: skip
    methods, _, _ = probe._names(n_rows, len(rows) < n_rows)
    sample = _engine.take(table, rows, lengths=lengths, progress=progress)
    scorer = OutlierScorer(
        **{**params, "methods": methods}, max_rows=None, random_state=random_state,
        progress=progress,
    ).fit(sample)  # fmt: skip
    scorer.fit_rows_ = rows
    model = shipped(scorer)
    fitted = delayed(scorer.scores_, pure=False, traverse=False)
    return table.map_partitions(
        _score_part, model, fitted, meta=scores_meta(table, scorer),
        align_dataframes=False,
    ), scorer  # fmt: skip
