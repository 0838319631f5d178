"""The synthetic PHANGS-like galaxies (astrokit.data._synthetic)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import astrokit.data._demo_cache as demo_cache
from astrokit._shared.bands import BANDS, ERR_SUFFIX, UL_SUFFIX
from astrokit.data import (
    ENVIRONMENTS,
    GALAXIES,
    TIER_SIZES,
    galaxy_wcs,
    load_demo,
    make_galaxies,
    to_image,
)

INSTRUMENT_BAND = {"ALMA": "co21", "MUSE": "halpha", "JWST": "f770w", "HST": "f555w"}


@pytest.fixture(scope="module")
def tiny():
    return make_galaxies("tiny", random_state=0)


@pytest.fixture(scope="module")
def demo():
    return make_galaxies("demo", random_state=0)


def _covered(table, instrument):
    return table[INSTRUMENT_BAND[instrument]].notna().to_numpy()


# --- determinism ------------------------------------------------------------


def test_same_seed_gives_identical_table(tiny):
    again = make_galaxies("tiny", random_state=0)
    pd.testing.assert_frame_equal(tiny, again)
    assert tiny.attrs == again.attrs


def test_other_seed_gives_other_noise_and_clumps(tiny):
    other = make_galaxies("tiny", random_state=1)
    assert len(other) == len(tiny)  # same grids and footprints
    assert not np.allclose(other["halpha"], tiny["halpha"], equal_nan=True)
    assert (other["x"].to_numpy() == tiny["x"].to_numpy()).all()


def test_a_galaxy_is_the_same_alone_or_with_the_others(tiny):
    alone = make_galaxies("tiny", galaxies="NGC7496", random_state=0)
    part = tiny[tiny["galaxy"] == "NGC7496"].reset_index(drop=True)
    assert list(alone["galaxy"].cat.categories) == ["NGC7496"]
    cols = [c for c in tiny.columns if c != "galaxy"]
    pd.testing.assert_frame_equal(alone[cols], part[cols])


# --- columns, dtypes, attrs -------------------------------------------------


def test_columns_and_dtypes(tiny):
    expected = ["galaxy", "x", "y", "ra", "dec"]
    for band in BANDS:
        expected += [band, band + ERR_SUFFIX, band + UL_SUFFIX]
    expected += tiny.attrs["truth_columns"]
    assert list(tiny.columns) == expected
    assert isinstance(tiny["galaxy"].dtype, pd.CategoricalDtype)
    assert list(tiny["galaxy"].cat.categories) == list(GALAXIES)
    assert tiny["x"].dtype == np.int32 and tiny["y"].dtype == np.int32
    assert tiny["ra"].dtype == np.float64 and tiny["dec"].dtype == np.float64
    for band in BANDS:
        assert tiny[band].dtype == np.float32
        assert tiny[band + ERR_SUFFIX].dtype == np.float32
        assert tiny[band + UL_SUFFIX].dtype == bool
    assert isinstance(tiny["truth_env"].dtype, pd.CategoricalDtype)
    assert list(tiny["truth_env"].cat.categories) == list(ENVIRONMENTS)
    assert tiny["truth_anomaly"].dtype == bool
    assert tiny.index.equals(pd.RangeIndex(len(tiny)))


def test_units_for_every_band_and_error(tiny):
    import astropy.units as u

    units = tiny.attrs["units"]
    for band, meta in BANDS.items():
        assert units[band] == meta.unit
        assert units[band + ERR_SUFFIX] == meta.unit
    for column, unit in units.items():
        assert column in tiny.columns
        u.Unit(unit)  # parses


def test_attrs_describe_the_table(tiny):
    attrs = tiny.attrs
    assert attrs["pixel_pc"] == TIER_SIZES["tiny"]["pixel_pc"]
    assert attrs["detection_snr"] == 3.0
    assert attrs["tier"] == "tiny" and attrs["random_state"] == 0
    assert "synthetic" in attrs["source"]
    assert set(attrs["wcs"]) == set(attrs["shape"]) == set(GALAXIES)
    assert all(isinstance(s, tuple) and len(s) == 2 for s in attrs["shape"].values())


def test_truth_columns_are_listed_and_kept_apart(tiny):
    truth = tiny.attrs["truth_columns"]
    assert truth[:2] == ["truth_env", "truth_anomaly"]
    assert [c for c in tiny.columns if c.startswith("truth_")] == truth
    measured = {b for b in BANDS} | {b + ERR_SUFFIX for b in BANDS}
    assert not measured & set(truth)


# --- geometry ---------------------------------------------------------------


@pytest.mark.parametrize("name", GALAXIES)
def test_wcs_is_celestial_and_matches_ra_dec(tiny, name):
    wcs = galaxy_wcs(tiny, name)
    assert wcs.celestial.naxis == 2
    assert list(wcs.wcs.ctype) == ["RA---TAN", "DEC--TAN"]
    rows = tiny[tiny["galaxy"] == name]
    ra, dec = wcs.pixel_to_world_values(rows["x"], rows["y"])
    np.testing.assert_allclose(ra, rows["ra"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(dec, rows["dec"], rtol=0, atol=1e-9)
    ny, nx = tiny.attrs["shape"][name]
    centre = wcs.pixel_to_world_values((nx - 1) / 2, (ny - 1) / 2)
    info = tiny.attrs["galaxy_info"][name]
    np.testing.assert_allclose(centre, (info["ra"], info["dec"]), atol=1e-9)
    pix_deg = np.degrees(tiny.attrs["pixel_pc"] / (info["dist_mpc"] * 1e6))
    np.testing.assert_allclose(np.abs(wcs.wcs.cdelt), pix_deg, rtol=1e-12)
    assert wcs.wcs.cdelt[0] < 0  # RA grows to the east (left)


def test_real_galaxy_positions(tiny):
    info = tiny.attrs["galaxy_info"]
    assert (info["NGC1365"]["ra"], info["NGC1365"]["dec"]) == (53.40154, -36.14038)
    assert info["NGC0628"]["dist_mpc"] == 9.84
    assert info["NGC7496"]["incl_deg"] == 35.9


def test_to_image_puts_rows_back_on_the_grid(tiny):
    image = to_image(tiny, "co21", galaxy="NGC0628")
    assert image.shape == tiny.attrs["shape"]["NGC0628"]
    assert np.isnan(image).any()  # ALMA's ellipse does not fill the grid corners


# --- footprints, noise, upper limits ---------------------------------------


@pytest.mark.parametrize("table", ["tiny", "demo"])
def test_footprints_differ(table, request):
    t = request.getfixturevalue(table)
    alma, muse, jwst, hst = (_covered(t, i) for i in ["ALMA", "MUSE", "JWST", "HST"])
    assert muse.sum() < alma.sum() and jwst.sum() < muse.sum()
    assert hst.sum() < alma.sum()
    assert (alma | muse | jwst | hst).all()  # rows: inside at least one footprint
    assert (hst & ~alma).any()  # the HST strip runs off the disc
    for name in GALAXIES:
        ny, nx = t.attrs["shape"][name]
        assert (t["galaxy"] == name).sum() < ny * nx


def test_nan_exactly_outside_each_footprint(tiny):
    for band, meta in BANDS.items():
        covered = _covered(tiny, meta.instrument)
        assert (tiny[band].notna().to_numpy() == covered).all(), band
        assert (tiny[band + ERR_SUFFIX].notna().to_numpy() == covered).all(), band
        assert (tiny.loc[covered, band + ERR_SUFFIX] > 0).all(), band
        assert not tiny.loc[~covered, band + UL_SUFFIX].any(), band


def test_upper_limit_flags_follow_value_and_error(demo):
    for band in BANDS:
        value, err = demo[band].to_numpy(), demo[band + ERR_SUFFIX].to_numpy()
        expected = np.isfinite(value) & (value < 3.0 * err)
        assert (demo[band + UL_SUFFIX].to_numpy() == expected).all(), band
    assert demo["halpha_ul"].mean() < demo["oi6300_ul"].mean()  # [OI] is faint
    assert (demo["co21"] < 0).any()  # noise scatters faint pixels below zero


def test_noise_is_roughly_constant_per_instrument(demo):
    for band in ["co21", "halpha", "f770w", "f555w"]:
        err = demo[band + ERR_SUFFIX].dropna()
        assert err.quantile(0.75) / err.quantile(0.25) < 2.0, band


# --- environments, anomalies, sizes ----------------------------------------


@pytest.mark.parametrize("table", ["tiny", "demo"])
def test_all_six_environments_present(table, request):
    counts = request.getfixturevalue(table)["truth_env"].value_counts()
    assert set(counts[counts > 0].index) == set(ENVIRONMENTS)


def test_agn_only_in_ngc1365(demo):
    agn = demo.loc[demo["truth_env"] == "agn", "galaxy"]
    assert set(agn.astype(str)) == {"NGC1365"}


@pytest.mark.parametrize(
    ("table", "low", "high"), [("tiny", 3, 40), ("demo", 100, 600)]
)
def test_anomalies_present_and_rare(table, low, high, request):
    t = request.getfixturevalue(table)
    n = int(t["truth_anomaly"].sum())
    assert low <= n <= high
    assert n < 0.01 * len(t)
    kinds = t.loc[t["truth_anomaly"], "truth_anomaly_kind"].astype(str)
    assert set(kinds) == {"shock", "oiii_knot"}
    assert (t.loc[~t["truth_anomaly"], "truth_anomaly_kind"] == "none").all()
    seen = t.loc[t["truth_anomaly"], ["co21", "halpha", "f770w"]]
    assert seen.notna().all().all()  # planted where ALMA, MUSE and JWST look


def test_shock_anomalies_have_shock_signatures(demo):
    shock = demo[demo["truth_anomaly_kind"] == "shock"]
    normal = demo[~demo["truth_anomaly"] & _detected(demo, "sii6716_31", "halpha")]
    ratio = np.log10(shock["sii6716_31"] / shock["halpha"])
    assert ratio.median() > np.log10(normal["sii6716_31"] / normal["halpha"]).max() - 1
    assert ratio.median() > 0.2
    assert shock["co21_width"].median() > 100


@pytest.mark.parametrize("tier", ["tiny", "demo"])
def test_tier_sizes_as_documented(tier, request):
    t = request.getfixturevalue(tier)
    low, high = TIER_SIZES[tier]["rows"]
    assert low <= len(t) <= high
    assert t.attrs["pixel_pc"] == TIER_SIZES[tier]["pixel_pc"]


@pytest.mark.slow
def test_full_tier_size():
    t = make_galaxies("full", galaxies="NGC7496")
    assert t.attrs["pixel_pc"] == TIER_SIZES["full"]["pixel_pc"]
    assert 200_000 < len(t) < 600_000


def test_demo_fits_a_small_machine(demo):
    assert demo.memory_usage(deep=True).sum() < 100e6


# --- physics the lessons rely on --------------------------------------------


def _detected(t, *bands):
    """Rows covered and detected in every band (``_ul`` is False outside)."""
    ok = np.ones(len(t), dtype=bool)
    for band in bands:
        ok &= t[band].notna().to_numpy() & ~t[band + UL_SUFFIX].to_numpy()
    return ok


def _median_log_ratio(t, env, num, den):
    rows = t[(t["truth_env"] == env).to_numpy() & _detected(t, num, den)]
    return float(np.median(np.log10(rows[num] / rows[den])))


def test_bpt_environments(demo):
    n2 = {e: _median_log_ratio(demo, e, "nii6583", "halpha") for e in ENVIRONMENTS}
    o3 = {e: _median_log_ratio(demo, e, "oiii5007", "hbeta") for e in ENVIRONMENTS}
    s2 = {e: _median_log_ratio(demo, e, "sii6716_31", "halpha") for e in ENVIRONMENTS}
    assert n2["hii_region"] < n2["dig"] < n2["interarm"] < n2["bulge"]
    assert s2["hii_region"] < s2["dig"] < s2["interarm"]
    assert o3["agn"] > 0.6 and abs(n2["agn"]) < 0.15
    # HII regions lie below Kauffmann et al. (2003)
    kauffmann = 0.61 / (n2["hii_region"] - 0.05) + 1.3
    assert o3["hii_region"] < kauffmann


def test_dust_follows_molecular_gas(demo):
    decrement = {
        e: _median_log_ratio(demo, e, "halpha", "hbeta")
        for e in ["interarm", "molecular_cloud"]
    }
    assert decrement["interarm"] > np.log10(2.86) - 0.02
    assert decrement["molecular_cloud"] > decrement["interarm"] + 0.1
    ok = _detected(demo, "co21", "f770w")
    rho = np.corrcoef(np.log10(demo.loc[ok, "co21"]), np.log10(demo.loc[ok, "f770w"]))
    assert rho[0, 1] > 0.7  # the CO-PAH correlation


def test_bulge_pahs_and_agn_co_width(demo):
    r117 = {e: _median_log_ratio(demo, e, "f1130w", "f770w") for e in ENVIRONMENTS}
    r33 = {e: _median_log_ratio(demo, e, "f335m", "f1130w") for e in ENVIRONMENTS}
    assert max(r117, key=r117.get) == "bulge"
    assert r33["bulge"] < r33["interarm"] < r33["hii_region"]
    width = demo.groupby("truth_env", observed=True)["co21_width"].median()
    assert width.idxmax() == "agn" and width["agn"] > 50


def test_hst_colours_redden_in_the_bulge(demo):
    rows = demo[_detected(demo, "f336w", "f814w")]
    colour = np.log10(rows["f814w"] / rows["f336w"]).groupby(rows["truth_env"]).median()
    assert colour["bulge"] > colour["hii_region"] + 0.5


# --- load_demo cache ---------------------------------------------------------


def test_load_demo_caches_with_attrs(tmp_path, monkeypatch):
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path))
    first = load_demo("tiny", random_state=3)
    files = list((tmp_path / "demo").glob("*.parquet"))
    assert len(files) == 1 and "tiny" in files[0].name and "seed3" in files[0].name

    def fail(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(demo_cache, "make_galaxies", fail)
    second = load_demo("tiny", random_state=3)
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs == first.attrs
    assert isinstance(second.attrs["shape"]["NGC0628"], tuple)


def test_load_demo_default_tier_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path))
    monkeypatch.setenv("ASTROKIT_TIER", "tiny")
    assert load_demo().attrs["tier"] == "tiny"


def test_corrupt_cache_is_regenerated(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path))
    path = demo_cache._cache_path("tiny", 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PAR1 this is not a parquet file")
    with caplog.at_level(logging.WARNING, logger="astrokit.data._synthetic"):
        table = load_demo("tiny", random_state=0)
    assert "Regenerating" in caplog.text
    pd.testing.assert_frame_equal(table, make_galaxies("tiny", random_state=0))
    pd.testing.assert_frame_equal(demo_cache._read_parquet(path), table)


def test_cache_without_attrs_is_regenerated(tmp_path, monkeypatch):
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path))
    path = demo_cache._cache_path("tiny", 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"a": [1.0]}).to_parquet(path)
    assert len(load_demo("tiny", random_state=0)) > 1000


# --- errors ------------------------------------------------------------------


def test_unknown_tier():
    with pytest.raises(ValueError, match=r"tier='huge' is not a data tier; use one"):
        make_galaxies("huge")
    with pytest.raises(ValueError, match=r"tier='huge' is not a data tier"):
        load_demo("huge")


@pytest.mark.parametrize("galaxies", ["M51", ["NGC0628", "M51"], [], 5])
def test_unknown_galaxy(galaxies):
    with pytest.raises(ValueError, match=r"galaxies=.*unknown or empty; choose from"):
        make_galaxies("tiny", galaxies=galaxies)


@pytest.mark.parametrize("seed", [-1, 1.5, True, None])
def test_bad_random_state(seed):
    match = r"random_state=.* must be a non-negative integer"
    with pytest.raises(ValueError, match=match):
        make_galaxies("tiny", random_state=seed)


@pytest.mark.parametrize("function", [make_galaxies, load_demo])
def test_seed_is_the_old_name_of_random_state(function, tmp_path, monkeypatch):
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path))
    with pytest.warns(FutureWarning, match="seed= is renamed random_state="):
        old = function("tiny", seed=1)
    assert old.attrs["random_state"] == 1
    pd.testing.assert_frame_equal(old, function("tiny", random_state=1))


def test_seed_and_random_state_together_is_an_error():
    with pytest.raises(TypeError, match="give random_state= only"):
        make_galaxies("tiny", seed=1, random_state=2)


def test_unknown_keyword_is_named():
    with pytest.raises(TypeError, match=r"make_galaxies\(\) got unexpected .*'sead'"):
        make_galaxies("tiny", sead=1)
