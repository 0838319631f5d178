"""Beams: each map's native resolution, the common target, a galaxy's distance.

A map's beam comes, in this order, from ``native=`` (what the user says),
the header (``BMAJ``/``BMIN``/``BPA`` or a CASA/AIPS history line, read by
``radio_beam.Beam.from_fits_header``), or :data:`PSF_FWHM`, the typical PSF
of a known JWST or HST filter. MUSE maps have no fixed PSF (it is the
seeing of each galaxy's observations): their resolution is in the header or
the PHANGS-MUSE file name (``-0.92asec_MAPS``, ``-150pc_MAPS``), else it
must be given. The beam algebra (deconvolution, areas) is radio-beam's.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path

__all__ = ["PSF_FWHM", "native_beam", "target_beam", "galaxy_distance"]

log = logging.getLogger("astrokit.data")

PSF_FWHM: dict[str, float] = {
    # JWST NIRCam and MIRI: empirical PSF FWHM in arcsec, JWST User
    # Documentation (JDox), "NIRCam Point Spread Functions" and "MIRI Point
    # Spread Functions" tables; the values PHANGS-JWST (Lee et al. 2023,
    # ApJL 944, L17) builds its convolution kernels on.
    "f335m": 0.111,
    "f770w": 0.269,
    "f1130w": 0.375,
    "f2100w": 0.674,
    # HST WFC3/UVIS: model PSF core FWHM before pixelation at the filter's
    # pivot wavelength, WFC3 Instrument Handbook section 6.6 (Table 6.7).
    # Drizzled PHANGS-HST mosaics (Lee et al. 2022, ApJS 258, 10) are a
    # little broader; pass native= when the product documents its own PSF.
    "f275w": 0.080,
    "f336w": 0.074,
    "f438w": 0.070,
    "f555w": 0.067,
    "f814w": 0.074,
}
"""Typical PSF FWHM (arcsec) of the JWST and HST filters of the kit's bands,
used when a map's header gives no beam. Sources in the comments above; the
PSFs are not Gaussian (JWST's have strong diffraction wings), so matching
them with Gaussian kernels is an approximation that is good once the target
is several times the PSF (PHANGS uses dedicated kernels below that)."""

_MUSE_NAME = re.compile(r"-(?P<value>[0-9.]+)(?P<unit>asec|pc)_MAPS", re.IGNORECASE)


def native_beam(label: str, band: str, fmap, given=None):
    """The native beam of one map and where it came from.

    Returns ``(radio_beam.Beam, source)`` with ``source`` one of
    ``"native="``, ``"header"``, ``"file name"``, ``"PSF_FWHM"``.
    """
    import astropy.units as u
    from radio_beam import Beam
    from radio_beam.beam import NoBeamException

    if given is not None:
        if isinstance(given, Beam):
            return given, "native="
        return Beam(_angle(f"native[{band!r}]", given)), "native="
    try:
        return Beam.from_fits_header(fmap.header), "header"
    except (NoBeamException, KeyError, ValueError, TypeError):
        pass
    match = _MUSE_NAME.search(fmap.path.name)
    if match and match["unit"].lower() == "asec":
        return Beam(float(match["value"]) * u.arcsec), "file name"
    if band in PSF_FWHM:
        return Beam(PSF_FWHM[band] * u.arcsec), "PSF_FWHM"
    msg = (
        f"{label} ({fmap.path.name}) has no beam in its header (BMAJ/BMIN) and "
        f"{band!r} is not a filter of PSF_FWHM; give its resolution, e.g. "
        f"native={{{band!r}: 0.8 * u.arcsec}} (a MUSE map: the seeing FWHM of "
        "its observations)."
    )
    raise ValueError(msg)


def target_beam(resolution, distance, *, galaxy: str, header=None):
    """The common circular beam for ``resolution`` (an angle, or a length).

    Returns ``(Beam, info)`` where ``info`` records the FWHM in arcsec, in
    parsec (NaN without a distance) and the distance in Mpc used.
    """
    import astropy.units as u
    from radio_beam import Beam

    size = _quantity("resolution", resolution)
    dist_mpc = math.nan
    if size.unit.physical_type == "length":
        dist_mpc = _distance_mpc(distance, galaxy, header)
        fwhm = (size / (dist_mpc * u.Mpc)).decompose().value * u.rad
    elif size.unit.physical_type == "angle":
        fwhm = size
        if distance is not None:
            dist_mpc = _distance_mpc(distance, galaxy, header)
    else:
        msg = (
            f"resolution={resolution!r} must be an angle (e.g. 1.5 * u.arcsec, "
            "'1.5 arcsec') or a length at the galaxy (e.g. '150 pc')."
        )
        raise ValueError(msg)
    if not (fwhm.value > 0 and math.isfinite(fwhm.value)):
        msg = f"resolution={resolution!r} must be positive and finite."
        raise ValueError(msg)
    arcsec = float(fwhm.to(u.arcsec).value)
    parsec = math.radians(arcsec / 3600) * dist_mpc * 1e6
    info = {"fwhm_arcsec": arcsec, "fwhm_pc": parsec, "distance_mpc": dist_mpc}
    return Beam(arcsec * u.arcsec), info


def galaxy_distance(galaxy: str, *, sample_table: str | Path | None = None):
    """A PHANGS galaxy's distance (``astropy`` Quantity in Mpc) from the sample table.

    Parameters
    ----------
    galaxy : str
        A name such as ``"NGC3621"``, ``"NGC 628"`` or ``"ngc0628"``.
    sample_table : path, optional
        The PHANGS sample table (``phangs_sample_table_v1p6.fits``). Default:
        the registry's ``phangs_sample_table``, downloaded once into the cache
        (``astrokit.data.fetch``), which needs a network the first time.

    Returns
    -------
    astropy.units.Quantity
        The ``dist`` column of the galaxy's row (Mpc).

    Raises
    ------
    ValueError
        A galaxy that is not in the table (with close names).
    ConnectionError
        No local copy and no network to download the table.

    Examples
    --------
    >>> galaxy_distance("NGC 3621", sample_table="t.fits")  # doctest: +SKIP
    <Quantity 7.06 Mpc>
    """
    import difflib

    import astropy.units as u
    from astropy.table import Table

    if sample_table is None:
        sample_table = _cached_sample_table()
    table = Table.read(sample_table)
    names = [str(n).strip().lower() for n in table["name"]]
    key = _phangs_name(galaxy)
    if key not in names:
        close = difflib.get_close_matches(key, names, n=3)
        msg = (
            f"galaxy={galaxy!r} ({key!r}) is not in the PHANGS sample table "
            f"{Path(sample_table).name}"
            + (f"; close names: {close}" if close else "")
            + ". Pass distance= (e.g. distance=7.06 * u.Mpc)."
        )
        raise ValueError(msg)
    value = table["dist"][names.index(key)]
    return float(u.Quantity(value, u.Mpc).value) * u.Mpc


def _cached_sample_table() -> Path:
    """The registry's sample table in the download cache, fetched once if absent.

    The same file and folder as ``astrokit.data.fetch("phangs_sample_table")``
    (that module imports ``read_maps``, so it is not imported from here).
    """
    import json
    from importlib import resources

    from astrokit._shared.cache import cache_dir

    text = resources.files("astrokit.data").joinpath("registry.json").read_text()
    entry = next(
        e for e in json.loads(text)["datasets"] if e["name"] == "phangs_sample_table"
    )
    folder = cache_dir() / "downloads"
    path = folder / entry["filename"]
    if path.is_file():
        return path
    import pooch

    log.info("Downloading the PHANGS sample table from %s.", entry["url"])
    try:
        return Path(
            pooch.retrieve(
                entry["url"],
                known_hash=f"sha256:{entry['sha256']}",
                fname=entry["filename"],
                path=folder,
            )
        )
    except Exception as exc:  # noqa: BLE001 (any download failure: say what to do)
        msg = (
            f"The PHANGS sample table is not in {folder} and could not be "
            f"downloaded from {entry['url']} ({type(exc).__name__}: {exc}). Pass "
            "distance= (e.g. distance=7.06 * u.Mpc) or sample_table= (a local "
            "copy of phangs_sample_table_v1p6.fits)."
        )
        raise ConnectionError(msg) from exc


def _phangs_name(galaxy: str) -> str:
    """'NGC 628', 'ngc628', 'NGC0628' -> 'ngc0628' (the sample table's form)."""
    text = re.sub(r"[\s_]", "", str(galaxy)).lower()
    match = re.fullmatch(r"(ngc|ic)(\d+)([a-z]?)", text)
    if match:
        return f"{match[1]}{int(match[2]):04d}{match[3]}"
    return text


def _distance_mpc(distance, galaxy: str, header) -> float:
    """Mpc from distance= (a length or 'lookup'), else DIST_MPC, else lookup."""
    import astropy.units as u

    if distance is None and header is not None and "DIST_MPC" in header:
        return float(header["DIST_MPC"])
    if distance is None or (isinstance(distance, str) and distance == "lookup"):
        return float(galaxy_distance(galaxy).to(u.Mpc).value)
    value = _quantity("distance", distance)
    if value.unit.physical_type != "length" or not value.value > 0:
        msg = (
            f"distance={distance!r} must be a positive length (e.g. 7.06 * u.Mpc), "
            "'lookup' (the PHANGS sample table) or None."
        )
        raise ValueError(msg)
    return float(value.to(u.Mpc).value)


def _quantity(name: str, value):
    import astropy.units as u

    try:
        quantity = u.Quantity(value)
    except (TypeError, ValueError) as exc:
        msg = (
            f"{name}={value!r} is not a quantity with a unit; pass e.g. '150 pc', "
            "'1.5 arcsec' or 1.5 * u.arcsec."
        )
        raise ValueError(msg) from exc
    if quantity.unit == u.dimensionless_unscaled or quantity.ndim != 0:
        msg = f"{name}={value!r} needs one value with a unit (e.g. '150 pc')."
        raise ValueError(msg)
    return quantity


def _angle(name: str, value):
    quantity = _quantity(name, value)
    if quantity.unit.physical_type != "angle" or not quantity.value > 0:
        msg = f"{name}={value!r} must be a positive angle (e.g. 0.8 * u.arcsec)."
        raise ValueError(msg)
    return quantity
