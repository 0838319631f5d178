"""SDSS spectroscopic objects: query the SkyServer (cached), read a saved copy.

:func:`query_sdss` asks the SDSS SkyServer's SQL search service
(``SkyServerWS/SearchTools/SqlSearch?cmd=<SQL>&format=csv``, the service
SciServer's ``SkyServer.sqlSearch`` calls) for ``n`` objects with a spectrum:
their ``PhotoObj`` magnitudes joined with their ``SpecObj`` class and
redshift, the first ``n`` by ``specobjid`` (the same rows on every run of a
release). The answer is written to the cache folder, so a second call, or a
lesson in a room without network, reads the copy; with no copy and no
network it raises a :class:`ConnectionError` that says what to do.
:func:`read_sdss` reads such a table from a DataFrame or a saved file (the
SkyServer's CSV with its ``#Table1`` line, or any file
:func:`~astrokit.data.read_catalog` reads) and :func:`check_sdss` says what
one lacks.

The request is one HTTP GET with :mod:`urllib` (no client library is
needed for one URL; ``astroquery.sdss`` would add a dependency for it).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd

from astrokit._shared.cache import cache_dir, cache_write

__all__ = ["SDSS_COLUMNS", "SQL_SEARCH", "sdss_sql", "query_sdss", "read_sdss"]
__all__ += ["check_sdss"]

logger = logging.getLogger("astrokit.data")

SDSS_COLUMNS = ("objid", "ra", "dec", "u", "g", "r", "i", "z", "class", "redshift")
"""The columns of an SDSS table: ids, position (deg), ``u g r i z`` (mag),
the spectroscopic ``class`` (GALAXY, STAR, QSO) and ``redshift``."""

SQL_SEARCH = "https://skyserver.sdss.org/{release}/SkyServerWS/SearchTools/SqlSearch"
"""The SkyServer's SQL search service; ``{release}`` is e.g. ``dr14``."""

SQL_FORM = "https://skyserver.sdss.org/{release}/en/tools/search/sql.aspx"
"""The same search as a web form, for a person to run the query by hand."""

MAX_ROWS = 500_000
"""The most rows the SQL search service returns for one query."""

CITATION = "SDSS DR14: Abolfathi et al. 2018, ApJS 235, 42 (for DR14)"


def _release(release: str) -> str:
    text = release.lower() if isinstance(release, str) else None
    match = re.fullmatch(r"dr(\d{1,2})", text or "")
    if not match or int(match.group(1)) < 8:
        msg = (
            f"release={release!r} is not an SDSS data release with the SpecObj "
            "table; use 'dr8' or later, e.g. 'dr14' (the lesson's) or 'dr17'."
        )
        raise ValueError(msg)
    return text


def sdss_sql(n: int = 10_000) -> str:
    """The SkyServer SQL of the first ``n`` spectroscopic objects by specobjid.

    Only spectra without redshift warnings (``zWarning = 0``) are kept, so
    the class that grades a lesson is one the pipeline trusts.

    Examples
    --------
    >>> print(sdss_sql(5))  # doctest: +NORMALIZE_WHITESPACE
    SELECT TOP 5 p.objid, p.ra, p.dec, p.u, p.g, p.r, p.i, p.z, s.class,
    s.z AS redshift FROM SpecObj AS s JOIN PhotoObj AS p ON p.objid =
    s.bestobjid WHERE s.zWarning = 0 ORDER BY s.specobjid
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_ROWS:
        msg = (
            f"n={n!r} must be a whole number of objects from 1 to {MAX_ROWS:,} "
            "(the SkyServer's limit for one query)."
        )
        raise ValueError(msg)
    return (
        f"SELECT TOP {n} p.objid, p.ra, p.dec, p.u, p.g, p.r, p.i, p.z, s.class, "
        "s.z AS redshift FROM SpecObj AS s JOIN PhotoObj AS p "
        "ON p.objid = s.bestobjid WHERE s.zWarning = 0 ORDER BY s.specobjid"
    )


def _cache_path(release: str, n: int, query: str) -> Path:
    digest = hashlib.sha256(f"{release}\n{query}".encode()).hexdigest()[:12]
    return Path("sdss") / f"{release}_{n}_{digest}.csv"


def _download(url: str, *, timeout: float = 300.0) -> str:
    """The text the service answers at ``url`` (tests replace this)."""
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310
        return answer.read().decode("utf-8")


def _parse(text: str) -> pd.DataFrame:
    """The table of a SkyServer CSV answer, its ``#Table1`` line skipped."""
    lines = text.lstrip("\ufeff").splitlines()
    while lines and (not lines[0].strip() or lines[0].startswith("#")):
        lines.pop(0)
    if not lines:
        return pd.DataFrame()
    table = pd.read_csv(io.StringIO("\n".join(lines)), skipinitialspace=True)
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table


def query_sdss(
    n: int = 10_000, *, release: str = "dr14", refresh: bool = False
) -> pd.DataFrame:
    """``n`` SDSS objects with a spectrum, from the SkyServer, cached.

    Parameters
    ----------
    n : int, default 10000
        How many objects (at most 500,000): the first ``n`` by ``specobjid``
        among spectra without redshift warnings (see :func:`sdss_sql`), so
        every run of one release gives the same rows.
    release : str, default "dr14"
        The SDSS data release (``"dr8"`` or later).
    refresh : bool, default False
        Ask the SkyServer again even when a cached answer exists.

    Returns
    -------
    pandas.DataFrame
        One row per object, the columns of :data:`SDSS_COLUMNS`;
        ``attrs["query"]`` (the SQL), ``attrs["source"]`` (the cached file,
        or the URL when the cache cannot be written), ``attrs["citation"]``.

    Raises
    ------
    ValueError
        ``n`` or ``release`` is not valid.
    ConnectionError
        No cached answer and the SkyServer cannot be reached, or it answered
        with something other than the table; the message says where the
        cached copy would be and how else to get the table.

    See Also
    --------
    read_sdss : read a saved copy (e.g. one exported from the SkyServer form).
    """
    release = _release(release)
    query = sdss_sql(n)
    relative = _cache_path(release, n, query)
    path = cache_dir(create=False) / relative
    if path.exists() and not refresh:
        return _with_attrs(read_sdss(path), query, release, str(path))
    url = f"{SQL_SEARCH.format(release=release)}?" + urllib.parse.urlencode(
        {"cmd": query, "format": "csv"}
    )
    logger.info("query_sdss: asking the SDSS SkyServer: %s", query)
    form = SQL_FORM.format(release=release)
    try:
        text = _download(url)
    except Exception as error:  # URLError, timeouts, HTTP errors: all offline here
        msg = (
            f"query_sdss could not reach the SDSS SkyServer ({error}); no cached "
            f"answer at {path}. Run astrokit.data.query_sdss(n={n}, "
            f"release={release!r}) once with a network connection (the copy is "
            "then read offline), or run this query by hand in the SkyServer's "
            f"SQL form ({form}): {query}; save the CSV and read it with "
            "read_sdss(path)."
        )
        raise ConnectionError(msg) from error
    table = _parse(text)
    missing = [c for c in SDSS_COLUMNS if c not in table]
    if missing or table.empty:
        said = " ".join(text.split())[:200] or "nothing"
        msg = (
            f"the SDSS SkyServer did not answer with the table (it said: {said!r}); "
            f"nothing was cached at {path}. Try again later, or run the query in "
            f"the SQL form ({form}) and read the CSV with read_sdss(path)."
        )
        raise ConnectionError(msg)
    table = table[list(SDSS_COLUMNS)]
    stored = cache_write(
        relative,
        lambda tmp: table.to_csv(tmp, index=False),
        what=f"the SDSS table ({len(table)} rows)",
    )
    return _with_attrs(table, query, release, str(stored) if stored else url)


def _with_attrs(table, query: str, release: str, source: str) -> pd.DataFrame:
    table.attrs = {
        "query": query,
        "release": release,
        "source": source,
        "citation": CITATION if release == "dr14" else f"SDSS {release.upper()}",
    }
    return table


def read_sdss(source) -> pd.DataFrame:
    """An SDSS table from a DataFrame or a saved file, its columns checked.

    Parameters
    ----------
    source : DataFrame, str or Path
        A table (copied), a CSV saved from the SkyServer (its ``#Table1``
        line is skipped) or any file :func:`astrokit.data.read_catalog`
        reads (FITS, Parquet...).

    Returns
    -------
    pandas.DataFrame
        Every column of the file (column names in lower case), with at least
        :data:`SDSS_COLUMNS`; ``attrs["source"]`` says where it came from.

    Raises
    ------
    FileNotFoundError
        ``source`` is a path and no file is there.
    ValueError
        The table lacks one of :data:`SDSS_COLUMNS` (see :func:`check_sdss`).
    """
    if isinstance(source, pd.DataFrame):
        table = source.copy()
        where = source.attrs.get("source", "a table")
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            msg = (
                f"source={str(source)!r} is not a file; pass the path of a saved "
                "SDSS table (CSV, FITS, Parquet) or a DataFrame, or call "
                "query_sdss() to get one from the SkyServer."
            )
            raise FileNotFoundError(msg)
        if path.suffix.lower() in {".csv", ".txt"}:
            table = _parse(path.read_text(encoding="utf-8"))
        else:
            from astrokit.data._catalogs import read_catalog

            table = read_catalog(path)
            table.columns = [str(c).lower() for c in table.columns]
        where = str(path)
    check_sdss(table, name=f"the SDSS table from {where}")
    table.attrs["source"] = where
    return table


def check_sdss(table, *, name: str = "table") -> None:
    """ValueError naming what ``table`` lacks of :data:`SDSS_COLUMNS`."""
    if not isinstance(table, pd.DataFrame):
        msg = f"{name} must be a pandas.DataFrame; got {type(table).__name__}."
        raise TypeError(msg)
    missing = [c for c in SDSS_COLUMNS if c not in table]
    if missing:
        msg = (
            f"{name} has no column(s) {missing} (it has {list(table.columns)[:12]}); "
            f"an SDSS table needs {list(SDSS_COLUMNS)}: select them in the query "
            "(sdss_sql() shows one) or rename your columns."
        )
        raise ValueError(msg)
    if table.empty:
        msg = f"{name} has the columns but no rows."
        raise ValueError(msg)
