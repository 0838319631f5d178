"""SDSS from the SkyServer: the query, the cache, offline, saved copies.

No test touches the network: ``_download`` is replaced by a function that
answers as the SkyServer's CSV service does (a ``#Table1`` line, then the
table) and counts its calls.
"""

from __future__ import annotations

import urllib.error
import urllib.parse

import pandas as pd
import pytest

from astrokit import data
from astrokit._shared.cache import CacheWarning
from astrokit.data import _sdss

ANSWER = """#Table1
objid,ra,dec,u,g,r,i,z,class,redshift
1237648704577142822,183.531,0.0897,19.47,17.04,15.95,15.50,15.23,STAR,-0.0000090
1237648704577142823,183.598,0.1353,18.66,17.21,16.68,16.49,16.39,GALAXY,0.1231
1237648704577208353,183.680,0.1263,19.38,18.19,17.47,17.09,16.80,QSO,1.2047
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ASTROKIT_CACHE", str(folder))
    return folder


@pytest.fixture
def online(monkeypatch):
    """The SkyServer, answering ``ANSWER``; records the URLs asked for."""
    asked = []

    def download(url, **kwargs):
        asked.append(url)
        return ANSWER

    monkeypatch.setattr(_sdss, "_download", download)
    return asked


@pytest.fixture
def offline(monkeypatch):
    def download(url, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(_sdss, "_download", download)


def test_query_asks_the_sql_service_for_the_columns(cache, online):
    table = data.query_sdss(3, release="DR14")
    assert len(online) == 1
    url = urllib.parse.urlsplit(online[0])
    assert url.netloc == "skyserver.sdss.org"
    assert url.path == "/dr14/SkyServerWS/SearchTools/SqlSearch"
    params = urllib.parse.parse_qs(url.query)
    assert params["format"] == ["csv"]
    assert params["cmd"] == [_sdss.sdss_sql(3)]
    assert "TOP 3" in params["cmd"][0] and "ORDER BY s.specobjid" in params["cmd"][0]
    assert list(table.columns) == list(data.SDSS_COLUMNS)
    assert table["class"].tolist() == ["STAR", "GALAXY", "QSO"]
    assert table["objid"].iloc[0] == 1237648704577142822  # exact: an integer id
    assert table.attrs["release"] == "dr14" and "Abolfathi" in table.attrs["citation"]


def test_the_answer_is_cached_and_read_offline(cache, online, monkeypatch):
    first = data.query_sdss(3)
    assert first.attrs["source"].startswith(str(cache / "sdss"))
    monkeypatch.setattr(_sdss, "_download", pytest.fail)  # any download fails
    again = data.query_sdss(3)
    pd.testing.assert_frame_equal(again, first)
    assert again.attrs["source"] == first.attrs["source"]
    assert len(online) == 1


def test_refresh_asks_again_and_other_sizes_are_other_files(cache, online):
    data.query_sdss(3)
    data.query_sdss(3, refresh=True)
    data.query_sdss(4)
    assert len(online) == 3
    assert len(list((cache / "sdss").glob("*.csv"))) == 2


def test_offline_without_a_copy_says_what_to_do(cache, offline):
    with pytest.raises(ConnectionError, match=r"could not reach the SDSS SkyServer"):
        data.query_sdss(3)
    with pytest.raises(ConnectionError, match=r"once with a network connection"):
        data.query_sdss(3)
    with pytest.raises(ConnectionError, match=r"read_sdss\(path\)"):
        data.query_sdss(3)
    assert not (cache / "sdss").exists()


def test_offline_with_a_copy_reads_it(cache, online, monkeypatch):
    data.query_sdss(3)
    monkeypatch.setattr(_sdss, "_download", lambda url, **kw: 1 / 0)
    assert len(data.query_sdss(3)) == 3


def test_an_error_page_is_not_cached(cache, monkeypatch):
    page = "<html><body>Error: Timeout expired</body></html>"
    monkeypatch.setattr(_sdss, "_download", lambda url, **kw: page)
    with pytest.raises(ConnectionError, match=r"not answer with the table.*Timeout"):
        data.query_sdss(3)
    assert not (cache / "sdss").exists()


def test_an_unwritable_cache_still_returns_the_table(tmp_path, monkeypatch, online):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ASTROKIT_CACHE", str(blocker))
    with pytest.warns(CacheWarning, match="not cached"):
        table = data.query_sdss(3)
    assert len(table) == 3 and table.attrs["source"].startswith("https://")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0}, r"n=0 must be a whole number of objects from 1 to 500,000"),
        ({"n": 600_000}, r"n=600000 must be"),
        ({"n": 2.5}, r"n=2.5 must be"),
        ({"release": "dr7"}, r"release='dr7' is not an SDSS data release"),
        ({"release": "latest"}, r"release='latest'.*'dr14'"),
    ],
)
def test_bad_arguments_are_named(cache, online, kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.query_sdss(**kwargs)
    assert online == []


def test_read_sdss_reads_a_saved_skyserver_csv(tmp_path):
    path = tmp_path / "Skyserver_SQL.csv"
    path.write_text(ANSWER.replace("objid,ra", "objID,ra"))  # the form's case
    table = data.read_sdss(path)
    assert list(table.columns) == list(data.SDSS_COLUMNS)
    assert len(table) == 3 and table.attrs["source"] == str(path)


def test_read_sdss_reads_other_formats_and_frames(tmp_path):
    frame = _sdss._parse(ANSWER)
    path = tmp_path / "sdss.parquet"
    frame.to_parquet(path)
    assert data.read_sdss(path)["redshift"].tolist() == frame["redshift"].tolist()
    copy = data.read_sdss(frame)
    assert copy is not frame and copy.equals(frame)


def test_column_check_names_what_is_missing(tmp_path):
    path = tmp_path / "no_class.csv"
    path.write_text("objid,ra,dec,u,g,r,i,z,redshift\n1,2,3,4,5,6,7,8,0.1\n")
    with pytest.raises(ValueError, match=r"no column\(s\) \['class'\]"):
        data.read_sdss(path)
    with pytest.raises(ValueError, match=r"has the columns but no rows"):
        data.check_sdss(pd.DataFrame(columns=list(data.SDSS_COLUMNS)))
    with pytest.raises(TypeError, match=r"must be a pandas.DataFrame; got list"):
        data.check_sdss([1, 2])


def test_read_sdss_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"is not a file.*query_sdss\(\)"):
        data.read_sdss(tmp_path / "absent.csv")


@pytest.mark.realdata
def test_the_development_copy_reads(shared_data):
    table = data.read_sdss(shared_data / "sdss" / "skyserver_dr14_10k.csv")
    assert len(table) == 10_000
    assert set(table["class"]) == {"GALAXY", "STAR", "QSO"}
