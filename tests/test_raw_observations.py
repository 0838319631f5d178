"""The generator's raw observations, standardised back to the common resolution."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pandas as pd
import pytest
from astropy.io import fits
from astropy.wcs import WCS

from astrokit._shared.bands import BANDS
from astrokit.data import (
    make_galaxies,
    raw_truth,
    read_images,
    read_maps,
    read_muse_dap,
    write_raw_observations,
)
from astrokit.data._synthetic_raw import ALMA_BEAM, INSTRUMENTS, MUSE_SEEING

GALAXY = "NGC1365"
RATIOS = [
    ("nii6583", "halpha"),
    ("sii6716_31", "halpha"),
    ("oiii5007", "hbeta"),
    ("oi6300", "halpha"),
    ("halpha", "hbeta"),
    ("co21", "halpha"),
    ("f1130w", "f770w"),
    ("f335m", "f1130w"),
    ("f2100w", "f770w"),
    ("f275w", "f555w"),
    ("f438w", "f814w"),
]


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    return write_raw_observations(folder, tier="tiny", galaxies=GALAXY), folder


def _inputs(files):
    maps = {f.band: (f.path, f.hdu) for f in files.itertuples()}
    errors = {f.band: (f.err_path, f.err_hdu) for f in files.itertuples()}
    return maps, errors


def _with_sii(table):
    table["sii6716_31"] = table["sii6716"] + table["sii6731"]
    if "sii6716_err" in table:
        err = np.hypot(table["sii6716_err"], table["sii6731_err"])
        table["sii6716_31_err"] = err
    return table


@pytest.fixture(scope="module")
def standardised(raw):
    files, folder = raw
    maps, errors = _inputs(files)
    table = _with_sii(read_maps(maps, errors=errors, resolution="150 pc"))
    return table, _with_sii(raw_truth(table, folder))


def _interior(table, files, margin):
    """Rows at least ``margin`` arcsec inside every raw map's grid."""
    keep = np.ones(len(table), dtype=bool)
    for f in files.itertuples():
        wcs = WCS(fits.getheader(f.path, f.hdu))
        x, y = wcs.world_to_pixel_values(table["ra"].to_numpy(), table["dec"])
        edge = np.minimum.reduce([x, f.nx - 1 - x, y, f.ny - 1 - y]) * f.pixel_arcsec
        keep &= edge > margin
    return keep


def test_every_band_has_its_native_beam_grid_and_distance(raw):
    files, _ = raw
    bands = set(files["band"])
    expected = set(BANDS) - {"co21_width", "sii6716_31"} | {"sii6716", "sii6731"}
    assert bands == expected
    assert files.groupby("instrument")["pixel_arcsec"].first().to_dict() == {
        name: spec[0] for name, spec in INSTRUMENTS.items()
    }
    for f in files.itertuples():
        header = fits.getheader(f.path, f.hdu)
        assert WCS(header).has_celestial
        assert header["DIST_MPC"] == pytest.approx(19.57)
        assert header["BUNIT"]
        assert (header["NAXIS1"], header["NAXIS2"]) == (f.nx, f.ny)
    alma = fits.getheader(files.set_index("band").loc["co21", "path"])
    bmaj, bmin, bpa = ALMA_BEAM[GALAXY]
    assert alma["BMAJ"] * 3600 == pytest.approx(bmaj)
    assert alma["BMIN"] * 3600 == pytest.approx(bmin)
    assert alma["BPA"] == pytest.approx(bpa)
    muse = files[files["instrument"] == "MUSE"]
    assert muse["path"].nunique() == 1
    assert (
        muse["path"]
        .iloc[0]
        .endswith(f"{GALAXY}-{MUSE_SEEING[GALAXY]:.2f}asec_MAPS.fits")
    )
    assert set(files["beam_from"]) == {"header", "file name", "PSF_FWHM"}


def test_one_read_maps_call_records_each_band_beam(standardised, raw):
    table, _ = standardised
    files, _ = raw
    info = table.attrs["resolution"]
    assert info["fwhm_pc"] == pytest.approx(150.0)
    assert info["grid"]["kind"] == "new"
    for f in files.itertuples():
        band = info["bands"][f.band]
        assert band["beam_from"] == f.beam_from
        assert band["native_beam"]["bmaj_arcsec"] == pytest.approx(f.beam_major_arcsec)
        assert band["pixel_arcsec"] == pytest.approx(f.pixel_arcsec)


def test_round_trip_has_no_bias_in_line_or_band_ratios(standardised):
    """The target of issue 10: median log-ratio offset below 0.02 dex."""
    table, truth = standardised
    for a, b in RATIOS:
        snr = (table[a] / table[a + "_err"] >= 5) & (table[b] / table[b + "_err"] >= 5)
        offset = np.log10(table[a][snr] / table[b][snr])
        offset = (offset - np.log10(truth[a] / truth[b]))[snr].dropna()
        assert len(offset) > 200, (a, b)
        assert abs(np.median(offset)) < 0.02, (a, b, np.median(offset))


def test_round_trip_recovers_each_band_within_its_error(standardised, raw):
    """Inside the maps' edges the standardised values scatter about the truth
    by their propagated errors: pull widths near 1 for every band, ALMA's
    beam-correlated noise included."""
    table, truth = standardised
    files, _ = raw
    inner = _interior(table, files, 2 * table.attrs["resolution"]["fwhm_arcsec"])
    assert inner.sum() > 150
    for band in files["band"]:
        value, err = table[band][inner], table[band + "_err"][inner]
        pull = (value - truth[band][inner]) / err
        bright = value / err >= 5
        ratio = value[bright] / truth[band][inner][bright]
        assert abs(np.median(np.log10(ratio))) < 0.02, band
        if np.median(err / value) > 1e-3:  # noise, not rounding, dominates
            assert 0.75 < pull.std() < 1.3, (band, pull.std())


def test_alma_noise_is_correlated_like_the_beam(raw):
    """Treated as independent pixels, the smoothed CO errors come out far too
    small: the raw noise is correlated over the beam, as in ALMA maps."""
    files, folder = raw
    row = files.set_index("band").loc["co21"]
    pulls = {}
    for noise in ("auto", "pixel"):
        co = read_maps(
            {"co21": row["path"]}, errors={"co21": row["err_path"]},
            resolution="150 pc", noise=noise,
        )  # fmt: skip
        inner = _interior(co, files[files["band"] == "co21"], 3.0)
        truth = raw_truth(co, folder)["co21"]
        pulls[noise] = ((co["co21"] - truth) / co["co21_err"])[inner].std()
    assert 0.75 < pulls["auto"] < 1.3
    assert pulls["pixel"] > 2.5 * pulls["auto"]


def test_without_the_convolution_cross_instrument_ratios_are_wrong(raw, standardised):
    """Regridding every map to 150 pc pixels without smoothing (telling
    read_maps they already are at 150 pc) scatters F2100W/Halpha and
    CO/Halpha several times further from the truth than the matched maps."""
    files, folder = raw
    table, truth = standardised
    maps, errors = _inputs(files)
    fwhm = table.attrs["resolution"]["fwhm_arcsec"] * u.arcsec
    raw_grid = read_maps(
        maps, errors=errors, resolution="150 pc", native=dict.fromkeys(maps, fwhm)
    )
    assert raw_grid.attrs["wcs"] == table.attrs["wcs"]
    raw_truth_ = raw_truth(raw_grid, folder)
    for a, b in (("f2100w", "halpha"), ("co21", "halpha")):
        spread = {}
        for name, t, tr in (("matched", table, truth), ("raw", raw_grid, raw_truth_)):
            with np.errstate(invalid="ignore", divide="ignore"):
                off = np.log10(t[a] / t[b]) - np.log10(tr[a] / tr[b])
            off = off[np.isfinite(off)]
            spread[name] = np.median(np.abs(off - np.median(off)))
        assert spread["raw"] > 1.5 * spread["matched"], (a, b, spread)


def test_muse_and_image_files_are_read_by_the_product_readers(raw, standardised):
    files, _ = raw
    table, _ = standardised
    by_band = files.set_index("band")
    muse = read_muse_dap(by_band.loc["halpha", "path"], resolution="150 pc")
    assert {"halpha", "sii6716_31", "sii6716_31_err"} <= set(muse.columns)
    assert muse.attrs["resolution"]["bands"]["halpha"]["beam_from"] == "file name"
    hst = read_images({"f555w": by_band.loc["f555w", "path"]}, resolution="150 pc")
    assert hst.attrs["resolution"]["bands"]["f555w"]["beam_from"] == "PSF_FWHM"
    assert np.nanmedian(hst["f555w"]) == pytest.approx(
        np.nanmedian(table["f555w"]), rel=0.2
    )


def test_the_same_galaxy_as_make_galaxies(raw):
    """Same random_state, same galaxy: at make_galaxies' pixel positions the
    raw truth has the same environments and galactocentric radii."""
    _, folder = raw
    pixels = make_galaxies("tiny", galaxies=GALAXY, random_state=0)
    truth = raw_truth(pixels, folder)
    inside = truth["truth_rgal_kpc"].notna()
    assert inside.sum() >= 4
    radius = np.abs(truth["truth_rgal_kpc"] - pixels["truth_rgal_kpc"])[inside]
    assert radius.max() < 0.03
    same = truth["truth_env"][inside] == pixels["truth_env"][inside]
    assert same.mean() >= 0.75


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="tier='huge' is not a data tier"):
        write_raw_observations(tmp_path, tier="huge")
    with pytest.raises(ValueError, match="galaxies='M31'"):
        write_raw_observations(tmp_path, tier="tiny", galaxies="M31")
    with pytest.raises(ValueError, match="random_state=-1"):
        write_raw_observations(tmp_path, tier="tiny", random_state=-1)
    path = tmp_path / "a_file.txt"
    path.write_text("not a folder")
    with pytest.raises(ValueError, match="a_file.txt' is a file"):
        write_raw_observations(path, tier="tiny", galaxies=GALAXY)
    with pytest.raises(TypeError, match="folder=3"):
        write_raw_observations(3, tier="tiny", galaxies=GALAXY)


def test_raw_truth_needs_positions_and_its_files(tmp_path):
    with pytest.raises(ValueError, match=r"lacks the columns \['ra', 'dec'\]"):
        raw_truth(pd.DataFrame({"galaxy": ["NGC1365"]}), tmp_path)
    table = pd.DataFrame({"galaxy": ["NGC0628"], "ra": [24.17], "dec": [15.78]})
    with pytest.raises(FileNotFoundError, match="No truth file for galaxy 'NGC0628'"):
        raw_truth(table, tmp_path)
