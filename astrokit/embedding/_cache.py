"""On-disk cache of embeddings, keyed by the data and every parameter.

An entry is one ``.npz`` file under ``astrokit._shared.cache.cache_dir() /
"embeddings"`` named by a SHA-256 key. The key hashes the data bytes, their
shape and dtype, every parameter of the fit, the umap-learn version and this
cache's format version, so a changed parameter or a changed value in any cell
never finds an old entry. Files are written atomically
(``astrokit._shared.cache.atomic_write``); an entry that cannot be read back (a
truncated file, a bad CRC, the wrong shape, non-finite values) is ignored and
recomputed by the caller.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from pathlib import Path

import numpy as np

from astrokit._shared.cache import atomic_write, cache_dir

__all__ = ["cache_key", "load", "save", "entry_path", "clear"]

FORMAT = 1
"""Bump when the meaning of a stored embedding changes."""

logger = logging.getLogger("astrokit.embedding")


def folder() -> Path:
    """The folder holding embedding cache entries (created on demand)."""
    return cache_dir() / "embeddings"


def _umap_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("umap-learn")
    except PackageNotFoundError:  # pragma: no cover - umap installed another way
        import umap

        return umap.__version__


def cache_key(arrays: list[np.ndarray], params: dict) -> str:
    """SHA-256 over the arrays (bytes, shape, dtype) and the parameters."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    meta = {"params": params, "umap": _umap_version(), "format": FORMAT}
    digest.update(json.dumps(meta, sort_keys=True, default=repr).encode())
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


def save(key: str, embedding: np.ndarray, params: dict) -> Path:
    """Store ``embedding`` under ``key`` (atomically)."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                embedding=np.asarray(embedding, dtype=np.float32),
                key=np.array(key),
                params=np.array(json.dumps(params, sort_keys=True, default=repr)),
            )

    return atomic_write(entry_path(key), write)


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
