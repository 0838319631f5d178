"""FITS maps into the pixel table, catalogues into a table (astrokit.data)."""

from __future__ import annotations

import bz2
import logging
import sys

import numpy as np
import pandas as pd
import pytest
from astropy.io import fits
from astropy.table import Table
from astropy.wcs import WCS

from astrokit.data import galaxy_wcs, read_catalog, read_maps, to_image

SHAPE = (20, 30)


def _header(
    shape=SHAPE,
    *,
    crval=(150.0, 2.0),
    crpix=(15.0, 10.0),
    cdelt=1e-4,
    bunit="K km s-1",
    ctype=("RA---TAN", "DEC--TAN"),
    **cards,
):
    w = WCS(naxis=2)
    w.wcs.ctype = list(ctype)
    w.wcs.crval = list(crval)
    w.wcs.crpix = list(crpix)
    w.wcs.cdelt = [-cdelt, cdelt]
    header = w.to_header()
    if bunit is not None:
        header["BUNIT"] = bunit
    for key, value in cards.items():
        header[key] = value
    return header


def _write(path, data, header=None):
    fits.writeto(path, np.asarray(data, dtype=np.float32), header or _header())
    return path


@pytest.fixture
def co_maps(tmp_path, rng):
    """A CO map with NaNs in its left third, its error map and an H-alpha map."""
    co = rng.normal(5.0, 3.0, SHAPE)
    co[:, :10] = np.nan
    err = np.full(SHAPE, 1.0)
    ha = rng.normal(100.0, 10.0, SHAPE)
    ha[:5, :] = np.nan
    paths = {
        "co21": _write(tmp_path / "co.fits", co),
        "co21_err": _write(tmp_path / "eco.fits", err),
        "halpha": _write(tmp_path / "ha.fits", ha, _header(bunit="1e-20 erg/(s cm2)")),
    }
    return paths, {"co21": co, "halpha": ha}


# ------------------------------------------------------------------ read_maps


def test_read_maps_builds_the_pixel_table(co_maps):
    paths, images = co_maps
    table = read_maps(
        {"co21": paths["co21"], "halpha": paths["halpha"]},
        errors={"co21": paths["co21_err"]},
        galaxy="toy",
    )
    assert list(table.columns) == [
        "galaxy", "x", "y", "ra", "dec", "co21", "co21_err", "co21_ul", "halpha"
    ]  # fmt: skip
    assert table["co21"].dtype == np.float32 and table["co21_err"].dtype == np.float32
    assert table["co21_ul"].dtype == bool and table["ra"].dtype == np.float64
    covered = np.isfinite(images["co21"]) | np.isfinite(images["halpha"])
    assert len(table) == covered.sum() == 20 * 30 - 5 * 10
    assert set(table["galaxy"]) == {"toy"}
    for band in ("co21", "halpha"):
        np.testing.assert_allclose(
            to_image(table, band), images[band].astype(np.float32), equal_nan=True
        )
    co = table["co21"].to_numpy()
    expected_ul = np.isfinite(co) & (co < 3.0 * table["co21_err"].to_numpy())
    np.testing.assert_array_equal(table["co21_ul"], expected_ul)
    assert 0 < expected_ul.sum() < np.isfinite(co).sum()
    w = galaxy_wcs(table, "toy")
    ra, dec = w.pixel_to_world_values(table["x"], table["y"])
    np.testing.assert_allclose(table["ra"], ra)
    np.testing.assert_allclose(table["dec"], dec)
    assert table.attrs["shape"] == {"toy": SHAPE}
    assert table.attrs["units"]["co21"] == "K km / s"
    assert table.attrs["units"]["co21_err"] == "K km / s"
    assert table.attrs["units"]["halpha"] == "1e-20 erg / (s cm2)"
    assert table.attrs["detection_snr"] == 3.0 and table.attrs["truth_columns"] == []
    assert np.isnan(table.attrs["pixel_pc"])


def test_read_maps_detection_snr_changes_upper_limits(co_maps):
    paths, _ = co_maps
    loose = read_maps({"co21": paths["co21"]}, errors={"co21": paths["co21_err"]})
    strict = read_maps(
        {"co21": paths["co21"]}, errors={"co21": paths["co21_err"]}, detection_snr=5
    )
    assert strict["co21_ul"].sum() > loose["co21_ul"].sum()
    assert strict.attrs["detection_snr"] == 5.0


def test_galaxy_name_from_object_keyword_then_file_stem(tmp_path, rng):
    data = rng.normal(size=SHAPE)
    named = _write(tmp_path / "a.fits", data, _header(OBJECT="NGC 0628 "))
    assert set(read_maps({"co21": named})["galaxy"]) == {"NGC 0628"}
    blank = _write(tmp_path / "ngc1365_co21.fits.gz", data, _header(OBJECT="  "))
    assert set(read_maps({"co21": blank})["galaxy"]) == {"ngc1365_co21"}


def test_pixel_size_in_parsec_from_dist_mpc(tmp_path, rng):
    path = _write(tmp_path / "a.fits", rng.normal(size=SHAPE), _header(DIST_MPC=10.0))
    expected = np.deg2rad(1e-4) * 10e6  # 0.36 arcsec at 10 Mpc
    assert read_maps({"co21": path}).attrs["pixel_pc"] == pytest.approx(expected)


def test_degenerate_spectral_axis_is_dropped(tmp_path, rng):
    w = WCS(naxis=3)
    w.wcs.ctype = ["RA---SIN", "DEC--SIN", "VRAD"]
    w.wcs.crval, w.wcs.cdelt = [169.5, -32.8, 0.0], [-1e-4, 1e-4, 2500.0]
    w.wcs.crpix, w.wcs.cunit = [15, 10, 1], ["deg", "deg", "m/s"]
    header = w.to_header()
    header["BUNIT"] = "K km s-1"
    image = rng.normal(size=SHAPE)
    _write(tmp_path / "cube1.fits", image[np.newaxis], header)
    table = read_maps({"co21": tmp_path / "cube1.fits"}, galaxy="g")
    assert table.attrs["shape"] == {"g": SHAPE}
    assert galaxy_wcs(table).naxis == 2
    np.testing.assert_allclose(to_image(table, "co21"), image.astype(np.float32))


def test_a_real_cube_is_refused(tmp_path, rng):
    w = WCS(naxis=3)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN", "VRAD"]
    _write(tmp_path / "cube.fits", rng.normal(size=(5, *SHAPE)), w.to_header())
    with pytest.raises(ValueError, match=r"shape \(5, 20, 30\), not a single 2-D map"):
        read_maps({"co21": tmp_path / "cube.fits"})


def test_galactic_maps_get_icrs_coordinates(tmp_path, rng):
    from astropy.coordinates import SkyCoord

    header = _header(crval=(120.0, 30.0), ctype=("GLON-TAN", "GLAT-TAN"))
    table = read_maps(
        {"co21": _write(tmp_path / "g.fits", rng.normal(size=SHAPE), header)}
    )
    sky = WCS(header).pixel_to_world(table["x"].to_numpy(), table["y"].to_numpy())
    assert isinstance(sky, SkyCoord)
    np.testing.assert_allclose(table["ra"], sky.icrs.ra.deg)
    np.testing.assert_allclose(table["dec"], sky.icrs.dec.deg)


def test_grids_must_match(tmp_path, rng):
    co = _write(tmp_path / "co.fits", rng.normal(size=SHAPE))
    other = _write(tmp_path / "ha.fits", rng.normal(size=(24, 30)), _header((24, 30)))
    with pytest.raises(
        ValueError,
        match=(
            r"different grids: 'co21' and 'halpha' differ in shape \(20, 30\) vs "
            r"\(24, 30\).*Pass reproject=True.*first band's grid \('co21'\).*"
            r"reproject='halpha'"
        ),
    ):
        read_maps({"co21": co, "halpha": other})


def test_grids_with_one_shape_but_another_wcs_are_refused(tmp_path, rng):
    co = _write(tmp_path / "co.fits", rng.normal(size=SHAPE))
    moved = _write(
        tmp_path / "ha.fits", rng.normal(size=SHAPE), _header(crval=(150.01, 2.0))
    )
    with pytest.raises(ValueError, match=r"shape \(20, 30\) vs \(20, 30\), WCS CRVAL"):
        read_maps({"co21": co, "halpha": moved})


def test_same_grid_written_differently_is_accepted(tmp_path, rng):
    co = _write(tmp_path / "co.fits", rng.normal(size=SHAPE))
    header = _header()
    for key in ("CDELT1", "CDELT2", "PC1_1", "PC2_2"):
        header.remove(key, ignore_missing=True)
    header["CD1_1"], header["CD2_2"] = -1e-4, 1e-4
    same = _write(tmp_path / "cd.fits", rng.normal(size=SHAPE), header)
    assert len(read_maps({"co21": co, "co21_copy": same})) == SHAPE[0] * SHAPE[1]


@pytest.fixture
def shifted(tmp_path, rng):
    """A CO map and an H-alpha map on a larger grid offset by whole pixels."""
    co = rng.normal(5.0, 1.0, SHAPE)
    big = rng.normal(100.0, 10.0, (26, 36))
    paths = {
        "co21": _write(tmp_path / "co.fits", co),
        "halpha": _write(
            tmp_path / "ha.fits",
            big,
            _header((26, 36), crpix=(18.0, 13.0), bunit="1e-20 erg/(s cm2)"),
        ),
    }
    return paths, co, big  # co pixel (x, y) is big pixel (x + 3, y + 3)


def test_reproject_onto_the_first_band(shifted):
    paths, co, big = shifted
    table = read_maps(paths, reproject=True, galaxy="g")
    assert table.attrs["shape"] == {"g": SHAPE}
    np.testing.assert_allclose(to_image(table, "co21"), co.astype(np.float32))
    np.testing.assert_allclose(
        to_image(table, "halpha"), big[3:23, 3:33].astype(np.float32), rtol=1e-5
    )


def test_reproject_onto_a_named_band(shifted):
    paths, co, big = shifted
    table = read_maps(paths, reproject="halpha", galaxy="g")
    assert table.attrs["shape"] == {"g": (26, 36)}
    halpha = to_image(table, "halpha")
    np.testing.assert_allclose(halpha, big.astype(np.float32), rtol=1e-5)
    co_on_big = to_image(table, "co21")
    np.testing.assert_allclose(co_on_big[3:23, 3:33], co.astype(np.float32), rtol=1e-5)
    assert np.isnan(co_on_big[0, 0])


def test_reproject_names_a_band(shifted):
    with pytest.raises(ValueError, match=r"reproject='f770w' must be False, True"):
        read_maps(shifted[0], reproject="f770w")


def test_reproject_without_the_package(shifted, monkeypatch):
    monkeypatch.setitem(sys.modules, "reproject", None)
    with pytest.raises(ImportError, match="pip install reproject"):
        read_maps(shifted[0], reproject=True)


def test_map_without_celestial_wcs(tmp_path, rng):
    fits.writeto(tmp_path / "plain.fits", rng.normal(size=SHAPE))
    with pytest.raises(
        ValueError, match=r"maps\['co21'\]: plain.fits has no celestial WCS"
    ):
        read_maps({"co21": tmp_path / "plain.fits"})


def test_error_map_on_another_grid(co_maps, tmp_path, rng):
    paths, _ = co_maps
    bad = _write(tmp_path / "err.fits", np.ones((10, 10)), _header((10, 10)))
    with pytest.raises(
        ValueError, match=r"errors\['co21'\] \(err.fits\) is on a different grid from"
    ):
        read_maps({"co21": paths["co21"]}, errors={"co21": bad})


def test_error_map_unit_must_convert(co_maps, tmp_path):
    paths, _ = co_maps
    err = _write(tmp_path / "err.fits", np.ones(SHAPE), _header(bunit="km/s"))
    with pytest.raises(ValueError, match=r"does not convert to its value map's unit"):
        read_maps({"co21": paths["co21"]}, errors={"co21": err})


def test_missing_file(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"maps\['co21'\]: the file .* does not"
    ):
        read_maps({"co21": tmp_path / "nope.fits"})


def test_corrupt_files(tmp_path, rng):
    junk = tmp_path / "junk.fits"
    junk.write_bytes(b"this is not a FITS file" * 200)
    with pytest.raises(ValueError, match=r"junk.fits is not a readable FITS file"):
        read_maps({"co21": junk})
    whole = _write(tmp_path / "whole.fits", rng.normal(size=(200, 200)))
    cut = tmp_path / "cut.fits"
    cut.write_bytes(whole.read_bytes()[:10_000])
    with pytest.raises(ValueError, match=r"cut.fits is (not a readable|truncated)"):
        read_maps({"co21": cut})


def test_truncated_padding_is_caught(tmp_path, rng):
    whole = _write(tmp_path / "whole.fits", rng.normal(size=(200, 200)))
    padding = -(200 * 200 * 4) % 2880  # zeros after the data, up to a FITS block
    data_end = whole.stat().st_size - padding
    cut = tmp_path / "cut.fits"
    cut.write_bytes(whole.read_bytes()[:data_end])
    with pytest.raises(ValueError, match=r"cut.fits is truncated or corrupt"):
        read_maps({"co21": cut})


def test_invalid_wcs(tmp_path, rng):
    header = fits.Header({"CTYPE1": "RA---XYZ", "CTYPE2": "DEC--XYZ"})
    path = _write(tmp_path / "w.fits", rng.normal(size=SHAPE), header)
    with pytest.raises(ValueError, match=r"w.fits has an invalid WCS"):
        read_maps({"co21": path})


def test_map_spec_pairs(tmp_path):
    with pytest.raises(ValueError, match=r"must be a path or a \(path, hdu\) pair"):
        read_maps({"co21": ("a.fits", 1, 2)})


def test_table_only_file_is_not_a_map(tmp_path):
    Table({"a": [1, 2]}).write(tmp_path / "t.fits")
    with pytest.raises(ValueError, match="holds no image HDU"):
        read_maps({"co21": tmp_path / "t.fits"})


@pytest.mark.parametrize(
    ("maps", "kwargs", "error", "match"),
    [
        ({}, {}, ValueError, r"maps=\{\} is empty"),
        (["co.fits"], {}, TypeError, r"maps must be a dict of \{band: path\}; got"),
        ({"co21": "co.fits"}, {"errors": {"halpha": "e.fits"}}, ValueError,
         r"errors has bands \['halpha'\] that are not in maps \['co21'\]"),
        ({"co21": "co.fits"}, {"detection_snr": 0}, ValueError,
         r"detection_snr=0 must be a positive number"),
        ({"co21": "co.fits"}, {"detection_snr": "3"}, ValueError,
         r"detection_snr='3' must be a positive number"),
    ],
)  # fmt: skip
def test_argument_checks(maps, kwargs, error, match):
    with pytest.raises(error, match=match):
        read_maps(maps, **kwargs)


def test_known_band_units_are_checked_and_converted(tmp_path, rng):
    image = rng.normal(1.0, 0.1, SHAPE)
    ha = _write(tmp_path / "ha.fits", image, _header(bunit="1e-17 erg / (s cm2)"))
    eha = _write(
        tmp_path / "eha.fits",
        np.full(SHAPE, 0.01),
        _header(bunit="1e-17 erg / (s cm2)"),
    )
    table = read_maps({"halpha": ha}, errors={"halpha": eha})
    assert table.attrs["units"]["halpha"] == "1e-20 erg / (s cm2)"
    np.testing.assert_allclose(to_image(table, "halpha"), image * 1000, rtol=1e-6)
    np.testing.assert_allclose(table["halpha_err"], 10.0, rtol=1e-6)
    wrong = _write(tmp_path / "co.fits", image, _header(bunit="MJy/sr"))
    with pytest.raises(
        ValueError,
        match=r"BUNIT 'MJy / sr', which does not convert to the 'co21' unit 'K km / s'",
    ):
        read_maps({"co21": wrong})


@pytest.mark.parametrize(
    ("bunit", "unit"),
    [
        ("K.KM/S", "K km / s"),  # capitals of older radio headers
        ("KELVIN", "K"),
        ("1E-20 ERG/S/CM2", "1e-20 erg / (s cm2)"),
        ("JY/BEAM", "Jy / beam"),
        ("Jy/beam.km/s", "Jy km / (beam s)"),  # CASA: (Jy/beam)(km/s)
        ("erg/s/cm2/Angstrom", "erg / (Angstrom s cm2)"),  # astropy's own reading
    ],
)
def test_radio_conventions_of_bunit_are_read(bunit, unit):
    from astrokit.data._units import parse_bunit

    assert parse_bunit(bunit).to_string() == unit


def test_capitals_that_could_mean_two_units_are_not_guessed(caplog):
    from astrokit.data._units import parse_bunit

    with caplog.at_level(logging.WARNING, logger="astrokit.data"):
        assert parse_bunit("MJY/SR") == "MJY/SR"  # milli- or mega-Jansky?
    assert "not a unit astropy can parse" in caplog.text


def test_unreadable_bunit_is_kept_as_text(tmp_path, rng, caplog):
    path = _write(
        tmp_path / "m.fits",
        rng.normal(size=SHAPE),
        _header(bunit="furlongs/fortnight2"),
    )
    with caplog.at_level(logging.WARNING, logger="astrokit.data"):
        table = read_maps({"mystery": path})
        known = read_maps({"co21": path})
    assert table.attrs["units"]["mystery"] == "furlongs/fortnight2"
    assert "not a unit astropy can parse" in caplog.text
    assert known.attrs["units"]["co21"] == "K km / s"
    assert "assuming the band's unit" in caplog.text


def test_extensions_are_picked_by_name(tmp_path, rng):
    sci, err = rng.normal(10.0, 1.0, SHAPE), np.full(SHAPE, 2.0)
    hdus = fits.HDUList(
        [
            fits.PrimaryHDU(),
            fits.ImageHDU(sci, _header(bunit="MJy/sr"), name="SCI"),
            fits.ImageHDU(err, _header(bunit="MJy/sr"), name="ERR"),
        ]
    )
    hdus.writeto(tmp_path / "img.fits")
    path = tmp_path / "img.fits"
    table = read_maps({"f770w": path}, errors={"f770w": (path, "ERR")})
    np.testing.assert_allclose(to_image(table, "f770w"), sci)  # first image HDU
    np.testing.assert_allclose(table["f770w_err"], 2.0)
    with pytest.raises(
        ValueError, match=r"img.fits has no HDU 'WHT'; it has \['PRIMARY'"
    ):
        read_maps({"f770w": (path, "WHT")})


@pytest.mark.realdata
def test_real_phangs_alma_map(shared_data):
    folder = shared_data / "phangs_alma"
    table = read_maps(
        {"co21": folder / "ngc3621_1_12m+7m_co21_150pc_broad_mom0.fits"},
        errors={"co21": folder / "ngc3621_1_12m+7m_co21_150pc_broad_emom0.fits"},
        galaxy="ngc3621",
    )
    assert table.attrs["shape"] == {"ngc3621": (633, 640)}
    assert len(table) == 266_838
    assert int((table["co21"] < 0).sum()) == 35_006
    assert table.attrs["units"]["co21"] == "K km / s"
    assert table["co21_err"].notna().all()
    assert 0 < table["co21_ul"].sum() < len(table)
    # NGC 3621 is centred near RA 169.568, Dec -32.813 (PHANGS sample table)
    assert abs(table["ra"].median() - 169.568) < 0.03
    assert abs(table["dec"].median() + 32.813) < 0.03
    assert table.attrs["pixel_pc"] == pytest.approx(10.27, abs=0.01)  # 0.3" at 7.06 Mpc


# ---------------------------------------------------------------- read_catalog


@pytest.fixture
def astropy_table():
    t = Table()
    t["id"] = np.array([1, 2, 3], dtype=">i8")
    t["flux"] = np.array([1.5, 2.5, np.nan], dtype=">f8")
    t["flux"].unit = "mJy"
    t["vec"] = np.arange(9, dtype=">f4").reshape(3, 3)
    t["vec"].unit = "km / s"
    t["name"] = ["a", "bb", "ccc"]
    return t


def _check_frame(frame):
    assert list(frame.columns) == ["id", "flux", "vec_0", "vec_1", "vec_2", "name"]
    assert all(frame[c].dtype.byteorder in "=|" for c in frame.columns if c != "name")
    assert frame["id"].tolist() == [1, 2, 3]
    assert frame["vec_1"].tolist() == [1.0, 4.0, 7.0]
    assert frame["name"].tolist() == ["a", "bb", "ccc"]
    assert frame.attrs["units"] == {
        "flux": "mJy", "vec_0": "km / s", "vec_1": "km / s", "vec_2": "km / s"
    }  # fmt: skip


@pytest.mark.parametrize("ending", [".fits", ".fits.gz", ".fits.bz2", ".ecsv", ".h5"])
def test_astropy_formats(tmp_path, astropy_table, ending):
    path = tmp_path / f"cat{ending}"
    if ending == ".fits.bz2":
        astropy_table.write(tmp_path / "cat.fits")
        path.write_bytes(bz2.compress((tmp_path / "cat.fits").read_bytes()))
    elif ending == ".h5":
        astropy_table.write(path, path="data", serialize_meta=True)
    else:
        astropy_table.write(path)
    _check_frame(read_catalog(path))


def test_masked_values(tmp_path):
    t = Table(masked=True)
    t["n"] = np.ma.array([1, 2, 3], mask=[False, True, False])
    t["s"] = np.ma.array(["x", "y", "z"], mask=[False, False, True])
    t["ok"] = np.ma.array([True, False, True], mask=[True, False, False])
    t.write(tmp_path / "m.ecsv")
    frame = read_catalog(tmp_path / "m.ecsv")
    assert str(frame["n"].dtype) == "Int64" and frame["n"].isna().tolist() == [0, 1, 0]
    assert frame["s"].tolist() == ["x", "y", ""]
    assert str(frame["ok"].dtype) == "boolean" and frame["ok"].isna().sum() == 1


def test_csv_and_parquet(tmp_path):
    frame = pd.DataFrame({"ra": [1.0, 2.0], "dec": [3.0, 4.0], "id": [7, 8]})
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.to_parquet(tmp_path / "a.parquet")
    for name in ("a.csv", "a.parquet"):
        pd.testing.assert_frame_equal(read_catalog(tmp_path / name), frame)
    assert read_catalog(tmp_path / "a.csv", usecols=["id"]).columns.tolist() == ["id"]
    (tmp_path / "a.txt").write_text("ra,dec\n1,2\n")
    assert read_catalog(tmp_path / "a.txt", format="csv").shape == (1, 2)


def test_stacking_adds_source_and_a_fresh_index(tmp_path):
    pd.DataFrame({"v": [1, 2]}).to_csv(tmp_path / "n1.csv", index=False)
    pd.DataFrame({"v": [3]}).to_csv(tmp_path / "n2.csv", index=False)
    from_list = read_catalog([tmp_path / "n2.csv", tmp_path / "n1.csv"])
    assert from_list["source"].tolist() == ["n2", "n1", "n1"]
    assert from_list.index.tolist() == [0, 1, 2]
    from_glob = read_catalog(str(tmp_path / "n*.csv"), source_column="file")
    assert from_glob["file"].tolist() == ["n1", "n1", "n2"]
    assert from_glob["v"].tolist() == [1, 2, 3]
    assert "source" not in read_catalog([tmp_path / "n1.csv"], source_column=None)
    assert "source" not in read_catalog(tmp_path / "n1.csv")


def test_hdf5_with_several_tables_needs_path(tmp_path, astropy_table):
    path = tmp_path / "multi.hdf5"
    astropy_table.write(path, path="first", serialize_meta=True)
    astropy_table[:2].write(path, path="second", serialize_meta=True, append=True)
    with pytest.raises(
        ValueError, match=r"holds 2 tables \['first', 'second'\]; pick one with path="
    ):
        read_catalog(path)
    assert len(read_catalog(path, path="second")) == 2


def test_hdf5_without_tables(tmp_path):
    import h5py

    with h5py.File(tmp_path / "empty.h5", "w") as f:
        f.create_group("nothing")
    with pytest.raises(ValueError, match=r"empty.h5 holds no table"):
        read_catalog(tmp_path / "empty.h5")
    (tmp_path / "fake.h5").write_text("not hdf5")
    with pytest.raises(ValueError, match=r"Could not open .*fake.h5 as HDF5"):
        read_catalog(tmp_path / "fake.h5")


@pytest.mark.parametrize(
    ("paths", "kwargs", "error", "match"),
    [
        ("cat.xlsx", {}, ValueError,
         r"Cannot tell the format of cat.xlsx.*Supported endings: .fits.*format="),
        ("cat.csv", {"format": "xlsx"}, ValueError, r"format='xlsx' is not supported"),
        ("none_*.csv", {}, FileNotFoundError, r"no file matches this pattern"),
        ("missing.csv", {}, FileNotFoundError, r"missing.csv does not exist"),
        ([], {}, ValueError, r"paths=\[\] is empty"),
        (["cat.csv", "cat.csv"], {"source_column": "ra"}, ValueError,
         r"source_column='ra' is already a column of cat.csv"),
        ("bad.fits", {}, ValueError, r"Could not read .*bad.fits as fits"),
    ],
)  # fmt: skip
def test_catalog_errors(tmp_path, monkeypatch, paths, kwargs, error, match):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cat.xlsx").write_text("x")
    (tmp_path / "cat.csv").write_text("ra\n1\n")
    (tmp_path / "bad.fits").write_bytes(b"not fits at all" * 300)
    with pytest.raises(error, match=match):
        read_catalog(paths, **kwargs)


@pytest.mark.realdata
def test_real_cloud_catalogues_stack(shared_data):
    folder = shared_data / "phangs_alma" / "gmc_150pc"
    names = ["ngc0628", "ngc1365", "ngc3621"]
    table = read_catalog(
        [folder / f"{g}_12m+7m+tp_co21_150pc_props.fits.bz2" for g in names]
    )
    counts = table["source"].value_counts()
    assert counts["ngc0628_12m+7m+tp_co21_150pc_props"] == 180
    assert counts["ngc1365_12m+7m+tp_co21_150pc_props"] == 554
    assert counts["ngc3621_12m+7m+tp_co21_150pc_props"] == 145
    assert len(table) == 879 and table.index.is_unique
    assert table.shape[1] == 58 + 1
    for column in ("MLUM_MSUN", "RAD_PC", "SIGV_KMS", "VIRPARAM", "XCTR_DEG"):
        assert table[column].dtype == np.float64
    ngc3621 = table[table["source"].str.startswith("ngc3621")]
    assert abs(ngc3621["XCTR_DEG"].median() - 169.57) < 0.05


@pytest.mark.realdata
def test_real_sample_table(shared_data):
    table = read_catalog(shared_data / "phangs_alma" / "phangs_sample_table_v1p6.fits")
    assert table.shape == (118, 179)
    row = table.set_index("name").loc["ngc3621"]
    assert row["dist"] == pytest.approx(7.06, abs=0.01)
    assert table.attrs["units"]["dist"] == "Mpc"


@pytest.mark.realdata
def test_real_csv_tables(shared_data):
    gaia = read_catalog(shared_data / "gaia" / "m67_gaia_edr3_cone.csv")
    assert len(gaia) == 6179 and gaia["source_id"].dtype == np.int64
    assert abs(gaia["ra"].median() - 132.8) < 0.1
    sdss = read_catalog(shared_data / "sdss" / "skyserver_dr14_10k.csv")
    assert sdss["class"].value_counts().to_dict() == {
        "GALAXY": 4998,
        "STAR": 4152,
        "QSO": 850,
    }


@pytest.mark.realdata
def test_real_edge_califa_hdf5(shared_data):
    path = shared_data / "edge_califa" / "NGC4047.2d_smo7.hdf5"
    with pytest.raises(ValueError, match=r"holds 8 tables .*'flux_elines_sm'"):
        read_catalog(path)
    table = read_catalog(path, path="flux_elines_sm")
    assert table.shape == (1849, 109)
    assert table.attrs["units"]["flux_Halpha_sm"] == "1e-16 erg / (s cm2)"
    assert set(table["Name"]) == {"NGC4047"}


# --------------------------------------- nothing silent: empty maps, bad files


def test_an_all_nan_map_is_logged_with_band_and_file(co_maps, tmp_path, caplog):
    paths, _ = co_maps
    empty = _write(
        tmp_path / "empty_ha.fits",
        np.full(SHAPE, np.nan),
        _header(bunit="1e-20 erg/(s cm2)"),
    )
    with caplog.at_level(logging.WARNING, logger="astrokit.data"):
        table = read_maps({"co21": paths["co21"], "halpha": empty})
    assert table["halpha"].isna().all() and len(table) == 20 * 20  # CO's pixels
    assert "maps['halpha'] (empty_ha.fits) has no finite pixel" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="astrokit.data"):
        alone = read_maps({"halpha": empty})
    assert alone.shape == (0, 6)
    assert "maps['halpha'] (empty_ha.fits) has no finite pixel" in caplog.text


def test_infinite_pixels_are_counted_in_the_log(tmp_path, rng, caplog):
    data = rng.normal(5.0, 1.0, SHAPE)
    data[0, :3] = np.inf
    data[1, 0] = -np.inf
    path = _write(tmp_path / "inf.fits", data)
    with caplog.at_level(logging.WARNING, logger="astrokit.data"):
        table = read_maps({"co21": path})
    assert len(table) == data.size - 4  # no other band measures those pixels
    assert "maps['co21'] (inf.fits) has 4 infinite pixels (+inf: 3, -inf: 1)" in (
        caplog.text
    )


@pytest.mark.parametrize(
    ("fill", "match"),
    [
        (-1.0, r"errors\['co21'\] \(bad_err.fits\) has 1 negative value\(s\) "
         r"\(lowest -1\); a 1-sigma error map must be"),
        (np.nan, r"errors\['co21'\] \(bad_err.fits\) has no finite value \(all "
         r"600 pixels NaN\)"),
    ],
)  # fmt: skip
def test_negative_or_all_nan_error_maps_are_refused(co_maps, tmp_path, fill, match):
    paths, _ = co_maps
    err = np.full(SHAPE, 1.0) if np.isfinite(fill) else np.full(SHAPE, np.nan)
    if np.isfinite(fill):
        err[3, 4] = fill
    bad = _write(tmp_path / "bad_err.fits", err)
    with pytest.raises(ValueError, match=match):
        read_maps({"co21": paths["co21"]}, errors={"co21": bad})


def test_error_map_with_some_nan_is_still_read(co_maps, tmp_path):
    paths, _ = co_maps
    err = np.full(SHAPE, 1.0)
    err[:, 20:] = np.nan
    table = read_maps(
        {"co21": paths["co21"]}, errors={"co21": _write(tmp_path / "e.fits", err)}
    )
    assert table["co21_err"].isna().sum() == 20 * 10
    assert not table.loc[table["co21_err"].isna(), "co21_ul"].any()


def test_an_empty_csv_is_a_kit_error_naming_the_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(
        ValueError,
        match=r"Could not read .*empty.csv as csv \(the file is empty \(0 bytes\)\)",
    ):
        read_catalog(path)


def test_a_garbled_csv_is_a_kit_error(tmp_path):
    path = tmp_path / "garbled.csv"
    path.write_text("a\n1\n2,3,4\n")
    with pytest.raises(
        ValueError, match=r"garbled.csv as csv \(ParserError: .*complete csv file"
    ):
        read_catalog(path)


def test_a_header_only_csv_warns_and_gives_an_empty_table(tmp_path, caplog):
    path = tmp_path / "header.csv"
    path.write_text("ra,dec\n")
    with caplog.at_level(logging.WARNING, logger="astrokit.data"):
        table = read_catalog(path)
    assert table.shape == (0, 2)
    assert "header.csv has no rows (columns: ['ra', 'dec'])" in caplog.text


@pytest.mark.parametrize("name", ["bad.parquet", "bad.fits", "empty.fits"])
def test_corrupt_parquet_and_fits_are_kit_errors(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"" if name.startswith("empty") else b"PAR1 not really a file")
    fmt = name.split(".")[1]
    with pytest.raises(
        ValueError,
        match=rf"Could not read .*{name} as {fmt} \(.*\)\. Check that it is a complete",
    ):
        read_catalog(path)


def test_a_reader_keyword_it_does_not_take_is_named(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("ra\n1\n")
    with pytest.raises(
        TypeError, match=r"read_catalog\('a.csv', ...\): .*colour.*csv reader"
    ):
        read_catalog(path, colour=3)


def test_ecsv_content_in_a_csv_file_is_read_as_ecsv(tmp_path, caplog):
    table = Table({"ra": [10.0, 11.0], "name": ["a", "b"]})
    table["ra"].unit = "deg"
    path = tmp_path / "objects.csv"
    table.write(path, format="ascii.ecsv")
    with caplog.at_level(logging.INFO, logger="astrokit.data"):
        frame = read_catalog(path)
    assert list(frame.columns) == ["ra", "name"]
    assert frame["ra"].tolist() == [10.0, 11.0]
    assert frame.attrs["units"] == {"ra": "deg"}
    assert "holds ECSV" in caplog.text


def test_blank_padded_csv_headers_and_cells_are_stripped(tmp_path):
    path = tmp_path / "padded.csv"
    path.write_text("  name , u_mag  , g_mag\n  a  ,  12.5 , 11.0\n b, 13.0 ,  \n")
    frame = read_catalog(path)
    assert list(frame.columns) == ["name", "u_mag", "g_mag"]
    assert frame["u_mag"].dtype == np.float64
    assert frame["u_mag"].tolist() == [12.5, 13.0]
    assert frame["g_mag"].iloc[0] == 11.0 and np.isnan(frame["g_mag"].iloc[1])
    assert frame["name"].tolist() == ["a", "b"]
