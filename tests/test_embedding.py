"""Tests of astrokit.embedding: UMAP fits, the disk cache, scans, scores, plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from astrokit import embedding as ke
from astrokit.embedding import _cache, _umap
from astrokit.embedding._input import self_first

# --------------------------------------------------------------------------- data


@pytest.fixture(autouse=True)
def cache_folder(tmp_path, monkeypatch):
    """Every test gets its own empty cache folder."""
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "embeddings"


def blobs(rng, n_per=50, n_blobs=3, dim=4, gap=8.0):
    """Well separated Gaussian blobs as a table, with their labels."""
    centres = rng.normal(scale=gap, size=(n_blobs, dim))
    values = np.concatenate([c + rng.normal(size=(n_per, dim)) for c in centres])
    frame = pd.DataFrame(values, columns=[f"f{i}" for i in range(dim)])
    frame.index = pd.Index([f"px{i}" for i in range(len(frame))], name="pixel")
    labels = np.repeat([f"env{i}" for i in range(n_blobs)], n_per)
    return frame, labels


@pytest.fixture
def counted_fit(monkeypatch):
    """Replace the UMAP fit by a fast fake that counts its calls."""
    calls = []

    def fake(prepared, **options):
        calls.append(options)
        if prepared.is_graph:
            base = prepared.distances[:, 1:3].astype(np.float32)
        else:
            base = prepared.features[:, :2].astype(np.float32)
        return base * (1 + options["n_neighbors"]) + options["min_dist"]

    monkeypatch.setattr(_umap, "fit_embedding", fake)
    return calls


# ------------------------------------------------------------------ real UMAP fits


def test_embed_keeps_index_and_separates_blobs(rng):
    frame, labels = blobs(rng)
    emb = ke.embed(frame, n_neighbors=10, cache=False)
    assert list(emb.columns) == ["umap_x", "umap_y"]
    assert emb.index.equals(frame.index)
    assert emb.dtypes.eq(np.float32).all()
    q = ke.quality(frame, emb, truth=labels)
    assert q["ari"] == pytest.approx(1.0)
    assert q["trustworthiness"] > 0.9


def test_same_seed_same_embedding(rng):
    frame, _ = blobs(rng)
    first = ke.embed(frame, n_neighbors=10, cache=False)
    again = ke.embed(frame, n_neighbors=10, cache=False)
    pd.testing.assert_frame_equal(first, again)


def test_graph_input_matches_feature_input(rng):
    from sklearn.neighbors import NearestNeighbors

    frame, _ = blobs(rng, n_blobs=1, n_per=120)
    features = frame.to_numpy(dtype=np.float32)  # as embed sees them
    distances, indices = NearestNeighbors(n_neighbors=12).fit(features).kneighbors()
    indices = np.hstack([np.arange(120)[:, None], indices[:, :-1]])  # self first
    distances = np.hstack([np.zeros((120, 1)), distances[:, :-1]])
    from_features = ke.embed(features, n_neighbors=11, cache=False)
    from_graph = ke.embed((indices, distances), n_neighbors=11, cache=False)
    np.testing.assert_allclose(from_graph, from_features, atol=1e-4)


def test_max_rows_places_every_row(rng):
    frame, labels = blobs(rng, n_per=60)
    emb = ke.embed(frame, n_neighbors=10, max_rows=100, cache=False)
    assert emb.shape == (180, 2) and np.isfinite(emb.to_numpy()).all()
    assert ke.quality(frame, emb, truth=labels)["ari"] > 0.9


def test_scan_table_shape_scores_and_alignment(rng):
    frame, labels = blobs(rng)
    frame["truth"] = labels
    table = ke.scan(
        frame, n_neighbors=[5, 25], min_dist=[0.0, 0.5], truth="truth", progress=False
    )
    assert len(table) == 4 * len(frame)
    assert set(table.columns) >= {
        "panel",
        "n_neighbors",
        "min_dist",
        "metric",
        "random_state",
        "row",
        "umap_x",
        "umap_y",
        "trustworthiness",
        "knn_preservation",
        "ari",
        "disparity",
    }
    scores = ke.scan_scores(table)
    assert len(scores) == 4
    values = scores[["trustworthiness", "knn_preservation", "ari"]].to_numpy()
    assert ((values >= 0) & (values <= 1)).all()
    reference = scores.query("n_neighbors == 25 and min_dist == 0")
    assert reference["disparity"].iloc[0] == pytest.approx(0, abs=1e-9)
    assert list(table.loc[table.panel == 1, "row"]) == list(frame.index)


# --------------------------------------------------------------------------- cache


def test_cache_hit_does_not_refit(rng, counted_fit, cache_folder):
    frame, _ = blobs(rng)
    first = ke.embed(frame, n_neighbors=10)
    assert len(list(cache_folder.glob("*.npz"))) == 1
    again = ke.embed(frame, n_neighbors=10)
    assert len(counted_fit) == 1
    pd.testing.assert_frame_equal(first, again)
    assert not list(cache_folder.glob(".*tmp"))


def test_real_fit_is_read_back(rng, monkeypatch):
    frame, _ = blobs(rng)
    first = ke.embed(frame, n_neighbors=10)
    monkeypatch.setattr(_umap, "fit_embedding", None)  # a refit would fail
    pd.testing.assert_frame_equal(ke.embed(frame, n_neighbors=10), first)


@pytest.mark.parametrize(
    "change",
    [
        {"n_neighbors": 11},
        {"min_dist": 0.1},
        {"metric": "manhattan"},
        {"random_state": 1},
        {"n_epochs": 50},
        {"max_rows": 100},
        {"neighbors": "approximate"},
        {"spread": 2.0},
    ],
    ids=lambda c: next(iter(c)),
)
def test_any_changed_parameter_misses(rng, counted_fit, change):
    frame, _ = blobs(rng)
    ke.embed(frame, n_neighbors=10)
    ke.embed(frame, **{"n_neighbors": 10, **change})
    assert len(counted_fit) == 2


def test_one_changed_value_misses(rng, counted_fit):
    frame, _ = blobs(rng)
    ke.embed(frame, n_neighbors=10)
    frame.iloc[7, 2] += 1e-6
    ke.embed(frame, n_neighbors=10)
    assert len(counted_fit) == 2


def test_unseeded_runs_are_not_cached(rng, counted_fit, cache_folder):
    frame, _ = blobs(rng)
    ke.embed(frame, n_neighbors=10, random_state=None)
    ke.embed(frame, n_neighbors=10, random_state=None)
    assert len(counted_fit) == 2
    assert not cache_folder.exists() or not list(cache_folder.glob("*.npz"))


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a zip file", "truncate"],
    ids=["empty", "garbage", "truncated"],
)
def test_corrupt_entry_is_recomputed(rng, counted_fit, cache_folder, damage, caplog):
    frame, _ = blobs(rng)
    first = ke.embed(frame, n_neighbors=10)
    (entry,) = cache_folder.glob("*.npz")
    raw = entry.read_bytes()
    entry.write_bytes(raw[: len(raw) // 2] if damage == "truncate" else damage)
    again = ke.embed(frame, n_neighbors=10)
    assert len(counted_fit) == 2
    pd.testing.assert_frame_equal(first, again)
    assert "ignoring" in caplog.text
    assert _cache.load(entry.stem, len(frame)) is not None  # rewritten


def test_entry_of_wrong_shape_is_not_served(rng, counted_fit, cache_folder):
    frame, _ = blobs(rng)
    ke.embed(frame, n_neighbors=10)
    (entry,) = cache_folder.glob("*.npz")
    _cache.save(entry.stem, np.zeros((3, 2)), {})
    assert ke.embed(frame, n_neighbors=10).shape == (150, 2)
    assert len(counted_fit) == 2


def test_clear_cache(rng, counted_fit):
    frame, _ = blobs(rng)
    ke.embed(frame, n_neighbors=10)
    ke.embed(frame, n_neighbors=12)
    assert ke.clear_cache() == 2
    assert ke.clear_cache() == 0


# ------------------------------------------------------------------------- graphs


def test_graph_forms_are_equivalent(rng, counted_fit):
    from sklearn.neighbors import NearestNeighbors, kneighbors_graph

    frame, _ = blobs(rng)
    distances, indices = NearestNeighbors(n_neighbors=11).fit(frame).kneighbors(frame)

    class Graph:  # the shape astrokit.distances offers
        def __init__(self):
            self.indices, self.distances = indices, distances
            self.index = frame.index

    sparse = kneighbors_graph(frame, n_neighbors=10, mode="distance")
    results = [
        ke.embed(g, n_neighbors=10, cache=False)
        for g in [(indices, distances), Graph(), sparse]
    ]
    for result in results[1:]:
        np.testing.assert_allclose(result, results[0], rtol=1e-6)
    assert results[1].index.equals(frame.index)


def test_self_first_prepends_or_moves_the_point():
    indices = np.array([[1, 2], [0, 2], [0, 1]])
    distances = np.array([[1.0, 2.0], [1.0, 3.0], [2.0, 3.0]])
    ind, dist = self_first(indices, distances)
    assert ind.tolist() == [[0, 1, 2], [1, 0, 2], [2, 0, 1]]
    assert dist[:, 0].tolist() == [0, 0, 0]
    ties = np.array([[0, 1, 2], [0, 1, 2], [1, 0, 2], [0, 1, 3], [2, 0, 4]])
    ind, dist = self_first(ties, np.zeros((5, 3)))
    assert ind[:, 0].tolist() == [0, 1, 2, 3, 4]
    assert ind[2].tolist() == [2, 1, 0] and ind[3].tolist() == [3, 0, 1]


def test_scan_on_graph_has_no_trustworthiness(rng, counted_fit):
    from sklearn.neighbors import NearestNeighbors

    frame, _ = blobs(rng)
    distances, indices = NearestNeighbors(n_neighbors=30).fit(frame).kneighbors(frame)
    graph = (indices, distances)
    scores = ke.scan_scores(
        ke.scan(graph, n_neighbors=[10, 25], min_dist=[0.0], progress=False)
    )
    assert scores["trustworthiness"].isna().all()
    assert scores["knn_preservation"].between(0, 1).all()


# --------------------------------------------------------------- alignment, scores


def test_procrustes_recovers_a_rotated_copy(rng):
    base = pd.DataFrame(rng.normal(size=(200, 2)), columns=["umap_x", "umap_y"])
    angle = 0.7
    rotation = np.array(
        [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    )
    reflect = np.diag([1.0, -1.0])
    moved = 2.5 * base.to_numpy() @ rotation @ reflect + [4.0, -9.0]
    aligned = ke.align(moved, base)
    np.testing.assert_allclose(aligned, base.to_numpy(), atol=1e-9)
    frame = ke.align(pd.DataFrame(moved, columns=["umap_x", "umap_y"]), base)
    assert isinstance(frame, pd.DataFrame)
    np.testing.assert_allclose(frame.to_numpy(), base.to_numpy(), atol=1e-5)


def test_scores_tell_good_from_random(rng):
    frame, labels = blobs(rng)
    good = ke.quality(frame, frame.to_numpy()[:, :2], truth=labels)
    noise = ke.quality(frame, rng.normal(size=(len(frame), 2)), truth=labels)
    assert noise["knn_preservation"] < 0.2 < good["knn_preservation"]
    assert noise["ari"] < 0.1 < good["ari"]
    assert noise["trustworthiness"] < good["trustworthiness"]


# --------------------------------------------------------------------------- plots


@pytest.fixture
def scan_table(rng, counted_fit):
    frame, labels = blobs(rng)
    table = ke.scan(
        frame, n_neighbors=[5, 10], min_dist=[0.0, 0.5], truth=labels, progress=False
    )
    return table, frame, labels


@pytest.mark.parametrize("datashade", [False, True])
def test_plot_scan_draws_every_panel(scan_table, datashade):
    import matplotlib.pyplot as plt

    table, frame, _ = scan_table
    axes = ke.plot_scan(table, color=frame["f0"], datashade=datashade)
    assert axes.shape == (2, 2)
    titles = [ax.get_title() for ax in axes.flat]
    assert "n_neighbors=5, min_dist=0.0" in titles[0] and "T=" in titles[0]
    drawn = [len(ax.images) if datashade else len(ax.collections) for ax in axes.flat]
    assert drawn == [1, 1, 1, 1]
    assert len(axes[0, 0].figure.axes) == 5  # four panels and a colour bar
    plt.close("all")


def test_plot_scan_categorical_legend_and_given_axes(scan_table):
    import matplotlib.pyplot as plt

    table, _, labels = scan_table
    _, given = plt.subplots(1, 5, layout="constrained")
    axes = ke.plot_scan(table, color=labels, axes=given)
    assert axes.shape == (1, 5) and not axes[0, 4].axison
    legend = axes[0, 0].figure.legends[0]
    assert sorted(t.get_text() for t in legend.get_texts()) == sorted(set(labels))
    assert "ARI=" in axes[0, 0].get_title()
    plt.close("all")


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "options", "error", "match"),
    [
        (
            np.zeros((25, 2)) + np.arange(25)[:, None],
            {"n_neighbors": 30},
            ValueError,
            r"^n_neighbors=30 must be smaller than the number of rows \(25\): a "
            r"row is never its own neighbour\. Pass n_neighbors=24 or fewer\.$",
        ),
        (
            np.ones((1, 3)),
            {},
            ValueError,
            "data has 1 row; an embedding needs at least",
        ),
        (np.ones((0, 3)), {}, ValueError, "data has no rows"),
        (np.ones((10, 0)), {}, ValueError, "no feature columns"),
        (
            np.arange(20.0).reshape(10, 2) * [1e300, 1.0],
            {},
            ValueError,
            r"beyond float32's range .* columns \['column 0'\]; .*rescale",
        ),
        (np.arange(10.0), {}, ValueError, r"must be 2-D .* shape \(10,\)"),
        (np.array([["a", "b"]] * 5), {}, ValueError, "must be numeric; got .*dtype"),
        (
            np.arange(20.0).reshape(10, 2),
            {"n_neighbors": 0},
            ValueError,
            "n_neighbors=0 must be an integer of at least 1",
        ),
        (
            np.arange(20.0).reshape(10, 2),
            {"n_neighbors": 2.5},
            TypeError,
            "n_neighbors=2.5 must be an integer of at least 1",
        ),
        (
            np.arange(20.0).reshape(10, 2),
            {"n_neighbors": 3, "min_dist": -0.1},
            ValueError,
            r"min_dist=-0.1 must be between 0 and spread=1.0",
        ),
        (
            np.arange(20.0).reshape(10, 2),
            {"n_neighbors": 3, "metric": len},
            TypeError,
            "must be the name of a UMAP metric",
        ),
        (
            np.arange(20.0).reshape(10, 2),
            {"n_neighbors": 3, "random_state": 1.5},
            TypeError,
            "random_state=1.5 must be an integer or None",
        ),
        (
            np.arange(20.0).reshape(10, 2),
            {"n_neighbors": 3, "max_rows": 2},
            ValueError,
            r"max_rows=2 must be an integer of at least 3 \(rows, or None\)",
        ),
        (
            np.arange(40.0).reshape(20, 2),
            {"n_neighbors": 5, "max_rows": 5},
            ValueError,
            "n_neighbors=5 must be smaller than max_rows=5 .the rows UMAP is fitted",
        ),
        (
            np.arange(20.0).reshape(10, 2),
            {"n_neighbors": 3, "neighbors": "fast"},
            ValueError,
            "neighbors='fast' is not one of",
        ),
        (
            np.arange(20.0).reshape(10, 2),
            {"n_neighbors": 3, "neighbors": "exact", "metric": "hellinger"},
            ValueError,
            "neighbors='exact' supports metrics",
        ),
    ],
)
def test_bad_input(data, options, error, match):
    with pytest.raises(error, match=match):
        ke.embed(data, cache=False, **options)


def test_nan_names_columns_and_counts(rng):
    frame, _ = blobs(rng)
    frame.iloc[:3, 1] = np.nan
    frame.iloc[5, 3] = np.inf
    with pytest.raises(
        ValueError,
        match=r"2 of 4 feature columns: 'f1' \(3 rows\), "
        r"'f3' \(1 row\).*astrokit.features",
    ):
        ke.embed(frame)


def test_constant_and_non_numeric_columns(rng):
    frame, labels = blobs(rng)
    frame["flat"] = 2.0
    with pytest.raises(ValueError, match=r"constant columns \['flat'\]"):
        ke.embed(frame)
    frame["flat"] = labels
    with pytest.raises(ValueError, match=r"non-numeric columns \['flat'\]"):
        ke.embed(frame)


@pytest.mark.parametrize(
    ("graph", "options", "match"),
    [
        ((np.zeros((5, 3), int), np.zeros((5, 2))), {}, "of the same shape"),
        ((np.full((5, 3), 7), np.zeros((5, 3))), {}, r"must lie in \[0, 4\]"),
        ((np.zeros((5, 3)), np.zeros((5, 3))), {}, "must be integers"),
        ((np.zeros((5, 3), int), -np.ones((5, 3))), {}, "finite and non-negative"),
        (
            (np.zeros((40, 5), int), np.zeros((40, 5))),
            {"n_neighbors": 10},
            "needs a kNN graph with at least 10 neighbours per row besides the "
            "row itself .a row is never its own neighbour.; this graph has 5",
        ),
        (
            (np.zeros((40, 11), int), np.zeros((40, 11))),
            {"metric": "cosine"},
            "a kNN graph already fixes its distances",
        ),
        (
            (np.zeros((40, 11), int), np.zeros((40, 11))),
            {"max_rows": 20},
            "max_rows=20 needs a feature matrix",
        ),
        (scipy.sparse.csr_matrix(np.ones((4, 5))), {}, "must be square"),
        (scipy.sparse.csr_matrix((5, 5)), {}, "a row without neighbours"),
    ],
)
def test_bad_graph(graph, options, match):
    options = {"n_neighbors": 3, **options}
    with pytest.raises(ValueError, match=match):
        ke.embed(graph, cache=False, **options)


def test_bad_scan_and_plot_options(rng, counted_fit):
    frame, labels = blobs(rng)
    with pytest.raises(ValueError, match="truth has 3 values; data has 150 rows"):
        ke.scan(frame, truth=labels[:3], progress=False)
    with pytest.raises(ValueError, match=r"reference=9 must be a panel number"):
        ke.scan(frame, n_neighbors=[5], min_dist=[0.0], reference=9, progress=False)
    with pytest.raises(ValueError, match="n_neighbors=200 must be smaller"):
        ke.scan(frame, n_neighbors=[5, 200], progress=False)
    table = ke.scan(frame, n_neighbors=[5, 6], min_dist=[0.0], progress=False)
    with pytest.raises(ValueError, match="color has 3 values; the scan has 150 rows"):
        ke.plot_scan(table, color=[1, 2, 3])
    import matplotlib.pyplot as plt

    with pytest.raises(ValueError, match="axes holds 1 axes; the scan has 2 panels"):
        ke.plot_scan(table, axes=[plt.gca()])
    plt.close("all")
    with pytest.raises(ValueError, match=r"embedding has shape \(3, 2\)"):
        ke.quality(frame, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="the same shape"):
        ke.align(np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="points all coincide"):
        ke.align(np.zeros((3, 2)), np.ones((3, 2)))


# ---------------------------------------------------------------------------- slow


@pytest.mark.slow
def test_approximate_neighbours_and_warm_up(rng):
    frame, labels = blobs(rng, n_per=100)
    emb = ke.embed(
        frame, n_neighbors=10, neighbors="approximate", max_rows=200, cache=False
    )
    assert ke.quality(frame, emb, truth=labels)["ari"] > 0.9
    assert ke.warm_up() > 0


# ------------------------------------------------ one rule for n_neighbors, names


@pytest.fixture
def umap_calls(monkeypatch):
    """Replace umap.UMAP by a fake that records what it is given."""
    calls = []

    class FakeUMAP:
        def __init__(self, **options):
            calls.append(options)

        def fit_transform(self, data):
            return np.zeros((len(data), 2), dtype=np.float32)

    class FakeModule:
        UMAP = FakeUMAP

    monkeypatch.setattr(_umap, "load_umap", lambda: FakeModule)
    return calls


def test_same_n_neighbors_same_other_rows_in_graph_and_embed(rng, umap_calls):
    from astrokit.distances import knn_graph

    frame, _ = blobs(rng)
    standard = (frame - frame.mean()) / frame.std(ddof=0)  # as knn_graph sees it
    graph = knn_graph(standard, n_neighbors=10)
    ke.embed(graph, n_neighbors=10, cache=False)
    ke.embed(standard, n_neighbors=10, cache=False)
    for call in umap_calls:  # umap-learn counts the point itself
        assert call["n_neighbors"] == 11
        indices = call["precomputed_knn"][0]
        assert indices.shape == (150, 11)
        np.testing.assert_array_equal(indices[:, 0], np.arange(150))
        others = np.sort(indices[:, 1:], axis=1)
        np.testing.assert_array_equal(others, np.sort(graph.indices, axis=1))


def test_embed_graphs_uses_every_neighbour_of_the_graph(rng, umap_calls):
    from astrokit.distances import knn_graph

    frame, _ = blobs(rng)
    graphs = {
        m: knn_graph(frame, metric=m, n_neighbors=7) for m in ("euclidean", "cosine")
    }
    ke.embed_graphs(graphs, cache=False)
    assert [c["n_neighbors"] for c in umap_calls] == [8, 8]
    with pytest.raises(ValueError, match="at least 9 neighbours per row besides"):
        ke.embed_graphs(graphs, n_neighbors=9, cache=False)


def test_every_other_row_can_be_a_neighbour(rng, umap_calls):
    frame, _ = blobs(rng, n_per=10, n_blobs=1)
    ke.embed(frame, n_neighbors=9, cache=False)
    assert umap_calls[0]["n_neighbors"] == 10


def test_fit_sample_is_renamed_max_rows(rng, counted_fit):
    frame, _ = blobs(rng)
    with pytest.warns(FutureWarning, match=r"fit_sample= is renamed max_rows="):
        ke.embed(frame, n_neighbors=10, fit_sample=100, cache=False)
    assert len(counted_fit[0]["fit_rows"]) == 100
    with pytest.raises(TypeError, match="give max_rows= only; fit_sample= is its old"):
        ke.embed(frame, fit_sample=100, max_rows=50)


def test_scan_old_names_warn_and_are_honoured(rng, counted_fit):
    frame, _ = blobs(rng)
    grid = {"n_neighbors": [5], "min_dist": [0.0], "progress": False}
    new = ke.scan(frame, score_neighbors=4, max_rows=100, **grid)
    with pytest.warns(FutureWarning, match=r"k= is renamed score_neighbors="):
        old = ke.scan(frame, k=4, max_rows=100, **grid)
    pd.testing.assert_frame_equal(old, new)
    assert len(counted_fit[-1]["fit_rows"]) == 100
    with pytest.warns(FutureWarning, match=r"fit_sample= is renamed max_rows="):
        ke.scan(frame, fit_sample=100, **grid)
    assert len(counted_fit[-1]["fit_rows"]) == 100
    assert not ke.scan(frame, max_rows=100, **grid).equals(new)  # 15 neighbours


def test_quality_k_is_renamed_n_neighbors(rng):
    frame, labels = blobs(rng)
    coords = frame.to_numpy()[:, :2] + rng.normal(size=(150, 2))
    new = ke.quality(frame, coords, n_neighbors=5)
    with pytest.warns(FutureWarning, match=r"k= is renamed n_neighbors="):
        old = ke.quality(frame, coords, k=5)
    pd.testing.assert_series_equal(old, new)
    assert not new.equals(ke.quality(frame, coords))
    with pytest.raises(TypeError, match="give n_neighbors= only; k= is its old name"):
        ke.quality(frame, coords, k=5, n_neighbors=6)
    with pytest.raises(TypeError, match=r"quality\(\) got unexpected keyword"):
        ke.quality(frame, coords, neighbours=5)


def test_columns_select_the_features(rng, counted_fit):
    frame, labels = blobs(rng)
    table = frame.assign(env=labels)
    chosen = ke.embed(table, columns=["f0", "f1"], n_neighbors=10, cache=False)
    expected = ke.embed(frame[["f0", "f1"]], n_neighbors=10, cache=False)
    pd.testing.assert_frame_equal(chosen, expected)
    table = ke.scan(
        frame.assign(env=labels), columns=["f0", "f1"], truth="env",
        n_neighbors=[5], min_dist=[0.0], progress=False,
    )  # fmt: skip
    assert table["ari"].notna().all()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ("frame", r"columns: unknown feature name\(s\) \['f9'\]"),
        ("graph", "selects feature columns; a kNN graph has none"),
    ],
)
def test_bad_columns(rng, data, match):
    frame, _ = blobs(rng)
    graph = (np.zeros((150, 5), int), np.zeros((150, 5)))
    with pytest.raises(ValueError, match=match):
        ke.embed(frame if data == "frame" else graph, columns=["f9"], cache=False)
