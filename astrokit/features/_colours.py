"""Colour indices from any set of magnitude columns, with their errors.

A colour is the difference of two magnitudes, ``m_a - m_b``; its error is
the two magnitude errors added in quadrature (independent photometry in
each band). Written here rather than taken from a library because it is a
subtraction: what the helper adds is the naming (``u_g``), the error
propagation, and the refusal of values that are not magnitudes (catalogue
sentinels such as SDSS's -9999, and non-numeric columns).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from astrokit._shared.matrix import check_unique_index

__all__ = ["colours", "SENTINELS", "ERROR_PATTERNS"]

logger = logging.getLogger("astrokit.features")

SENTINELS = (-9999.0, -999.0, 99.0, 999.0, 9999.0)
"""Magnitudes that catalogues write for "not measured" (SDSS: -9999; many
photometry pipelines: 99); they become NaN, never part of a colour."""

ERROR_PATTERNS = ("{band}_err", "err_{band}", "{band}err", "e_{band}")
"""Names of a band's error column tried by ``errors="auto"``: astrokit's own
``<band>_err``, SDSS's ``err_<band>``, and the VizieR ``e_<band>``."""


def _pairs(bands: list[str], pairs) -> list[tuple[str, str]]:
    if isinstance(pairs, str):
        if pairs == "adjacent":
            return list(itertools.pairwise(bands))
        if pairs == "all":
            return list(itertools.combinations(bands, 2))
        msg = (
            f"pairs={pairs!r} must be 'adjacent', 'all' or a list of "
            "(blue, red) band pairs such as [('g', 'r'), ('u', 'r')]."
        )
        raise ValueError(msg)
    out = [tuple(p) for p in pairs]
    bad = [p for p in out if len(p) != 2 or p[0] == p[1]]
    if bad or not out:
        msg = (
            f"pairs={pairs!r}: each pair must be two different bands, e.g. ('g', 'r')."
        )
        raise ValueError(msg)
    unknown = sorted({b for p in out for b in p} - set(bands))
    if unknown:
        msg = f"pairs use band(s) {unknown} that are not in bands={bands}."
        raise ValueError(msg)
    return out


def _error_columns(table: pd.DataFrame, bands: list[str], errors) -> dict | None:
    """``{band: error column}`` or None (no errors)."""
    if errors is None or errors is False:
        return None
    patterns = ERROR_PATTERNS if errors == "auto" else (errors,)
    for pattern in patterns:
        if "{band}" not in pattern:
            msg = (
                f"errors={errors!r} must be 'auto', None or a pattern containing "
                "'{band}', e.g. '{band}_err' or 'err_{band}'."
            )
            raise ValueError(msg)
        names = {b: pattern.format(band=b) for b in bands}
        if all(n in table for n in names.values()):
            return names
    if errors == "auto":
        return None
    absent = [
        pattern.format(band=b) for b in bands if pattern.format(band=b) not in table
    ]
    msg = (
        f"errors={errors!r}: the table has no column(s) {absent}; name the "
        "error columns' pattern, or pass errors=None for colours without errors."
    )
    raise ValueError(msg)


def _magnitudes(table: pd.DataFrame, column: str, sentinels) -> pd.Series:
    values = table[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        msg = (
            f"column {column!r} holds {values.dtype} values, not magnitudes; "
            "convert it to numbers (pd.to_numeric) or leave it out of bands."
        )
        raise ValueError(msg)
    values = values.astype("float64")
    return values.mask(values.isin(list(sentinels)) | ~np.isfinite(values))


def colours(
    table: pd.DataFrame,
    bands: Sequence[str],
    *,
    pairs: str | Sequence[tuple[str, str]] = "adjacent",
    errors: str | None = "auto",
    sentinels: Sequence[float] = SENTINELS,
) -> pd.DataFrame:
    """Colour indices (magnitude differences) of every row, with errors.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per object, one column of magnitudes per band.
    bands : list of str
        Magnitude columns, from blue to red (e.g. ``["u", "g", "r", "i",
        "z"]``, or Gaia's ``["phot_bp_mean_mag", "phot_rp_mean_mag"]``).
    pairs : {"adjacent", "all"} or list of (str, str), default "adjacent"
        Which colours: neighbouring bands (``u-g, g-r, r-i, i-z``), every
        pair, or the pairs given (``[("u", "r")]``: ``u - r``).
    errors : "auto", None or str, default "auto"
        Error columns: a pattern with ``{band}`` (``"{band}_err"``,
        ``"err_{band}"``); ``"auto"`` tries :data:`ERROR_PATTERNS` and
        gives no errors when none matches every band; None: no errors.
    sentinels : sequence of float, default :data:`SENTINELS`
        Magnitudes that mean "not measured": they become NaN, and so does
        every colour that uses them.

    Returns
    -------
    pandas.DataFrame
        One column per colour named ``<a>_<b>`` (``m_a - m_b``), then, with
        errors, ``<a>_<b>_err = sqrt(err_a**2 + err_b**2)``; the table's
        index. ``attrs``: ``colours`` (the colour names), ``pairs``,
        ``errors`` (the error columns used, or None) and ``missing`` (rows
        with at least one NaN colour).

    Raises
    ------
    ValueError
        Fewer than two bands, a band or error column the table lacks, a
        non-numeric band, bad ``pairs``, a duplicated index.

    Examples
    --------
    >>> t = pd.DataFrame({"g": [17.0, 18.0], "r": [16.5, -9999.0],
    ...                   "i": [16.2, 17.1], "err_g": [0.02, 0.03],
    ...                   "err_r": [0.01, 0.02], "err_i": [0.02, 0.02]})
    >>> c = colours(t, ["g", "r", "i"])
    >>> c.round(3)  # the second row's r is SDSS's "no measurement"
       g_r  r_i  g_r_err  r_i_err
    0  0.5  0.3    0.022    0.022
    1  NaN  NaN      NaN      NaN
    >>> c.attrs["errors"]
    {'g': 'err_g', 'r': 'err_r', 'i': 'err_i'}
    >>> list(colours(t, ["g", "r", "i"], pairs=[("g", "i")], errors=None))
    ['g_i']
    """
    check_unique_index(table, "table")
    bands = list(dict.fromkeys([bands] if isinstance(bands, str) else bands))
    if len(bands) < 2:
        msg = f"bands={bands!r}: a colour needs at least two magnitude columns."
        raise ValueError(msg)
    absent = [b for b in bands if b not in table]
    if absent:
        msg = (
            f"bands={bands!r}: the table has no column(s) {absent}; "
            f"its columns are {list(table.columns)[:20]}."
        )
        raise ValueError(msg)
    chosen = _pairs(bands, pairs)
    err = _error_columns(table, bands, errors)
    mags = {b: _magnitudes(table, b, sentinels) for b in bands}
    out = pd.DataFrame(index=table.index)
    for a, b in chosen:
        out[f"{a}_{b}"] = mags[a] - mags[b]
    if err is not None:
        e = {
            b: _magnitudes(table, err[b], sentinels).where(mags[b].notna())
            for b in bands
        }
        for a, b in chosen:
            out[f"{a}_{b}_err"] = np.hypot(e[a], e[b])
    names = [f"{a}_{b}" for a, b in chosen]
    missing = int(out[names].isna().any(axis=1).sum())
    out.attrs = {"colours": names, "pairs": chosen, "errors": err, "missing": missing}
    if missing:
        logger.info(
            "colours: %d of %d rows have a missing colour (NaN or a sentinel "
            "magnitude)", missing, len(out),
        )  # fmt: skip
    return out
