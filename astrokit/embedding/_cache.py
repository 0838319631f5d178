"""On-disk cache of embeddings, keyed by the data and every parameter.

An entry is one ``.npz`` file under ``astrokit._shared.cache.cache_dir() /
"embeddings"`` named by a SHA-256 key. The key hashes the data bytes, their
shape and dtype, every parameter of the fit, the umap-learn version and this
cache's format version, so a changed parameter or a changed value in any cell
never finds an old entry. Parameters that are arrays (UMAP's ``init``, say)
are hashed by content (dtype, shape, bytes), never by their abbreviated
``repr``; a parameter that cannot be hashed reliably (a function, an object)
makes :func:`cache_key` return None, and the caller skips the cache. Files are
written atomically (``astrokit._shared.cache.cache_write``), and a cache that
cannot be written is a ``CacheWarning``, never a lost embedding; an entry that
cannot be read back (a truncated file, a bad CRC, the wrong shape, non-finite
values) is ignored and recomputed by the caller.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from pathlib import Path

import numpy as np

from astrokit._shared.cache import cache_dir, cache_write

__all__ = ["cache_key", "load", "save", "entry_path", "clear"]

FORMAT = 1
"""Bump when the meaning of a stored embedding changes."""

logger = logging.getLogger("astrokit.embedding")


def folder() -> Path:
    """The folder holding embedding cache entries (it may not exist yet)."""
    return cache_dir(create=False) / "embeddings"


def _umap_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("umap-learn")
    except PackageNotFoundError:  # pragma: no cover - umap installed another way
        import umap

        return umap.__version__


class _Unhashable(TypeError):
    """A parameter whose value cannot be turned into a reliable key."""


def _array_token(array: np.ndarray) -> dict:
    if array.dtype.hasobject:
        msg = f"an array of dtype {array.dtype}"
        raise _Unhashable(msg)
    array = np.ascontiguousarray(array)
    digest = hashlib.sha256(memoryview(array).cast("B")).hexdigest()
    return {"ndarray": array.dtype.str, "shape": list(array.shape), "sha256": digest}


def _token(value):
    """A JSON stand-in for a non-primitive parameter, by content."""
    if isinstance(value, np.ndarray):
        return _array_token(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer | np.floating):
        return value.item()
    if isinstance(value, set | frozenset):  # json writes lists and tuples itself
        return {"set": sorted(value, key=repr)}
    name = type(value).__qualname__
    msg = f"a {name} (no content hash)"
    raise _Unhashable(msg)


def params_text(params: dict) -> str:
    """``params`` as canonical JSON; arrays by content. Raises TypeError."""
    try:
        return json.dumps(params, sort_keys=True, default=_token, allow_nan=True)
    except _Unhashable:
        raise
    except (TypeError, ValueError) as error:  # e.g. dict keys of mixed types
        raise _Unhashable(str(error)) from error


def cache_key(arrays: list[np.ndarray], params: dict) -> str | None:
    """SHA-256 over the arrays (bytes, shape, dtype) and the parameters.

    Returns None (and logs why) when a parameter cannot be hashed by content:
    the caller then neither reads nor writes the cache.
    """
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    meta = {"params": params, "umap": _umap_version(), "format": FORMAT}
    try:
        digest.update(params_text(meta).encode())
    except _Unhashable as error:
        logger.warning(
            "embedding cache skipped for this call: a parameter is %s, which "
            "cannot be hashed reliably; pass plain numbers, strings or arrays "
            "to use the cache, or cache=False to silence this",
            error,
        )
        return None
    return digest.hexdigest()


def entry_path(key: str) -> Path:
    """The file of cache entry ``key``."""
    return folder() / f"{key}.npz"


def load(key: str, n_rows: int) -> np.ndarray | None:
    """The cached ``(n_rows, 2)`` embedding of ``key``, or None (missing or bad)."""
    path = entry_path(key)
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as stored:
            embedding = np.array(stored["embedding"])
            stored_key = str(stored["key"])
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
        logger.warning("ignoring unreadable embedding cache entry %s: %s", path, error)
        return None
    if (
        stored_key != key
        or embedding.shape != (n_rows, 2)
        or not np.isfinite(embedding).all()
    ):
        logger.warning("ignoring inconsistent embedding cache entry %s", path)
        return None
    return embedding


def save(key: str, embedding: np.ndarray, params: dict) -> Path | None:
    """Store ``embedding`` under ``key`` (atomically).

    Returns the entry's path, or None when the cache cannot be written (a
    ``CacheWarning`` says so; the embedding itself is not affected).
    """

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                embedding=np.asarray(embedding, dtype=np.float32),
                key=np.array(key),
                params=np.array(params_text(params)),
            )

    return cache_write(Path("embeddings") / f"{key}.npz", write, what="the embedding")


def clear() -> int:
    """Delete every cached embedding; returns how many files were removed."""
    path = folder()
    if not path.is_dir():
        return 0
    removed = 0
    for entry in path.glob("*.npz"):
        entry.unlink(missing_ok=True)
        removed += 1
    return removed
