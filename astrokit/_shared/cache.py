"""Where astrokit keeps generated and downloaded files, and how it writes them."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["cache_dir", "atomic_write", "default_tier", "TIERS"]

TIERS = ("tiny", "demo", "full")


def cache_dir() -> Path:
    """The cache folder: ``$ASTROKIT_CACHE`` if set, else the OS cache folder.

    Examples
    --------
    >>> cache_dir().is_dir()
    True
    """
    override = os.environ.get("ASTROKIT_CACHE")
    if override:
        path = Path(override).expanduser()
    else:
        import pooch

        path = Path(pooch.os_cache("astrokit"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_tier() -> str:
    """The data tier lessons use: ``$ASTROKIT_TIER`` if set, else ``"demo"``."""
    tier = os.environ.get("ASTROKIT_TIER", "demo")
    if tier not in TIERS:
        msg = f"ASTROKIT_TIER={tier!r} is not a tier; use one of {list(TIERS)}."
        raise ValueError(msg)
    return tier


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write a file through ``write(tmp_path)`` then move it into place.

    An interrupted write leaves the earlier file (or no file), never a
    truncated one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
