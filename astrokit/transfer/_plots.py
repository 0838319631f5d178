"""Figures of a label transfer (re-exported by :mod:`astrokit.transfer`).

Each draws on matplotlib axes (new ones unless ``ax``/``axes`` is given) and
returns them: :func:`plot_predicted` (predicted against measured on the
held-out rows, Datashader above the size threshold of
:func:`astrokit.plot.points`), :func:`plot_maps` (measured, predicted,
residual and the prediction where the label was not measured, on the sky,
through :func:`astrokit.interpret.plot_sky`) and :func:`plot_importances`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_predicted", "plot_maps", "plot_importances"]


def _columns(table, predictions, label) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Measured, predicted and split of ``label``, checked."""
    needed = [f"{label}_pred", f"{label}_split"]
    if any(c not in predictions.columns for c in needed):
        labels = [
            c[: -len("_pred")] for c in predictions.columns if c.endswith("_pred")
        ]
        msg = (
            f"label={label!r} is not in predictions; it holds the labels {labels} "
            "(predictions are LabelTransfer(...).fit(...).predictions_)."
        )
        raise ValueError(msg)
    if label not in table.columns:
        msg = f"label={label!r} is not a column of table (the measured values)."
        raise ValueError(msg)
    measured = table[label].reindex(predictions.index)
    return measured, predictions[f"{label}_pred"], predictions[f"{label}_split"]


def plot_predicted(
    table: pd.DataFrame,
    predictions: pd.DataFrame,
    label: str,
    *,
    split: str = "test",
    ax=None,
    **kwargs,
) -> Axes:
    """Predicted against measured values of ``label``, with the one-to-one line.

    Parameters
    ----------
    table : DataFrame
        Holds the measured ``label`` column.
    predictions : DataFrame
        ``LabelTransfer(...).fit(...).predictions_`` (or
        :func:`astrokit.transfer.transfer_labels`).
    label : str
    split : {"test", "train"}, default "test"
        Which labelled rows: the held-out ones (honest) or the trained ones
        (flattering, to see over-fitting).
    ax : matplotlib Axes, optional
    **kwargs
        Passed to :func:`astrokit.plot.points`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from astrokit.plot import points

    measured, predicted, role = _columns(table, predictions, label)
    rows = (role == split).to_numpy()
    if not rows.any():
        msg = f"split={split!r}: no rows of label {label!r} have that role."
        raise ValueError(msg)
    x, y = measured[rows], predicted[rows]
    kwargs.setdefault("xlabel", f"measured {label}")
    kwargs.setdefault("ylabel", f"predicted {label}")
    kwargs.setdefault("title", f"{label}: {int(rows.sum()):,} {split} rows")
    ax = points(x, y, ax=ax, **kwargs)
    lo, hi = np.nanmin([x.min(), y.min()]), np.nanmax([x.max(), y.max()])
    ax.plot([lo, hi], [lo, hi], color="0.3", lw=1, ls="--", label="one to one")
    return ax


def plot_maps(
    table: pd.DataFrame,
    predictions: pd.DataFrame,
    label: str,
    *,
    galaxy: str | None = None,
    axes=None,
    panel_size: float = 3.5,
    cmap: str = "viridis",
) -> np.ndarray:
    """One galaxy's ``label`` on the sky: measured, predicted, residual, beyond.

    Four panels: the measured values (labelled pixels), the prediction on
    the same pixels, predicted minus measured on the held-out pixels only
    (the honest comparison), and the prediction where the label was not
    measured (e.g. outside the MUSE footprint). The first, second and last
    share one colour scale; all show the same part of the sky.

    Parameters
    ----------
    table : DataFrame
        The pixel table (``galaxy``, ``x``, ``y``) with the measured label.
    predictions : DataFrame
        ``LabelTransfer(...).fit(...).predictions_`` on the table's rows.
    label : str
    galaxy : str, optional
        Needed when the table holds several galaxies.
    axes : array of 4 Axes, optional
    panel_size : float, default 3.5
    cmap : str, default "viridis"

    Returns
    -------
    numpy.ndarray of 4 Axes
    """
    from astrokit.interpret import plot_sky
    from astrokit.plot import panel_grid

    galaxy = galaxy or _one_galaxy(table)
    measured, predicted, role = _columns(table, predictions, label)
    labelled = role.isin(["train", "test"])
    test = role == "test"
    vmin, vmax = np.nanpercentile(measured[labelled], [1, 99])
    resid = (predicted - measured)[test]
    span = float(np.nanpercentile(np.abs(resid), 99)) if test.any() else 1.0
    axs = panel_grid(4, ncols=4, panel_size=panel_size, axes=axes)
    sky = dict(galaxies=[galaxy], cmap=cmap, vmin=vmin, vmax=vmax, colorbar=False)
    diverging = sky | {"cmap": "RdBu_r", "vmin": -span, "vmax": span}
    panels = [
        (measured[labelled], "measured", sky),
        (predicted[labelled], "predicted", sky),
        (resid, "held-out residual", diverging),
        (predicted[role == "unlabelled"], "predicted, not measured", sky),
    ]
    for ax, (values, title, opts) in zip(axs, panels, strict=True):
        plot_sky(
            table, values=values.rename(label), axes=np.array([ax]), title=title, **opts
        )
    _same_extent(axs)
    fig = axs[0].figure
    fig.colorbar(
        axs[0].images[-1], ax=[axs[0], axs[1], axs[3]], shrink=0.8, label=label
    )
    fig.colorbar(
        axs[2].images[-1], ax=[axs[2]], shrink=0.8, label="predicted - measured"
    )
    return axs


def _one_galaxy(table: pd.DataFrame) -> str:
    from astrokit.data import galaxies

    names = galaxies(table)
    if len(names) != 1:
        msg = f"The table holds {len(names)} galaxies {names}; pass galaxy=..."
        raise ValueError(msg)
    return names[0]


def _same_extent(axs) -> None:
    """Every panel shows the union of the panels' extents."""
    xs = np.array([ax.get_xlim() for ax in axs])
    ys = np.array([ax.get_ylim() for ax in axs])
    for ax in axs:
        ax.set_xlim(xs[:, 0].min(), xs[:, 1].max())
        ax.set_ylim(ys[:, 0].min(), ys[:, 1].max())


def plot_importances(model, label: str | None = None, *, ax=None) -> Axes:
    """Permutation importances of one label's features (largest on top).

    Parameters
    ----------
    model : LabelTransfer
        Fitted, with ``n_repeats > 0``.
    label : str, optional
        Needed when the model has several labels.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from astrokit.features import plot_importances as draw

    labels = list(model.importances_.columns)
    if label is None:
        if len(labels) != 1:
            msg = f"The model has {len(labels)} labels {labels}; pass label=..."
            raise ValueError(msg)
        label = labels[0]
    if label not in labels:
        msg = f"label={label!r} is not one of the model's labels {labels}."
        raise ValueError(msg)
    frame = pd.DataFrame(
        {"importance": model.importances_[label], "std": model.importances_std_[label]}
    ).sort_values("importance", ascending=False)
    ax = draw(frame, ax=ax, title=f"{label}: permutation importance (held out)")
    ax.set_xlabel("drop in held-out R$^2$ when the feature is shuffled")
    return ax
