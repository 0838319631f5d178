"""astrokit.interpret: effect sizes, average object, sky maps and their figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.image import AxesImage

from astrokit.interpret import (
    average_object,
    effect_sizes,
    plot_average_object,
    plot_effect_sizes,
    plot_embedding,
    plot_features,
    plot_sky,
    plot_violins,
    sky_map,
    summarize,
)
from astrokit.plot import category_colors


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def planted(rng):
    """Three clusters; only 'planted' tells cluster 1 (high) and 2 (low) apart."""
    n = 300
    labels = pd.Series(np.repeat([0, 1, 2], n // 3), index=np.arange(n) * 7)
    shift = np.select([labels == 1, labels == 2], [3.0, -2.0], 0.0)
    features = pd.DataFrame(
        {
            "noise_a": rng.normal(size=n),
            "planted": rng.normal(size=n) + shift,
            "noise_b": rng.normal(size=n) + 0.3 * (labels == 1),
        },
        index=labels.index,
    )
    return features, labels


@pytest.fixture
def sky():
    """Two tiny galaxies with their grids, and labels for some of the pixels."""
    table = pd.DataFrame(
        {
            "galaxy": ["A", "A", "A", "B", "B"],
            "x": [0, 2, 1, 0, 1],
            "y": [0, 1, 2, 1, 0],
            "v": [1.0, 2.0, 3.0, 4.0, 5.0],
        },
        index=[10, 11, 12, 20, 21],
    )
    table.attrs["shape"] = {"A": (3, 3), "B": (2, 2)}
    labels = pd.Series([2, 0, 1], index=[12, 10, 21])  # 11 and 20 unlabelled
    return table, labels


def test_effect_sizes_rank_the_planted_feature_first(planted):
    features, labels = planted
    es = effect_sizes(features, labels)
    assert es.columns.tolist() == [
        "cluster",
        "feature",
        "effect",
        "rank",
        "centre_cluster",
        "centre_rest",
        "n_cluster",
    ]
    top = es[es["rank"] == 1].set_index("cluster")
    assert top.loc[1, "feature"] == "planted" and top.loc[1, "effect"] > 2
    assert top.loc[2, "feature"] == "planted" and top.loc[2, "effect"] < -1.5
    assert (
        es.groupby("cluster")["rank"].apply(sorted).map(list).tolist()
        == [[1, 2, 3]] * 3
    )
    cohen = effect_sizes(features, labels, method="cohen")
    assert cohen[cohen["rank"] == 1].set_index("cluster").loc[1, "feature"] == "planted"


def test_summarize_lists_each_cluster_signature(planted):
    features, labels = planted
    table = summarize(effect_sizes(features, labels), top=2)
    assert table.index.tolist() == [0, 1, 2]
    assert table["size"].tolist() == [100, 100, 100]
    assert table.columns.tolist() == ["size", "top_1", "top_2"]
    assert table.loc[1, "top_1"].startswith("planted +")
    assert table.loc[2, "top_1"].startswith("planted -")
    with pytest.raises(ValueError, match="top=0 must be an integer of at least 1"):
        summarize(effect_sizes(features, labels), top=0)
    with pytest.raises(TypeError, match="top=1.5 must be an integer"):
        summarize(effect_sizes(features, labels), top=1.5)
    with pytest.raises(ValueError, match="effects lacks columns"):
        summarize(features)


def test_effect_size_by_hand():
    features = pd.DataFrame({"a": [1.0, 2, 3, 11, 12, 13, 15], "b": np.arange(7.0)})
    es = effect_sizes(features, [0, 0, 0, 1, 1, 1, -1], columns=["a"])
    # medians 2 and 12; MADs 1 and 1 -> pooled robust scale 1.4826
    one = es.set_index("cluster").loc[1]
    assert one["effect"] == pytest.approx(10 / 1.4826)
    assert (one["centre_cluster"], one["centre_rest"]) == (12.0, 2.0)
    assert one["n_cluster"] == 3  # noise (-1) is left out of both groups
    cohen = effect_sizes(features, [0, 0, 0, 1, 1, 1, -1], method="cohen")
    d = cohen[(cohen.cluster == 0) & (cohen.feature == "a")]["effect"].item()
    assert d == pytest.approx(-10.0)  # means 2 and 12, pooled std 1


def test_effect_sizes_ignore_nan_and_fall_back_on_ties():
    features = pd.DataFrame({"a": [1.0, 1, 1, 2, 2, np.nan, 1], "b": np.arange(7.0)})
    es = effect_sizes(features, [0, 0, 0, 1, 1, 1, 1])
    a = es[(es.cluster == 1) & (es.feature == "a")].iloc[0]
    assert a["n_cluster"] == 3 and np.isfinite(a["effect"]) and a["effect"] > 0


def test_average_object_square_bins_by_hand():
    emb = pd.DataFrame(
        {
            "umap_x": [0.0, 0.4, 0.2, 1.6, 1.9, 2.0],
            "umap_y": [0.0, 0.3, 0.9, 0.1, 0.2, 0.5],
        }
    )
    feats = pd.DataFrame(
        {"a": [1.0, 5.0, 3.0, 10.0, 20.0, np.nan], "b": np.arange(6.0)}
    )
    av = average_object(emb, feats, bins=2, kind="square", min_count=1)
    # width = 2.0 / 2 = 1: bin (0, 0) holds rows 0-2, bin (1, 0) rows 3-5
    assert av[["bin_x", "bin_y"]].to_numpy().tolist() == [[0.5, 0.5], [1.5, 0.5]]
    assert av["count"].tolist() == [3, 3]
    assert av["a"].tolist() == [3.0, 15.0]  # NaN ignored
    assert av["b"].tolist() == [1.0, 4.0]
    assert av.attrs["kind"] == "square" and av.attrs["size"] == 1.0
    mean = average_object(
        emb, feats, bins=2, kind="square", statistic="mean", min_count=1, columns=["a"]
    )
    assert mean["a"].tolist() == [3.0, 15.0] and "b" not in mean
    assert len(average_object(emb, feats, bins=2, kind="square", min_count=4)) == 0


def test_average_object_hexagons_on_their_lattice():
    # points exactly on lattice sites (spacing 1) each get their own hexagon
    # (x spans 0..2, so bins=2 gives spacing 1 from the origin (0, 0))
    sites = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.5, np.sqrt(3) / 2]])
    near = sites + [[0.05, 0.05], [0.3, 0.1], [-0.05, 0.05], [0.05, -0.3]]
    emb = np.vstack([sites, near])
    feats = pd.DataFrame({"a": np.r_[np.arange(4.0), np.arange(4.0) + 10]})
    av = average_object(emb, feats, bins=2, kind="hex", min_count=1)
    assert av.attrs["size"] == 1.0
    assert np.allclose(
        av[["bin_x", "bin_y"]].to_numpy(), sites[np.lexsort(sites.T[::-1])]
    )
    assert av["count"].tolist() == [2, 2, 2, 2]
    assert np.allclose(np.sort(av["a"]), [5.0, 6.0, 7.0, 8.0])
    assert av.attrs["coordinates"] == ["x", "y"]


def test_sky_map_puts_labels_on_their_pixels(sky):
    table, labels = sky
    a = sky_map(table, labels, galaxy="A")
    assert a.shape == (3, 3)
    assert a[0, 0] == 0 and a[2, 1] == 2  # rows 10 (x=0, y=0) and 12 (x=1, y=2)
    assert np.isnan(a[1, 2])  # row 11 has no label
    assert np.isnan(a).sum() == 7
    b = sky_map(table, labels, galaxy="B", fill=-9)
    assert b.tolist() == [[-9, 1], [-9, -9]]  # row 21 at x=1, y=0


def test_plot_sky_labels_and_values(sky):
    table, labels = sky
    axs = plot_sky(table, labels=labels)
    assert [ax.get_title() for ax in axs] == ["A", "B"]
    footprint, image = axs[0].images
    assert footprint.get_array().count() == 3  # every pixel of A in the table
    assert axs[0].get_xlim() == (-0.5, 2.5)  # zoomed on the labels, within the grid
    codes = image.get_array()
    assert codes[0, 0] == 0 and codes[2, 1] == 2 and np.ma.is_masked(codes[1, 2])
    colors = category_colors([0, 1, 2])
    assert matplotlib.colors.to_hex(image.cmap(image.norm(2))) == colors[2]
    legend = [t.get_text() for t in axs[-1].get_legend().get_texts()]
    assert legend == ["0 (1)", "1 (1)", "2 (1)"]
    axs = plot_sky(table, values=table["v"], galaxies=["B"], title="v")
    assert axs[0].get_title() == "v: B" and axs[0].images[-1].get_array()[1, 0] == 4.0
    assert len(axs[0].figure.axes) == 2  # one shared colour bar


def test_plot_embedding_and_features(planted, rng):
    features, labels = planted
    emb = pd.DataFrame(
        rng.normal(size=(len(labels), 2)),
        columns=["umap_x", "umap_y"],
        index=labels.index,
    )
    ax = plot_embedding(emb, labels=labels.iloc[::-1])  # aligned by index
    assert isinstance(ax.collections[-1], PathCollection)
    assert ax.get_xlabel() == "umap_x"
    axs = plot_features(emb, features)
    assert [ax.get_title() for ax in axs] == ["noise_a", "planted", "noise_b"]
    assert all(isinstance(ax.collections[-1], PathCollection) for ax in axs)
    axs = plot_features(emb, features, columns=["planted"], threshold=10)
    assert isinstance(axs[0].images[-1], AxesImage)
    assert axs[0].get_ylabel() == "umap_y"


def test_plot_features_puts_a_unit_below_the_name_and_keeps_line_names_whole(rng):
    emb = pd.DataFrame(rng.normal(size=(20, 2)), columns=["umap_x", "umap_y"])
    feats = pd.DataFrame(rng.normal(size=(20, 2)), columns=["log_ha_co", "log_oi_ha"])
    with_unit, line_ratio = (ax.get_title() for ax in plot_features(emb, feats))
    name, unit = with_unit.split("\n")
    assert name.startswith("log H") and name.endswith("/CO")
    assert unit.startswith("[") and unit.endswith("]") and "K km" in unit
    assert "\n" not in line_ratio and line_ratio.startswith("log [OI]6300")


def test_plot_violins_and_effect_sizes(planted):
    features, labels = planted
    axs = plot_violins(features, labels, columns=["planted", "noise_a"])
    assert [ax.get_title() for ax in axs] == ["planted", "noise_a"]
    assert [t.get_text() for t in axs[0].get_xticklabels()] == ["0", "1", "2"]
    assert len(axs[0].collections) == 3 + 3  # a violin and a median line per cluster
    es = effect_sizes(features, labels)
    ax = plot_effect_sizes(es)
    assert ax.images[0].get_array().shape == (3, 3)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2"]


def test_plot_average_object(planted, rng):
    features, labels = planted
    emb = rng.normal(size=(len(labels), 2))
    av = average_object(emb, features.reset_index(drop=True), bins=6, min_count=1)
    axs = plot_average_object(av, columns=["planted", "count"])
    polys = axs[0].collections[0]
    assert isinstance(polys, PolyCollection) and len(polys.get_paths()) == len(av)
    assert np.allclose(polys.get_array(), av["planted"])
    assert len(plot_average_object(av)) == 3  # every feature, not the bookkeeping


def _planted_inputs():
    rng = np.random.default_rng(3)
    labels = pd.Series(np.repeat([0, 1, 2], 100), index=np.arange(300) * 7)
    features = pd.DataFrame(
        rng.normal(size=(300, 2)), columns=["noise_a", "planted"], index=labels.index
    )
    return features, labels


_F, _L = _planted_inputs()
_EMB = np.zeros((len(_L), 2))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: effect_sizes(_F, _L, columns=["planted", "nope"]), KeyError,
         r"unknown feature names \['nope'\]"),
        (lambda: plot_features(_EMB, _F, columns=["nope"]), KeyError,
         r"unknown feature names \['nope'\]"),
        (lambda: effect_sizes(_F.assign(flat=2.0), _L), ValueError,
         r"features \['flat'\] are constant"),
        (lambda: effect_sizes(_F, pd.Series(0, index=_F.index)), ValueError,
         r"labels hold 1 cluster\(s\) \[0\]"),
        (lambda: effect_sizes(_F, _L, method="t"), ValueError,
         "method='t' is not an effect size"),
        (lambda: effect_sizes(_F, [0, 1]), ValueError,
         r"labels has shape \(2,\); expected \(300,\)"),
        (lambda: effect_sizes(_F, pd.Series([0, 1], index=[0, 5])), ValueError,
         "features lack 1 of the labels' index values"),
        (lambda: effect_sizes(_F.to_numpy(), _L), ValueError,
         "features must be a pandas DataFrame"),
        (lambda: average_object(_EMB, _F, bins=0), ValueError,
         "bins=0 must be an integer of at least 1"),
        (lambda: average_object(_EMB, _F, bins=2.5), TypeError,
         "bins=2.5 must be an integer"),
        (lambda: average_object(_EMB, _F, kind="tri"), ValueError,
         "kind='tri' must be 'hex' or 'square'"),
        (lambda: average_object(_EMB, _F, statistic="max"), ValueError,
         "statistic='max' must be"),
        (lambda: average_object(_EMB, _F, min_count=0), ValueError,
         "min_count=0 must be an integer of at least 1"),
        (lambda: average_object(np.zeros((len(_L), 3)), _F), ValueError,
         r"embedding must have shape \(N, 2\)"),
        (lambda: plot_average_object(
            pd.DataFrame({"bin_x": [0.0], "bin_y": [0.0], "a": [1.0]})),
         ValueError, r"average has no attrs\['kind'\].*pass kind= and size="),
        (lambda: plot_average_object(
            pd.DataFrame({"bin_x": [0.0], "bin_y": [0.0], "a": [1.0]}),
            kind="tri", size=1.0),
         ValueError, "kind='tri' must be 'hex' or 'square'"),
        (lambda: plot_effect_sizes(_F), KeyError, "effects lacks columns"),
        (lambda: plot_violins(_F, _L, max_rows=1), ValueError,
         "max_rows=1 must be an integer of at least 2"),
        (lambda: plot_violins(_F, _L, max_pts=5), TypeError,
         r"unexpected keywords \['max_pts'\]"),
    ],
)  # fmt: skip
def test_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_bad_sky_inputs(sky):
    table, sky_labels = sky
    with pytest.raises(ValueError, match="labels must be a pandas Series"):
        sky_map(table, [0, 1, 2, 3, 4], galaxy="A")
    with pytest.raises(ValueError, match="labels has 1 index values not in the table"):
        sky_map(table, pd.Series([1], index=[99]), galaxy="A")
    with pytest.raises(ValueError, match="exactly one of labels="):
        plot_sky(table)
    with pytest.raises(ValueError, match=r"galaxies \['C'\] are not in the table"):
        plot_sky(table, labels=sky_labels, galaxies=["C"])


def test_plot_violins_max_rows_is_honoured_and_max_points_renamed(planted):
    features, labels = planted
    full = plot_violins(features, labels, columns=["planted"], max_rows=None)
    few = plot_violins(features, labels, columns=["planted"], max_rows=5)
    with pytest.warns(FutureWarning, match="max_points= is renamed max_rows="):
        old = plot_violins(features, labels, columns=["planted"], max_points=5)

    def extent(ax):  # y-extent of the first violin's body
        return np.ptp(ax.collections[0].get_paths()[0].vertices[:, 1])

    assert extent(few[0]) == pytest.approx(extent(old[0]))
    assert extent(few[0]) != pytest.approx(extent(full[0]))
    with pytest.raises(TypeError, match="give max_rows= only"):
        plot_violins(features, labels, max_rows=5, max_points=5)


def test_plot_average_object_without_attrs(planted, rng):
    features, labels = planted
    emb = rng.normal(size=(len(labels), 2))
    av = average_object(emb, features.reset_index(drop=True), bins=6, min_count=1)
    bare = av.copy()
    bare.attrs = {}  # as pandas leaves them after a merge or a join
    size = av.attrs["size"]
    axs = plot_average_object(bare, columns=["planted"], kind="hex", size=size)
    again = plot_average_object(av, columns=["planted"])
    paths = [a.collections[0].get_paths()[0].vertices for a in (axs[0], again[0])]
    assert np.allclose(*paths)


def test_single_row_cluster_has_a_finite_effect():
    f = pd.DataFrame({"a": [1.0, 2.0, 3.0, 9.0]})
    es = effect_sizes(f, [0, 0, 0, 1], method="cohen")
    one = es[es.cluster == 1]["effect"].item()
    assert one == pytest.approx(7.0)  # (9 - 2) / std of the other three (1)
