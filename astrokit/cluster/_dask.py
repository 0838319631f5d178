"""Clusters of a Dask table: fitted on a sample, every row labelled per partition.

:func:`astrokit.cluster.cluster` dispatches here for a
``dask.dataframe.DataFrame``. The rows to fit on are drawn exactly as the
in-memory path draws them (``_methods.sample_rows`` on the global row
positions, seeded by ``random_state``), gathered to the client, and a
:class:`~astrokit.cluster.Clusterer` is fitted on them in memory. Every row
is then labelled in its partition by the fitted predictor (gmm and k-means
predict; the other methods give a row the label of its nearest fitted row,
as in memory). Clusters are numbered by size over the *whole* table (0 the
largest), from label counts summed over the partitions: a map-reduce, so
the labels equal the in-memory ``cluster(table, max_rows=m)`` row for row.

One difference: when ``n_clusters`` is not given, it is chosen
(:func:`~astrokit.cluster.choose_n_clusters`) on the sample, where the
in-memory path scores every row; on a table no larger than the sample both
are the same.
"""

from __future__ import annotations

import numpy as np

from astrokit._shared import dask as _engine
from astrokit._shared.matrix import select_columns
from astrokit.cluster._dask_labels import label_counts, labels_meta, partition_labels
from astrokit.cluster._estimator import Clusterer, _size_lookup
from astrokit.cluster._methods import (
    check_method,
    resolve_max_rows,
    sample_rows,
)

__all__ = ["SAMPLE_ROWS", "cluster"]

SAMPLE_ROWS = _engine.SAMPLE_ROWS
"""Rows fitted on by default (``max_rows=None`` or ``"auto"`` on a larger table)."""


def cluster(
    table, *, method, n_clusters, columns, max_rows, random_state, options,
    progress=True,
):  # fmt: skip
    """Labels (a lazy Dask Series ``"cluster"``) of every row of ``table``.

    Returns ``(labels, model)``: the model is the :class:`Clusterer` fitted
    on the sample (its ``fit_rows_`` are positions in the table).
    """
    from dask import delayed

    _engine.check_dask_frame(table, "data")
    if columns is not None:  # checked on the empty frame, which names them
        table = table[select_columns(table._meta, columns).columns.tolist()]
    method = check_method(method)
    max_rows = resolve_max_rows(max_rows, method) or SAMPLE_ROWS
    lengths = _engine.partition_lengths(table, progress=progress)
    rows = sample_rows(int(lengths.sum()), max_rows, random_state)
    sample = _engine.take(table, rows, lengths=lengths, progress=progress)
    model = Clusterer(
        method, n_clusters=n_clusters, max_rows=None, random_state=random_state,
        options=options,
    ).fit(sample)  # fmt: skip
    model.fit_rows_ = rows
    predictor = delayed(model._predictor, pure=False, traverse=False)
    n_raw = len(model._lookup) - 1
    counts = _engine.gather(
        [delayed(label_counts)(p, predictor, n_raw) for p in table.to_delayed()],
        desc="cluster: counting labels", progress=progress,
    )  # fmt: skip
    total = np.sum(counts, axis=0)
    # the in-memory path numbers clusters by their size among all rows
    raw = np.repeat(np.arange(n_raw), total)
    model._lookup = _size_lookup(raw, n_raw)
    labels = table.map_partitions(
        partition_labels,
        predictor,
        model._lookup,
        meta=labels_meta(table),
        align_dataframes=False,
    )
    return labels, model
