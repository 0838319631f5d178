"""Maps to one resolution and one grid: read_maps(resolution=, grid=, ...)."""

from __future__ import annotations

import math

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.modeling import models
from astropy.wcs import WCS

from astrokit.data import galaxy_distance, read_maps, to_image
from astrokit.data._beams import _phangs_name

N = 161
PIX = 0.2  # arcsec


def _header(n=N, pix=PIX, *, rotation=0.0, crval=(150.0, 2.0), **cards):
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crval = list(crval)
    w.wcs.crpix = [(n + 1) / 2] * 2
    w.wcs.cdelt = [-pix / 3600, pix / 3600]
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    w.wcs.pc = [[c, -s], [s, c]]
    header = w.to_header()
    header.update(cards)
    return header


def _beam_cards(major, minor=None, pa=0.0):
    minor = major if minor is None else minor
    return {"BMAJ": major / 3600, "BMIN": minor / 3600, "BPA": pa}


def _gaussian(fmaj, fmin, pa_deg, *, n=N, pix=PIX, rotation=0.0, amplitude=100.0):
    """A Gaussian source; PA east of north on a grid whose PC matrix turns by
    ``rotation`` (north then points ``90 - rotation`` degrees from +x)."""
    y, x = np.mgrid[:n, :n]
    c = (n - 1) / 2
    theta = math.radians(90 + pa_deg - rotation)
    sig = 1 / (pix * 2 * math.sqrt(2 * math.log(2)))
    g = models.Gaussian2D(amplitude, c, c, fmaj * sig, fmin * sig, theta)
    return g(x, y)


def _write(path, data, header):
    fits.writeto(path, np.asarray(data, np.float32), header, overwrite=True)
    return path


def _second_moments(image, pix=PIX):
    """FWHM (arcsec) along the two principal axes, from second moments."""
    im = np.nan_to_num(image)
    y, x = np.mgrid[: im.shape[0], : im.shape[1]]
    f = im.sum()
    xc, yc = (im * x).sum() / f, (im * y).sum() / f
    cxx = (im * (x - xc) ** 2).sum() / f
    cyy = (im * (y - yc) ** 2).sum() / f
    cxy = (im * (x - xc) * (y - yc)).sum() / f
    eig = np.linalg.eigvalsh([[cxx, cxy], [cxy, cyy]])[::-1]
    return np.sqrt(eig) * 2 * math.sqrt(2 * math.log(2)) * pix


def test_a_gaussian_source_gets_the_analytic_fwhm_and_keeps_its_flux(tmp_path):
    source = _gaussian(1.0, 1.0, 0)
    path = _write(
        tmp_path / "g.fits", source, _header(BUNIT="MJy/sr", **_beam_cards(1))
    )
    table = read_maps({"f770w": path}, resolution="3 arcsec", galaxy="g")
    image = to_image(table, "f770w")
    np.testing.assert_allclose(_second_moments(image), [3.0, 3.0], rtol=0.01)
    assert np.nansum(image) == pytest.approx(source.sum(), rel=0.01)
    info = table.attrs["resolution"]
    assert info["fwhm_arcsec"] == pytest.approx(3.0)
    kernel = info["bands"]["f770w"]["kernel"]["bmaj_arcsec"]
    assert kernel == pytest.approx(math.sqrt(3.0**2 - 1.0**2))
    assert info["bands"]["f770w"]["beam_from"] == "header"


@pytest.mark.parametrize("rotation", [0.0, 35.0])
def test_an_elliptical_beam_becomes_circular(tmp_path, rotation):
    source = _gaussian(2.0, 1.0, 30, rotation=rotation)
    header = _header(rotation=rotation, BUNIT="MJy/sr", **_beam_cards(2.0, 1.0, 30))
    path = _write(tmp_path / "e.fits", source, header)
    table = read_maps({"f770w": path}, resolution=3 * u.arcsec, galaxy="g")
    image = to_image(table, "f770w")
    np.testing.assert_allclose(_second_moments(image), [3.0, 3.0], rtol=0.01)
    assert np.nansum(image) == pytest.approx(source.sum(), rel=0.01)


def test_a_finer_target_is_refused_naming_band_beam_and_target(tmp_path):
    header = _header(BUNIT="MJy/sr", **_beam_cards(2.0, 1.0, 30))
    path = _write(tmp_path / "e.fits", _gaussian(2.0, 1.0, 30), header)
    with pytest.raises(
        ValueError,
        match=r"maps\['f770w'\] \(e.fits\) has a beam of 2\" x 1\".*coarser than "
        r"the target resolution 1.5\"",
    ):
        read_maps({"f770w": path}, resolution="1.5 arcsec")


def test_a_map_without_beam_uses_the_psf_table_or_native(tmp_path):
    path = _write(tmp_path / "m.fits", _gaussian(0.4, 0.4, 0), _header(BUNIT="MJy/sr"))
    table = read_maps({"f1130w": path}, resolution="1 arcsec")
    assert table.attrs["resolution"]["bands"]["f1130w"]["beam_from"] == "PSF_FWHM"
    assert table.attrs["resolution"]["bands"]["f1130w"]["noise"] == "pixel"
    table = read_maps({"ha": path}, resolution="1 arcsec", native={"ha": "0.4 arcsec"})
    np.testing.assert_allclose(_second_moments(to_image(table, "ha")), 1.0, rtol=0.01)
    with pytest.raises(ValueError, match=r"has no beam in its header.*native=\{'ha'"):
        read_maps({"ha": path}, resolution="1 arcsec")


def test_footprint_edges_neither_ring_nor_eat_holes(tmp_path):
    data = np.full((N, N), 10.0)
    data[:, :60] = np.nan  # outside the footprint
    data[100:103, 100:103] = np.nan  # a small hole inside it
    path = _write(tmp_path / "f.fits", data, _header(BUNIT="MJy/sr", **_beam_cards(1)))
    table = read_maps({"f770w": path}, resolution="3 arcsec", galaxy="g")
    image = to_image(table, "f770w")
    assert np.isfinite(image[100:103, 100:103]).all()  # the hole is filled
    np.testing.assert_allclose(image[np.isfinite(image)], 10.0, rtol=1e-4)  # no ringing
    assert np.isnan(image[20:140, :59]).all()  # nothing leaks past the edge
    assert np.isfinite(image[20:140, 61:150]).all()  # and the edge stays put


def _noise_map(rng, sigma, *, correlated_fwhm=None):
    noise = rng.normal(0, 1, (400, 400))
    if correlated_fwhm is not None:  # autocorrelation = a Gaussian beam
        from astropy.convolution import Gaussian2DKernel, convolve_fft

        s = correlated_fwhm / PIX / (2 * math.sqrt(2 * math.log(2))) / math.sqrt(2)
        noise = convolve_fft(noise, Gaussian2DKernel(s), boundary="wrap")
    return noise / noise.std() * sigma


@pytest.mark.parametrize(
    ("correlated", "noise", "cards"),
    [(None, "pixel", {}), (1.0, "auto", _beam_cards(1.0))],
)
def test_errors_propagate_to_the_smoothed_noise(
    tmp_path, rng, correlated, noise, cards
):
    data = _noise_map(rng, 2.0, correlated_fwhm=correlated)
    header = _header(400, BUNIT="MJy/sr", **cards)
    value = _write(tmp_path / "v.fits", data, header)
    err = _write(tmp_path / "e.fits", np.full(data.shape, 2.0), header)
    table = read_maps(
        {"f770w": value},
        errors={"f770w": err},
        resolution="3 arcsec",
        native={} if cards else {"f770w": "1 arcsec"},
        noise=noise,
    )
    image, error = to_image(table, "f770w"), to_image(table, "f770w_err")
    inner = (slice(40, 360), slice(40, 360))
    assert np.std(image[inner]) == pytest.approx(np.median(error[inner]), rel=0.1)
    assert np.median(error[inner]) < 2.0 / 2  # smoothing lowered the noise


def test_upper_limits_are_rederived_at_the_new_resolution(tmp_path, rng):
    faint = _gaussian(15.0, 15.0, 0, amplitude=1.5) + rng.normal(0, 1.0, (N, N))
    header = _header(BUNIT="MJy/sr")
    value = _write(tmp_path / "v.fits", faint, header)
    err = _write(tmp_path / "e.fits", np.ones((N, N)), header)
    kwargs = {"errors": {"f770w": err}, "native": {"f770w": "0.3 arcsec"}}
    native = read_maps({"f770w": value}, resolution="0.3 arcsec", **kwargs)
    smooth = read_maps({"f770w": value}, resolution="2 arcsec", **kwargs)
    assert smooth["f770w_ul"].mean() < native["f770w_ul"].mean() - 0.3
    expected = smooth["f770w"] < 3.0 * smooth["f770w_err"]
    assert (smooth["f770w_ul"] == expected).all()


def test_maps_on_different_grids_go_onto_one_new_grid(tmp_path):
    fine = _write(
        tmp_path / "fine.fits",
        _gaussian(0.5, 0.5, 0, amplitude=1.0),
        _header(BUNIT="1e-20 erg/(s cm2)"),
    )
    coarse_n, coarse_pix = 41, 0.8
    coarse = _write(
        tmp_path / "coarse.fits",
        _gaussian(1.0, 1.0, 0, n=coarse_n, pix=coarse_pix),
        _header(coarse_n, coarse_pix, BUNIT="MJy/sr", **_beam_cards(1.0)),
    )
    maps = {"halpha": fine, "f770w": coarse}
    native = {"halpha": "0.5 arcsec"}
    table = read_maps(maps, resolution="2 arcsec", native=native, galaxy="g")
    grid = table.attrs["resolution"]["grid"]
    assert grid == {"kind": "new", "pixel_arcsec": 1.0}
    halpha = to_image(table, "halpha")
    # a flux per pixel keeps its total on 25x larger pixels
    total = _gaussian(0.5, 0.5, 0, amplitude=1.0).sum()
    assert np.nansum(halpha) == pytest.approx(total, rel=0.02)
    on_band = read_maps(maps, resolution="2 arcsec", native=native, grid="f770w")
    assert on_band.attrs["shape"][next(iter(on_band.attrs["shape"]))] == (41, 41)
    half = read_maps(maps, resolution="2 arcsec", native=native, grid="0.5 arcsec")
    assert half.attrs["resolution"]["grid"]["pixel_arcsec"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "bunit",  # the FITS standard's, CASA's moment maps', an AIPS header's
    ["Jy km s-1 beam-1", "Jy/beam.km/s", "JY/BEAM.KM/S", "Jy/beam km/s"],
)
def test_jy_per_beam_becomes_the_band_unit(tmp_path, bunit):
    beam_arcsec = 1.0
    header = _header(BUNIT=bunit, RESTFRQ=230.538e9, **_beam_cards(1.0))
    path = _write(tmp_path / "co.fits", np.full((N, N), 0.01), header)
    table = read_maps({"co21": path}, resolution="2 arcsec")
    area = (2 * math.pi / (8 * math.log(2))) * (beam_arcsec * u.arcsec) ** 2
    expected = (0.01 * u.Jy / area).to(
        u.K, equivalencies=u.brightness_temperature(230.538 * u.GHz)
    )
    assert table["co21"].median() == pytest.approx(expected.value, rel=1e-3)
    assert table.attrs["units"]["co21"] == "K km / s"
    assert table.attrs["resolution"]["bands"]["co21"]["unit"] == "Jy km / (beam s)"


def test_a_physical_resolution_needs_a_distance(tmp_path):
    header = _header(BUNIT="MJy/sr", DIST_MPC=10.0, **_beam_cards(1.0))
    path = _write(tmp_path / "m.fits", _gaussian(1, 1, 0), header)
    table = read_maps({"f770w": path}, resolution="150 pc")
    info = table.attrs["resolution"]
    assert info["fwhm_arcsec"] == pytest.approx(150 / 10e6 * 206264.806, rel=1e-6)
    assert table.attrs["pixel_pc"] == pytest.approx(PIX / 206264.806 * 10e6, rel=1e-6)
    other = read_maps({"f770w": path}, resolution="150 pc", distance=20 * u.Mpc)
    assert other.attrs["resolution"]["fwhm_arcsec"] == pytest.approx(
        info["fwhm_arcsec"] / 2
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"resolution": "fast"}, r"resolution='fast' is not a quantity"),
        ({"resolution": "3 kg"}, r"resolution='3 kg' must be an angle"),
        ({"resolution": "-1 arcsec"}, r"must be positive"),
        ({"resolution": "150 pc", "distance": "far"}, r"distance='far' is not"),
        ({"resolution": "150 pc", "distance": "3 s"}, r"distance='3 s' must be"),
        ({"grid": "f770w"}, r"grid='f770w' and native= need resolution="),
        ({"resolution": "3 arcsec", "grid": "big"}, r"grid='big' must be None"),
        ({"resolution": "3 arcsec", "native": {"co": 1}}, r"native= names bands"),
        ({"resolution": "3 arcsec", "coverage": 0}, r"coverage=0 must be"),
        ({"resolution": "3 arcsec", "noise": "red"}, r"noise='red' must be one"),
    ],
)
def test_bad_options_are_named(tmp_path, kwargs, match):
    path = _write(tmp_path / "m.fits", _gaussian(1, 1, 0), _header(**_beam_cards(1)))
    with pytest.raises(ValueError, match=match):
        read_maps({"f770w": path}, **kwargs)


def test_pixel_scales_alone_are_not_called_a_rotation(tmp_path):
    a = _write(tmp_path / "a.fits", np.ones((N, N)), _header())
    b = _write(tmp_path / "b.fits", np.ones((N, N)), _header(pix=0.4))
    with pytest.raises(ValueError, match=r"WCS pixel scale\. Pass") as info:
        read_maps({"co21": a, "halpha": b})
    assert "rotation" not in str(info.value)
    c = _write(tmp_path / "c.fits", np.ones((N, N)), _header(rotation=10))
    with pytest.raises(ValueError, match=r"rotation \(PC/CD\)"):
        read_maps({"co21": a, "halpha": c})


@pytest.mark.parametrize(
    ("name", "key"),
    [("NGC 628", "ngc0628"), ("ngc3621", "ngc3621"), ("IC 5332", "ic5332")],
)
def test_galaxy_names_take_the_sample_table_form(name, key):
    assert _phangs_name(name) == key


@pytest.mark.realdata
def test_real_sample_table_distance(shared_data):
    table = shared_data / "phangs_alma" / "phangs_sample_table_v1p6.fits"
    assert galaxy_distance("NGC 3621", sample_table=table).value == pytest.approx(7.06)
    with pytest.raises(ValueError, match=r"galaxy='NGC 9999'.*not in the PHANGS"):
        galaxy_distance("NGC 9999", sample_table=table)


@pytest.mark.realdata
def test_real_ngc3621_is_150pc_and_smooths_to_300pc(shared_data):
    folder = shared_data / "phangs_alma"
    maps = {"co21": folder / "ngc3621_1_12m+7m_co21_150pc_broad_mom0.fits"}
    errors = {"co21": folder / "ngc3621_1_12m+7m_co21_150pc_broad_emom0.fits"}
    dist = galaxy_distance(
        "NGC3621", sample_table=folder / "phangs_sample_table_v1p6.fits"
    )
    at150 = read_maps(maps, errors=errors, resolution="150 pc", distance=dist)
    info = at150.attrs["resolution"]
    assert info["bands"]["co21"]["kernel"] is None  # already at 150 pc
    assert info["bands"]["co21"]["native_beam"]["bmaj_arcsec"] == pytest.approx(
        info["fwhm_arcsec"], rel=1e-3
    )
    at300 = read_maps(maps, errors=errors, resolution="300 pc", distance=dist)
    info = at300.attrs["resolution"]
    assert info["fwhm_pc"] == pytest.approx(300)
    assert info["beam"]["bmaj_arcsec"] == pytest.approx(
        300 / (dist.to(u.pc).value) * 206264.806, rel=1e-6
    )
    assert at300["co21"].sum() == pytest.approx(at150["co21"].sum(), rel=0.01)
    ratio = at150["co21_err"].median() / at300["co21_err"].median()
    assert 2.0 < ratio < 3.2  # beam-correlated noise: about sqrt(7), not ~40
