"""Derived features of a Dask table, partition by partition.

:func:`astrokit.features.derive` dispatches here for a
``dask.dataframe.DataFrame``. Policies ``"drop"`` and ``"flag"`` decide row
by row, so each partition is derived on its own (``map_partitions``) by the
same code as the in-memory path and the result equals it row for row, with
the table's index and divisions (rows dropped by the policy leave the
divisions valid). The result's ``_meta.attrs`` name the ``features``, their
``definitions``, the ``policy`` and ``detection_snr`` (a missing-data report
would need every row: compute one on a sample). ``"impute"`` fills a row
from the whole table (its median, or donors drawn from every row), which a
partition cannot see: it is refused, with what to do.
"""

from __future__ import annotations

import pandas as pd

from astrokit._shared.dask import check_dask_frame
from astrokit.features import _missing
from astrokit.features._definitions import FEATURES

__all__ = ["derive", "meta"]


def _derive_part(part: pd.DataFrame, names, policy, impute, snr) -> pd.DataFrame:
    # features by name, looked up on the worker: the task carries no function
    chosen = [FEATURES[n] for n in names]
    out, _, _ = _missing.apply_policy(
        part, chosen, policy=policy, impute=impute, snr=snr
    )
    return out


def meta(template: pd.DataFrame, names, policy, snr) -> pd.DataFrame:
    """The empty result (columns, dtypes, index type) for ``map_partitions``."""
    return _derive_part(template.iloc[:0], names, policy, "median", snr)


def derive(table, names, *, policy: str, impute: str, detection_snr):
    """A lazy Dask DataFrame of the features ``names`` (checked by the caller).

    ``detection_snr`` None: the table's ``attrs["detection_snr"]`` (its
    metadata, where a Parquet dataset kept it), else 3.
    """
    check_dask_frame(table)
    if policy == "impute":
        msg = (
            "policy='impute' fills a row from the whole table (its median, or "
            "donors drawn from every row), which a Dask partition cannot see; "
            "use policy='drop' or 'flag' on a Dask table, or derive a sample "
            "in memory (derive(table.sample(frac=...).compute(), ...))."
        )
        raise ValueError(msg)
    if detection_snr is None:
        attrs = getattr(table._meta, "attrs", {}) or {}
        detection_snr = float(attrs.get("detection_snr", 3.0))
    empty = meta(table._meta, names, policy, detection_snr)
    # what later stages read (no missing_report: it would need every row)
    empty.attrs = {
        "features": list(names),
        "definitions": {n: FEATURES[n].definition() for n in names},
        "policy": policy,
        "detection_snr": detection_snr,
    }
    return table.map_partitions(
        _derive_part, list(names), policy, impute, detection_snr, meta=empty,
        align_dataframes=False,
    )  # fmt: skip
