"""What the inspection functions look at: value columns, bands, maps and labels.

A plot needs one band's values (flat, for histograms) or its map (on the
galaxy's sky grid), its WCS when known, its errors (for the default
clipped-log floor), a label and a unit. :func:`resolve` gets them either from
a pixel table or from a bare 2-D array (a FITS map read with astropy).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from astrokit._shared.bands import BANDS, ERR_SUFFIX, UL_SUFFIX

__all__ = ["COORDINATES", "Source", "value_columns", "check_bands", "resolve"]

COORDINATES = ("galaxy", "x", "y", "ra", "dec")
"""Columns that place a row on the sky; never value columns."""

_TEX = {r"\alpha": "α", r"\beta": "β", r"\mu": "μ", r"\sigma": "σ", r"\lambda": "λ"}


def _check_table(table) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        msg = (
            f"table must be a pandas DataFrame (a pixel table); got "
            f"{type(table).__name__}."
        )
        raise TypeError(msg)
    return table


def value_columns(table: pd.DataFrame) -> list[str]:
    """Numeric value columns of ``table``, in table order.

    The bands of ``astrokit._shared.bands.BANDS`` present in the table plus any other
    numeric (non-boolean) column that is not an error (``_err``), an upper
    limit flag (``_ul``), a coordinate or a truth column.

    Examples
    --------
    >>> t = pd.DataFrame({"galaxy": ["g"], "x": [0], "y": [0], "co21": [1.0],
    ...                   "co21_err": [0.1], "co21_ul": [False], "mass": [2.0],
    ...                   "truth_env": ["arm"]})
    >>> value_columns(t)
    ['co21', 'mass']
    """
    truth = set(table.attrs.get("truth_columns", []))
    names = []
    for name in table.columns:
        if not isinstance(name, str) or name in COORDINATES or name in truth:
            continue
        if name.startswith("truth_") or name.endswith((ERR_SUFFIX, UL_SUFFIX)):
            continue
        if _is_value(table[name]):
            names.append(name)
    return names


def _is_value(column: pd.Series) -> bool:
    dtype = column.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(
        dtype
    )


def check_bands(table: pd.DataFrame, bands, *, name: str = "bands") -> list[str]:
    """Validate band names against ``table``; ``None`` means every value column."""
    _check_table(table)
    available = value_columns(table)
    if bands is None:
        return available
    requested = [bands] if isinstance(bands, str) else list(bands)
    bad = [b for b in requested if b not in table.columns or not _is_value(table[b])]
    if bad:
        shown = bands if name == "bands" else requested[0]
        what = ", ".join(repr(b) for b in bad)
        verb = "is not a numeric column" if len(bad) == 1 else "are not numeric columns"
        msg = (
            f"{name}={shown!r}: {what} {verb} of the table; "
            f"available value columns: {available}."
        )
        raise ValueError(msg)
    return requested


@dataclass
class Source:
    """One band's data as the plots need it."""

    band: str
    label: str
    unit: str | None
    values: np.ndarray
    image: np.ndarray | None = None
    wcs: object = None
    err: np.ndarray | None = None
    detection_snr: float = 3.0
    where: str | None = None

    @property
    def what(self) -> str:
        """The data's name in error messages."""
        return f"band {self.band!r}" + (f" ({self.where})" if self.where else "")

    def axis_label(self, *, tex: bool = True) -> str:
        """``label [unit]``; the label in matplotlib mathtext when ``tex``."""
        label = self.label if tex else plain(self.label)
        if not self.unit:
            return label
        return f"{label} [{self.unit_text()}]"

    def unit_text(self) -> str:
        """The unit in Unicode (``'K km s⁻¹'``); ``''`` without one."""
        return _unit_text(self.unit) if self.unit else ""


def plain(label: str) -> str:
    r"""A matplotlib label without mathtext: ``'H$\\alpha$'`` -> ``'Hα'``."""
    text = label
    for tex, char in _TEX.items():
        text = text.replace(tex, char)
    return re.sub(r"[${}]", "", text)


def _unit_text(unit: str) -> str:
    """Unicode rendering of a unit string, readable in matplotlib and Bokeh.

    Examples
    --------
    >>> _unit_text("1e-20 erg / (s cm2)")
    '1×10⁻²⁰ erg s⁻¹ cm⁻²'
    """
    from astropy import units as u

    try:
        parsed = u.Unit(unit)
    except ValueError:
        return unit
    if parsed == u.dimensionless_unscaled:
        return unit
    return parsed.to_string("unicode")


def _label(band: str) -> str:
    return BANDS[band].label if band in BANDS else band


def _from_table(table, band, *, galaxy, need_image, unit) -> Source:
    from astrokit.data import galaxy_wcs, to_image

    _check_table(table)
    band = check_bands(table, [band], name="band")[0]
    if unit is None:
        unit = table.attrs.get("units", {}).get(band)
        if unit is None and band in BANDS:
            unit = BANDS[band].unit
    err_col = band + ERR_SUFFIX
    has_err = err_col in table.columns
    snr = float(table.attrs.get("detection_snr", 3.0))
    if need_image:
        from astrokit.data._grid import _pick_galaxy

        galaxy = _pick_galaxy(table, galaxy)
        image = to_image(table, band, galaxy=galaxy)
        err = to_image(table, err_col, galaxy=galaxy) if has_err else None
        try:
            wcs = galaxy_wcs(table, galaxy).celestial
        except ValueError:
            wcs = None
        values = image.ravel()
        err = None if err is None else err.ravel()
    else:
        rows = np.ones(len(table), dtype=bool)
        if galaxy is not None:
            from astrokit.data._grid import _pick_galaxy

            galaxy = _pick_galaxy(table, galaxy)
            rows = (table["galaxy"].astype(str) == galaxy).to_numpy()
        values = table[band].to_numpy(dtype=float)[rows]
        err = table[err_col].to_numpy(dtype=float)[rows] if has_err else None
        image = wcs = None
    where = galaxy
    if where is None and "galaxy" in table.columns:
        names = list(pd.unique(table["galaxy"].astype(str)))
        where = names[0] if len(names) == 1 else f"{len(names)} galaxies"
    return Source(band, _label(band), unit, values, image, wcs, err, snr, where)


def _from_array(array, band, *, wcs, err, unit, need_image) -> Source:
    data = np.asarray(array, dtype=float)
    if data.ndim != 2 and (need_image or data.ndim != 1):
        allowed = "a 2-D map" if need_image else "a 1-D or 2-D array"
        msg = (
            f"table must be a pixel table or {allowed}; got an array of shape "
            f"{data.shape}."
        )
        raise ValueError(msg)
    if not isinstance(band, str):
        msg = f"band={band!r} must be a string (a band name or a label for the array)."
        raise TypeError(msg)
    if err is not None:
        err = np.asarray(err, dtype=float)
        if err.shape != data.shape:
            msg = f"err has shape {err.shape}; it must match the map's {data.shape}."
            raise ValueError(msg)
        err = err.ravel()
    if wcs is not None:
        wcs = getattr(wcs, "celestial", wcs)
    if unit is None and band in BANDS:
        unit = BANDS[band].unit
    image = data if data.ndim == 2 else None
    return Source(band, _label(band), unit, data.ravel(), image, wcs, err)


def resolve(
    data, band, *, galaxy=None, wcs=None, err=None, unit=None, need_image=True
) -> Source:
    """A :class:`Source` from a pixel table or from an array (+ WCS, errors)."""
    if isinstance(data, pd.DataFrame):
        own = {"wcs": "table.attrs['wcs']", "err": "the <band>_err column"}
        for name, value in (("wcs", wcs), ("err", err)):
            if value is not None:
                msg = f"{name}= is for a bare array; a pixel table carries {own[name]}."
                raise ValueError(msg)
        return _from_table(data, band, galaxy=galaxy, need_image=need_image, unit=unit)
    if isinstance(data, np.ndarray | list | tuple):
        if galaxy is not None:
            msg = f"galaxy={galaxy!r} applies to a pixel table, not to an array."
            raise ValueError(msg)
        return _from_array(
            data, band, wcs=wcs, err=err, unit=unit, need_image=need_image
        )
    msg = (
        "table must be a pixel table (pandas DataFrame) or a NumPy array; got "
        f"{type(data).__name__}."
    )
    raise TypeError(msg)
