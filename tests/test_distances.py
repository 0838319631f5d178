"""The metric registry, the kNN graph format, and comparing metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from scipy.spatial.distance import cdist

from astrokit import distances, embedding
from astrokit.distances import KNNGraph, knn_graph, neighbour_overlap


@pytest.fixture
def X(rng):
    data = rng.normal(size=(200, 4)) * [1.0, 10.0, 100.0, 0.1]
    data[:, 1] += 5.0 * data[:, 0]
    return pd.DataFrame(data, columns=["a", "b", "c", "d"])


def _brute(space: np.ndarray, metric: str, k: int, **kw):
    full = cdist(space, space, metric=metric, **kw)
    np.fill_diagonal(full, np.inf)
    return np.sort(full, axis=1)[:, :k], full


def _standard(X):
    values = np.asarray(X, dtype=float)
    return (values - values.mean(axis=0)) / values.std(axis=0)


@pytest.mark.parametrize(
    ("metric", "scipy_metric"),
    [("euclidean", "euclidean"), ("cosine", "cosine"), ("correlation", "correlation")],
)
def test_geometric_metrics_match_brute_force(X, metric, scipy_metric):
    graph = knn_graph(X, metric=metric, n_neighbors=7)
    expected, full = _brute(_standard(X), scipy_metric, 7)
    np.testing.assert_allclose(graph.distances, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        graph.distances,
        np.take_along_axis(full, graph.indices, axis=1),
        rtol=1e-4,
        atol=1e-5,
    )


def test_mahalanobis_matches_brute_force(X):
    graph = knn_graph(X, metric="mahalanobis", n_neighbors=5)
    VI = np.linalg.inv(np.cov(X.to_numpy(), rowvar=False))
    expected, _ = _brute(X.to_numpy(), "mahalanobis", 5, VI=VI)
    np.testing.assert_allclose(graph.distances, expected, rtol=1e-4)


def test_euclidean_is_standardised(X):
    """Rescaling a feature (changing its unit) changes nothing."""
    rescaled = X.assign(c=X["c"] * 1e6)
    a = knn_graph(X, n_neighbors=5)
    b = knn_graph(rescaled, n_neighbors=5)
    np.testing.assert_array_equal(a.indices, b.indices)


def test_graph_format(X):
    graph = knn_graph(X, n_neighbors=6)
    assert isinstance(graph, KNNGraph)
    assert repr(graph) == "KNNGraph(metric='euclidean', rows=200, n_neighbors=6)"
    assert graph.indices.dtype == np.int32 and graph.distances.dtype == np.float32
    assert graph.index.equals(X.index)
    assert not (graph.indices == np.arange(200)[:, None]).any()
    sparse = graph.to_sparse()
    assert isinstance(sparse, scipy.sparse.csr_matrix)
    assert sparse.shape == (200, 200) and sparse.nnz == 1200
    ind, dist, index = graph.precomputed_knn
    assert index is None and ind.shape == (200, 7)
    np.testing.assert_array_equal(ind[:, 0], np.arange(200))
    np.testing.assert_array_equal(dist[:, 0], 0)


def test_sparse_graph_keeps_zero_distances():
    graph = KNNGraph(np.array([[1], [0], [1]]), np.zeros((3, 1)), "euclidean")
    assert graph.to_sparse().nnz == 3


def test_index_is_kept(X):
    shifted = X.set_index(X.index + 1000)
    assert knn_graph(shifted, n_neighbors=3).index[0] == 1000


def test_flag_columns_must_be_left_out(X):
    features = X.assign(a_censored=pd.Categorical(["none"] * len(X)))
    features.attrs["features"] = ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match=r"\['a_censored'\]; pass only the feature"):
        knn_graph(features, n_neighbors=4)
    graph = knn_graph(features[features.attrs["features"]], n_neighbors=4)
    np.testing.assert_array_equal(graph.indices, knn_graph(X, n_neighbors=4).indices)


def test_urf_graph(X):
    graph = knn_graph(X, metric="urf", n_neighbors=10, random_state=0, n_estimators=30)
    assert graph.metric == "urf"
    assert graph.indices.shape == (200, 10)
    model = graph.info["model"]
    assert model.n_estimators == 30
    np.testing.assert_array_equal(graph.indices, model.kneighbors()[1])
    again = knn_graph(X, metric="urf", n_neighbors=10, random_state=0, n_estimators=30)
    np.testing.assert_array_equal(graph.indices, again.indices)


def test_graph_fits_dbscan_without_warnings(X):
    from sklearn.cluster import DBSCAN

    graph = knn_graph(X, n_neighbors=10)
    labels = DBSCAN(eps=0.8, min_samples=5, metric="precomputed").fit_predict(
        graph.to_sparse()
    )
    assert labels.shape == (200,)
    assert (labels >= 0).any()


@pytest.mark.slow  # compiles umap-learn's numba code: 20 s in a fresh environment
@pytest.mark.filterwarnings(r"ignore:Tensorflow not installed:ImportWarning")
@pytest.mark.filterwarnings(r"ignore:precomputed_knn\[2\]:UserWarning")
@pytest.mark.filterwarnings(r"ignore:n_jobs value .* overridden:UserWarning")
def test_graph_fits_umap_directly(X):
    import umap

    graph = knn_graph(X, metric="urf", n_neighbors=10, random_state=0, n_estimators=30)
    model = umap.UMAP(
        n_neighbors=11, precomputed_knn=graph.precomputed_knn, random_state=0,
        n_epochs=50,
    )  # fmt: skip
    emb = model.fit_transform(X.to_numpy())
    assert emb.shape == (200, 2) and np.isfinite(emb).all()
    # umap used our graph, not its own search
    np.testing.assert_array_equal(model._knn_indices[:, 1:], graph.indices)


def test_unknown_metric_lists_the_registry(X):
    msg = r"metric='manhattan' is not in the registry; choose one of \['euclidean'"
    with pytest.raises(ValueError, match=msg):
        knn_graph(X, metric="manhattan")


def test_forest_parameters_need_the_forest(X):
    with pytest.raises(TypeError, match=r"\['n_estimators'\] are forest parameters"):
        knn_graph(X, metric="cosine", n_estimators=10)


@pytest.mark.parametrize(
    ("n_neighbors", "error", "match"),
    [
        (
            25,
            ValueError,
            r"n_neighbors=25 must be smaller than the number of rows \(25\): a "
            "row is never its own neighbour",
        ),
        (30, ValueError, r"n_neighbors=30 must be smaller than the number of rows"),
        (2.5, TypeError, r"n_neighbors=2.5 must be an integer of at least 1"),
        (0, ValueError, r"n_neighbors=0 must be an integer of at least 1"),
    ],
)
@pytest.mark.parametrize("metric", ["euclidean", "urf"])
def test_bad_n_neighbors(rng, metric, n_neighbors, error, match):
    with pytest.raises(error, match=match):
        knn_graph(rng.normal(size=(25, 3)), metric=metric, n_neighbors=n_neighbors)


def test_every_other_row_can_be_a_neighbour(rng):
    graph = knn_graph(rng.normal(size=(25, 3)), n_neighbors=24)
    rows = np.arange(25)[:, None]
    assert (np.sort(graph.indices, axis=1) != rows).all()
    assert all(set(r) == set(range(25)) - {i} for i, r in enumerate(graph.indices))


def test_urf_default_seed_is_fixed(X):
    first = knn_graph(X, metric="urf", n_neighbors=5, n_estimators=20)
    again = knn_graph(X, metric="urf", n_neighbors=5, n_estimators=20)
    assert first.info["model"].random_state == 0
    np.testing.assert_array_equal(first.indices, again.indices)
    np.testing.assert_array_equal(first.distances, again.distances)


def test_metric_by_position_warns_and_works(X):
    with pytest.warns(
        FutureWarning, match=r"give the option by name, .*metric='cosine'"
    ):
        graph = knn_graph(X, "cosine", n_neighbors=5)
    assert graph.metric == "cosine"
    expected = knn_graph(X, metric="cosine", n_neighbors=5)
    np.testing.assert_array_equal(graph.indices, expected.indices)


@pytest.mark.parametrize("metric", ["euclidean", "urf"])
def test_columns_select_features(X, metric):
    kw = {"metric": metric, "n_neighbors": 5}
    if metric == "urf":
        kw["n_estimators"] = 20
    chosen = knn_graph(X.assign(label="x"), columns=["a", "b"], **kw)
    np.testing.assert_array_equal(
        chosen.indices, knn_graph(X[["a", "b"]], **kw).indices
    )
    assert chosen.index.equals(X.index)


def test_unknown_columns_are_listed(X):
    with pytest.raises(ValueError, match=r"columns: unknown feature name\(s\) \['e'\]"):
        knn_graph(X, columns=["a", "e"])
    with pytest.raises(ValueError, match="pass X as a DataFrame"):
        knn_graph(X.to_numpy(), columns=["a"])


@pytest.mark.parametrize("metric", ["euclidean", "urf"])
def test_non_numeric_columns_are_named(X, metric):
    with pytest.raises(ValueError, match=r"non-numeric columns \['galaxy'\]"):
        knn_graph(X.assign(galaxy="NGC0628"), metric=metric, n_neighbors=3)


@pytest.mark.parametrize("metric", ["correlation", "urf"])
def test_all_nan_feature_is_named(X, metric):
    with pytest.raises(
        ValueError, match=r"X has columns \['c'\] that are NaN \(or infinite\)"
    ):
        knn_graph(X.assign(c=np.nan), metric=metric, n_neighbors=3)


def test_partly_nan_feature_is_counted(X):
    X.loc[[3, 5], "b"] = np.nan
    with pytest.raises(ValueError, match=r"1 of 4 feature columns: 'b' \(2 rows\)"):
        knn_graph(X, n_neighbors=3)


@pytest.mark.parametrize("metric", ["euclidean", "correlation", "mahalanobis"])
def test_constant_feature(X, metric):
    with pytest.raises(ValueError, match=r"X has constant columns \['d'\]"):
        knn_graph(X.assign(d=1.0), metric=metric, n_neighbors=3)


def test_constant_feature_is_fine_for_the_forest(X):
    graph = knn_graph(X.assign(d=1.0), metric="urf", n_neighbors=3, n_estimators=10)
    assert graph.indices.shape == (200, 3)


def test_mahalanobis_ignores_redundant_features(X):
    """A feature that is a sum of others adds nothing (pseudo-inverse)."""
    plain = knn_graph(X, metric="mahalanobis", n_neighbors=5)
    redundant = knn_graph(
        X.assign(e=X["a"] + X["b"]), metric="mahalanobis", n_neighbors=5
    )
    np.testing.assert_array_equal(plain.indices, redundant.indices)
    np.testing.assert_allclose(plain.distances, redundant.distances, rtol=1e-4)


def test_correlation_of_a_flat_row(rng):
    half = rng.normal(size=(15, 3))
    values = np.vstack([half[:4], np.zeros((1, 3)), half[4:], -half])
    # row 4 sits at the mean: its standardised values are all equal (zero)
    with pytest.raises(ValueError, match=r"undefined for 1 row\(s\) .* row 4"):
        knn_graph(values, metric="correlation", n_neighbors=3)
    with pytest.raises(ValueError, match="at least 2 features"):
        knn_graph(values[:, :1], metric="correlation", n_neighbors=3)


def test_array_input_errors():
    with pytest.raises(ValueError, match=r"must be 2-D .* shape \(5,\)"):
        knn_graph(np.arange(5.0))
    with pytest.raises(ValueError, match="must be numeric; got an array of dtype"):
        knn_graph(np.array([["a", "b"], ["c", "d"]]))


def test_graph_shape_errors():
    with pytest.raises(ValueError, match=r"must both have shape \(N, k\)"):
        KNNGraph(np.zeros((3, 2)), np.zeros((3, 1)), "euclidean")
    with pytest.raises(ValueError, match="index has 2 labels for 3 rows"):
        KNNGraph(np.zeros((3, 1)), np.zeros((3, 1)), "euclidean", pd.RangeIndex(2))


def test_overlap_of_a_graph_with_itself_and_by_hand():
    a = KNNGraph(np.array([[1, 2], [0, 2], [0, 1]]), np.ones((3, 2)), "a")
    b = KNNGraph(np.array([[1, 2], [2, 0], [1, 2]]), np.ones((3, 2)), "b")
    per_row = neighbour_overlap({"a": a, "b": b, "c": a}, per_row=True)
    assert list(per_row.columns) == ["a vs b", "a vs c", "b vs c"]
    # row 2: {0, 1} against {1, 2}: one shared of three
    np.testing.assert_allclose(per_row["a vs b"], [1.0, 1.0, 1 / 3])
    np.testing.assert_allclose(per_row["a vs c"], 1.0)
    summary = neighbour_overlap({"a": a, "b": b})
    assert summary.columns.tolist() == [
        "metric_a",
        "metric_b",
        "n_neighbors",
        "mean_jaccard",
        "median_jaccard",
    ]
    assert summary.loc[0, "mean_jaccard"] == pytest.approx(7 / 9)


def test_overlap_of_real_metrics(X):
    metrics = ["euclidean", "cosine"]
    graphs = {m: knn_graph(X, metric=m, n_neighbors=10) for m in metrics}
    summary = neighbour_overlap(graphs)
    assert 10 / 200 < summary.loc[0, "mean_jaccard"] < 1.0


def test_overlap_errors(X):
    g = knn_graph(X, n_neighbors=3)
    with pytest.raises(ValueError, match="at least two KNNGraph"):
        neighbour_overlap({"euclidean": g})
    other = knn_graph(X.iloc[:100], n_neighbors=3)
    with pytest.raises(ValueError, match="build every graph from the same table"):
        neighbour_overlap({"a": g, "b": other})
    with pytest.raises(TypeError, match=r"graphs\['b'\] is a tuple, not a KNNGraph"):
        neighbour_overlap({"a": g, "b": (g.indices, g.distances)})


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        distances.nope  # noqa: B018


@pytest.mark.parametrize("name", ["embed_graphs", "plot_embeddings"])
def test_moved_functions_say_where(name):
    with pytest.raises(AttributeError, match=f"moved to astrokit.embedding.{name}"):
        getattr(distances, name)


@pytest.mark.slow  # UMAP (numba compilation in a fresh environment)
def test_embed_and_plot_side_by_side(X):
    import matplotlib

    matplotlib.use("Agg")
    graphs = {
        "euclidean": knn_graph(X, n_neighbors=10),
        "urf": knn_graph(
            X, metric="urf", n_neighbors=10, random_state=0, n_estimators=30
        ),
    }
    embeddings = embedding.embed_graphs(graphs, n_epochs=50, cache=False)
    assert list(embeddings) == ["euclidean", "urf"]
    assert embeddings["urf"].columns.tolist() == ["umap_x", "umap_y"]
    assert embeddings["urf"].index.equals(X.index)
    axes = embedding.plot_embeddings(embeddings, values=X["a"])
    assert [ax.get_title() for ax in axes] == ["euclidean", "urf"]
    labels = pd.Series(np.where(X["a"] > 0, "up", "down"), index=X.index)
    axes = embedding.plot_embeddings(embeddings, labels=labels)
    assert axes[-1].get_legend() is not None
    with pytest.raises(ValueError, match="colour values have 3 entries for 200 rows"):
        embedding.plot_embeddings(embeddings, values=[1, 2, 3])
    with pytest.raises(TypeError, match="not a KNNGraph"):
        embedding.embed_graphs({"a": X})


# ---------------------------------------- Mahalanobis on too few rows: refused


@pytest.mark.parametrize(("n_rows", "rank"), [(5, 4), (12, 11)])
def test_mahalanobis_refuses_a_covariance_of_too_few_rows(rng, n_rows, rank):
    X = rng.normal(size=(n_rows, 11))
    with pytest.raises(
        ValueError,
        match=rf"covariance of 11 features from {n_rows} rows: its rank is {rank} "
        r".*same distance.*Refused \(not regularised\): use at least 13 rows",
    ):
        knn_graph(X, metric="mahalanobis", n_neighbors=2)


def test_mahalanobis_with_one_row_more_has_distinct_distances(rng):
    graph = knn_graph(rng.normal(size=(13, 11)), metric="mahalanobis", n_neighbors=3)
    assert np.ptp(graph.distances) > 0.1  # no longer a simplex
    # collinear features lower the rank, not the number of rows needed
    X = rng.normal(size=(8, 3))
    X = np.hstack([X, X[:, :1] + X[:, 1:2]])
    assert knn_graph(X, metric="mahalanobis", n_neighbors=3).distances.shape == (8, 3)


def test_misspelt_metric_and_forest_parameter_get_a_close_match(rng):
    X = rng.normal(size=(30, 3))
    with pytest.raises(
        ValueError,
        match=r"metric='eucledian' is not in the registry; did you mean 'euclidean'\?",
    ):
        knn_graph(X, metric="eucledian")
    with pytest.raises(
        TypeError,
        match=r"\['n_estimator'\] are not parameters of UnsupervisedRandomForest. "
        r"'n_estimator': did you mean 'n_estimators'\?",
    ):
        knn_graph(X, metric="urf", n_estimator=10)
