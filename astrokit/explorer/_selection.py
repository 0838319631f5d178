"""The explorer's selection: which rows, how they differ, saved to a file.

A :class:`Selection` is a boolean mask over the rows of one table, with the
same rows seen as an index (labels), positions and a DataFrame. It knows
nothing about plots: the explorer turns a box or lasso drawn on any view into
rows with :func:`box_mask` / :func:`lasso_mask` and hands them here, so the
same rows light up in every view. :meth:`Selection.summary` ranks the numeric
columns by how much the selected rows differ from the rest (Cohen's d, the
formula of :func:`astrokit.interpret.effect_sizes`), and :meth:`Selection.save`
writes them to Parquet or CSV without ever replacing an earlier file silently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from astrokit._shared.checks import keyword_only_after
from astrokit.explorer._columns import colour_values, numeric_columns
from astrokit.explorer._geometry import box_mask, lasso_mask
from astrokit.interpret._effects import group_effect

__all__ = [
    "Selection",
    "SUMMARY_COLUMNS",
    "box_mask",
    "lasso_mask",
    "unique_path",
]

_FORMATS = (".parquet", ".csv")
SUMMARY_COLUMNS = [
    "feature",
    "mean_selected",
    "mean_rest",
    "effect",
    "n_selected",
    "n_rest",
]
"""Columns of :meth:`Selection.summary` (``effect`` as in ``interpret``)."""


def unique_path(path: str | Path) -> Path:
    """``path``, or the first free ``name-1.ext``, ``name-2.ext``, ... beside it.

    Parameters
    ----------
    path : str or Path
        The wished-for file name.

    Returns
    -------
    Path
        ``path`` when no file has that name, else the first free numbered one.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "sel.csv").write_text("")
    0
    >>> unique_path(folder / "sel.csv").name
    'sel-1.csv'
    """
    path = Path(path)
    if not path.exists():
        return path
    i = 1
    while (candidate := path.with_name(f"{path.stem}-{i}{path.suffix}")).exists():
        i += 1
    return candidate


class Selection:
    """Rows of ``table`` chosen by the user, as a mask, index and DataFrame.

    Parameters
    ----------
    table : DataFrame
        The table whose rows are selected (kept by reference, never copied).

    Examples
    --------
    >>> t = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]}, index=[10, 11, 12, 13])
    >>> sel = Selection(t)
    >>> sel.set_mask(np.array([False, True, True, False]))
    >>> sel.index.tolist(), len(sel)
    ([11, 12], 2)
    >>> sel.summary()[["feature", "mean_selected", "mean_rest"]]
      feature  mean_selected  mean_rest
    0       a            2.5        2.5
    """

    def __init__(self, table: pd.DataFrame, *, reference=None, source=None):
        self.table = table
        self.mask = np.zeros(len(table), dtype=bool)
        self.reference = reference
        """Rows the summary compares with (e.g. those with an embedding); None: all."""
        self.source = source or (lambda column: colour_values(table, column))
        """``source(column)``: the column as float32 over all rows."""
        self.labels: pd.Series | None = None
        """Named labels of rows (the explorer's pins), saved with the rows."""
        self._totals: dict[str, tuple[float, float, float]] = {}

    def __len__(self) -> int:
        return int(self.mask.sum())

    def __repr__(self) -> str:
        return f"<Selection: {len(self):,} of {len(self.table):,} rows>"

    @property
    def empty(self) -> bool:
        """True when no row is selected."""
        return not self.mask.any()

    @property
    def positions(self) -> np.ndarray:
        """Positions (``iloc``) of the selected rows."""
        return np.flatnonzero(self.mask)

    @property
    def index(self) -> pd.Index:
        """Index labels of the selected rows (join them back to any result)."""
        return self.table.index[self.mask]

    @property
    def frame(self) -> pd.DataFrame:
        """The selected rows of the table (a copy)."""
        return self.table.iloc[self.positions]

    def clear(self) -> None:
        """Select nothing."""
        self.mask = np.zeros(len(self.table), dtype=bool)

    def set_mask(self, mask) -> None:
        """Replace the selection by a boolean mask over all rows of the table."""
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != (len(self.table),):
            msg = (
                f"mask of dtype {mask.dtype} and shape {mask.shape} does not fit: "
                f"a boolean array of shape ({len(self.table)},) is needed."
            )
            raise ValueError(msg)
        self.mask = mask

    def set_positions(self, positions) -> None:
        """Replace the selection by the rows at these positions (``iloc``)."""
        mask = np.zeros(len(self.table), dtype=bool)
        mask[np.asarray(positions, dtype=np.int64)] = True
        self.mask = mask

    def _require_rows(self, what: str) -> None:
        if self.empty:
            msg = (
                f"The selection is empty: nothing to {what}. Draw a box or a "
                "lasso on a view first."
            )
            raise ValueError(msg)

    def prepare(self, columns) -> None:
        """Compute the whole-table sums behind :meth:`summary` ahead of time."""
        for column in columns:
            self._total(column, self.source(column))

    def _total(self, column: str, values: np.ndarray) -> tuple[float, float, float]:
        if column not in self._totals:
            finite = np.isfinite(values)
            if self.reference is not None:
                finite &= self.reference
            v = values[finite].astype(np.float64)
            self._totals[column] = (float(v.size), float(v.sum()), float(v @ v))
        return self._totals[column]

    @keyword_only_after(1)
    def summary(self, *, columns=None) -> pd.DataFrame:
        """How the selected rows differ from the rest, column by column.

        Parameters
        ----------
        columns : list of str, optional
            Columns to compare; default every numeric column of the table.
            The rest are the rows of ``reference`` (all rows by default; the
            explorer's: the rows with an embedding), and only selected rows
            among them count.

        Returns
        -------
        DataFrame
            One row per column, ranked by ``abs(effect)``: ``feature``,
            ``mean_selected``, ``mean_rest``, ``effect`` (Cohen's d: the
            difference of the means over the pooled standard deviation, the
            number :func:`astrokit.interpret.effect_sizes` gives with
            ``method="cohen"`` for the selected rows against the rest) and
            ``n_selected`` / ``n_rest`` (finite values compared). Columns with
            no finite value on one side are left out. The sums over the whole
            table are computed once per column, so a selection on millions
            of rows costs only a pass over the selected ones.

        Raises
        ------
        ValueError
            The selection is empty.
        """
        self._require_rows("summarise")
        columns = numeric_columns(self.table) if columns is None else list(columns)
        chosen_rows = (
            self.mask if self.reference is None else self.mask & self.reference
        )
        positions = np.flatnonzero(chosen_rows)
        sums = {}
        for column in columns:
            values = self.source(column)
            chosen = values[positions]
            chosen = chosen[np.isfinite(chosen)].astype(np.float64)
            sums[column] = (
                (chosen.size, chosen.sum(), chosen @ chosen),
                self._total(column, values),
            )
        return ranked(sums, SUMMARY_COLUMNS, rest=True)

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the selected rows to Parquet or CSV (chosen by the suffix).

        Parameters
        ----------
        path : str or Path
            Ends in ``.parquet`` or ``.csv``. With labels pinned (the
            explorer's ``pin``), the rows carry them in a column ``label``.
        overwrite : bool, default False
            Replace an existing file. Without it an existing file raises
            :class:`FileExistsError` (use :func:`unique_path` for a free name).

        Returns
        -------
        Path
            Where the rows were written.

        Raises
        ------
        ValueError
            Empty selection, or a suffix other than ``.parquet`` / ``.csv``.
        FileExistsError
            ``path`` exists and ``overwrite`` is False. The file is created
            atomically: of two saves racing for one name, exactly one wins
            and the other gets this error, with a free name suggested.
        OSError
            The folder cannot be written; the message names ``path``.
        """
        from astrokit._shared.cache import atomic_write

        path = Path(path)
        if path.suffix.lower() not in _FORMATS:
            msg = (
                f"path={str(path)!r} has suffix {path.suffix!r}; use one of "
                f"{list(_FORMATS)}."
            )
            raise ValueError(msg)
        self._require_rows("save")
        if path.exists() and not overwrite:
            raise FileExistsError(_exists_message(path))
        suffix = path.suffix.lower()
        try:
            return atomic_write(
                path, lambda tmp: self._write(tmp, suffix), overwrite=overwrite
            )
        except FileExistsError as error:  # another save took the name meanwhile
            raise FileExistsError(_exists_message(path)) from error

    def _write(self, tmp: Path, suffix: str) -> None:
        """Write the selected rows (with their labels) to ``tmp``."""
        frame = self.frame
        if self.labels is not None:
            frame = frame.assign(label=self.labels.iloc[self.positions])
        if suffix == ".parquet":
            frame = frame.copy()
            frame.attrs = {}  # attrs hold WCS headers etc.: not Parquet metadata
            frame.to_parquet(tmp)
        else:
            frame.to_csv(tmp)


def _exists_message(path: Path) -> str:
    return (
        f"{path} already exists; pass overwrite=True to replace it, or "
        f"save to a new name such as {unique_path(path).name!r}."
    )


def ranked(sums: dict, columns: list, *, rest: bool) -> pd.DataFrame:
    """Rows ``(feature, mean_a, mean_b, effect, n_a, n_b)`` ranked by ``|effect|``.

    ``sums`` maps a column to ``((n, sum, sum of squares) of group a, the same
    of group b)``; with ``rest=True`` the second is of all rows, and group b
    is all rows less group a. Columns with no value on one side are left out.
    """
    rows = []
    for column, ((n_a, s_a, q_a), (n_b, s_b, q_b)) in sums.items():
        if rest:  # every row not in group a
            n_b, s_b, q_b = n_b - n_a, s_b - s_a, q_b - q_a
        if n_a == 0 or n_b <= 0:
            continue
        m_a, m_b = s_a / n_a, s_b / n_b
        sd_a, sd_b = _std(n_a, s_a, q_a), _std(n_b, s_b, q_b)
        d = group_effect(m_a, sd_a, sd_a, n_a, m_b, sd_b, sd_b, n_b)
        rows.append((column, m_a, m_b, float(d), int(n_a), int(n_b)))
    out = pd.DataFrame(rows, columns=columns)
    order = np.argsort(-np.abs(out["effect"].to_numpy()), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def _std(n: float, total: float, squares: float) -> float:
    """Standard deviation (``ddof=1``) from a count, a sum and a sum of squares."""
    if n < 2:
        return np.nan
    return float(np.sqrt(max(squares - total * total / n, 0.0) / (n - 1)))
