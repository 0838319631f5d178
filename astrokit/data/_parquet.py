"""Pixel tables on disk as partitioned Parquet datasets, ``attrs`` included.

:func:`write_table` writes a table as a Parquet dataset through ``pyarrow``:
one folder per galaxy (hive style, ``galaxy=NGC0628/``), each holding one
file of row groups. The table's ``attrs`` (units, WCS headers, grid shapes,
truth columns, ...), its categories and its index are kept in the schema
metadata of the dataset's ``_common_metadata`` file (key ``astrokit``, JSON),
and :func:`read_table` restores them, in memory (``pandas``) or lazily
(``dask.dataframe``, one partition per row group or per file).

A write is atomic: the dataset is written under a temporary name beside the
target (``.<name>.tmp-<random>``) and moved into place only when complete, so
a crash leaves the old dataset or the new one, never half of one. The
``_common_metadata`` file is written last; a folder without it is not a kit
dataset. The other tools read the same files (``pyarrow.dataset``,
``dask.dataframe.read_parquet``, DuckDB, Spark): nothing here is private to
astrokit except the metadata that restores ``attrs``.

:class:`DatasetWriter` is the streaming form: chunks appended one by one
(:func:`astrokit.data.write_survey` writes 10^8 rows with it, one chunk in
memory at a time), committed with their ``attrs`` at the end.
"""

from __future__ import annotations

import json
import shutil
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd

__all__ = [
    "write_table",
    "DatasetWriter",
    "FORMAT",
    "FORMAT_VERSION",
    "META_KEY",
    "COMMON",
]

FORMAT = "astrokit-table"
FORMAT_VERSION = 1
META_KEY = b"astrokit"
COMMON = "_common_metadata"
ROW_GROUP_SIZE = 1_000_000
"""Rows per row group by default (one Dask partition each)."""


# --- attrs as JSON: tuples and arrays come back as they went in ------------


def _encode(value, where: str):
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _encode(v, f"{where}[{k!r}]") for k, v in value.items()}
        # other keys (cluster numbers, tuples): kept as pairs, restored as keys
        items = [[_encode(k, where), _encode(v, f"{where}[{k!r}]")]
                 for k, v in value.items()]  # fmt: skip
        return {"__items__": items}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, where) for v in value]}
    if isinstance(value, list):
        return [_encode(v, where) for v in value]
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    msg = (
        f"{where} is a {type(value).__name__}, which cannot be stored in Parquet "
        "metadata (JSON): use strings, numbers, lists, tuples, dicts or arrays."
    )
    raise TypeError(msg)


def _decode(obj: dict):
    if set(obj) == {"__tuple__"}:
        return tuple(obj["__tuple__"])
    if set(obj) == {"__items__"}:
        return dict(
            (tuple(k) if isinstance(k, list) else k, v) for k, v in obj["__items__"]
        )
    if set(obj) == {"__ndarray__", "dtype"}:
        return np.asarray(obj["__ndarray__"], dtype=obj["dtype"])
    return obj


def _dumps(value) -> bytes:
    return json.dumps(_encode(value, "table.attrs")).encode()


def _loads(raw: bytes):
    return json.loads(raw, object_hook=_decode)


# --- writing ---------------------------------------------------------------


def _check_target(path, overwrite: bool) -> Path:
    path = Path(path)
    if path.exists():
        if not overwrite:
            msg = f"path={str(path)!r} exists; pass overwrite=True to replace it."
            raise FileExistsError(msg)
        if not (path / COMMON).is_file():
            msg = (
                f"path={str(path)!r} exists and is not an astrokit table "
                f"(no {COMMON}); refusing to replace it: choose another path."
            )
            raise FileExistsError(msg)
    return path


def _categories(table: pd.DataFrame) -> dict:
    out = {}
    for col in table.columns:
        dtype = table[col].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            cats = [_encode(c, f"categories of {col!r}") for c in dtype.categories]
            out[col] = {"categories": cats, "ordered": bool(dtype.ordered)}
    return out


class DatasetWriter:
    """Append chunks of one table to a new Parquet dataset; commit atomically.

    Parameters
    ----------
    path : str or Path
        The dataset folder to create (or replace, with ``overwrite=True``).
    partition_on : str or None, default "galaxy"
        A column of strings (categorical or str): one folder per value.
        ``None``: one file at the top.
    row_group_size : int, default 1_000_000
        Most rows per row group (a chunk is split into row groups of at most
        this many rows; a smaller chunk is one row group).
    overwrite : bool, default False
        Replace an existing astrokit dataset at ``path``.

    Use as a context manager: leaving the block by an exception removes the
    temporary folder and leaves ``path`` as it was; :meth:`commit` moves the
    finished dataset into place.
    """

    def __init__(self, path, *, partition_on="galaxy", row_group_size=ROW_GROUP_SIZE,
                 overwrite=False):  # fmt: skip
        from astrokit._shared.checks import check_int

        self.path = _check_target(path, overwrite)
        self.partition_on = partition_on
        self.row_group_size = check_int(row_group_size, "row_group_size")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(f".{self.path.name}.tmp-{uuid.uuid4().hex[:8]}")
        self.tmp.mkdir()
        self._writers: dict = {}
        self._rows: dict = {}
        self._first: pd.DataFrame | None = None
        self._schema = None

    def _check_chunk(self, chunk: pd.DataFrame) -> None:
        if not isinstance(chunk, pd.DataFrame):
            msg = f"table must be a pandas DataFrame, got {type(chunk).__name__}."
            raise TypeError(msg)
        key = self.partition_on
        if key is not None and key not in chunk.columns:
            msg = (
                f"partition_on={key!r} is not a column of the table; use one of "
                f"its string columns, or partition_on=None."
            )
            raise ValueError(msg)
        if key is not None and not all(isinstance(v, str) for v in chunk[key].unique()):
            msg = (
                f"partition_on={key!r} must name a column of strings (galaxy "
                "names), with no missing values; or use partition_on=None."
            )
            raise ValueError(msg)
        if self._first is not None and list(chunk.columns) != list(self._first.columns):
            msg = "every chunk must have the columns of the first, in the same order."
            raise ValueError(msg)

    def write(self, chunk: pd.DataFrame) -> None:
        """Append the rows of ``chunk`` (same columns and dtypes every time)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._check_chunk(chunk)
        if self._first is None:
            self._first = chunk.iloc[:0].copy()
        key = self.partition_on
        groups = [(None, chunk)] if key is None else chunk.groupby(key, observed=True)
        for value, part in groups:
            value = value[0] if isinstance(value, tuple) else value
            rows = part.drop(columns=[key]) if key is not None else part.copy()
            rows.attrs = {}  # kept once, in _common_metadata, not per chunk
            arrow = pa.Table.from_pandas(rows, preserve_index=True)
            if self._schema is None:
                self._schema = arrow.schema  # pandas' metadata: others get the index
            arrow = arrow.cast(self._schema)
            if value not in self._writers:
                folder = self.tmp if key is None else self.tmp / _folder(key, value)
                folder.mkdir(exist_ok=True)
                self._writers[value] = pq.ParquetWriter(
                    folder / "part-0.parquet", self._schema
                )
                self._rows[value] = 0
            self._writers[value].write_table(arrow, row_group_size=self.row_group_size)
            self._rows[value] += len(part)

    def commit(self, attrs: dict | None = None) -> Path:
        """Close the files, write ``_common_metadata`` and move into place."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._first is None or not any(self._rows.values()):
            self.abort()
            msg = "nothing to write: the table has no rows."
            raise ValueError(msg)
        for writer in self._writers.values():
            writer.close()
        key = self.partition_on
        first = self._first
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "columns": [str(c) for c in first.columns],
            "index": [
                n if n is not None else f"__index_level_{i}__"
                for i, n in enumerate(first.index.names)
            ],  # fmt: skip
            "index_names": list(first.index.names),
            "categories": _categories(first),
            "partition_on": key,
            "partitions": [
                {
                    "value": value,
                    "file": "part-0.parquet"
                    if key is None
                    else f"{_folder(key, value)}/part-0.parquet",
                    "rows": int(self._rows[value]),
                }
                for value in self._writers
            ],
            "attrs": _encode(dict(attrs or {}), "table.attrs"),
        }
        schema = self._schema
        if key is not None:
            schema = schema.append(pa.field(key, pa.string()))
        schema = schema.remove_metadata().with_metadata(
            {META_KEY: json.dumps(manifest).encode()}
        )
        pq.write_metadata(schema, self.tmp / COMMON)
        _move_into_place(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Close and remove the temporary folder; ``path`` is left untouched."""
        for writer in self._writers.values():
            try:
                writer.close()
            except Exception:  # already failing: the folder goes anyway
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if kind is not None:
            self.abort()
        return False


def _folder(key: str, value: str) -> str:
    return f"{key}={quote(value, safe='')}"


def _move_into_place(tmp: Path, path: Path) -> None:
    """Rename ``tmp`` to ``path``; an old dataset there is moved aside first."""
    if not path.exists():
        tmp.rename(path)
        return
    old = path.with_name(f".{path.name}.old-{uuid.uuid4().hex[:8]}")
    path.rename(old)
    tmp.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def write_table(
    table: pd.DataFrame,
    path,
    *,
    partition_on: str | None = "galaxy",
    row_group_size: int = ROW_GROUP_SIZE,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Write a pixel table as a partitioned Parquet dataset, ``attrs`` kept.

    Parameters
    ----------
    table : pandas.DataFrame or dask.dataframe.DataFrame
        Any kit table (e.g. from :func:`make_galaxies` or :func:`read_maps`).
        A Dask table is computed one partition at a time and streamed to
        disk (its ``attrs``: ``table.attrs``, else those of its ``_meta``).
    path : str or Path
        The dataset folder (created; its parent folders too).
    partition_on : str or None, default "galaxy"
        A column of strings: one folder per value (``galaxy=NGC0628/``).
        ``None``: one file.
    row_group_size : int, default 1_000_000
        Most rows per row group (a Dask partition of :func:`read_table`).
    overwrite : bool, default False
        Replace an existing astrokit dataset at ``path`` (atomically).
    progress : bool, default True
        For a Dask table, a tqdm bar over its partitions (after a second).

    Returns
    -------
    Path
        ``path``. :func:`read_table` gives the rows back grouped by
        ``partition_on`` (in the order of its categories), each group in
        the order written.

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``overwrite`` is False, or exists and is not
        an astrokit dataset (never replaced).
    ValueError
        For a ``partition_on`` that is not a column of strings, or a table
        with no rows.
    TypeError
        For an ``attrs`` value JSON cannot hold.

    Examples
    --------
    >>> import tempfile
    >>> from astrokit.data import make_galaxies
    >>> t = make_galaxies("tiny")
    >>> folder = write_table(t, Path(tempfile.mkdtemp()) / "tiny")
    >>> sorted(p.name for p in folder.iterdir())
    ['_common_metadata', 'galaxy=NGC0628', 'galaxy=NGC1365', 'galaxy=NGC7496']
    >>> from astrokit.data import read_table
    >>> back = read_table(folder)
    >>> back.equals(t), back.attrs == t.attrs
    (True, True)
    """
    options = {"row_group_size": row_group_size, "overwrite": overwrite}
    with DatasetWriter(path, partition_on=partition_on, **options) as out:
        if not _is_dask(table):
            out.write(table)
            return out.commit(table.attrs)
        from tqdm.auto import tqdm

        parts = range(table.npartitions)
        for i in tqdm(parts, desc="write_table", disable=not progress, delay=1.0):
            out.write(table.partitions[i].compute())
        return out.commit(getattr(table, "attrs", None) or table._meta.attrs)


def _is_dask(table) -> bool:
    if "dask" not in sys.modules:  # nothing can be a Dask object yet
        return False
    import dask.dataframe as dd

    return isinstance(table, dd.DataFrame)
