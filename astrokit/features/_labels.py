"""Display labels: every column's physical name with its units.

:func:`display_label` is what every plot, the explorer and the report show
instead of a column name: the feature registry's label for a derived
feature (:data:`~astrokit.features._definitions.FEATURES`), the band's name
and unit for a band, and readable names for uncertainties, flags, truth and
bookkeeping columns; any other column keeps its name.
"""

from __future__ import annotations

import re

from astrokit.features._definitions import CO, FEATURES, LINE, MJY

__all__ = ["display_label", "plain_text"]

_BAND_UNITS = {
    "1e-20 erg / (s cm2)": LINE,
    "MJy / sr": MJY,
    "K km / s": CO,
    "km / s": "km s$^{-1}$",
}
_COLUMN_LABELS = {
    "umap_x": "UMAP 1",
    "umap_y": "UMAP 2",
    "x": "x [pixel]",
    "y": "y [pixel]",
    "ra": "RA [deg]",
    "dec": "Dec [deg]",
    "cluster": "cluster",
    "confidence": "cluster confidence (0-1)",
    "weirdness": "outlier score (combined)",
    "combined": "outlier score (combined)",
    "bpt_class": "BPT class",
}
_PLAIN = {
    r"$\alpha$": "α", r"$\beta$": "β", r"$\mu$m": "µm", r"$^{-1}$": "⁻¹",
    r"$^{-2}$": "⁻²", r"$A_V$": "A_V", r"\alpha": "α", r"\beta": "β", r"\mu": "µ",
}  # fmt: skip


def plain_text(label: str) -> str:
    r"""A label without matplotlib mathtext, for Bokeh and HTML tables.

    Examples
    --------
    >>> plain_text("log H$\\alpha$/CO [K km s$^{-1}$]")
    'log Hα/CO [K km s⁻¹]'
    """
    for tex, char in _PLAIN.items():
        label = label.replace(tex, char)
    return re.sub(r"[${}]", "", label)


def _band_label(band: str, units: bool) -> str | None:
    from astrokit._shared.bands import BANDS

    if band not in BANDS:
        return None
    b = BANDS[band]
    if not units or not b.unit:
        return b.label
    return f"{b.label} [{_BAND_UNITS.get(b.unit, b.unit)}]"


def display_label(column, *, units: bool = True, tex: bool = True) -> str:
    r"""The physical name of a column, with its units, for axes and tables.

    Derived features (:data:`FEATURES`), bands and their ``_err`` / ``_ul``
    columns, ``<feature>_censored`` / ``_imputed`` flags, truth columns and
    the kit's bookkeeping columns (``umap_x``, ``x``, ``ra``, ``cluster``,
    ...) get a label; any other column keeps its name.

    Parameters
    ----------
    column : str or any hashable
        A column name.
    units : bool, default True
        Append the unit in brackets (``[dex]`` is left out: a log ratio says
        so in its name).
    tex : bool, default True
        matplotlib mathtext (``H$\alpha$``); False gives plain Unicode
        (``Hα``) for Bokeh, the explorer and HTML tables.

    Returns
    -------
    str

    Examples
    --------
    >>> display_label("log_oiii_hb", tex=False)
    'log [OIII]5007/Hβ'
    >>> display_label("log_ha_co", tex=False)
    'log Hα/CO [1e-20 erg s⁻¹ cm⁻² / (K km s⁻¹)]'
    >>> display_label("co21_err", tex=False)
    'error of CO(2-1) intensity [K km s⁻¹]'
    >>> display_label("my_column")
    'my_column'
    """
    name = str(column)
    label = _label(name, units)
    return label if tex else plain_text(label)


def _label(name: str, units: bool) -> str:
    if name in FEATURES:
        f = FEATURES[name]
        return f.label if units else f.definition()["short"]
    if name in _COLUMN_LABELS:
        return _COLUMN_LABELS[name]
    band = _band_label(name, units)
    if band is not None:
        return band
    for suffix, template in (
        ("_err", "error of {}"),
        ("_ul", "{}: upper limit"),
        ("_censored", "{}: censored"),
        ("_imputed", "{}: imputed"),
    ):
        base = name.removesuffix(suffix)
        if base != name and (base in FEATURES or _band_label(base, False)):
            inner = _label(base, units and suffix == "_err")
            return template.format(inner)
    if name.startswith("truth_"):
        return f"{name.removeprefix('truth_').replace('_', ' ')} (planted truth)"
    return name
