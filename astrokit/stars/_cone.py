"""Gaia cones: read one (file, table, registry), query one (cached), check it.

:func:`query_cone` asks the Gaia archive for the stars within a radius of a
position: through ``astroquery.gaia`` when it is installed, otherwise with
one synchronous ADQL request to the archive's TAP service (the same kind of
request as the registered ``gaia_edr3_m67_cone``). The answer is written to
the cache folder, so a second call, or a lesson in a room without network,
reads the copy. :func:`check_cone` says clearly what a table lacks.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.parse
from pathlib import Path

import numpy as np
import pandas as pd

from astrokit._shared.cache import cache_dir

__all__ = [
    "ASTROMETRY",
    "GAIA_COLUMNS",
    "TAP_URL",
    "adql_cone",
    "query_cone",
    "read_cone",
    "check_cone",
]

logger = logging.getLogger("astrokit.stars")

ASTROMETRY = ("pmra", "pmdec", "parallax")
"""The astrometric columns open clusters are found in (mas/yr, mas/yr, mas)."""

GAIA_COLUMNS = (
    "source_id", "ra", "dec", "parallax", "parallax_error", "parallax_over_error",
    "pmra", "pmra_error", "pmdec", "pmdec_error", "ruwe", "phot_g_mean_mag",
    "bp_rp", "radial_velocity",
)  # fmt: skip
"""Columns :func:`query_cone` asks for by default (``gaiadr3.gaia_source``)."""

TAP_URL = "https://gea.esac.esa.int/tap-server/tap/sync"
"""The Gaia archive's synchronous TAP endpoint (used without astroquery)."""


def adql_cone(
    ra: float, dec: float, radius: float, *, table: str, columns=GAIA_COLUMNS
) -> str:
    """The ADQL query of every source of ``table`` within ``radius`` degrees.

    Examples
    --------
    >>> adql_cone(132.825, 11.8, 0.5, table="gaiadr3.gaia_source",
    ...           columns=("source_id", "ra"))  # doctest: +NORMALIZE_WHITESPACE
    "SELECT source_id, ra FROM gaiadr3.gaia_source WHERE 1 = CONTAINS(POINT('ICRS',
    ra, dec), CIRCLE('ICRS', 132.825, 11.8, 0.5))"
    """
    for name, value, low, high in (
        ("ra", ra, 0.0, 360.0), ("dec", dec, -90.0, 90.0), ("radius", radius, 0.0, 10.0)
    ):  # fmt: skip
        if not (isinstance(value, int | float) and low <= value <= high):
            msg = f"{name}={value!r} must be a number of degrees in [{low}, {high}]."
            raise ValueError(msg)
    return (
        f"SELECT {', '.join(columns)} FROM {table} WHERE 1 = CONTAINS("
        f"POINT('ICRS', ra, dec), CIRCLE('ICRS', {ra}, {dec}, {radius}))"
    )


def _cache_path(query: str) -> Path:
    digest = hashlib.sha256(query.encode()).hexdigest()[:16]
    return cache_dir() / "gaia" / f"cone_{digest}.csv"


def _download(query: str) -> pd.DataFrame:
    try:
        from astroquery.gaia import Gaia
    except ImportError:
        url = f"{TAP_URL}?" + urllib.parse.urlencode(
            {"REQUEST": "doQuery", "LANG": "ADQL", "FORMAT": "csv", "QUERY": query}
        )
        return pd.read_csv(url)
    return Gaia.launch_job_async(query).get_results().to_pandas()


def query_cone(
    ra: float,
    dec: float,
    radius: float,
    *,
    table: str = "gaiadr3.gaia_source",
    columns=GAIA_COLUMNS,
    refresh: bool = False,
) -> pd.DataFrame:
    """Stars within ``radius`` degrees of (ra, dec) from the Gaia archive, cached.

    Parameters
    ----------
    ra, dec : float
        Centre (ICRS, degrees).
    radius : float
        Cone radius in degrees (at most 10).
    table : str, default "gaiadr3.gaia_source"
        The archive table (``"gaiaedr3.gaia_source"``, ``"gaiadr2.gaia_source"``).
    columns : sequence of str, default :data:`GAIA_COLUMNS`
    refresh : bool, default False
        Ask the archive again even when a cached answer exists.

    Returns
    -------
    pandas.DataFrame
        One row per source; ``attrs["query"]`` (the ADQL) and
        ``attrs["source"]`` (the cached file).

    Raises
    ------
    ConnectionError
        No cached answer and the archive cannot be reached; the message
        says where the cached copy would be.
    """
    query = adql_cone(ra, dec, radius, table=table, columns=tuple(columns))
    path = _cache_path(query)
    if refresh or not path.exists():
        logger.info("query_cone: asking the Gaia archive: %s", query)
        try:
            stars = _download(query)
        except Exception as error:  # network errors differ by client
            msg = (
                f"query_cone could not reach the Gaia archive ({error}); no cached "
                f"answer at {path}. Run it once with a network connection, or "
                "read a saved cone with read_cone(path)."
            )
            raise ConnectionError(msg) from error
        path.parent.mkdir(parents=True, exist_ok=True)
        stars.to_csv(path, index=False)
    stars = pd.read_csv(path)
    stars.attrs = {"query": query, "source": str(path)}
    return stars


def read_cone(source) -> pd.DataFrame:
    """A cone as a table: a DataFrame, a catalogue file, or a registered name.

    Parameters
    ----------
    source : DataFrame, str or Path
        A table (copied), a file :func:`astrokit.data.read_catalog` reads
        (CSV, FITS, Parquet...), or a dataset name of
        :func:`astrokit.data.datasets` (e.g. ``"gaia_edr3_m67_cone"``;
        downloaded once into the cache).

    Returns
    -------
    pandas.DataFrame
        ``attrs["source"]`` says where it came from.
    """
    from astrokit import data

    if isinstance(source, pd.DataFrame):
        stars = source.copy()
        stars.attrs.setdefault("source", "a table")
        return stars
    if Path(source).exists():
        stars = data.read_catalog(source)
    elif isinstance(source, str) and source in set(data.datasets().index):
        stars = data.load(source)
    else:
        msg = (
            f"source={source!r} is neither a file nor a registered dataset; pass "
            "a path, a DataFrame, or one of astrokit.data.datasets().index."
        )
        raise ValueError(msg)
    stars.attrs["source"] = str(source)
    return stars


def check_cone(stars, columns=ASTROMETRY, *, name: str = "cone") -> None:
    """ValueError naming what ``stars`` lacks: columns, or values in them."""
    if not isinstance(stars, pd.DataFrame):
        msg = f"{name} must be a pandas.DataFrame of stars; got {type(stars).__name__}."
        raise TypeError(msg)
    absent = [c for c in columns if c not in stars]
    if absent:
        msg = (
            f"{name} has no column(s) {absent} (it has {list(stars.columns)[:15]}); "
            f"finding a cluster needs {list(columns)}: query them from the archive "
            "(query_cone asks for them) or rename your columns."
        )
        raise ValueError(msg)
    for column in columns:
        values = pd.to_numeric(stars[column], errors="coerce")
        if not np.isfinite(values).any():
            msg = (
                f"{name}[{column!r}] has no finite value in {len(stars)} rows: a "
                "cone without astrometry (e.g. only 2-parameter solutions) "
                "cannot show a cluster in proper motion and parallax."
            )
            raise ValueError(msg)
