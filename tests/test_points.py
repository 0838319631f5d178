"""astrokit.plot.points: scatter below the threshold, Datashader raster above it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.image import AxesImage

from astrokit.plot import (
    MISSING_COLOR,
    NOISE_COLOR,
    category_colors,
    panel_grid,
    points,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def xy(rng):
    x = pd.Series(rng.normal(size=2_000), name="umap_x")
    y = pd.Series(rng.normal(size=2_000), name="umap_y")
    return x, y


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.mark.parametrize("colour", ["density", "values", "labels"])
def test_scatter_below_threshold(xy, colour):
    x, y = xy
    kw = {"values": x} if colour == "values" else {}
    kw = {"labels": (x > 0).astype(int)} if colour == "labels" else kw
    ax = points(x, y, threshold=10_000, **kw)
    assert isinstance(ax.collections[-1], PathCollection)
    assert not ax.images
    assert len(ax.collections[-1].get_offsets()) == len(x)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("umap_x", "umap_y")


@pytest.mark.parametrize("colour", ["density", "values", "labels"])
def test_datashader_above_threshold(xy, colour):
    x, y = xy
    kw = {"values": x} if colour == "values" else {}
    kw = {"labels": (x > 0).astype(int)} if colour == "labels" else kw
    ax = points(x, y, threshold=1_000, width=80, height=60, **kw)
    assert isinstance(ax.images[-1], AxesImage)
    assert not ax.collections
    assert ax.images[-1].get_array().shape[:2] == (60, 80)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("umap_x", "umap_y")


def test_default_threshold_is_width_height_over_ten(rng):
    x, y = rng.normal(size=(2, 1_001))
    assert isinstance(points(x, y, width=100, height=100).images[-1], AxesImage)
    assert not points(x[:1000], y[:1000], width=100, height=100).images


def test_raster_values_are_means_per_pixel():
    # four points in two pixels: the image holds the mean value of each pixel
    x = np.array([0.0, 0.0, 1.0, 1.0])
    y = np.array([0.0, 0.0, 0.0, 0.0])
    ax = points(x, y, values=[1.0, 3.0, 10.0, 20.0], threshold=0, width=2, height=1)
    assert ax.images[-1].get_array().tolist() == [[2.0, 15.0]]


def test_raster_labels_legend_counts_and_colors(xy):
    x, y = xy
    labels = np.where(x > 1, -1, np.where(x > 0, 1, 0))
    ax = points(x, y, labels=labels, threshold=0, width=50, height=50)
    texts = _legend_texts(ax)
    assert [t.split()[0] for t in texts] == ["-1", "0", "1"]
    assert texts[0] == f"-1 ({(labels == -1).sum():,})"
    rgba = ax.images[-1].get_array()
    assert rgba.dtype == np.uint8 and rgba.shape == (50, 50, 4)


def test_colorbar_for_values_and_density(xy):
    x, y = xy
    for kw in ({"values": x}, {}):
        fig, ax = plt.subplots()
        points(x, y, ax=ax, threshold=0, **kw)
        assert len(fig.axes) == 2  # the plot and its colour bar
    fig, ax = plt.subplots()
    points(x, y, ax=ax, values=x, colorbar=False)
    assert len(fig.axes) == 1


def test_nan_values_drawn_grey_underneath(xy):
    x, y = xy
    values = x.where(x > 0)  # NaN for half the points
    ax = points(x, y, values=values, threshold=10_000)
    grey, coloured = ax.collections
    assert len(grey.get_offsets()) == int(values.isna().sum())
    assert matplotlib.colors.to_hex(grey.get_facecolors()[0]) == MISSING_COLOR
    ax = points(x, y, values=values, threshold=0)
    assert len(ax.images) == 2  # grey layer, then the values


def test_nonfinite_coordinates_left_out():
    ax = points([0.0, np.nan, 1.0, np.inf], [0.0, 1.0, 1.0, 2.0])
    assert len(ax.collections[-1].get_offsets()) == 2


def test_explicit_labels_and_title_win(xy):
    x, y = xy
    ax = points(x, y, xlabel="a", ylabel="b", title="t")
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("a", "b", "t")


def test_string_labels_with_missing_become_noise():
    labels = pd.Series(["hii", None, "dig", "hii"])
    ax = points([0.0, 1, 2, 3], [0.0, 1, 2, 3], labels=labels)
    assert [t.split()[0] for t in _legend_texts(ax)] == ["dig", "hii", "noise"]


def test_category_colors():
    colors = category_colors([-1, *range(12)])
    assert colors[-1] == NOISE_COLOR
    assert len(set(colors.values())) == 13
    many = category_colors(range(30))
    assert len(set(many.values())) == 30
    assert category_colors(["noise", "a"])["noise"] == NOISE_COLOR


def test_bad_inputs(xy):
    x, y = xy
    with pytest.raises(ValueError, match="values= .* or labels= .*not both"):
        points(x, y, values=x, labels=x > 0)
    with pytest.raises(ValueError, match="how='sqrt' is not a shading"):
        points(x, y, how="sqrt")
    with pytest.raises(ValueError, match="y has 3 values; x and y have 2000"):
        points(x, y[:3])
    with pytest.raises(ValueError, match="values has 5 values"):
        points(x, y, values=[1.0] * 5)
    with pytest.raises(ValueError, match=r"width=0 must be an integer of at least 1"):
        points(x, y, width=0)
    with pytest.raises(ValueError, match="x must be one-dimensional"):
        points(np.zeros((2, 2)), y)


def test_panel_grid():
    axs = panel_grid(5, ncols=3)
    assert axs.shape == (5,)
    fig = axs[0].figure
    assert sum(a.get_visible() for a in fig.axes) == 5 and len(fig.axes) == 6
    assert panel_grid(2, axes=axs).tolist() == axs[:2].tolist()
    with pytest.raises(ValueError, match="axes holds 5 panels; 6 are needed"):
        panel_grid(6, axes=axs)
    with pytest.raises(ValueError, match=r"n=0 must be an integer of at least 1"):
        panel_grid(0)


@pytest.mark.parametrize("kwargs", [{"width": 600.0}, {"height": "600"}])
def test_pixel_sizes_must_be_integers(xy, kwargs):
    name, value = next(iter(kwargs.items()))
    with pytest.raises(TypeError, match=rf"{name}={value!r} must be an integer"):
        points(*xy, **kwargs)


def test_a_long_legend_goes_beside_the_axes_in_columns():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 600))

    def columns(ax):
        ax.figure.canvas.draw()  # the texts are placed when drawn
        renderer = ax.figure.canvas.get_renderer()
        texts = ax.get_legend().get_texts()
        return len({round(t.get_window_extent(renderer).x0) for t in texts})

    assert columns(points(x, y, labels=rng.integers(0, 4, 600))) == 1
    many = points(x, y, labels=rng.integers(-1, 27, 600))
    assert len(many.get_legend().get_texts()) == 28 and columns(many) == 2
    renderer = many.figure.canvas.get_renderer()
    box = many.get_legend().get_window_extent(renderer)
    assert box.x0 > many.get_window_extent().x1  # beside, not over the points
