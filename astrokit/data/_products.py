"""Survey product layouts into the pixel table: PHANGS-MUSE DAP, JWST/HST, EDGE-CALIFA.

- PHANGS-MUSE DAP maps: one FITS per galaxy, one extension per line and
  quantity (``HA6562_FLUX``, ``HA6562_FLUX_ERR``, ...). The [SII] doublet is
  two extensions (``SII6716``, ``SII6730``), summed into ``sii6716_31`` with
  errors added in quadrature.
- PHANGS-JWST and PHANGS-HST images: one FITS per filter with a science
  extension and an error extension (``SCI``/``ERR``), or an inverse-variance
  weight (``WHT``, turned into ``1 / sqrt(WHT)``).
- EDGE-CALIFA Pipe3D HDF5 tables (``flux_elines_sm``): one row per spaxel;
  columns such as ``flux_[NII]6583_sm`` and ``e_flux_[NII]6583_sm`` become
  the kit's ``nii6583`` and ``nii6583_err`` in the kit's line unit.
  Pipe3D's equivalent widths are negative for emission (a flux below the
  continuum is positive); ``ew_halpha`` is given with the sign flipped so
  that emission is positive, in Angstrom.

Each reader passes the other keywords on to :func:`read_maps` (e.g.
``resolution="150 pc"``), except EDGE-CALIFA, which is already a table.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from astrokit._shared.bands import BANDS, ERR_SUFFIX, UL_SUFFIX
from astrokit.data._maps import read_maps

__all__ = ["read_muse_dap", "read_images", "read_edge_califa", "MUSE_DAP_LINES"]

MUSE_DAP_LINES = {
    "halpha": "HA6562",
    "hbeta": "HB4861",
    "oiii5007": "OIII5006",
    "nii6583": "NII6583",
    "oi6300": "OI6300",
    "sii6716_31": ("SII6716", "SII6730"),
}
"""Kit band -> PHANGS-MUSE DAP extension prefix (``<prefix>_FLUX`` and
``<prefix>_FLUX_ERR``); the [SII] doublet is two prefixes, summed."""

EDGE_LINES = {
    "halpha": "Halpha",
    "hbeta": "Hbeta",
    "oiii5007": "[OIII]5007",
    "nii6583": "[NII]6583",
    "oi6300": "[OI]6300",
    "sii6716_31": ("[SII]6717", "[SII]6731"),
}
"""Kit band -> EDGE-CALIFA Pipe3D line name (``flux_<name>_sm``)."""


def read_muse_dap(path, *, bands=None, detection_snr: float = 3.0, **kwargs):
    """A PHANGS-MUSE DAP ``*_MAPS.fits`` file into the pixel table.

    Parameters
    ----------
    path : path
        The multi-extension MAPS file of one galaxy.
    bands : list of str, optional
        Kit bands to read (keys of ``MUSE_DAP_LINES``); default all.
    detection_snr : float, default 3.0
        As in :func:`read_maps`; the summed [SII] is flagged from its summed
        error.
    **kwargs
        Passed to :func:`read_maps` (``resolution=``, ``grid=``, ``galaxy=``...).

    Returns
    -------
    pandas.DataFrame
        The pixel table, bands in the kit's line unit.
    """
    bands = list(MUSE_DAP_LINES) if bands is None else list(bands)
    unknown = sorted(set(bands) - set(MUSE_DAP_LINES))
    if unknown:
        msg = f"bands={unknown} are not PHANGS-MUSE DAP lines {list(MUSE_DAP_LINES)}."
        raise ValueError(msg)
    maps, errors, pairs = {}, {}, {}
    for band in bands:
        prefixes = MUSE_DAP_LINES[band]
        names = [band] if isinstance(prefixes, str) else [f"_{p}" for p in prefixes]
        prefixes = [prefixes] if isinstance(prefixes, str) else list(prefixes)
        for name, prefix in zip(names, prefixes, strict=True):
            maps[name] = (path, f"{prefix}_FLUX")
            errors[name] = (path, f"{prefix}_FLUX_ERR")
        if len(names) == 2:
            pairs[band] = names
    table = read_maps(maps, errors=errors, detection_snr=detection_snr, **kwargs)
    return _sum_pairs(table, pairs, bands, detection_snr)


def _sum_pairs(table, pairs, bands, detection_snr):
    for band, (a, b) in pairs.items():
        table[band] = (table[a] + table[b]).astype(np.float32)
        err = np.hypot(table[a + ERR_SUFFIX], table[b + ERR_SUFFIX]).astype(np.float32)
        table[band + ERR_SUFFIX] = err
        covered = table[band].notna() & err.notna()
        table[band + UL_SUFFIX] = covered & (table[band] < detection_snr * err)
        units = table.attrs.get("units", {})
        units[band] = units[band + ERR_SUFFIX] = units.get(a)
        drop = [c for n in (a, b) for c in (n, n + ERR_SUFFIX, n + UL_SUFFIX)]
        table = table.drop(columns=[c for c in drop if c in table])
    order = ["galaxy", "x", "y", "ra", "dec"]
    for band in bands:
        order += [c for c in (band, band + ERR_SUFFIX, band + UL_SUFFIX) if c in table]
    attrs = table.attrs
    table = table[order + [c for c in table.columns if c not in order]]
    table.attrs = attrs
    return table


def read_images(paths, *, sci="SCI", err="ERR", **kwargs):
    """JWST or HST images (one file per filter) into the pixel table.

    ``paths`` is ``{band: path}``; each file's ``sci`` extension is the map
    and its ``err`` extension the 1-sigma error, or, with ``err="WHT"``, an
    inverse-variance weight turned into ``1 / sqrt(WHT)`` (a weight of 0 is
    no measurement). Other keywords go to :func:`read_maps`.
    """
    maps = {band: (path, sci) for band, path in paths.items()}
    if err != "WHT":
        errors = {band: (path, err) for band, path in paths.items()}
        return read_maps(maps, errors=errors, **kwargs)
    from astropy.io import fits

    with tempfile.TemporaryDirectory() as tmp:
        errors = {}
        for band, path in paths.items():
            with fits.open(path) as hdul:
                weight = np.asarray(hdul[err].data, dtype=np.float64)
                header = hdul[sci].header.copy()
            with np.errstate(divide="ignore", invalid="ignore"):
                sigma = np.where(weight > 0, 1 / np.sqrt(weight), np.nan)
            errors[band] = Path(tmp) / f"{band}_err.fits"
            fits.writeto(errors[band], sigma.astype(np.float32), header)
        table = read_maps(maps, errors=errors, **kwargs)
    for band, path in paths.items():  # the temporary files are gone
        table.attrs["files"][band + ERR_SUFFIX] = f"1/sqrt({path}[{err}])"
    return table


def read_edge_califa(path, *, table: str = "flux_elines_sm", detection_snr=3.0):
    """An EDGE-CALIFA Pipe3D HDF5 file into a pixel table (kit band names).

    Columns ``galaxy``, ``x``, ``y`` (``ix``, ``iy``), ``ra``, ``dec``
    (``ra_abs``, ``dec_abs``), per line ``<band>``, ``<band>_err``,
    ``<band>_ul`` in the kit's line unit (1e-20 erg/s/cm2), and
    ``ew_halpha`` (Angstrom, emission positive: Pipe3D's sign flipped).
    """
    import astropy.units as u

    from astrokit.data._catalogs import read_catalog

    raw = read_catalog(path, path=table)
    units = raw.attrs.get("units", {})
    out = {
        "galaxy": pd.Categorical(raw["Name"].astype(str).str.strip()),
        "x": raw["ix"].astype(np.int32),
        "y": raw["iy"].astype(np.int32),
        "ra": raw["ra_abs"].astype(float),
        "dec": raw["dec_abs"].astype(float),
    }
    for band, names in EDGE_LINES.items():
        names = [names] if isinstance(names, str) else list(names)
        cols = [f"flux_{n}_sm" for n in names]
        if not all(c in raw for c in cols):
            continue
        factor = u.Unit(units.get(cols[0], "1e-16 erg/(s cm2)")).to(BANDS[band].unit)
        value = sum(raw[c] for c in cols) * factor
        err = np.sqrt(sum(raw[f"e_{c}"] ** 2 for c in cols)) * factor
        out[band], out[band + ERR_SUFFIX] = (
            value.astype(np.float32),
            err.astype(np.float32),
        )
        out[band + UL_SUFFIX] = (
            value.notna() & err.notna() & (value < detection_snr * err)
        )
    if "EW_Halpha_sm" in raw:
        out["ew_halpha"] = (-raw["EW_Halpha_sm"]).astype(np.float32)
    frame = pd.DataFrame(out)
    frame.attrs = {
        "units": {b: BANDS[b].unit for b in EDGE_LINES if b in frame}
        | {b + ERR_SUFFIX: BANDS[b].unit for b in EDGE_LINES if b in frame}
        | {"ew_halpha": "Angstrom"},
        "detection_snr": float(detection_snr),
        "truth_columns": [],
        "source": f"read_edge_califa({Path(path).name}, table={table!r})",
    }
    return frame
