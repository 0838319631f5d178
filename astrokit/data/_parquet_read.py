"""Read the kit's Parquet datasets (see ``_parquet``): pandas or Dask, attrs kept.

:func:`read_table` reads what :func:`astrokit.data.write_table` (or
:func:`astrokit.data.write_survey`) wrote, through ``pyarrow.dataset``:
columns are projected and filters pushed down (folders of other galaxies are
never opened; row groups whose statistics exclude the filter are skipped).
The in-memory and the Dask path convert every piece with the same function,
so ``read_table(p, dask=True).compute()`` equals ``read_table(p)``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd

from astrokit.data._parquet import COMMON, FORMAT, FORMAT_VERSION, META_KEY, _loads

__all__ = ["read_table", "read_manifest"]


def read_manifest(path) -> dict:
    """The kit's metadata of a dataset: columns, index, categories, partitions, attrs.

    Raises FileNotFoundError for a missing path, ValueError for a folder or
    file that is not an astrokit dataset.
    """
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        aside = sorted(path.parent.glob(f".{path.name}.old-*"))
        hint = f" (an interrupted replace left {str(aside[-1])!r})" if aside else ""
        msg = f"path={str(path)!r} does not exist{hint}."
        raise FileNotFoundError(msg)
    common = path / COMMON
    if not common.is_file():
        msg = (
            f"path={str(path)!r} is not an astrokit table: no {COMMON} file. "
            "Write it with astrokit.data.write_table, or read plain Parquet with "
            "pandas.read_parquet."
        )
        raise ValueError(msg)
    raw = (pq.read_schema(common).metadata or {}).get(META_KEY)
    manifest = _loads(raw) if raw else {}
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        msg = f"path={str(path)!r} has a {COMMON} without astrokit metadata."
        raise ValueError(msg)
    if manifest["format_version"] > FORMAT_VERSION:
        msg = (
            f"path={str(path)!r} was written by a newer astrokit (format "
            f"{manifest['format_version']}); upgrade astrokit to read it."
        )
        raise ValueError(msg)
    return manifest


def _dataset(root: Path, manifest: dict, files=None):
    import pyarrow as pa
    import pyarrow.dataset as ds

    key = manifest["partition_on"]
    if files is None:
        files = [str(root / p["file"]) for p in manifest["partitions"]]
    if key is None:
        return ds.dataset(files, format="parquet")
    # a dictionary field: the column arrives categorical, not as 10^7 strings
    values = pa.array([p["value"] for p in manifest["partitions"]], pa.string())
    field = pa.field(key, pa.dictionary(pa.int32(), pa.string()))
    part = ds.partitioning(
        pa.schema([field]), flavor="hive", dictionaries={key: values}
    )
    return ds.dataset(
        files, format="parquet", partitioning=part, partition_base_dir=str(root)
    )


def _check_columns(columns, manifest: dict) -> list:
    known = manifest["columns"]
    if columns is None:
        return list(known)
    names = [columns] if isinstance(columns, str) else list(columns)
    unknown = [c for c in names if c not in known]
    if unknown:
        shown = known if len(known) <= 12 else known[:12] + ["..."]
        msg = (
            f"columns={columns!r}: unknown column(s) {unknown}; the dataset has "
            f"{len(known)} columns: {shown}."
        )
        raise ValueError(msg)
    return names


def _filter_expression(filters, manifest: dict):
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if filters is None or isinstance(filters, pc.Expression):
        return filters
    try:
        clauses = filters if isinstance(filters[0][0], list | tuple) else [filters]
        names = {term[0] for clause in clauses for term in clause}
        expression = pq.filters_to_expression(filters)
    except (TypeError, ValueError, IndexError, KeyError) as error:
        msg = (
            f"filters={filters!r} is not a filter: give a list of (column, op, "
            f"value) tuples, e.g. [('galaxy', '==', 'NGC0628')], a list of such "
            f"lists (OR of ANDs), or a pyarrow.compute expression ({error})."
        )
        raise ValueError(msg) from None
    unknown = sorted(set(names) - set(manifest["columns"]) - set(manifest["index"]))
    if unknown:
        msg = f"filters={filters!r} name unknown column(s) {unknown}."
        raise ValueError(msg)
    return expression


def _to_pandas(arrow, manifest: dict, columns: list) -> pd.DataFrame:
    """One arrow table (a piece or the whole) as the kit's DataFrame."""
    # split_blocks + self_destruct: columns freed as converted (less peak memory)
    frame = arrow.to_pandas(ignore_metadata=True, split_blocks=True, self_destruct=True)
    del arrow
    for col, info in manifest["categories"].items():
        if col in frame.columns:
            dtype = pd.CategoricalDtype(info["categories"], ordered=info["ordered"])
            frame[col] = frame[col].astype(dtype)
    frame = frame.set_index(manifest["index"])
    frame.index.names = manifest["index_names"]
    if frame.columns.tolist() != columns:
        frame = frame[columns]
    frame.attrs = copy.deepcopy(manifest["attrs"])
    return frame


def _read_piece(piece, root, manifest, read_columns, expression, columns):
    """One Dask partition: one file, or one row group of a file."""
    file, row_group = piece
    fragment = next(iter(_dataset(Path(root), manifest, [file]).get_fragments()))
    if row_group is not None:
        fragment = fragment.subset(row_group_ids=[row_group])
    schema = _dataset(Path(root), manifest, [file]).schema
    arrow = fragment.to_table(schema=schema, columns=read_columns, filter=expression)
    return _to_pandas(arrow, manifest, columns)


def read_table(
    path,
    *,
    columns: list[str] | None = None,
    filters=None,
    dask: bool = False,
    split_row_groups: bool = True,
):
    """Read a dataset written by :func:`write_table`, ``attrs`` and index restored.

    Parameters
    ----------
    path : str or Path
        The dataset folder.
    columns : list of str, optional
        Read only these columns (in this order); default all. The index is
        always read.
    filters : list of tuples, list of lists of tuples, or pyarrow Expression, optional
        Rows to keep, in the ``pyarrow.parquet`` form: ``[("galaxy", "==",
        "NGC0628"), ("halpha", ">", 10)]`` (AND), a list of such lists (OR
        of ANDs), or a ``pyarrow.compute`` expression. Other galaxies'
        folders are not opened.
    dask : bool, default False
        Return a lazy ``dask.dataframe.DataFrame`` instead of a pandas one.
    split_row_groups : bool, default True
        With ``dask=True``: one partition per row group (True) or per file,
        i.e. per galaxy (False).

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        The table: the written columns, dtypes, categories (all of them, used
        or not) and index; rows grouped by partition (galaxies in the order
        of the column's categories), within one in the order written.
        ``attrs`` as written (tuples and arrays too). A Dask frame carries
        them as ``ddf.attrs`` and in its ``_meta`` (so frames derived from it
        and every computed partition keep them); its divisions are unknown.

    Raises
    ------
    FileNotFoundError
        For a missing ``path``.
    ValueError
        For a path that is not an astrokit dataset, unknown ``columns`` or
        filter columns, or a malformed filter.

    Examples
    --------
    >>> import tempfile
    >>> from astrokit.data import make_galaxies, write_table
    >>> folder = write_table(make_galaxies("tiny"), Path(tempfile.mkdtemp()) / "t")
    >>> keep = [("galaxy", "==", "NGC7496")]
    >>> t = read_table(folder, columns=["halpha"], filters=keep)
    >>> t.columns.tolist(), t.attrs["units"]["halpha"]
    (['halpha'], '1e-20 erg / (s cm2)')
    >>> d = read_table(folder, dask=True)
    >>> d.npartitions, d.attrs["tier"], len(d.compute()) == len(read_table(folder))
    (3, 'tiny', True)
    """
    import pyarrow as pa

    root = Path(path)
    manifest = read_manifest(root)
    columns = _check_columns(columns, manifest)
    expression = _filter_expression(filters, manifest)
    read_columns = list(dict.fromkeys(columns + manifest["index"]))
    dataset = _dataset(root, manifest)
    if not dask:
        try:
            scan = dataset.scanner(columns=read_columns, filter=expression,
                                   fragment_readahead=1)  # fmt: skip
            arrow = scan.to_table()
        except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
            msg = f"filters={filters!r} cannot be applied: {error}"
            raise ValueError(msg) from None
        return _to_pandas(arrow, manifest, columns)
    return _read_dask(root, manifest, dataset, read_columns, expression, columns,
                      split_row_groups)  # fmt: skip


def _read_dask(root, manifest, dataset, read_columns, expression, columns, split):
    import dask.dataframe as dd

    pieces = []
    for fragment in dataset.get_fragments(filter=expression):
        if split:
            groups = fragment.split_by_row_group(expression, schema=dataset.schema)
            pieces += [(fragment.path, g.row_groups[0].id) for g in groups]
        else:
            pieces.append((fragment.path, None))
    empty = dataset.schema.empty_table().select(read_columns)
    meta = _to_pandas(empty, manifest, columns)
    if not pieces:
        frame = dd.from_pandas(meta, npartitions=1)
    else:
        frame = dd.from_map(
            _read_piece, pieces, root=str(root), manifest=manifest,
            read_columns=read_columns, expression=expression, columns=columns,
            meta=meta, enforce_metadata=False,
        )  # fmt: skip
    frame.attrs = meta.attrs
    return frame
