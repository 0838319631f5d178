"""What each cluster is: a named table, and the sequence the groups form.

:func:`describe_clusters` gives one row per cluster: its size, a short
name for legends, its most distinguishing features by their physical names
(:func:`astrokit.features.display_label`, from :func:`effect_sizes`), its
mix of BPT classes (:func:`astrokit.features.bpt_class`, when the line
ratios are there) and a physical description assembled from both
(``compact=True``: the size, name and description only, for a report).
:func:`plot_sequence` shows the groups' medians in one feature against
others, e.g. PAH heating (11.3/7.7) against the ionisation of the warm gas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int
from astrokit.features import BPT_CLASSES, FEATURES, bpt_class, display_label
from astrokit.features._bpt import BPT_SCHEMES
from astrokit.features._labels import plain_text
from astrokit.interpret._effects import effect_sizes
from astrokit.interpret._inputs import align_features, numeric_columns

__all__ = ["describe_clusters", "plot_sequence", "IONISATION"]

IONISATION = ["log_sii_ha", "log_oi_ha", "log_nii_ha", "log_oiii_hb"]
"""The warm-gas ionisation ratios :func:`plot_sequence` shows by default."""
_VERY = 2.0  # |effect| from which a feature is "very" high or low


def _label(name: str, definitions: dict, *, units: bool) -> str:
    """A feature's physical name in plain text, e.g. "log [OI]6300/Hα".

    The table's own definitions (``features.attrs["definitions"]``) first,
    then :func:`astrokit.features.display_label` (the feature registry,
    bands, any other column by its name).
    """
    own = definitions.get(name, {})
    text = own.get("label" if units else "short") or own.get("label")
    if text:
        return plain_text(text)
    return display_label(name, units=units, tex=False)


def _meaning(name: str, definitions: dict) -> str | None:
    meaning = definitions.get(name, {}).get("meaning")
    if meaning is None and name in FEATURES:
        meaning = FEATURES[name].meaning
    return meaning


def _level(effect: float) -> str:
    return ("very " if abs(effect) >= _VERY else "") + ("high" if effect > 0 else "low")


def _words(group: pd.DataFrame, definitions: dict, min_effect: float) -> str:
    """The signature of one cluster in words, strongest first."""
    strong = group[group["effect"].abs() >= min_effect]
    if strong.empty:
        return f"no feature stands out (every |effect| < {min_effect:g})"
    parts = []
    for k, (f, e) in enumerate(zip(strong["feature"], strong["effect"], strict=True)):
        part = f"{_level(e)} {_label(f, definitions, units=False)}"
        meaning = _meaning(f, definitions) if k == 0 else None
        parts.append(part + (f" ({meaning})" if meaning else ""))
    return ", ".join(parts)


def _bpt_mix(features, rows, lab, bpt) -> pd.DataFrame | None:
    """Per cluster, the fraction of its rows in each BPT class (or None)."""
    if bpt is None:
        return None
    if bpt == "auto":
        has_x = any(c in features for c in ("log_nii_ha", "log_sii_ha", "log_oi_ha"))
        if not ("log_oiii_hb" in features and has_x):
            return None
        bpt = "kewley06"
    classes = bpt_class(features.loc[rows], which=bpt)
    mix = pd.crosstab(lab, classes.to_numpy(), normalize="index", dropna=False)
    mix = mix.reindex(columns=list(BPT_CLASSES), fill_value=0.0)
    mix.columns = [f"bpt_{c}" for c in BPT_CLASSES]
    mix["bpt_majority"] = [BPT_CLASSES[i] for i in np.argmax(mix.to_numpy(), axis=1)]
    mix.attrs["which"] = bpt
    return mix


def describe_clusters(
    features: pd.DataFrame,
    labels,
    *,
    columns: list[str] | None = None,
    top: int = 3,
    method: str = "robust",
    bpt: str | None = "auto",
    min_effect: float = 0.5,
    compact: bool = False,
) -> pd.DataFrame:
    """One row per cluster: size, name, signature, BPT mix and a description.

    Parameters
    ----------
    features : pandas.DataFrame
        Numeric features, e.g. from :func:`astrokit.features.derive`; any
        numeric table works (the BPT columns are used only when present).
    labels : Series or array of shape (N,)
        Cluster labels (``-1``: noise); a Series is aligned on the index of
        ``features``.
    columns : list of str, optional
        Features for the effect sizes; default every numeric column.
    top : int, default 3
        Features listed per cluster in ``top_1`` ... ``top_<top>``.
    method : {"robust", "cohen"}, default "robust"
        The effect size, see :func:`effect_sizes`.
    bpt : {"auto", "kewley06", "nii", "sii", "oi"} or None, default "auto"
        The BPT scheme of :func:`astrokit.features.bpt_class`; ``"auto"``:
        ``"kewley06"`` when ``log_oiii_hb`` and an x-axis ratio are columns
        of ``features``, else no BPT columns; None: none.
    min_effect : float, default 0.5
        Features with a smaller ``|effect|`` are left out of the
        description and the name (they still appear in ``top_*``).
    compact : bool, default False
        Only ``size``, ``fraction``, ``name`` and ``description``: a table
        narrow enough for a report page or a slide.

    Returns
    -------
    pandas.DataFrame
        Index ``cluster`` (noise ``-1`` included if present, with no
        signature); columns ``size``, ``fraction`` (of all labelled rows),
        ``name`` (a short physical name for legends: the majority BPT class
        and the strongest feature, e.g. ``"Seyfert, high log [OIII]5007/Hβ"``;
        ``"noise"`` for -1), ``top_1`` ... (the feature's physical name with
        its units, :func:`astrokit.features.display_label` in plain text,
        and its effect, e.g. ``"high log [OI]6300/Hα (+2.1)"``), then with
        BPT ``bpt_<class>`` (the fraction of the cluster's rows in each
        class of :data:`astrokit.features.BPT_CLASSES`) and
        ``bpt_majority``, and ``description``: the majority BPT class with
        its share, then the ``top`` features with ``|effect| >= min_effect``
        in words ("very" from ``|effect| >= 2``), the first with its
        physical meaning. With ``compact``: ``size``, ``fraction``, ``name``
        and ``description`` only.

    Raises
    ------
    ValueError
        An unknown ``bpt``, ``top`` below 1, a negative ``min_effect``, or
        what :func:`effect_sizes` refuses (fewer than two clusters, constant
        features, labels that do not match the rows).

    See Also
    --------
    effect_sizes, summarize, astrokit.features.bpt_class,
    astrokit.features.display_label

    Examples
    --------
    >>> f = pd.DataFrame({"a": [1.0, 2, 3, 11, 12, 13], "b": [1.0, 3, 2, 2, 1, 3]})
    >>> d = describe_clusters(f, [0, 0, 0, 1, 1, 1], top=1)
    >>> d["top_1"].tolist(), d["fraction"].tolist()
    (['low a (-6.7)', 'high a (+6.7)'], [0.5, 0.5])
    >>> d.loc[1, "description"], d.loc[1, "name"]
    ('very high a', 'very high a')
    >>> describe_clusters(f, [0, 0, 0, 1, 1, 1], compact=True).columns.tolist()
    ['size', 'fraction', 'name', 'description']
    """
    if bpt is not None and bpt != "auto" and bpt not in BPT_SCHEMES:
        msg = f"bpt={bpt!r} must be 'auto', None or a BPT scheme {BPT_SCHEMES}."
        raise ValueError(msg)
    top = check_int(top, "top")
    if not min_effect >= 0:
        msg = f"min_effect={min_effect!r} must be a number >= 0 (0.5: a medium effect)."
        raise ValueError(msg)
    columns = numeric_columns(features, columns)
    effects = effect_sizes(features, labels, columns=columns, method=method)
    _, lab = align_features(features, labels, columns[:1])
    rows = labels.index if isinstance(labels, pd.Series) else features.index
    counts = pd.Series(lab).value_counts().sort_index()
    out = pd.DataFrame({"size": counts, "fraction": counts / len(lab)})
    definitions = features.attrs.get("definitions", {})
    for k in range(1, top + 1):
        out[f"top_{k}"] = ""
    words, first = {}, {}
    for c, group in effects.groupby("cluster", sort=True):
        group = group.sort_values("rank")
        for k, (f, e) in enumerate(zip(group["feature"], group["effect"], strict=True)):
            if k < top:
                level = "high" if e > 0 else "low"
                label = _label(f, definitions, units=True)
                out.loc[c, f"top_{k + 1}"] = f"{level} {label} ({e:+.1f})"
        words[c] = _words(group.head(top), definitions, min_effect)
        best = group.iloc[0]
        if abs(best["effect"]) >= min_effect:
            label = _label(best["feature"], definitions, units=False)
            first[c] = f"{_level(best['effect'])} {label}"
    mix = _bpt_mix(features, rows, lab, bpt)
    if mix is not None:
        out = out.join(mix)
    out.insert(2, "name", [_name(c, words, first, mix) for c in out.index])
    out["description"] = [_describe(c, words, mix) for c in out.index]
    out.index.name = "cluster"
    if compact:
        out = out[["size", "fraction", "name", "description"]]
    out.attrs = {"method": method, "bpt": None if mix is None else mix.attrs["which"]}
    return out


def _name(cluster, words: dict, first: dict, mix: pd.DataFrame | None) -> str:
    """A short name for a legend: "Seyfert, high log [OIII]5007/Hβ"."""
    if cluster not in words:
        return "noise"
    parts = [] if mix is None else [mix.loc[cluster, "bpt_majority"]]
    if cluster in first:
        parts.append(first[cluster])
    return ", ".join(parts) or "no feature stands out"


def _describe(cluster, words: dict, mix: pd.DataFrame | None) -> str:
    if cluster not in words:  # noise: no effect size
        return "noise: rows that no cluster claims"
    if mix is None:
        return words[cluster]
    majority = mix.loc[cluster, "bpt_majority"]
    share = mix.loc[cluster, f"bpt_{majority}"]
    return f"BPT {majority} ({share:.0%}); {words[cluster]}"


def plot_sequence(
    features: pd.DataFrame,
    labels,
    *,
    x: str = "log_f1130w_f770w",
    y: list[str] | None = None,
    ncols: int = 4,
    panel_size: float = 3.2,
    axes=None,
) -> np.ndarray:
    """The groups' medians of ``x`` against each ``y``: do they form a sequence?

    One panel per ``y`` feature. Each cluster (noise left out) is a point at
    its medians with bars from the 25th to the 75th percentile, labelled
    with its number; a grey line joins the clusters in order of ``x``. The
    title gives Spearman's rank correlation of the medians across the
    clusters (+1: the groups rise together).

    Parameters
    ----------
    features : pandas.DataFrame
        Numeric features holding ``x`` and ``y``.
    labels : Series or array of shape (N,)
        Cluster labels, as for :func:`describe_clusters`.
    x : str, default "log_f1130w_f770w"
        The feature on the x-axis (default: PAH 11.3/7.7, PAH heating).
    y : list of str, optional
        Default: the ionisation ratios of :data:`IONISATION` present in
        ``features`` ([SII]/Halpha, [OI]/Halpha, [NII]/Halpha,
        [OIII]/Hbeta).
    ncols, panel_size, axes
        Layout, as for :func:`plot_features`.

    Returns
    -------
    numpy.ndarray of Axes
        One per ``y``; ``ax.rank_correlation`` holds the title's Spearman
        coefficient.

    Raises
    ------
    KeyError
        Unknown feature names.
    ValueError
        No ``y`` feature present, or fewer than two clusters.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> f = pd.DataFrame({"p": [1.0, 1.1, 2.0, 2.1, 3.0, 3.1],
    ...                   "q": [0.0, 0.2, 1.0, 1.1, 2.0, 2.2]})
    >>> axs = plot_sequence(f, [0, 0, 1, 1, 2, 2], x="p", y=["q"])
    >>> round(axs[0].rank_correlation, 2)
    1.0
    """
    from astrokit.plot import category_colors, panel_grid

    if y is None:
        y = [c for c in IONISATION if c in features and c != x]
        if not y:
            msg = (
                f"features has none of the default y features {IONISATION}; "
                "name them with y=[...]."
            )
            raise ValueError(msg)
    columns = numeric_columns(features, [x, *y])
    values, lab = align_features(features, labels, columns)
    frame = pd.DataFrame(values, columns=columns).assign(cluster=lab)
    frame = frame[frame["cluster"] != -1]
    stats = frame.groupby("cluster").quantile([0.25, 0.5, 0.75]).unstack()
    if len(stats) < 2:
        msg = f"labels hold {len(stats)} cluster(s); a sequence needs at least 2."
        raise ValueError(msg)
    stats = stats.sort_values((x, 0.5))
    colors = category_colors(sorted(stats.index))
    definitions = features.attrs.get("definitions", {})
    axs = panel_grid(len(y), ncols=ncols, panel_size=panel_size, axes=axes)
    for ax, name in zip(axs, y, strict=True):
        _sequence_panel(ax, stats, x, name, colors)
        ax.set_xlabel(definitions.get(x, {}).get("label") or display_label(x))
        ax.set_ylabel(definitions.get(name, {}).get("label") or display_label(name))
    return axs


def _sequence_panel(ax, stats: pd.DataFrame, x: str, y: str, colors: dict) -> None:
    mx, my = stats[(x, 0.5)], stats[(y, 0.5)]
    ax.plot(mx, my, color="0.7", lw=1, zorder=1)
    for c in stats.index:
        xerr = [[mx[c] - stats.loc[c, (x, 0.25)]], [stats.loc[c, (x, 0.75)] - mx[c]]]
        yerr = [[my[c] - stats.loc[c, (y, 0.25)]], [stats.loc[c, (y, 0.75)] - my[c]]]
        ax.errorbar(mx[c], my[c], xerr=xerr, yerr=yerr, fmt="o", ms=7,
                    color=colors[c], ecolor=colors[c], capsize=2, zorder=2)  # fmt: skip
        ax.annotate(str(c), (mx[c], my[c]), xytext=(4, 4), textcoords="offset points",
                    fontsize=8)  # fmt: skip
    rho = mx.rank().corr(my.rank()) if mx.nunique() > 1 and my.nunique() > 1 else np.nan
    ax.rank_correlation = float(rho)
    ax.set_title(f"rank correlation across groups {rho:+.2f}", fontsize=9)
