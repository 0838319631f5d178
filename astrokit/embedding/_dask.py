"""The embedding of a Dask table: UMAP fitted on a sample, rows placed per partition.

:func:`astrokit.embedding.embed` dispatches here for a
``dask.dataframe.DataFrame``. The rows to fit on are drawn as the in-memory
path draws them (``max_rows`` positions of the whole table,
``numpy.random.default_rng(random_state)``) and gathered to the client,
where UMAP is fitted on them by the in-memory :func:`embed` (its cache
included). Every other row is placed in its partition by its nearest sample
rows (:class:`astrokit.embedding._place.NeighbourPlacer`, a kNN regression:
deterministic row by row, tens of thousands of rows per second, where
``UMAP.transform`` optimises each batch and would take hours for 10^8 rows
and give a row coordinates that depend on its batch). So the result equals
the in-memory ``embed(table, max_rows=m, placement="neighbours")`` row for
row, and ``embed(table)`` itself on a table no larger than the sample.

UMAP only (PCA and t-SNE are refused with what to do); a Dask table is
placed by neighbours whatever ``placement`` says (logged).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from astrokit._shared import dask as _engine
from astrokit._shared.checks import check_max_rows
from astrokit._shared.matrix import select_columns
from astrokit.embedding._input import COLUMNS
from astrokit.embedding._umap import EXACT_MAX_ROWS

__all__ = ["SAMPLE_ROWS", "embed"]

logger = logging.getLogger("astrokit.embedding")

SAMPLE_ROWS = EXACT_MAX_ROWS
"""Rows UMAP is fitted on by default (``max_rows=None``) when the Dask table is
larger: up to here its neighbours are exact."""


def _place_part(part, placer, fitted):
    """Coordinates of one partition: sample rows as fitted, the others placed.

    Sample rows are found by their index labels (unique in every kit table),
    not by position, so a partition computed alone still finds its own.
    """
    is_fit = part.index.isin(fitted.index)
    out = np.empty((len(part), 2), dtype=np.float32)
    if is_fit.any():
        out[is_fit] = fitted.loc[part.index[is_fit]].to_numpy()
    if not is_fit.all():  # float32 first, as the in-memory path converts its input
        values = part.to_numpy(np.float64)[~is_fit]
        placed = placer.transform(np.ascontiguousarray(values, np.float32))
        out[~is_fit] = placed.to_numpy()
    return pd.DataFrame(out, index=part.index, columns=COLUMNS)


def _fit_rows(n_rows: int, max_rows, random_state) -> np.ndarray:
    """The sample's positions, drawn as ``_embed._check_options`` draws them."""
    if n_rows <= max_rows:
        return np.arange(n_rows)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, max_rows, replace=False))


def embed(table, *, method, columns, max_rows, placement, embed_sample, options):
    """A lazy Dask DataFrame ``umap_x``, ``umap_y`` of every row of ``table``.

    ``embed_sample(sample, **options)`` is the in-memory :func:`embed`;
    ``options`` its UMAP keywords (``random_state`` among them).
    """
    from dask import delayed

    from astrokit.embedding._place import NeighbourPlacer

    _engine.check_dask_frame(table, "data")
    if method != "umap":
        msg = (
            f"method={method!r} on a Dask table is not supported: only UMAP is "
            "fitted on a sample and placed per partition. Embed a sample in "
            "memory (embed(table.sample(frac=...).compute(), method=...))."
        )
        raise ValueError(msg)
    if placement != "neighbours":
        logger.info(
            "embed: a Dask table's rows are placed by their nearest sample rows "
            "(placement=%r applies in memory; UMAP.transform is too slow for "
            "survey tables).", placement,
        )  # fmt: skip
    if columns is not None:  # checked on the empty frame, which names them
        table = table[select_columns(table._meta, columns).columns.tolist()]
    max_rows = SAMPLE_ROWS if max_rows is None else check_max_rows(max_rows, minimum=3)
    lengths = _engine.partition_lengths(table)
    rows = _fit_rows(int(lengths.sum()), max_rows, options["random_state"])
    sample = _engine.take(table, rows, lengths=lengths)
    fitted = embed_sample(sample, max_rows=None, **options)
    values = np.ascontiguousarray(sample.to_numpy(np.float64), np.float32)
    coords = fitted.to_numpy(np.float32)
    placer = NeighbourPlacer().fit(values, coords)
    meta = pd.DataFrame(
        {c: pd.Series([], dtype=np.float32) for c in COLUMNS}, index=table._meta.index
    )
    fitted = pd.DataFrame(coords, index=sample.index, columns=COLUMNS)
    return table.map_partitions(
        _place_part, delayed(placer, pure=False, traverse=False),
        delayed(fitted, pure=False, traverse=False), meta=meta,
        align_dataframes=False,
    )  # fmt: skip
