"""The generator's raw observations: each instrument at its own beam, grid and noise.

:func:`write_raw_observations` writes, for each synthetic galaxy, the FITS
files a PHANGS user downloads before standardising them: an ALMA CO(2-1)
moment-0 map and its error map, one PHANGS-MUSE-DAP-like multi-extension
file, and one JWST or HST image per filter (``SCI`` and ``ERR``). They come
from the same underlying truth as :func:`make_galaxies` (the same clump
catalogues, textures and footprints for one ``random_state``), so lesson 01
can teach the standardisation step offline, and :func:`raw_truth` grades a
standardised table against the noiseless sky at 150 pc.

How the files are made:

1. The model (``_synthetic_structure``, ``_synthetic_emission``) is evaluated
   on a fine north-up grid of :data:`MODEL_PC` pixels over a square field of
   :data:`FIELD_KPC` (per tier) around the centre, plus a margin. That is the
   noiseless sky. Its finest structure is its clumps' edges (tens of pc);
   10 pc is 0.1-0.2", so the HST and NIRCam maps, whose PSFs are finer, show
   no more detail than that.
2. Each band is convolved with its native beam on that grid and sampled
   (bilinear) onto its instrument's own grid (:data:`INSTRUMENTS`: pixel
   size, extent and centre). ALMA's beam (:data:`ALMA_BEAM`, elliptical) is
   in its header (BMAJ/BMIN/BPA); MUSE's seeing (:data:`MUSE_SEEING`) is in
   the file name, as PHANGS-MUSE names its products (``-0.86asec_MAPS``);
   JWST and HST carry no beam: their PSFs are those of ``PSF_FWHM``, the
   kit's table. Inside each grid the generator's footprints cut NaNs.
3. Noise: the generator's error at 150 pc (``noise_sigma``, the depth
   patterns of :func:`make_galaxies`) divided by the factor by which
   smoothing from the native beam to 150 pc reduces a pixel's noise, so that
   the standardised maps have the generator's errors. ALMA's noise is white
   noise smoothed by a Gaussian of the beam over sqrt(2) (its
   autocorrelation is the beam, as in interferometer maps); the others'
   noise is independent per pixel. The error maps give the per-pixel sigma.
4. The truth at the common resolution (``<galaxy>_truth_150pc.fits``): the
   noiseless model convolved with a circular 150 pc Gaussian (MUSE lines per
   arcsec2), and the point-wise truth labels (environment, A_V, radius).

Not written: the CO line width (a moment of the cube, not a map that
smoothing turns into the coarser one) and the anomalies of
:func:`make_galaxies` (single pixels of its grid). The convolutions are
scipy's ``oaconvolve`` with astropy kernels (``_convolve.kernel_for``), the
beam algebra radio-beam's; the sampling between the grids is plain bilinear
weights, because every grid here is a TAN projection about the same centre,
so grid-to-grid coordinates are exactly linear (``reproject`` would compute
the same at more cost).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from astrokit._shared.bands import BANDS
from astrokit.data._synthetic_emission import emission
from astrokit.data._synthetic_geometry import GALAXY_SPECS, Grid, _wcs_header
from astrokit.data._synthetic_raw_maps import (
    ALMA_BEAM,
    INSTRUMENTS,
    MUSE_SEEING,
)

__all__ = [
    "write_raw_observations",
    "raw_truth",
    "FIELD_KPC",
    "MODEL_PC",
    "INSTRUMENTS",
    "ALMA_BEAM",
    "MUSE_SEEING",
]

FIELD_KPC = {"tiny": 2.4, "demo": 6.0, "full": 12.0}
"""Side (kpc) of the square field of each galaxy, per tier."""
FIELD_CENTRE_KPC = {
    "NGC0628": (0.3, -1.9),
    "NGC1365": (-0.5, -1.7),
    "NGC7496": (-0.5, 2.4),
}
"""Field centre per galaxy: (east, north) offset (kpc) from the nucleus, so
that the tiny field holds the bulge edge and the nearest arm or bar lane."""
MODEL_PC = 10.0
"""Pixel (pc) of the grid the noiseless sky is evaluated on."""
MARGIN_KPC = 0.35
COMMON_PC = 150.0


def _arcsec_per_pc(spec) -> float:
    return math.degrees(1.0 / (spec.dist_mpc * 1e6)) * 3600.0


def _model_grid(spec, half_kpc: float, centre) -> Grid:
    """A north-up grid of MODEL_PC pixels, ``half_kpc`` each side of ``centre``.

    ``centre`` is the field centre's (east, north) offset from the galaxy
    centre in kpc; the WCS reference point stays the galaxy centre, so the
    tangent-plane offsets, and the deprojection, are exact.
    """
    from astropy.io import fits

    p_kpc = MODEL_PC / 1000.0
    n = 2 * int(math.ceil(half_kpc / p_kpc)) + 1
    pa, cos_i = math.radians(spec.pa_deg), math.cos(math.radians(spec.incl_deg))
    yy, xx = np.mgrid[0:n, 0:n]
    east = centre[0] - (xx - (n - 1) / 2) * p_kpc
    north = centre[1] + (yy - (n - 1) / 2) * p_kpc
    xd = east * math.sin(pa) + north * math.cos(pa)
    yd = (-east * math.cos(pa) + north * math.sin(pa)) / cos_i
    header = fits.Header.fromstring(_wcs_header(spec, MODEL_PC, n, n))
    header["CRPIX1"] = (n + 1) / 2 + centre[0] / p_kpc
    header["CRPIX2"] = (n + 1) / 2 - centre[1] / p_kpc
    return Grid(spec, MODEL_PC, n, n, header.tostring(), east, north, xd, yd)


def _sky(name: str, seed: int, grid: Grid) -> dict:
    """The noiseless model on ``grid``: band maps, 150 pc errors, footprints."""
    from astrokit.data._synthetic import GALAXIES, noise_sigma
    from astrokit.data._synthetic_geometry import footprints
    from astrokit.data._synthetic_structure import build_structure

    spec, gid = GALAXY_SPECS[name], GALAXIES.index(name)
    shape = (grid.ny, grid.nx)
    cover = footprints(grid, np.random.default_rng([seed, gid, 2]))
    flat = [a.ravel() for a in (grid.xd, grid.yd, grid.east, grid.north)]
    s = build_structure(spec, np.random.default_rng([seed, gid, 0]), *flat)
    none = np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng([seed, gid, 3])
    truth, env, av = emission(s, spec.r_disc_kpc, rng, none, none.astype(str))
    info = {
        "r_frac": np.minimum(s.r / spec.r_disc_kpc, 1.0),
        "texture": s.texture[1],
        "continuum": truth["f555w"],
        "co21_true": truth["co21"],
        **{k: cover[k].ravel() for k in ("muse_depth", "jwst_depth", "hst_depth")},
    }
    bands = [b for inst in INSTRUMENTS.values() for b in inst[3]]
    return {
        "truth": {b: truth[b].reshape(shape) for b in bands},
        "sigma": {b: noise_sigma(b, truth[b], info).reshape(shape) for b in bands},
        "cover": {k: cover[k] for k in ("ALMA", "MUSE", "JWST", "HST")},
        "env": env.reshape(shape),
        "av": av.reshape(shape),
        "r": s.r.reshape(shape),
    }


def _model(spec, grid: Grid, tier: str) -> dict:
    import astropy.units as u
    from astropy.io import fits
    from astropy.wcs import WCS
    from radio_beam import Beam

    scale = _arcsec_per_pc(spec)
    header = fits.Header.fromstring(grid.header)
    return {
        "wcs": WCS(header),
        "pixel_arcsec": MODEL_PC * scale,
        "n": grid.nx,
        "field_arcsec": FIELD_KPC[tier] * 1000.0 * scale,
        "centre_arcsec": tuple(1000.0 * c * scale for c in FIELD_CENTRE_KPC[spec.name]),
        "crpix": (header["CRPIX1"], header["CRPIX2"]),
        "target": Beam(COMMON_PC * scale * u.arcsec),
    }


def _write_truth(folder: Path, name: str, sky: dict, grid: Grid, model: dict):
    """The noiseless sky at 150 pc and the truth labels, cropped to the field."""
    from astropy.io import fits

    from astrokit.data._synthetic_raw_maps import MUSE_SPAXEL2, _convolve
    from astrokit.data._synthetic_structure import ENVIRONMENTS

    half = int(round(model["field_arcsec"] / 2 / model["pixel_arcsec"]))
    c = (grid.nx - 1) // 2
    cut = slice(c - half, c + half + 1)
    header = fits.Header.fromstring(grid.header)
    header["CRPIX1"] -= c - half
    header["CRPIX2"] -= c - half
    header["BMAJ"] = header["BMIN"] = model["target"].major.to("deg").value
    header["BPA"] = 0.0
    primary = fits.PrimaryHDU(header=fits.Header([("OBJECT", name)]))
    primary.header["COMMENT"] = "astrokit raw observations: the truth at 150 pc"
    hdus = [primary]
    for band, image in sky["truth"].items():
        smooth = _convolve(image, model["target"], model["wcs"])[cut, cut]
        card = header.copy()
        card["BUNIT"] = BANDS[band].unit
        if BANDS[band].instrument == "MUSE":
            smooth, card["BUNIT"] = smooth / MUSE_SPAXEL2, "1e-20 erg / (s cm2 arcsec2)"
        hdus.append(fits.ImageHDU(smooth.astype(np.float32), card, name=band.upper()))
    card = header.copy()
    card["COMMENT"] = "codes: " + ", ".join(
        f"{i}={e}" for i, e in enumerate(ENVIRONMENTS)
    )
    hdus.append(fits.ImageHDU(sky["env"][cut, cut].astype(np.int16), card, "TRUTH_ENV"))
    for key, ext in (("av", "TRUTH_AV"), ("r", "TRUTH_RGAL_KPC")):
        image = sky[key][cut, cut].astype(np.float32)
        hdus.append(fits.ImageHDU(image, header.copy(), name=ext))
    path = folder / f"{name.lower()}_truth_150pc.fits"
    fits.HDUList(hdus).writeto(path, overwrite=True)
    return path


def _check_folder(folder) -> Path:
    try:
        path = Path(folder)
    except TypeError:
        msg = f"folder={folder!r} must be a path to a folder (str or pathlib.Path)."
        raise TypeError(msg) from None
    if path.exists() and not path.is_dir():
        msg = f"folder={str(folder)!r} is a file; give a folder to write the maps in."
        raise ValueError(msg)
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_raw_observations(
    folder, *, tier: str | None = None, galaxies=None, random_state: int = 0
) -> pd.DataFrame:
    """Write the synthetic galaxies as raw per-instrument FITS files.

    The files a PHANGS user starts from, at each instrument's native
    resolution, pixel size, field and noise (see the module docstring for
    how they are made), from the same underlying galaxy as
    :func:`make_galaxies` with the same ``random_state``.

    Parameters
    ----------
    folder : str or Path
        Where to write (created if needed; files of the same name are
        replaced).
    tier : {"tiny", "demo", "full"}, optional
        The field: a square of ``FIELD_KPC[tier]`` kpc (2.4, 6 or 12) about
        ``FIELD_CENTRE_KPC[galaxy]``. Default: ``$ASTROKIT_TIER`` or ``"demo"``.
    galaxies : str or list of str, optional
        A subset of ``GALAXIES``; default all three.
    random_state : int, default 0
        The generator's seed (the galaxy's structure, its footprints and the
        noise).

    Returns
    -------
    pandas.DataFrame
        One row per band: ``galaxy``, ``instrument``, ``band``, ``path`` and
        ``hdu`` (the map), ``err_path`` and ``err_hdu`` (its 1-sigma error
        map), the native beam (``beam_major_arcsec``, ``beam_minor_arcsec``,
        ``beam_pa_deg``) and where a reader finds it (``beam_from``: the
        header, the file name, or the kit's ``PSF_FWHM`` table),
        ``pixel_arcsec``, ``ny``, ``nx``, ``unit``, ``noise`` ("beam": like
        the beam, ALMA; "pixel": independent pixels). The MUSE [SII] doublet
        is two rows, ``sii6716`` and ``sii6731`` (add them for
        ``sii6716_31``). ``attrs``: ``folder``, ``tier``, ``random_state``,
        ``field_kpc``, ``truth`` (``{galaxy: path}`` of the truth at 150 pc,
        read by :func:`raw_truth`).

    Raises
    ------
    ValueError
        An unknown tier or galaxy, a bad ``random_state``, or ``folder`` is
        a file.

    Examples
    --------
    >>> import tempfile
    >>> files = write_raw_observations(tempfile.mkdtemp(), tier="tiny",
    ...                                galaxies="NGC1365")  # doctest: +SKIP
    >>> maps = {f.band: (f.path, f.hdu) for f in files.itertuples()}  # doctest: +SKIP
    >>> errors = {f.band: (f.err_path, f.err_hdu) for f in files.itertuples()}
    ... # doctest: +SKIP
    >>> table = read_maps(maps, errors=errors, resolution="150 pc")  # doctest: +SKIP
    """
    from astrokit._shared.cache import default_tier
    from astrokit.data._synthetic import (
        GALAXIES,
        _check_galaxies,
        check_random_state,
        check_tier,
    )
    from astrokit.data._synthetic_raw_maps import write_instrument

    tier = default_tier() if tier is None else check_tier(tier)
    seed = check_random_state(random_state)
    names = _check_galaxies(galaxies)
    folder = _check_folder(folder)
    rows, truth = [], {}
    for name in names:
        spec = GALAXY_SPECS[name]
        half = FIELD_KPC[tier] / 2 + MARGIN_KPC
        grid = _model_grid(spec, half, FIELD_CENTRE_KPC[name])
        sky = _sky(name, seed, grid)
        model = _model(spec, grid, tier)
        rng = np.random.default_rng([seed, GALAXIES.index(name), 4])
        for inst in INSTRUMENTS:
            rows += write_instrument(folder, name, inst, sky, model, rng)
        truth[name] = str(_write_truth(folder, name, sky, grid, model))
    manifest = pd.DataFrame(rows)
    manifest.attrs = {
        "folder": str(folder),
        "tier": tier,
        "random_state": seed,
        "field_kpc": FIELD_KPC[tier],
        "truth": truth,
    }
    return manifest


def raw_truth(table: pd.DataFrame, folder) -> pd.DataFrame:
    """The noiseless truth at 150 pc at each row's sky position.

    Grades a table standardised from :func:`write_raw_observations`' files
    (it never chooses anything): the truth files in ``folder`` are sampled
    at each row's ``ra``/``dec`` (bilinear; the labels at the nearest model
    pixel).

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``galaxy``, ``ra``, ``dec`` (e.g. from :func:`read_maps`).
    folder : str or Path
        The folder the raw observations were written to.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``table``: per band its true value at 150 pc (NaN
        outside the field), in the band's unit; MUSE lines per pixel of the
        table's grid (``attrs["wcs"]``), as :func:`read_maps` gives them, else
        per 0.2" spaxel; ``sii6716`` and ``sii6731`` too when the table has
        them. Then ``truth_env`` (categorical), ``truth_av`` (mag) and
        ``truth_rgal_kpc``.

    Raises
    ------
    ValueError
        ``table`` lacks ``galaxy``, ``ra`` or ``dec``.
    FileNotFoundError
        No truth file in ``folder`` for one of the table's galaxies.
    """
    from astropy.io import fits
    from astropy.wcs import WCS
    from scipy.ndimage import map_coordinates

    from astrokit.data._convolve import pixel_scale_arcsec
    from astrokit.data._synthetic_raw_maps import MUSE_SPAXEL2, SII_SPLIT
    from astrokit.data._synthetic_structure import ENVIRONMENTS

    missing = [c for c in ("galaxy", "ra", "dec") if c not in table]
    if missing:
        msg = (
            f"table lacks the columns {missing}; raw_truth needs galaxy, ra and "
            "dec (a pixel table from read_maps)."
        )
        raise ValueError(msg)
    folder, n = Path(folder), len(table)
    names = table["galaxy"].astype(str).to_numpy()
    out: dict[str, np.ndarray] = {}
    for name in pd.unique(names):
        path = folder / f"{name.lower()}_truth_150pc.fits"
        if not path.is_file():
            msg = (
                f"No truth file for galaxy {name!r} in {folder} ({path.name}); write "
                f"it with write_raw_observations({str(folder)!r}, galaxies={name!r})."
            )
            raise FileNotFoundError(msg)
        rows = np.flatnonzero(names == name)
        area = MUSE_SPAXEL2
        if name in table.attrs.get("wcs", {}):
            wcs = WCS(fits.Header.fromstring(table.attrs["wcs"][name]))
            area = pixel_scale_arcsec(wcs) ** 2
        with fits.open(path) as hdul:
            wcs = WCS(hdul["TRUTH_AV"].header)
            x, y = wcs.world_to_pixel_values(table["ra"].to_numpy()[rows],
                                             table["dec"].to_numpy()[rows])  # fmt: skip
            for hdu in hdul[1:]:
                key = hdu.name.lower()
                order = 0 if key == "truth_env" else 1
                image = np.asarray(hdu.data, dtype=float)
                value = map_coordinates(image, [y, x], order=order, cval=np.nan)
                if key in BANDS and BANDS[key].instrument == "MUSE":
                    value = value * area
                out.setdefault(key, np.full(n, np.nan))[rows] = value
    for band, share in (("sii6716", SII_SPLIT), ("sii6731", 1 - SII_SPLIT)):
        if band in table and "sii6716_31" in out:
            out[band] = share * out["sii6716_31"]
    codes = np.nan_to_num(out.pop("truth_env"), nan=-1).astype(int)
    frame = pd.DataFrame(out, index=table.index)
    frame["truth_env"] = pd.Categorical.from_codes(codes, categories=list(ENVIRONMENTS))
    frame["truth_av"] = frame.pop("truth_av")
    frame["truth_rgal_kpc"] = frame.pop("truth_rgal_kpc")
    return frame
