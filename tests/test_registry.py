"""The registry of real datasets (astrokit.data._registry); never touches the network.

Downloads go through an injected pooch downloader that copies a local file or
raises the error ``requests`` raises without a network.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import urllib.parse
from importlib import resources

import numpy as np
import pandas as pd
import pytest
import requests
from astropy.io import fits
from astropy.wcs import WCS

from astrokit._shared.bands import BANDS
from astrokit.data import _registry, datasets, fetch, load
from astrokit.data._catalogs import CATALOG_FORMATS


def _manifest() -> list[dict]:
    text = resources.files("astrokit.data").joinpath("registry.json").read_text()
    return json.loads(text)["datasets"]


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_from(folder):
    """A downloader that serves files from ``folder`` by their name in the URL."""
    calls = []

    def download(url, output_file, pooch):
        calls.append(url)
        shutil.copyfile(folder / url.rsplit("/", 1)[-1], output_file)

    download.calls = calls
    return download


def offline(url, output_file, pooch):
    raise requests.exceptions.ConnectionError(f"Failed to resolve host for {url}")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder (ASTROKIT_CACHE); returns its downloads folder."""
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "downloads"


def _entry(name, filename, sha256, **extra):
    return {
        "name": name,
        "kind": "catalog",
        "format": "csv",
        "url": f"https://example.org/files/{filename}",
        "filename": filename,
        "sha256": sha256,
        "size": None,
        "verified": True,
        "landing": "https://example.org/files/",
        "citation": "Doe et al. 2024",
        "licence": "CC-BY-4.0",
        "description": "A test file.",
        **extra,
    }


@pytest.fixture
def toy(tmp_path, monkeypatch, rng):
    """A registry of three tiny local files: a map, its error map, a CSV."""
    server = tmp_path / "server"
    server.mkdir()
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crval, w.wcs.cdelt, w.wcs.crpix = [10.0, -5.0], [-1e-4, 1e-4], [4, 3]
    header = w.to_header()
    header["BUNIT"] = "K km s-1"
    fits.writeto(server / "toy_mom0.fits", rng.normal(3.0, 1.0, (6, 8)), header)
    fits.writeto(server / "toy_emom0.fits", np.full((6, 8), 0.5), header)
    (server / "toy.csv").write_text("ra,dec\n1.0,2.0\n3.0,4.0\n")
    (server / "toy_cat.fits").write_text("<html>Service unavailable</html>" * 100)
    entries = [
        _entry(
            "toy_mom0",
            "toy_mom0.fits",
            _sha256(server / "toy_mom0.fits"),
            kind="map",
            format="fits",
            galaxy="toy",
            bands={"co21": {"hdu": 0}},
            error_map="toy_emom0",
        ),
        _entry(
            "toy_emom0",
            "toy_emom0.fits",
            _sha256(server / "toy_emom0.fits"),
            kind="map",
            format="fits",
            galaxy="toy",
            bands={"co21": {"hdu": 0}},
            error_for="toy_mom0",
        ),
        _entry("toy_table", "toy.csv", None),
        _entry("toy_fits", "toy_cat.fits", None, format="fits"),
    ]
    _registry._check_manifest(entries)
    monkeypatch.setattr(_registry, "_registry", lambda: {e["name"]: e for e in entries})
    return server


# ------------------------------------------------------------- the manifest


def test_manifest_schema():
    entries = _manifest()
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names)) and len(names) >= 20
    filenames = [e["filename"] for e in entries]
    assert len(filenames) == len(set(filenames)), "cached files would collide"
    for e in entries:
        assert set(_registry.REQUIRED_KEYS) <= set(e), e["name"]
        assert re.fullmatch(r"[a-z0-9_]+", e["name"])
        assert e["kind"] in _registry.KINDS and e["format"] in CATALOG_FORMATS
        assert e["sha256"] is None or re.fullmatch(r"[0-9a-f]{64}", e["sha256"])
        assert e["size"] is None or (isinstance(e["size"], int) and e["size"] > 0)
        assert isinstance(e["verified"], bool)
        assert e["url"].startswith("https://") and e["landing"].startswith("https://")
        assert "/" not in e["filename"]
        assert all(e[k].strip() for k in ("citation", "licence", "description"))
        if e["kind"] == "map":
            assert e["galaxy"] and set(e["bands"]) <= set(BANDS), e["name"]
        if "error_map" in e:
            partner = entries[names.index(e["error_map"])]
            assert partner["error_for"] == e["name"]
            assert partner["bands"].keys() == e["bands"].keys()
    _registry._check_manifest(entries)


def test_registry_holds_the_promised_datasets():
    table = datasets()
    for galaxy in ("ngc3621", "ngc0628", "ngc1365", "ngc7496"):
        for kind in ("mom0", "emom0"):
            assert f"phangs_alma_{galaxy}_co21_150pc_{kind}" in table.index
    for galaxy in ("ngc0628", "ngc1365", "ngc7496"):
        assert table.loc[f"phangs_muse_{galaxy}_150pc_maps", "bands"].startswith(
            "halpha"
        )
        for band in ("f335m", "f770w", "f1130w", "f2100w"):
            assert table.loc[f"phangs_jwst_{galaxy}_{band}", "bands"] == band
    assert table.loc["phangs_sample_table", "kind"] == "table"
    ngc3621 = table.loc["phangs_alma_ngc3621_co21_150pc_mom0"]
    assert ngc3621["sha256"] == (
        "1309bea165c9572929e373af02969f982043d48073c65a0d63e8aca40305b8d7"
    )
    gaia = urllib.parse.unquote_plus(table.loc["gaia_edr3_m67_cone", "url"])
    assert gaia.startswith("https://gea.esac.esa.int/tap-server/tap/sync?")
    assert "CIRCLE('ICRS', 132.825, 11.8, 0.53)" in gaia
    assert pd.isna(table.loc["gaia_edr3_m67_cone", "sha256"])
    assert len(table) == len(_manifest())


def test_manifest_problems_are_listed():
    good = _entry("a", "a.csv", None)
    bad = [
        good,
        dict(good),
        _entry("b", "b.csv", "ABC", kind="movie", url="http://x"),
        {"name": "c"},
        _entry("d", "d.fits", None, kind="map", error_map="nope"),
    ]
    with pytest.raises(ValueError, match="The dataset registry is invalid") as info:
        _registry._check_manifest(bad)
    text = str(info.value)
    assert "name 'a' is used twice" in text
    assert "b: kind='movie' is not one of" in text
    assert "b: sha256='ABC' is not 64 lowercase hex digits or null" in text
    assert "b: url must start with https://" in text
    assert "c: missing keys ['kind'" in text
    assert "d: a map needs 'galaxy' and 'bands'" in text
    assert "d: error_map='nope' is not in the registry" in text


@pytest.mark.realdata
def test_checksums_match_the_shared_copies(shared_data):
    table = datasets()
    for name, row in table[table["sha256"].notna()].iterrows():
        copies = list(shared_data.rglob(row["url"].rsplit("/", 1)[-1]))
        assert len(copies) == 1, name
        assert _sha256(copies[0]) == row["sha256"], name
        assert copies[0].stat().st_size == row["size"], name


# ------------------------------------------------------------ fetch and load


def test_fetch_downloads_once_into_the_cache(toy, cache):
    download = copy_from(toy)
    path = fetch("toy_mom0", downloader=download)
    assert path == cache / "toy_mom0.fits"
    assert path.read_bytes() == (toy / "toy_mom0.fits").read_bytes()
    assert fetch("toy_mom0", downloader=download) == path
    assert len(download.calls) == 1


def test_fetch_refuses_a_corrupt_download(toy, cache):
    (toy / "toy_mom0.fits").write_bytes(b"SIMPLE  = T / tampered")
    with pytest.raises(
        ValueError,
        match=r"download of 'toy_mom0' from https://example.org/files/toy_mom0.fits "
        r"is corrupt.*was not kept. Try again",
    ):
        fetch("toy_mom0", downloader=copy_from(toy))
    assert not cache.exists() or list(cache.iterdir()) == []


def test_fetch_offline_points_to_the_demo_data(toy, cache):
    with pytest.raises(
        ConnectionError,
        match=(
            r"download of 'toy_table' from https://example.org/files/toy.csv failed "
            r"\(ConnectionError: .*\). There may be no network connection.*"
            r"astrokit.data.load_demo\(\).*download the file by hand \(see "
            r"https://example.org/files/\).*read_maps or astrokit.data.read_catalog"
        ),
    ):
        fetch("toy_table", downloader=offline)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_a_corrupt_cached_file_is_not_kept(toy, cache):
    cache.mkdir(parents=True)
    (cache / "toy_mom0.fits").write_bytes(b"half a file")
    with pytest.raises(ConnectionError, match="may be no network"):
        fetch("toy_mom0", downloader=offline)
    assert list(cache.iterdir()) == []
    path = fetch("toy_mom0", downloader=copy_from(toy))  # and the next try works
    assert _sha256(path) == _sha256(toy / "toy_mom0.fits")


def test_unknown_names_get_suggestions(toy):
    with pytest.raises(
        ValueError,
        match=(
            r"name='toy_mom' is not a registered dataset. Did you mean 'toy_mom0'.*"
            r"Known datasets: \['toy_emom0', 'toy_fits', 'toy_mom0', 'toy_table'\]"
        ),
    ):
        fetch("toy_mom")
    with pytest.raises(ValueError, match=r"name='nothing_alike' is not a registered"):
        load("nothing_alike")


def test_unknown_names_in_the_real_registry():
    with pytest.raises(
        ValueError, match=r"Did you mean 'phangs_alma_ngc3621_co21_150pc"
    ):
        fetch("phangs_alma_ngc3621_co21_mom0")


def test_load_a_map_with_its_error_map(toy, cache):
    download = copy_from(toy)
    table = load("toy_mom0", downloader=download, detection_snr=5.0)
    assert list(table.columns[-3:]) == ["co21", "co21_err", "co21_ul"]
    assert len(table) == 48 and set(table["galaxy"]) == {"toy"}
    assert table.attrs["citation"] == "Doe et al. 2024"
    assert table.attrs["source"] == "astrokit.data.load('toy_mom0')"
    assert table.attrs["detection_snr"] == 5.0
    again = load("toy_emom0", downloader=download)  # the error map brings its map
    assert list(again.columns) == list(table.columns)
    assert sorted(download.calls) == [
        "https://example.org/files/toy_emom0.fits",
        "https://example.org/files/toy_mom0.fits",
    ]


def test_load_a_catalogue(toy, cache):
    table = load("toy_table", downloader=copy_from(toy))
    assert table.to_dict("list") == {"ra": [1.0, 3.0], "dec": [2.0, 4.0]}
    assert table.attrs["licence"] == "CC-BY-4.0"


def test_an_unreadable_download_without_checksum_is_removed(toy, cache):
    with pytest.raises(
        ValueError,
        match=r"Could not read .*toy_cat.fits as fits.*was removed from the cache; "
        r"the archive may have answered with an error page",
    ):
        load("toy_fits", downloader=copy_from(toy))
    assert list(cache.iterdir()) == []


@pytest.mark.realdata
def test_load_the_real_ngc3621_map(shared_data, cache):
    table = load(
        "phangs_alma_ngc3621_co21_150pc_mom0",
        downloader=copy_from(shared_data / "phangs_alma"),
    )
    assert len(table) == 266_838
    assert table.attrs["shape"] == {"ngc3621": (633, 640)}
    assert table["co21_err"].notna().all()
    assert sorted(p.name for p in cache.iterdir()) == [
        "ngc3621_1_12m+7m_co21_150pc_broad_emom0.fits",
        "ngc3621_1_12m+7m_co21_150pc_broad_mom0.fits",
    ]


def test_unreadable_unchecked_maps_are_all_removed(toy, cache, monkeypatch):
    entries = {name: dict(e, sha256=None) for name, e in _registry._registry().items()}
    monkeypatch.setattr(_registry, "_registry", lambda: entries)
    (toy / "toy_emom0.fits").write_bytes(b"<html>Not found</html>" * 100)
    with pytest.raises(
        ValueError,
        match=r"errors\['co21'\]: .*toy_emom0.fits is not a readable FITS file.*"
        r"file of 'toy_mom0', 'toy_emom0' was removed from the cache",
    ):
        load("toy_mom0", downloader=copy_from(toy))
    assert list(cache.iterdir()) == []


def test_an_http_error_names_the_landing_page(toy, cache, monkeypatch):
    entries = {
        name: dict(e, verified=False) for name, e in _registry._registry().items()
    }
    monkeypatch.setattr(_registry, "_registry", lambda: entries)

    def not_found(url, output_file, pooch):
        raise requests.exceptions.HTTPError(
            f"404 Client Error: Not Found for url: {url}"
        )

    with pytest.raises(
        ConnectionError,
        match=r"failed \(HTTPError: 404 .*has moved the file \(this address is not "
        r"verified\).*see https://example.org/files/",
    ):
        fetch("toy_table", downloader=not_found)
