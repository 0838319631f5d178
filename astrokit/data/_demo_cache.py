"""The demo table on disk: :func:`load_demo` generates it once, then reads it.

The synthetic galaxies of :func:`astrokit.data.make_galaxies` are cached as
Parquet, their ``attrs`` (units, WCS, grid shapes, truth columns) stored in
the file's metadata, under ``astrokit._shared.cache.cache_dir() / "demo"``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from astrokit._shared.cache import cache_dir, cache_write, default_tier
from astrokit._shared.checks import refuse_unknown, renamed
from astrokit.data._synthetic import (
    GENERATOR_VERSION,
    check_random_state,
    check_tier,
    make_galaxies,
)

__all__ = ["load_demo"]

logger = logging.getLogger("astrokit.data")


def _cache_name(tier: str, seed: int) -> Path:
    """The table's file inside the cache folder."""
    return Path("demo") / f"synthetic_v{GENERATOR_VERSION}_{tier}_seed{seed}.parquet"


def _cache_path(tier: str, seed: int) -> Path:
    """Where the table is cached (the folder may not exist yet)."""
    return cache_dir(create=False) / _cache_name(tier, seed)


def _write_parquet(table: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[b"astrokit_attrs"] = json.dumps(table.attrs).encode()
    pq.write_table(arrow.replace_schema_metadata(meta), path)


def _read_parquet(path: Path) -> pd.DataFrame:
    """Read a cached table and its attrs; raises on anything unexpected."""
    import pyarrow.parquet as pq

    arrow = pq.read_table(path)
    attrs = json.loads(arrow.schema.metadata[b"astrokit_attrs"])
    if attrs.get("generator_version") != GENERATOR_VERSION:
        msg = f"cache {path} was written by another generator version"
        raise ValueError(msg)
    table = arrow.to_pandas()
    attrs["shape"] = {k: tuple(v) for k, v in attrs["shape"].items()}
    table.attrs = attrs
    return table


def load_demo(
    tier: str | None = None, *, random_state: int = 0, **old_names
) -> pd.DataFrame:
    """The synthetic galaxies of :func:`make_galaxies`, cached as Parquet.

    The first call generates the table and writes it (atomically) under
    ``astrokit._shared.cache.cache_dir() / "demo"``, in a file named after the
    generator version, tier and ``random_state``; later calls read it back, ``attrs``
    included. A cache file that cannot be read is regenerated, never served; a
    cache that cannot be written gives a ``CacheWarning`` (naming
    ``ASTROKIT_CACHE``) and the generated table.

    Parameters
    ----------
    tier : {"tiny", "demo", "full"}, optional
        Default: ``astrokit._shared.cache.default_tier()`` (``$ASTROKIT_TIER`` or
        ``"demo"``).
    random_state : int, default 0
        The generator's seed (``seed=`` is its old name, accepted with a
        FutureWarning until astrokit 0.3).

    Returns
    -------
    pandas.DataFrame
        The same table as ``make_galaxies(tier, random_state=random_state)``.

    Raises
    ------
    ValueError
        For an unknown tier or a bad ``random_state``.

    Examples
    --------
    >>> t = load_demo("tiny")
    >>> t.attrs["tier"], t.attrs["shape"]["NGC0628"]  # (ny, nx)
    ('tiny', (45, 45))
    """
    random_state = renamed(old_names, "seed", "random_state", random_state, default=0)
    refuse_unknown(old_names, "load_demo")
    tier = default_tier() if tier is None else check_tier(tier)
    seed = check_random_state(random_state)
    path = _cache_path(tier, seed)
    if path.is_file():
        try:
            return _read_parquet(path)
        except Exception as error:  # any failure to read: regenerate, never serve
            logger.warning("Regenerating unreadable cache %s (%s)", path, error)
    table = make_galaxies(tier, random_state=seed)
    # an unwritable cache is a CacheWarning: the table is returned all the same
    name = _cache_name(tier, seed)
    cache_write(name, lambda tmp: _write_parquet(table, tmp), what="the demo table")
    return table
