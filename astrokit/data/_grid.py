"""Between the pixel table and images: one galaxy's column back on its sky grid."""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.matrix import check_unique_index

__all__ = ["galaxies", "galaxy_wcs", "to_image", "sky_map"]


def galaxies(table: pd.DataFrame) -> list[str]:
    """Names of the galaxies in ``table``, in order of first appearance.

    Parameters
    ----------
    table : pandas.DataFrame
        A pixel table with a ``galaxy`` column.

    Returns
    -------
    list of str

    Raises
    ------
    KeyError
        No ``galaxy`` column.

    Examples
    --------
    >>> galaxies(pd.DataFrame({"galaxy": ["B", "A", "B"]}))
    ['B', 'A']
    """
    if "galaxy" not in table:
        msg = "The table has no 'galaxy' column; it is not a pixel table."
        raise KeyError(msg)
    return list(pd.unique(table["galaxy"].astype(str)))


def _pick_galaxy(table: pd.DataFrame, galaxy: str | None) -> str:
    names = galaxies(table)
    if galaxy is None:
        if len(names) != 1:
            msg = f"The table holds {len(names)} galaxies {names}; pass galaxy=..."
            raise ValueError(msg)
        return names[0]
    if galaxy not in names:
        msg = f"galaxy={galaxy!r} is not in the table; it holds {names}."
        raise ValueError(msg)
    return galaxy


def galaxy_wcs(table: pd.DataFrame, galaxy: str | None = None):
    """The celestial WCS (``astropy.wcs.WCS``) of one galaxy's grid.

    Parameters
    ----------
    table : pandas.DataFrame
        A pixel table whose ``attrs["wcs"][galaxy]`` holds a FITS header
        string (as :func:`astrokit.data.make_galaxies` and
        :func:`astrokit.data.read_maps` write).
    galaxy : str, optional
        Needed when the table holds several galaxies.

    Returns
    -------
    astropy.wcs.WCS
        Pixel ``(x, y)`` of the table to sky coordinates.

    Raises
    ------
    ValueError
        Several galaxies and no ``galaxy``; an unknown galaxy; no WCS stored.

    Examples
    --------
    >>> from astrokit.data import load_demo
    >>> wcs = galaxy_wcs(load_demo("tiny"), "NGC0628")
    >>> wcs.celestial.naxis
    2
    """
    from astropy.io import fits
    from astropy.wcs import WCS

    galaxy = _pick_galaxy(table, galaxy)
    headers = table.attrs.get("wcs", {})
    if galaxy not in headers:
        msg = (
            f"The table carries no WCS for galaxy {galaxy!r} (table.attrs['wcs']); "
            "build it with astrokit.data.make_galaxies or read_maps."
        )
        raise ValueError(msg)
    return WCS(fits.Header.fromstring(headers[galaxy]))


def to_image(
    table: pd.DataFrame,
    column: str | pd.Series,
    *,
    galaxy: str | None = None,
    fill: float = np.nan,
) -> np.ndarray:
    """Put one column of one galaxy back on its sky grid, shape ``(ny, nx)``.

    ``column`` is a column name or a Series aligned with ``table`` (e.g.
    cluster labels). Pixels without a row get ``fill``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"galaxy": "g", "x": [0, 1], "y": [0, 1], "v": [1.0, 2.0]})
    >>> t.attrs["shape"] = {"g": (2, 2)}
    >>> to_image(t, "v")  # numpy order: [y, x]
    array([[ 1., nan],
           [nan,  2.]])
    """
    galaxy = _pick_galaxy(table, galaxy)
    values = table[column] if isinstance(column, str) else column
    rows = (table["galaxy"].astype(str) == galaxy).to_numpy()
    x = table["x"].to_numpy()[rows].astype(int)
    y = table["y"].to_numpy()[rows].astype(int)
    shape = table.attrs.get("shape", {}).get(galaxy)
    if shape is None:
        shape = (int(y.max()) + 1, int(x.max()) + 1)
    vals = np.asarray(values)[rows]
    dtype = np.result_type(vals.dtype, np.float32) if vals.dtype != bool else float
    image = np.full(tuple(shape), fill, dtype=dtype)
    image[y, x] = vals
    return image


def sky_map(
    table: pd.DataFrame, labels, *, galaxy: str | None = None, fill: float = np.nan
) -> np.ndarray:
    """Per-row labels (or values) on one galaxy's sky grid, shape ``(ny, nx)``.

    ``labels`` may cover only some rows of ``table`` (e.g. the pixels with
    features); the others get ``fill``. Unlike :func:`to_image`, the labels
    need not cover the table, and a Series that does not lie on the table's
    index is refused.

    Parameters
    ----------
    table : DataFrame
        The pixel table (``galaxy``, ``x``, ``y``, ``attrs["shape"]``).
    labels : Series
        Values on (a subset of) the table's index.
    galaxy : str, optional
        Needed when the table holds several galaxies.
    fill : float, default NaN
        Value of pixels without a label.

    Raises
    ------
    ValueError
        Labels not a Series whose index lies in the table's index.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"galaxy": "g", "x": [0, 1, 1], "y": [0, 0, 1]})
    >>> t.attrs["shape"] = {"g": (2, 2)}
    >>> sky_map(t, pd.Series([3, 5], index=[0, 2]))  # image[y, x]
    array([[ 3., nan],
           [nan,  5.]])
    """
    if not isinstance(labels, pd.Series):
        msg = (
            f"labels must be a pandas Series on the table's index; got "
            f"{type(labels).__name__}."
        )
        raise ValueError(msg)
    check_unique_index(table, "table")
    check_unique_index(labels, "labels")
    extra = labels.index.difference(table.index)
    if len(extra):
        msg = (
            f"labels has {len(extra)} index values not in the table "
            f"(e.g. {extra[0]!r})."
        )
        raise ValueError(msg)
    aligned = labels.reindex(table.index).astype(float).fillna(fill)
    return to_image(table, aligned, galaxy=galaxy, fill=fill)
