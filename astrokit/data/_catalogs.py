"""Catalogues into a table: FITS binary tables, CSV, ECSV, Parquet, HDF5.

:func:`read_catalog` reads one file, a glob pattern or a list of files into a
``DataFrame`` (one row per object), stacking several with a ``source``
column named after each file.
"""

from __future__ import annotations

import glob as _glob
import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from astrokit.data._fits import COMPRESSION, stem

__all__ = ["read_catalog", "CATALOG_FORMATS"]

log = logging.getLogger("astrokit.data")

CATALOG_FORMATS: dict[str, tuple[str, ...]] = {
    "fits": (".fits", ".fit", ".fts"),
    "csv": (".csv",),
    "ecsv": (".ecsv",),
    "parquet": (".parquet", ".pq"),
    "hdf5": (".hdf5", ".h5", ".he5"),
}
"""Catalogue formats ``read_catalog`` knows, with the file endings it infers
them from (a trailing ``.gz``, ``.bz2`` or ``.xz`` is looked through)."""


def read_catalog(
    paths: str | Path | list[str | Path],
    *,
    format: str | None = None,  # noqa: A002 (the astropy/pandas name)
    source_column: str | None = "source",
    **read_kwargs,
) -> pd.DataFrame:
    """Read one catalogue, or stack several, into a ``DataFrame``.

    Parameters
    ----------
    paths : path, glob pattern or list of paths
        FITS binary tables (also ``.fits.gz``/``.fits.bz2``), CSV, ECSV,
        Parquet or astropy HDF5 files. A list or a glob pattern (``*``, ``?``,
        ``[``) stacks the files into one table.
    format : {"fits", "csv", "ecsv", "parquet", "hdf5"}, optional
        Default: inferred from the file ending (see ``CATALOG_FORMATS``).
    source_column : str or None, default "source"
        When reading a list or a glob, the column that records each row's file
        (its name without extensions). ``None`` leaves it out.
    **read_kwargs
        Passed to the reader: ``astropy.table.Table.read`` for FITS, ECSV and
        HDF5 (e.g. ``hdu=2``, or ``path="flux_elines"`` to pick one table of an
        HDF5 file holding several), ``pandas.read_csv`` for CSV and
        ``pandas.read_parquet`` for Parquet. A ``.csv`` file whose first line
        is ``# %ECSV`` is read as ECSV (with its units and types); CSV headers
        and cells padded with blanks are stripped (a padded numeric column
        becomes numbers).

    Returns
    -------
    pandas.DataFrame
        Native byte order; FITS strings decoded to ``str`` (masked, i.e.
        empty, strings as ""); other masked values as NaN (floats) or pandas
        nullable types (``Int64``, ``boolean``); a multidimensional column
        ``name`` of shape (N, k) split into ``name_0`` ... ``name_{k-1}`` (k*m
        columns ``name_i_j`` for (N, k, m)). A fresh ``RangeIndex`` when
        stacking. ``attrs["units"]`` maps columns to astropy unit strings
        (where the file gives units), ``attrs["source"]`` names the file(s).

    Raises
    ------
    FileNotFoundError
        A missing file, or a glob that matches nothing.
    ValueError
        An unknown format or file ending; an empty, truncated or corrupt file
        (named); an HDF5 file with several tables and no ``path=``; a
        ``source_column`` that already is a column. A file with columns but
        no rows is read (an empty table) with a logged warning naming it.
    TypeError
        A keyword in ``read_kwargs`` that the reader does not take.

    See Also
    --------
    read_maps : FITS maps into the pixel table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("ra,dec\\n10.0,1.0\\n11.0,2.0\\n")
    >>> _ = (folder / "b.csv").write_text("ra,dec\\n12.0,3.0\\n")
    >>> read_catalog(str(folder / "*.csv"))
         ra  dec source
    0  10.0  1.0      a
    1  11.0  2.0      a
    2  12.0  3.0      b
    """
    files, several = _resolve_paths(paths)
    if format is not None and format not in CATALOG_FORMATS:
        msg = f"format={format!r} is not supported; use one of {list(CATALOG_FORMATS)}."
        raise ValueError(msg)
    frames, units = [], {}
    for path in files:
        frame, file_units = _read_one(path, format or _infer_format(path), read_kwargs)
        if several and source_column is not None:
            if source_column in frame.columns:
                msg = (
                    f"source_column={source_column!r} is already a column of "
                    f"{path.name}; pass another name (e.g. source_column='file') "
                    "or source_column=None."
                )
                raise ValueError(msg)
            frame[source_column] = stem(path)
        for column, unit in file_units.items():
            if units.setdefault(column, unit) != unit:
                log.warning(
                    "Column %r has unit %r in %s but %r in an earlier file; "
                    "keeping the first.",
                    column,
                    unit,
                    path.name,
                    units[column],
                )
        frames.append(frame)
    table = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if several and source_column is not None:
        table[source_column] = table[source_column].astype("category")
    table.attrs = {
        "units": units,
        "source": ", ".join(p.name for p in files),
        "files": [str(p) for p in files],
    }
    return table


def _resolve_paths(paths) -> tuple[list[Path], bool]:
    if isinstance(paths, str | Path):
        text = str(paths)
        if any(ch in text for ch in "*?["):
            files = sorted(_glob.glob(text))
            if not files:
                msg = f"paths={text!r}: no file matches this pattern."
                raise FileNotFoundError(msg)
            return [Path(f) for f in files], True
        files, several = [Path(paths)], False
    else:
        files, several = [Path(p) for p in paths], True
        if not files:
            msg = "paths=[] is empty; pass a path, a list of paths or a glob pattern."
            raise ValueError(msg)
    for path in files:
        if not path.is_file():
            msg = f"The catalogue {path} does not exist."
            raise FileNotFoundError(msg)
    return files, several


def _infer_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in COMPRESSION:
        suffixes.pop()
    ending = suffixes[-1] if suffixes else ""
    for name, endings in CATALOG_FORMATS.items():
        if ending in endings:
            return name
    known = ", ".join(e for endings in CATALOG_FORMATS.values() for e in endings)
    msg = (
        f"Cannot tell the format of {path.name} from its ending {ending!r}. "
        f"Supported endings: {known} (optionally followed by .gz, .bz2 or .xz). "
        f"Pass format= one of {list(CATALOG_FORMATS)}, e.g. "
        f"read_catalog({str(path)!r}, format='csv')."
    )
    raise ValueError(msg)


def _read_one(path: Path, fmt: str, kwargs: dict) -> tuple[pd.DataFrame, dict]:
    frame, units = _read_file(path, fmt, kwargs)
    if len(frame) == 0:
        log.warning(
            "%s has no rows (columns: %s); the table read from it is empty.",
            path,
            list(frame.columns),
        )
    return frame, units


def _unreadable(path: Path, fmt: str, exc: Exception) -> ValueError:
    if path.stat().st_size == 0:
        why = "the file is empty (0 bytes)"
    else:
        why = f"{type(exc).__name__}: {str(exc).strip()}"
    msg = (
        f"Could not read {path} as {fmt} ({why}). Check that it is a complete "
        f"{fmt} file (download or write it again), or pass format= if its "
        "ending is misleading."
    )
    return ValueError(msg)


def _is_ecsv(path: Path) -> bool:
    """Whether a file starts with the ECSV signature line (``# %ECSV``)."""
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as f:
            return f.read(64).lstrip().startswith(b"# %ECSV")
    except OSError:
        return False


def _stripped(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank-padded CSV headers and cells stripped, padded numbers made numeric."""
    frame = frame.rename(columns=lambda c: c.strip() if isinstance(c, str) else c)
    for name in frame.columns:
        column = frame[name]
        if column.dtype != object and not pd.api.types.is_string_dtype(column):
            continue
        text = column.str.strip()
        number = pd.to_numeric(text.replace("", np.nan), errors="coerce")
        frame[name] = number if number.notna().sum() == text.ne("").sum() else text
    return frame


def _read_file(path: Path, fmt: str, kwargs: dict) -> tuple[pd.DataFrame, dict]:
    if fmt == "csv" and _is_ecsv(path):
        log.info("%s holds ECSV (its first line is '# %%ECSV'); read as ECSV.", path)
        fmt = "ecsv"
    if fmt in ("csv", "parquet"):
        reader = pd.read_csv if fmt == "csv" else pd.read_parquet
        try:
            frame = reader(path, **kwargs)
            return (_stripped(frame) if fmt == "csv" else frame), {}
        except TypeError as exc:  # a keyword the reader does not take
            msg = f"read_catalog({path.name!r}, ...): {exc} (passed to {fmt} reader)."
            raise TypeError(msg) from exc
        except (OSError, ValueError) as exc:  # pandas and pyarrow errors included
            raise _unreadable(path, fmt, exc) from exc
    from astropy.table import Table
    from astropy.units import UnitsWarning

    kwargs = dict(kwargs)
    if fmt == "hdf5":
        if "path" not in kwargs:
            kwargs["path"] = _only_hdf5_table(path)
    astropy_format = {"fits": "fits", "ecsv": "ascii.ecsv", "hdf5": "hdf5"}[fmt]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnitsWarning)
        try:
            table = Table.read(path, format=astropy_format, **kwargs)
        except (OSError, ValueError, TypeError) as exc:
            raise _unreadable(path, fmt, exc) from exc
    for w in caught:
        log.warning("%s: %s", path.name, w.message)
    return _table_to_frame(table)


def _only_hdf5_table(path: Path) -> str:
    """The one table of an HDF5 file; a clear error when it holds several."""
    import h5py

    tables: list[str] = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and not name.endswith("__table_column_meta__"):
            tables.append(name)

    try:
        with h5py.File(path, "r") as f:
            f.visititems(visit)
    except OSError as exc:
        msg = f"Could not open {path} as HDF5 ({exc})."
        raise ValueError(msg) from exc
    if len(tables) == 1:
        return tables[0]
    if not tables:
        msg = f"{path.name} holds no table."
        raise ValueError(msg)
    msg = (
        f"{path.name} holds {len(tables)} tables {tables}; pick one with path=, "
        f"e.g. read_catalog({str(path)!r}, path={tables[0]!r})."
    )
    raise ValueError(msg)


def _table_to_frame(table) -> tuple[pd.DataFrame, dict]:
    """An astropy Table as a DataFrame (native byte order, split vector columns)."""
    columns: dict[str, object] = {}
    units: dict[str, str] = {}
    for name in table.colnames:
        col = table[name]
        unit = None if col.unit is None else col.unit.to_string()
        data = np.ma.asanyarray(col)
        if data.ndim == 1:
            parts = {name: data}
        else:
            parts = {
                f"{name}_" + "_".join(map(str, idx)): data[(slice(None), *idx)]
                for idx in np.ndindex(*data.shape[1:])
            }
        for part, values in parts.items():
            columns[part] = _native_column(values)
            if unit is not None:
                units[part] = unit
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(table)))
    return frame, units


def _native_column(values: np.ma.MaskedArray):
    data = np.asarray(values.data)
    if data.dtype.byteorder not in ("=", "|"):
        data = data.astype(data.dtype.newbyteorder("="))
    if data.dtype.kind == "S":
        data = np.char.rstrip(np.char.decode(data, "utf-8", errors="replace"))
    mask = np.ma.getmaskarray(values)
    kind = data.dtype.kind
    if kind == "U":  # a masked string is an empty field in the file
        return np.where(mask, "", data) if mask.any() else data
    if not mask.any():
        return data
    if kind in "fc":
        return np.where(mask, np.nan, data)
    if kind in "iu":
        return pd.arrays.IntegerArray(data.astype(np.int64), mask)
    if kind == "b":
        return pd.arrays.BooleanArray(data, mask)
    out = data.astype(object)
    out[mask] = None
    return out
