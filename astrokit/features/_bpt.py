"""BPT classes per row: star-forming, composite, Seyfert or LINER.

The demarcation lines are those of :data:`astrokit.features._definitions.
BPT_LINES`: Kauffmann et al. (2003) and Kewley et al. (2001) in the [NII]
diagram, Kewley et al. (2001) and the Kewley et al. (2006) Seyfert/LINER
lines in the [SII] and [OI] diagrams, Schawinski et al. (2007) for
Seyfert/LINER in the [NII] diagram alone.

Each diagram gives, per row, the set of classes the row can belong to (a bit
mask); a ratio that is only a limit widens that set to every class the limit
allows. A scheme combines diagrams by intersecting their sets: one class left
is the answer, none left means the diagrams disagree (``"ambiguous"``), more
than one means the data cannot decide (``"unclassified"``).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from astrokit.features._definitions import BPT_LINES, bpt_line

__all__ = ["BPT_CLASSES", "BPT_SCHEMES", "bpt_class"]

BPT_CLASSES = (
    "star-forming",
    "composite",
    "Seyfert",
    "LINER",
    "ambiguous",
    "unclassified",
)
"""The categories of :func:`bpt_class`, in this order."""

_SF, _COMP, _SY, _LIN = 1, 2, 4, 8
_ALL = _SF | _COMP | _SY | _LIN
_Y = "log_oiii_hb"
_DIAGRAMS = {  # x ratio, maximum-starburst curve, Seyfert/LINER line
    "nii": ("log_nii_ha", "kewley01", "schawinski07"),
    "sii": ("log_sii_ha", "kewley01_sii", "kewley06_sii"),
    "oi": ("log_oi_ha", "kewley01_oi", "kewley06_oi"),
}
BPT_SCHEMES = ("kewley06", "nii", "sii", "oi")
"""The values of ``which`` in :func:`bpt_class`."""


def _above(name: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether (x, y) lies above a line (beyond a curve's asymptote: above)."""
    line = BPT_LINES[name]
    ref = bpt_line(name, x)
    if "m" in line:  # straight line: compare everywhere, not only where drawn
        ref = line["m"] * x + line["q"]
    return np.isnan(ref) | (y > ref)


def _moves(censor: pd.Series | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Whether the true value can be lower, and higher, than the one given."""
    if censor is None:
        return np.zeros(n, bool), np.zeros(n, bool)
    code = censor.astype(str).to_numpy()
    both = code == "unconstrained"
    return (code == "upper") | both, (code == "lower") | both


def _diagram(features: pd.DataFrame, key: str, *, combined: bool) -> np.ndarray:
    """Per row, the bit mask of classes that one diagram allows."""
    xname, curve, split = _DIAGRAMS[key]
    x = features[xname].to_numpy(dtype=float)
    y = features[_Y].to_numpy(dtype=float)
    missing = ~(np.isfinite(x) & np.isfinite(y))
    for name in (xname, _Y):
        if name + "_imputed" in features:  # an imputed ratio is no measurement
            missing |= features[name + "_imputed"].to_numpy(dtype=bool)
    x_down, x_up = _moves(features.get(xname + "_censored"), len(x))
    y_down, y_up = _moves(features.get(_Y + "_censored"), len(y))
    # curves rise to the left; moving up or right goes towards "above" them.
    # The Seyfert/LINER line rises to the right: up or left goes to Seyfert.
    lines = [curve, split] + (["kauffmann03"] if key == "nii" else [])
    towards_above = {name: x_up | y_up for name in lines}
    towards_below = {
        name: _below_reachable(name, x, y, x_down, y_down)
        for name in lines
        if name != split
    }
    towards_above[split], towards_below[split] = x_down | y_up, x_up | y_down
    side = {name: _above(name, x, y) for name in lines}
    allowed = np.zeros(len(x), dtype=np.int64)
    for sides in itertools.product((False, True), repeat=len(lines)):
        possible = np.ones(len(x), bool)
        for name, up in zip(lines, sides, strict=True):
            can = towards_above[name] if up else towards_below[name]
            possible &= (side[name] == up) | can
        region = _region(key, dict(zip(lines, sides, strict=True)), combined=combined)
        allowed |= np.where(possible, region, 0)
    return np.where(missing, _ALL, allowed)


def _below_reachable(name, x, y, x_down, y_down) -> np.ndarray:
    """Whether limits let a row reach the region below a curve ``a/(x-b)+c``.

    The curve takes every value below ``c`` left of its asymptote ``b`` and
    none at or beyond it: lowering y crosses it only where ``x < b``; moving
    left crosses it only if y is (or may be) below ``c``.
    """
    line = BPT_LINES[name]
    return (y_down & (x < line["b"])) | (x_down & ((y < line["c"]) | y_down))


def _region(key: str, sides: dict, *, combined: bool) -> int:
    """The classes of one region of a diagram, given its side of each line."""
    _, curve, split = _DIAGRAMS[key]
    if sides[curve]:
        agn = _SY if sides[split] else _LIN
        if key == "nii" and combined:
            return _SY | _LIN  # the type comes from the [SII] and [OI] diagrams
        return agn | (_COMP if key != "nii" and combined else 0)
    if key == "nii":
        return _COMP if sides["kauffmann03"] else _SF
    # Kewley et al. 2006: composites are defined in the [NII] diagram alone
    return _SF | _COMP if combined else _SF


def _name(mask: np.ndarray) -> np.ndarray:
    names = np.full(mask.shape, "unclassified", dtype=object)
    names[mask == 0] = "ambiguous"
    for bit, name in zip((_SF, _COMP, _SY, _LIN), BPT_CLASSES, strict=False):
        names[mask == bit] = name
    return names


def bpt_class(features: pd.DataFrame, *, which: str = "kewley06") -> pd.Series:
    """The BPT class of every row: star-forming, composite, Seyfert or LINER.

    Parameters
    ----------
    features : pandas.DataFrame
        Log line ratios as :func:`astrokit.features.derive` returns them:
        ``log_oiii_hb`` and, per diagram, ``log_nii_ha``, ``log_sii_ha``,
        ``log_oi_ha`` (NaN where not measured). Where present, the columns
        ``<ratio>_censored`` (``policy="flag"``) and ``<ratio>_imputed``
        (``policy="impute"``) are used as described below.
    which : {"kewley06", "nii", "sii", "oi"}, default "kewley06"
        The scheme.

        - ``"nii"``: below the Kauffmann et al. (2003) curve star-forming,
          between it and the Kewley et al. (2001) maximum-starburst curve
          composite, above that Seyfert or LINER by the Schawinski et al.
          (2007) line.
        - ``"sii"``, ``"oi"``: below the Kewley et al. (2001) curve of that
          diagram star-forming (no composite class), above it Seyfert or
          LINER by the Kewley et al. (2006) line.
        - ``"kewley06"`` (default): the three diagrams together, as Kewley et
          al. (2006, section 4) do. Star-forming: below Kauffmann in [NII]
          and below Kewley 2001 in [SII] and [OI]. Composite: between
          Kauffmann and Kewley 2001 in [NII] (that diagram alone decides).
          Seyfert (LINER): above Kewley 2001 in all three and above (below)
          the Seyfert/LINER line in [SII] and [OI]. A row the diagrams
          place in different classes is ``"ambiguous"``. A diagram whose
          ratios are missing does not vote; the others decide if they can.

    Returns
    -------
    pandas.Series
        Categorical (categories :data:`BPT_CLASSES`), named ``"bpt_class"``,
        on the index of ``features``. ``"unclassified"``: the ratios needed
        are missing (NaN or imputed), or limits leave more than one class
        possible; ``"ambiguous"``: diagrams disagree (``which="kewley06"``).
        ``attrs["which"]`` records the scheme.

    Raises
    ------
    ValueError
        An unknown ``which``, or ``features`` lacking the columns the scheme
        needs (named).

    See Also
    --------
    bpt_line, plot_bpt

    Notes
    -----
    Limits are handled honestly. ``"upper"``: the true ratio is at most the
    value given, ``"lower"``: at least, ``"unconstrained"``: either way
    (see :func:`astrokit.features.derive`, ``policy="flag"``). A ratio that
    is only an upper limit cannot place a row above a line: if the limit
    lies above a line, the row may lie on either side, and every class on
    both sides stays possible; if it lies below, the row is below for sure.
    Lower limits likewise cannot place a row below a line. A row keeps a
    class only if that class is the one left; each line is judged on its
    own, so this is conservative (near where two lines meet it may call a
    row unclassified that a joint treatment would place). A curve is
    crossed only where it can be: below its asymptote for a vertical move,
    below its limit ``c`` for a move to the left.

    Examples
    --------
    >>> f = pd.DataFrame({"log_nii_ha": [-0.6, -0.2, 0.2, 0.3],
    ...                   "log_oiii_hb": [-0.3, 0.0, 0.9, 0.0]})
    >>> bpt_class(f, which="nii").tolist()
    ['star-forming', 'composite', 'Seyfert', 'LINER']
    >>> f["log_nii_ha_censored"] = pd.Categorical(
    ...     ["none", "upper", "none", "lower"],
    ...     categories=["none", "upper", "lower", "unconstrained"])
    >>> bpt_class(f, which="nii").tolist()  # an upper limit above a line
    ['star-forming', 'unclassified', 'Seyfert', 'LINER']
    """
    if which not in BPT_SCHEMES:
        msg = f"which={which!r} is not a BPT scheme; choose one of {BPT_SCHEMES}."
        raise ValueError(msg)
    if not isinstance(features, pd.DataFrame):
        msg = f"features must be a pandas DataFrame; got {type(features).__name__}."
        raise ValueError(msg)
    keys = list(_DIAGRAMS) if which == "kewley06" else [which]
    usable = [k for k in keys if _DIAGRAMS[k][0] in features]
    if _Y not in features or not usable:
        need = [_DIAGRAMS[k][0] for k in keys]
        msg = (
            f"features lacks the columns that which={which!r} needs: "
            f"log_oiii_hb and at least one of {need} (it has "
            f"{list(features.columns)[:8]}). Derive them with "
            "astrokit.features.derive(table, features='bpt')."
        )
        raise ValueError(msg)
    combined = which == "kewley06"
    mask = np.full(len(features), _ALL, dtype=np.int64)
    for key in usable:
        mask &= _diagram(features, key, combined=combined)
    out = pd.Series(
        pd.Categorical(_name(mask), categories=BPT_CLASSES),
        index=features.index,
        name="bpt_class",
    )
    out.attrs["which"] = which
    return out
