"""Survey product layouts: PHANGS-MUSE DAP, JWST/HST images, EDGE-CALIFA HDF5."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table
from astropy.wcs import WCS

from astrokit.data import read_edge_califa, read_images, read_muse_dap

SHAPE = (12, 15)


def _header(bunit):
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crval, w.wcs.crpix = [24.17, 15.78], [8, 6]
    w.wcs.cdelt = [-0.2 / 3600, 0.2 / 3600]
    header = w.to_header()
    header["BUNIT"] = bunit
    return header


def _muse_file(path, rng):
    hdus = [fits.PrimaryHDU()]
    truth = {}
    for prefix in (
        "HA6562",
        "HB4861",
        "OIII5006",
        "NII6583",
        "OI6300",
        "SII6716",
        "SII6730",
    ):
        flux = rng.uniform(0, 100, SHAPE).astype(np.float32)
        truth[prefix] = flux
        head = _header("1e-20 erg/(s cm2)")
        hdus.append(fits.ImageHDU(flux, head, name=f"{prefix}_FLUX"))
        hdus.append(
            fits.ImageHDU(
                np.full(SHAPE, 10, np.float32), head, name=f"{prefix}_FLUX_ERR"
            )
        )
    fits.HDUList(hdus).writeto(path)
    return truth


def test_muse_dap_extensions_and_the_summed_sii_doublet(tmp_path, rng):
    path = tmp_path / "NGC0628-0.92asec_MAPS.fits"
    truth = _muse_file(path, rng)
    table = read_muse_dap(path, galaxy="NGC0628")
    assert "sii6716_31" in table and "_SII6716" not in table
    row = table.iloc[0]
    x, y = int(row["x"]), int(row["y"])
    expected = truth["SII6716"][y, x] + truth["SII6730"][y, x]
    assert row["sii6716_31"] == pytest.approx(expected, rel=1e-6)
    assert row["sii6716_31_err"] == pytest.approx(np.hypot(10, 10), rel=1e-6)
    ul = table["sii6716_31"] < 3 * table["sii6716_31_err"]
    assert (table["sii6716_31_ul"] == ul).all()
    assert row["halpha"] == pytest.approx(truth["HA6562"][y, x], rel=1e-6)
    smooth = read_muse_dap(path, bands=["halpha", "sii6716_31"], resolution="2 arcsec")
    bands = smooth.attrs["resolution"]["bands"]
    assert bands["halpha"]["beam_from"] == "file name"
    assert bands["halpha"]["native_beam"]["bmaj_arcsec"] == pytest.approx(0.92)
    with pytest.raises(ValueError, match=r"bands=\['co21'\] are not PHANGS-MUSE"):
        read_muse_dap(path, bands=["co21"])


@pytest.mark.parametrize("kind", ["ERR", "WHT"])
def test_images_with_error_or_weight_extensions(tmp_path, rng, kind):
    sci = rng.normal(5, 1, SHAPE).astype(np.float32)
    other = np.full(SHAPE, 0.25 if kind == "WHT" else 2.0, np.float32)
    other[0, 0] = 0 if kind == "WHT" else other[0, 0]
    head = _header("MJy/sr")
    path = tmp_path / "f770w.fits"
    fits.HDUList(
        [
            fits.PrimaryHDU(),
            fits.ImageHDU(sci, head, name="SCI"),
            fits.ImageHDU(other, head, name=kind),
        ]
    ).writeto(path)
    table = read_images({"f770w": path}, err=kind, galaxy="g")
    err = table.set_index(["y", "x"])["f770w_err"]
    assert err.loc[(1, 1)] == pytest.approx(2.0)
    if kind == "WHT":
        assert np.isnan(err.loc[(0, 0)])  # weight 0: no measurement


def _edge_table():
    t = Table()
    t["Name"] = ["NGC4047"] * 3
    t["ix"], t["iy"] = [0, 1, 2], [0, 0, 1]
    t["ra_abs"], t["dec_abs"] = [180.7, 180.71, 180.72], [48.6, 48.6, 48.61]
    lines = {
        "Halpha": [3.0, 0.01, 2.0],
        "[NII]6583": [1.0, 0.5, 0.2],
        "[SII]6717": [0.4, 0.1, 0.2],
        "[SII]6731": [0.3, 0.1, 0.1],
    }
    for line, flux in lines.items():
        t[f"flux_{line}_sm"] = flux
        t[f"flux_{line}_sm"].unit = "1e-16 erg/(s cm2)"
        t[f"e_flux_{line}_sm"] = [0.1, 0.1, 0.1]
        t[f"e_flux_{line}_sm"].unit = "1e-16 erg/(s cm2)"
    t["EW_Halpha_sm"] = [-20.0, -1.0, -5.0]
    return t


def test_edge_califa_columns_map_to_kit_bands(tmp_path):
    path = tmp_path / "edge.hdf5"
    _edge_table().write(path, path="flux_elines_sm", serialize_meta=True)
    table = read_edge_califa(path)
    assert table["halpha"].tolist() == pytest.approx([3e4, 1e2, 2e4])
    assert table["nii6583_err"].tolist() == pytest.approx([1e3] * 3)
    assert table["sii6716_31"].tolist() == pytest.approx([7e3, 2e3, 3e3])
    assert table["sii6716_31_err"].iloc[0] == pytest.approx(np.hypot(1e3, 1e3))
    assert table["halpha_ul"].tolist() == [False, True, False]
    assert table["ew_halpha"].tolist() == [20.0, 1.0, 5.0]
    assert "hbeta" not in table  # not in this file
    assert table.attrs["units"]["halpha"] == "1e-20 erg / (s cm2)"


@pytest.mark.realdata
def test_real_edge_califa_file(shared_data):
    table = read_edge_califa(shared_data / "edge_califa" / "NGC4047.2d_smo7.hdf5")
    assert len(table) == 1849
    detected = table["halpha"].notna() & ~table["halpha_ul"]
    assert (table.loc[detected, "ew_halpha"].dropna() > 0).mean() > 0.95
