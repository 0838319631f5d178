"""The scale transforms shared by every inspection plot, and their counting.

Three scales, as in the first look at a PHANGS map (Baron, VOSS 2023):

``"linear"``
    The values as they are.
``"log"``
    Zero and negative values have no logarithm: those pixels are dropped
    (set to NaN) and *counted*.
``"clipped-log"``
    A log scale with a floor: every finite value below the floor (zero and
    negative values included) is raised to the floor and counted. This is
    what ``matplotlib.colors.LogNorm(vmin=floor)`` suggests, with one
    difference: ``LogNorm`` still masks (leaves blank) the values <= 0, while
    here they are drawn at the floor colour like any other value below it.

Every transform returns a :class:`Scaled` record whose :attr:`Scaled.note`
is the sentence a plot title carries, so nothing is dropped or clipped
silently.

The default floor (:func:`default_floor`) is the typical detection threshold,
``detection_snr * median(err)``, when 1-sigma errors are known: pixels drawn
at the floor colour are then roughly the non-detections. Without errors (or
when that threshold is not below the largest value) it is the 1st percentile
of the positive finite values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "SCALES",
    "Scaled",
    "apply_scale",
    "bin_edges",
    "check_scale",
    "default_floor",
]

SCALES = ("linear", "log", "clipped-log")
"""The scale names, in the order the three-panel figures draw them."""

FLOOR_PERCENTILE = 1.0
"""Percentile of the positive finite values used as floor without errors."""


@dataclass(frozen=True)
class Scaled:
    """Values on one scale, with what the transform did to them.

    Attributes
    ----------
    values : numpy.ndarray
        The transformed values (float64, same shape as the input): NaN where
        the input was not finite or was dropped; the floor where clipped.
    scale : str
        One of :data:`SCALES`.
    n_finite : int
        Finite input values.
    n_nonpositive : int
        Finite input values <= 0.
    n_dropped : int
        Finite values the transform set to NaN (``"log"``: the values <= 0).
    n_clipped : int
        Finite values raised to the floor (``"clipped-log"``).
    n_inf : int
        Infinite input values (+inf or -inf): never drawn, always counted.
    floor : float or None
        The floor of ``"clipped-log"``.
    floor_rule : str or None
        Where the floor came from, e.g. ``"3 x median error"``.
    vmin, vmax : float
        Range of the finite transformed values (NaN when there are none).
    """

    values: np.ndarray
    scale: str
    n_finite: int
    n_nonpositive: int
    n_dropped: int = 0
    n_clipped: int = 0
    floor: float | None = None
    floor_rule: str | None = None
    vmin: float = np.nan
    vmax: float = np.nan
    n_inf: int = 0

    @property
    def note(self) -> str:
        """What the transform did, for a title or legend (:meth:`describe`)."""
        return self.describe()

    def describe(self, noun: str = "values") -> str:
        """What the transform did, in words, counting ``noun`` (e.g. "pixels").

        Examples
        --------
        >>> apply_scale(np.array([-1.0, 0.0, 2.0, 5.0]), "log").describe("pixels")
        '2 pixels ≤ 0 dropped'
        >>> apply_scale(np.array([1.0, np.inf, 2.0]), "linear").describe()
        '2 finite values, 1 infinite dropped'
        """
        if self.scale == "log":
            text = f"{_count(self.n_dropped, noun)} ≤ 0 dropped"
        elif self.scale == "clipped-log":
            text = f"{_count(self.n_clipped, noun)} < floor clipped"
            if self.n_nonpositive:
                text += f" ({self.n_nonpositive:,} of them ≤ 0)"
        else:
            text = _count(self.n_finite, f"finite {noun}")
        return text + self.inf_text

    @property
    def inf_text(self) -> str:
        """``', 3 infinite dropped'``, or ``''`` without infinite values."""
        return f", {self.n_inf:,} infinite dropped" if self.n_inf else ""

    @property
    def floor_text(self) -> str:
        """``'floor 0.75 (3 x median error)'``, or ``''`` without a floor."""
        if self.floor is None:
            return ""
        return f"floor {self.floor:.3g} ({self.floor_rule})"


def _count(n: int, noun: str) -> str:
    """``'1 pixel'``, ``'35,006 pixels'``."""
    if n == 1 and noun.endswith("s"):
        noun = noun[:-1]
    return f"{n:,} {noun}"


def check_scale(scale: str) -> str:
    """Return ``scale`` if it is one of :data:`SCALES`, else raise ValueError."""
    if scale not in SCALES:
        msg = f"scale={scale!r} is not a scale; use one of {list(SCALES)}."
        raise ValueError(msg)
    return scale


def _no_positive(what: str, n_finite: int, scale: str, n_inf: int) -> ValueError:
    if n_finite == 0:
        detail = "no finite values at all"
        detail += f" ({n_inf:,} infinite)" if n_inf else ""
    else:
        detail = f"no positive values ({n_finite:,} finite, all <= 0)"
    msg = (
        f"Nothing to show on the {scale!r} scale: {what} has {detail}. "
        "Look at it on the linear scale instead (scale='linear')."
    )
    return ValueError(msg)


def default_floor(
    values: np.ndarray,
    err: np.ndarray | None = None,
    *,
    detection_snr: float = 3.0,
) -> tuple[float, str]:
    """The default floor of the clipped-log scale, and the rule that gave it.

    ``detection_snr * median(err)`` over the finite positive errors (the
    typical detection threshold) when ``err`` is given and that is below the
    largest value; otherwise the 1st percentile of the positive finite values.

    Examples
    --------
    >>> v = np.array([-1.0, 0.5, 1.0, 2.0, 40.0])
    >>> default_floor(v, np.full(5, 0.25))
    (0.75, '3 x median error')
    >>> floor, rule = default_floor(v)
    >>> round(floor, 3), rule
    (0.515, '1st percentile of values > 0')
    """
    values = np.asarray(values, dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size == 0:
        msg = "default_floor needs at least one positive finite value."
        raise ValueError(msg)
    if err is not None:
        e = np.asarray(err, dtype=float)
        e = e[np.isfinite(e) & (e > 0)]
        if e.size:
            floor = float(detection_snr * np.median(e))
            if floor < positive.max():
                return floor, f"{detection_snr:g} x median error"
    floor = float(np.percentile(positive, FLOOR_PERCENTILE))
    return floor, "1st percentile of values > 0"


def _check_floor(floor, largest: float) -> float:
    ok = isinstance(floor, int | float | np.integer | np.floating)
    if not ok or isinstance(floor, bool) or not np.isfinite(floor) or floor <= 0:
        msg = (
            f"floor={floor!r} must be a positive finite number (the lowest value "
            "the clipped-log scale shows), or None for the default."
        )
        raise ValueError(msg)
    if floor >= largest:
        msg = (
            f"floor={floor!r} is not below the largest value ({largest:.4g}), so "
            "every pixel would be clipped; choose a smaller floor or floor=None."
        )
        raise ValueError(msg)
    return float(floor)


def apply_scale(
    values,
    scale: str,
    *,
    floor: float | None = None,
    err=None,
    detection_snr: float = 3.0,
    what: str = "the data",
) -> Scaled:
    """Put ``values`` on one scale, counting what is dropped or clipped.

    Parameters
    ----------
    values : array_like
        Any shape; NaN marks missing data and is never counted as dropped;
        infinite values are never drawn and are counted (``n_inf``).
    scale : {"linear", "log", "clipped-log"}
        See the module docstring.
    floor : float, optional
        Floor of ``"clipped-log"``; default :func:`default_floor`.
    err : array_like, optional
        1-sigma errors, used only by the default floor.
    detection_snr : float, default 3.0
        Signal-to-noise of the default floor.
    what : str
        Name of the data in error messages (e.g. ``"band 'co21'"``).

    Returns
    -------
    Scaled

    Raises
    ------
    ValueError
        An unknown ``scale``; a log scale with no positive finite value; a
        ``floor`` that is not a positive number below the largest value.

    Examples
    --------
    >>> s = apply_scale(np.array([-2.0, 0.0, 0.5, 3.0, np.nan]), "clipped-log",
    ...                 floor=1.0)
    >>> s.values
    array([ 1.,  1.,  1.,  3., nan])
    >>> s.note
    '3 values < floor clipped (2 of them ≤ 0)'
    """
    check_scale(scale)
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    n_finite = int(finite.sum())
    nonpositive = finite & (values <= 0)
    n_nonpositive = int(nonpositive.sum())
    n_inf = int(np.isinf(values).sum())
    out = np.where(finite, values, np.nan)
    if scale == "linear":
        lo, hi = _range(out)
        return Scaled(
            out, scale, n_finite, n_nonpositive, vmin=lo, vmax=hi, n_inf=n_inf
        )
    if n_finite == n_nonpositive:
        raise _no_positive(what, n_finite, scale, n_inf)
    if scale == "log":
        out[nonpositive] = np.nan
        lo, hi = _range(out)
        return Scaled(
            out,
            scale,
            n_finite,
            n_nonpositive,
            n_dropped=n_nonpositive,
            vmin=lo,
            vmax=hi,
            n_inf=n_inf,
        )
    largest = float(np.max(values[finite]))
    if floor is None:
        floor, rule = default_floor(values, err, detection_snr=detection_snr)
    else:
        floor, rule = _check_floor(floor, largest), "given"
    below = finite & (values < floor)
    out[below] = floor
    return Scaled(
        out,
        scale,
        n_finite,
        n_nonpositive,
        n_clipped=int(below.sum()),
        floor=floor,
        floor_rule=rule,
        vmin=floor,
        vmax=largest,
        n_inf=n_inf,
    )


def bin_edges(scaled: Scaled, bins: int) -> np.ndarray:
    """Histogram bin edges: linear on ``"linear"``, log-spaced otherwise.

    Log-spaced edges run from the smallest to the largest positive value kept
    (``numpy.geomspace``), like ``np.logspace`` bins in the lesson.

    Examples
    --------
    >>> bin_edges(apply_scale(np.array([-1.0, 1.0, 100.0]), "log"), 2)
    array([  1.,  10., 100.])
    """
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        msg = f"bins={bins!r} must be a positive integer (the number of bins)."
        raise ValueError(msg)
    lo, hi = scaled.vmin, scaled.vmax
    if not np.isfinite(lo):
        lo, hi = 0.0, 1.0
    if scaled.scale == "linear":
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        return np.linspace(lo, hi, bins + 1)
    if lo == hi:
        lo, hi = lo / 2, hi * 2
    return np.geomspace(lo, hi, bins + 1)


def _range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.nan, np.nan
    return float(finite.min()), float(finite.max())
