"""How complete each band is: finite, NaN, infinite, zero, negative, upper limits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from astrokit._shared.bands import UL_SUFFIX
from astrokit._shared.matrix import check_unique_index
from astrokit.inspect._sources import check_bands

__all__ = ["coverage_report"]

_COUNTS = [
    "finite",
    "nan",
    "inf",
    "zero",
    "negative",
    "upper_limit",
    "detected_positive",
]


def coverage_report(
    table: pd.DataFrame,
    bands: str | Sequence[str] | None = None,
    *,
    by: str | None = None,
) -> pd.DataFrame:
    """Per band: how many rows are finite, NaN, infinite, zero, negative, limits.

    Parameters
    ----------
    table : pandas.DataFrame
        A pixel table.
    bands : str or list of str, optional
        Columns to report. Default: every value column (the bands of
        ``astrokit._shared.bands.BANDS`` present, plus any other numeric column that
        is not an ``_err``/``_ul`` column, a coordinate or a truth column).
    by : str, optional
        A column to group by, e.g. ``"galaxy"``: one block per group, indexed
        by ``(group, band)``.

    Returns
    -------
    pandas.DataFrame
        One row per band (index ``band``). ``n_rows``; ``n_finite``,
        ``n_nan`` (NaN: outside the footprint) and ``n_inf`` (+inf or -inf:
        a broken value, which no plot draws); among the finite
        values ``n_zero`` and ``n_negative`` (a log scale drops both);
        ``n_upper_limit`` (rows flagged in ``<band>_ul``; ``<NA>`` when the
        table has no such column); ``n_detected_positive`` (finite, > 0 and
        not an upper limit); then ``frac_<count>`` = count / ``n_rows`` for
        each of those counts. An all-NaN band has ``frac_finite`` 0.

    Raises
    ------
    ValueError
        A band that is not a numeric column (the message lists the available
        ones); ``by`` not a column.
    TypeError
        ``table`` is not a DataFrame.

    Examples
    --------
    >>> t = pd.DataFrame({"galaxy": "g", "x": range(5), "y": 0,
    ...                   "co21": [np.nan, -1.0, 0.0, 0.5, 7.0],
    ...                   "co21_ul": [False, True, True, True, False]})
    >>> coverage_report(t)[["n_finite", "n_nan", "n_zero", "n_negative",
    ...                     "n_upper_limit", "n_detected_positive"]]
    ... # doctest: +NORMALIZE_WHITESPACE
          n_finite  n_nan  n_zero  n_negative  n_upper_limit  n_detected_positive
    band
    co21         4      1       1           1              3                    1
    """
    check_unique_index(table, "table")
    bands = check_bands(table, bands)
    if by is None:
        return _coverage_block(table, bands)
    if by not in table.columns:
        msg = f"by={by!r} is not a column of the table; use e.g. by='galaxy'."
        raise ValueError(msg)
    groups = table.groupby(by, observed=True, sort=False)
    blocks = {name: _coverage_block(group, bands) for name, group in groups}
    return pd.concat(blocks, names=[by, "band"])


def _coverage_block(table: pd.DataFrame, bands: list[str]) -> pd.DataFrame:
    n = len(table)
    rows = []
    for band in bands:
        v = table[band].to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(v)
        ul_col = band + UL_SUFFIX
        if ul_col in table.columns:
            ul = table[ul_col].to_numpy(dtype=bool, na_value=False)
            n_ul = int(ul.sum())
        else:
            ul, n_ul = np.zeros(n, dtype=bool), pd.NA
        rows.append(
            {
                "n_finite": int(finite.sum()),
                "n_nan": int(np.isnan(v).sum()),
                "n_inf": int(np.isinf(v).sum()),
                "n_zero": int((finite & (v == 0)).sum()),
                "n_negative": int((finite & (v < 0)).sum()),
                "n_upper_limit": n_ul,
                "n_detected_positive": int((finite & (v > 0) & ~ul).sum()),
            }
        )
    report = pd.DataFrame(rows, index=pd.Index(bands, name="band"))
    report["n_upper_limit"] = report["n_upper_limit"].astype("Int64")
    report.insert(0, "n_rows", n)
    for name in _COUNTS:
        count = report[f"n_{name}"].astype("Float64")
        report[f"frac_{name}"] = (count / n).astype(float) if n else np.nan
    return report
