"""Where astrokit keeps generated and downloaded files, and how it writes them.

:func:`cache_dir` is the folder (``$ASTROKIT_CACHE`` or the OS cache
folder); :func:`atomic_write` writes any file so that a failed write leaves
the earlier file (or none), and with ``overwrite=False`` never replaces one;
:func:`cache_write` stores a computed result in the cache, and a cache that
cannot be written is a :class:`CacheWarning`, never a lost result.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "TIERS",
    "CacheError",
    "CacheWarning",
    "atomic_write",
    "cache_dir",
    "cache_write",
    "default_tier",
]

TIERS = ("tiny", "demo", "full")

_ADVICE = (
    "Point ASTROKIT_CACHE at a folder you can write to (or unset it to use the "
    "OS cache folder)."
)


class CacheError(OSError):
    """The cache folder cannot be created or written."""


class CacheWarning(UserWarning):
    """A result was computed but could not be stored in the cache."""


def _where(path: Path) -> str:
    override = os.environ.get("ASTROKIT_CACHE")
    if override:
        return f"the cache folder ASTROKIT_CACHE={override!r}"
    return f"the cache folder {str(path)!r} (the OS cache folder; ASTROKIT_CACHE unset)"


def cache_dir(*, create: bool = True) -> Path:
    """The cache folder: ``$ASTROKIT_CACHE`` if set, else the OS cache folder.

    Parameters
    ----------
    create : bool, default True
        Create the folder (and its parents) if needed. Readers pass False:
        a folder that does not exist simply holds nothing yet.

    Raises
    ------
    CacheError
        ``create=True`` and the folder cannot be created (a file in the way,
        no permission); the message names ``ASTROKIT_CACHE``.

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
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            msg = f"{_where(path)} cannot be created: {_reason(error, path)}. {_ADVICE}"
            raise CacheError(msg) from error
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


def _reason(error: OSError, path: Path) -> str:
    """Why ``error`` happened, in words, naming a file in the way if there is one."""
    for parent in [path, *path.parents]:
        if parent.exists():
            if not parent.is_dir():
                return f"{str(parent)!r} is a file, not a folder"
            break
    return error.strerror or str(error)


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        msg = (
            f"cannot write {str(path)!r}: its folder cannot be created "
            f"({_reason(error, path.parent)}); choose another folder."
        )
        # mkdir says FileExistsError when a file is in the way: not "path exists"
        kind = NotADirectoryError if isinstance(error, FileExistsError) else type(error)
        raise kind(msg) from error


def _link_new(tmp: str, path: Path) -> None:
    """Put ``tmp`` at ``path`` only if nothing is there (atomic where possible)."""
    try:
        os.link(tmp, path)  # fails with FileExistsError if path exists
    except FileExistsError:
        raise
    except OSError:  # no hard links on this filesystem: reserve the name first
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        os.close(fd)
        os.replace(tmp, path)


def atomic_write(
    path: str | Path, write: Callable[[Path], object], *, overwrite: bool = True
) -> Path:
    """Write a file through ``write(tmp_path)`` then move it into place.

    ``write`` fills a temporary file in the same folder, which is then moved
    to ``path``: an interrupted write leaves the earlier file (or no file),
    never a truncated one.

    Parameters
    ----------
    path : str or Path
        The file to write; its folder is created if needed.
    write : callable
        Called with the temporary file's path; writes the content there.
    overwrite : bool, default True
        Replace an existing ``path``. With False the file is created only if
        no file has that name, atomically: of two writers racing for one
        name, exactly one wins and the other gets :class:`FileExistsError`.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FileExistsError
        ``overwrite=False`` and ``path`` exists.
    OSError
        The folder cannot be created or written; the message names ``path``.
    """
    path = Path(path)
    _make_folder(path)
    try:
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        msg = (
            f"cannot write {str(path)!r}: {error.strerror or error} in its folder "
            f"{str(path.parent)!r}; choose a folder you can write to."
        )
        raise type(error)(msg) from error
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                _link_new(tmp, path)
            except FileExistsError as error:
                msg = f"{str(path)!r} already exists; it was not replaced."
                raise FileExistsError(msg) from error
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def cache_write(
    relative: str | Path, write: Callable[[Path], object], *, what: str
) -> Path | None:
    """Store a file in the cache; a cache that cannot be written only warns.

    Parameters
    ----------
    relative : str or Path
        The file's path inside :func:`cache_dir`.
    write : callable
        As for :func:`atomic_write`.
    what : str
        What is stored, for the warning (e.g. ``"the embedding"``).

    Returns
    -------
    Path or None
        Where the file was written, or None when the cache cannot be written
        (after a :class:`CacheWarning` naming ``ASTROKIT_CACHE``).
    """
    try:
        folder = cache_dir()
        target = folder / relative
        return atomic_write(target, write)
    except CacheError as error:
        detail = str(error)  # names ASTROKIT_CACHE and says what to do
    except OSError as error:
        cause = error.__cause__ if isinstance(error.__cause__, OSError) else error
        detail = (
            f"{_where(folder)} cannot be written: {str(target)!r} "
            f"({cause.strerror or cause}). {_ADVICE}"
        )
    msg = (
        f"{what} was computed but not cached: {detail} The result is returned; "
        "it is computed again next time."
    )
    warnings.warn(msg, CacheWarning, stacklevel=2)
    return None
