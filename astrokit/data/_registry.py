"""The registry of real public datasets: list them, download them, load them.

The manifest ``astrokit/data/registry.json`` (shipped with the package) names
each file: its address, SHA256 checksum (null where the archive publishes none
or the answer is generated on request), size, citation, licence and, for maps,
which galaxy and bands it holds. Downloads go through pooch into
``cache_dir() / "downloads"`` and happen only when asked for; provenance and
licences are described in ``data/README.md`` of the repository.
"""

from __future__ import annotations

import difflib
import functools
import json
import logging
import re
import urllib.error
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pandas as pd

from astrokit._shared.cache import cache_dir
from astrokit.data._catalogs import read_catalog
from astrokit.data._maps import read_maps

__all__ = ["datasets", "fetch", "load"]

log = logging.getLogger(__name__)

REQUIRED_KEYS = (
    "name",
    "kind",
    "format",
    "url",
    "filename",
    "sha256",
    "size",
    "verified",
    "landing",
    "citation",
    "licence",
    "description",
)
KINDS = ("map", "catalog", "table")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@functools.lru_cache(maxsize=1)
def _registry() -> dict[str, dict]:
    """The manifest's entries by name (read once, checked on reading)."""
    text = resources.files("astrokit.data").joinpath("registry.json").read_text("utf-8")
    entries = json.loads(text)["datasets"]
    _check_manifest(entries)
    return {entry["name"]: entry for entry in entries}


def _check_manifest(entries: list[dict]) -> None:
    """Raise ValueError listing every problem of a manifest's entries."""
    problems = []
    names = [entry.get("name") for entry in entries]
    problems += [
        f"name {n!r} is used twice"
        for n in sorted({n for n in names if names.count(n) > 1})
    ]
    for entry in entries:
        name = entry.get("name", "?")
        missing = [key for key in REQUIRED_KEYS if key not in entry]
        if missing:
            problems.append(f"{name}: missing keys {missing}")
            continue
        if entry["kind"] not in KINDS:
            problems.append(f"{name}: kind={entry['kind']!r} is not one of {KINDS}")
        sha = entry["sha256"]
        if sha is not None and not (isinstance(sha, str) and _SHA256.match(sha)):
            problems.append(
                f"{name}: sha256={sha!r} is not 64 lowercase hex digits or null"
            )
        if not str(entry["url"]).startswith("https://"):
            problems.append(f"{name}: url must start with https://")
        if entry["kind"] == "map" and not (entry.get("galaxy") and entry.get("bands")):
            problems.append(f"{name}: a map needs 'galaxy' and 'bands'")
        for key in ("error_map", "error_for"):
            if key in entry and entry[key] not in names:
                problems.append(f"{name}: {key}={entry[key]!r} is not in the registry")
    if problems:
        msg = "The dataset registry is invalid:\n  " + "\n  ".join(problems)
        raise ValueError(msg)


def _entry(name: str) -> dict:
    registry = _registry()
    if name in registry:
        return registry[name]
    close = difflib.get_close_matches(str(name), list(registry), n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    msg = (
        f"name={name!r} is not a registered dataset.{hint} Known datasets: "
        f"{sorted(registry)} (see astrokit.data.datasets())."
    )
    raise ValueError(msg)


def datasets() -> pd.DataFrame:
    """The registered real datasets, one row each (indexed by name).

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` ("map", "catalog" or "table"), ``galaxy``,
        ``bands``, ``format``, ``size`` (bytes, where known), ``verified``
        (whether the address was confirmed), ``sha256`` (None where unknown),
        ``url``, ``landing`` (a page to find the file by hand), ``citation``,
        ``licence`` and ``description``.

    See Also
    --------
    fetch, load

    Examples
    --------
    >>> table = datasets()
    >>> sorted(table["kind"].unique())
    ['catalog', 'map', 'table']
    >>> row = table.loc["phangs_alma_ngc3621_co21_150pc_mom0"]
    >>> row["galaxy"], row["bands"], int(row["size"])
    ('ngc3621', 'co21', 3248640)
    """
    rows = [
        {
            "name": entry["name"],
            "kind": entry["kind"],
            "galaxy": entry.get("galaxy"),
            "bands": ", ".join(entry.get("bands", {})) or None,
            "format": entry["format"],
            "size": entry["size"],
            "verified": bool(entry["verified"]),
            "sha256": entry["sha256"],
            "url": entry["url"],
            "landing": entry["landing"],
            "citation": entry["citation"],
            "licence": entry["licence"],
            "description": entry["description"],
        }
        for entry in _registry().values()
    ]
    table = pd.DataFrame(rows).set_index("name")
    table["size"] = table["size"].astype("Int64")
    return table


def fetch(
    name: str,
    *,
    progressbar: bool = True,
    downloader: Callable | None = None,
) -> Path:
    """Download one registered file into the cache (once) and return its path.

    The file goes to ``cache_dir() / "downloads"`` (``$ASTROKIT_CACHE``
    overrides the cache folder). A file with a known SHA256 is checked; a
    corrupt download is not kept.

    Parameters
    ----------
    name : str
        A dataset name (see ``datasets()``).
    progressbar : bool, default True
        Show a tqdm progress bar while downloading.
    downloader : callable, optional
        A pooch downloader ``downloader(url, output_file, pooch)``; default
        ``pooch.HTTPDownloader``. Useful for proxies, authentication or tests.

    Returns
    -------
    pathlib.Path
        The local file.

    Raises
    ------
    ValueError
        An unknown name (with close matches), or a corrupt download (checksum
        mismatch).
    ConnectionError
        The download failed (no network, archive down, address moved).

    Examples
    --------
    >>> path = fetch("phangs_alma_ngc3621_co21_150pc_mom0")  # doctest: +SKIP
    """
    import pooch
    import requests

    entry = _entry(name)
    folder = cache_dir() / "downloads"
    known = f"sha256:{entry['sha256']}" if entry["sha256"] else None
    if downloader is None:
        downloader = pooch.HTTPDownloader(progressbar=progressbar, timeout=60)
    if not (folder / entry["filename"]).exists():
        log.info("Downloading %r from %s into %s.", name, entry["url"], folder)
    pooch_log = pooch.get_logger()
    level = pooch_log.level
    pooch_log.setLevel(logging.WARNING)  # its hints name pooch's own API
    try:
        path = pooch.retrieve(
            entry["url"],
            known_hash=known,
            fname=entry["filename"],
            path=folder,
            downloader=downloader,
        )
    except ValueError as exc:
        if "hash" not in str(exc).lower():
            raise
        _drop_if_corrupt(folder / entry["filename"], entry["sha256"])
        msg = (
            f"The download of {name!r} from {entry['url']} is corrupt: its SHA256 "
            f"checksum does not match the registry's ({entry['sha256']}). The file "
            "was not kept. Try again; if it keeps failing, the archive may have "
            "changed the file: please report it to the astrokit maintainers."
        )
        raise ValueError(msg) from exc
    except (
        requests.exceptions.RequestException,
        ConnectionError,
        TimeoutError,
        urllib.error.URLError,
    ) as exc:
        _drop_if_corrupt(folder / entry["filename"], entry["sha256"])
        raise ConnectionError(_download_failed(name, entry, exc)) from exc
    finally:
        pooch_log.setLevel(level)
    return Path(path)


def _download_failed(name: str, entry: dict, exc: BaseException) -> str:
    unverified = "" if entry["verified"] else " (this address is not verified)"
    return (
        f"The download of {name!r} from {entry['url']} failed "
        f"({type(exc).__name__}: {exc}). There may be no network connection, or "
        f"the archive is down or has moved the file{unverified}. Without a "
        "network, use astrokit.data.load_demo() for the built-in demo data; or "
        f"download the file by hand (see {entry['landing']}) and read it with "
        "astrokit.data.read_maps or astrokit.data.read_catalog."
    )


def _drop_if_corrupt(path: Path, sha256: str | None) -> None:
    """Remove a cached file whose checksum is known and does not match."""
    import pooch

    if sha256 and path.exists() and pooch.file_hash(str(path)) != sha256:
        path.unlink()
        log.warning("Removed the corrupt cached file %s.", path)


def load(
    name: str,
    *,
    progressbar: bool = True,
    downloader: Callable | None = None,
    **kwargs,
) -> pd.DataFrame:
    """Download a registered dataset (once) and read it into a table.

    Maps are read with ``read_maps`` (the bands the registry lists, with their
    error maps), catalogues and tables with ``read_catalog``.

    Parameters
    ----------
    name : str
        A dataset name (see ``datasets()``). Naming an error map loads its
        value map together with it.
    progressbar, downloader
        As in ``fetch``.
    **kwargs
        Passed to ``read_maps`` (e.g. ``detection_snr=5``) or ``read_catalog``.

    Returns
    -------
    pandas.DataFrame
        The pixel table or catalogue; ``attrs`` adds ``citation`` and
        ``licence``.

    Raises
    ------
    ValueError
        An unknown name, a corrupt download, or a downloaded file that cannot
        be read (it is removed from the cache when it has no checksum).
    ConnectionError
        The download failed.

    Examples
    --------
    >>> clouds = load("phangs_alma_ngc0628_clouds_150pc")  # doctest: +SKIP
    """
    entry = _entry(name)
    if "error_for" in entry:
        entry = _entry(entry["error_for"])
    options = {"progressbar": progressbar, "downloader": downloader}
    entries = [entry] + ([_entry(entry["error_map"])] if "error_map" in entry else [])
    paths = [fetch(e["name"], **options) for e in entries]
    try:
        if entry["kind"] == "map":
            maps, errors = _map_specs(entries, paths)
            kwargs.setdefault("galaxy", entry["galaxy"])
            table = read_maps(maps, errors=kwargs.pop("errors", errors), **kwargs)
        else:
            options = {**entry.get("read_kwargs", {}), **kwargs}
            table = read_catalog(paths[0], format=entry["format"], **options)
    except ValueError as exc:
        unchecked = [
            (e, p)
            for e, p in zip(entries, paths, strict=True)
            if e["sha256"] is None and p.exists()
        ]
        if not unchecked:
            raise
        for _, path in unchecked:
            path.unlink()
        names = ", ".join(repr(e["name"]) for e, _ in unchecked)
        urls = ", ".join(e["url"] for e, _ in unchecked)
        msg = (
            f"{exc} The downloaded file of {names} was removed from the cache; the "
            f"archive may have answered with an error page instead of the file "
            f"(check {urls})."
        )
        raise ValueError(msg) from exc
    table.attrs.update(
        source=f"astrokit.data.load({entry['name']!r})",
        citation=entry["citation"],
        licence=entry["licence"],
    )
    return table


def _map_specs(entries: list[dict], paths: list[Path]):
    """read_maps arguments: the bands of a map entry and of its error-map entry."""
    maps, errors = {}, {}
    for band, spec in entries[0]["bands"].items():
        maps[band] = (paths[0], spec.get("hdu", 0))
        if "err_hdu" in spec:
            errors[band] = (paths[0], spec["err_hdu"])
    for entry, path in zip(entries[1:], paths[1:], strict=True):
        for band, spec in entry["bands"].items():
            errors[band] = (path, spec.get("hdu", 0))
    return maps, errors
