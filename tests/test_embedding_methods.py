"""embed(method="pca" | "tsne"): the same interface, index, sampling and cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from astrokit import embedding as ke
from astrokit.distances import knn_graph
from astrokit.embedding import _tsne


@pytest.fixture(autouse=True)
def cache_folder(tmp_path, monkeypatch):
    """Every test gets its own empty cache folder."""
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "embeddings"


@pytest.fixture
def blobs(rng):
    """Three separated Gaussian blobs in 5 dimensions, with labels."""
    centres = rng.normal(scale=8.0, size=(3, 5))
    values = np.concatenate([c + rng.normal(size=(60, 5)) for c in centres])
    frame = pd.DataFrame(values, columns=[f"f{i}" for i in range(5)])
    frame.index = pd.Index([f"px{i}" for i in range(len(frame))], name="pixel")
    return frame, np.repeat(["a", "b", "c"], 60)


def test_pca_is_sklearn_pca_on_the_index(blobs):
    from sklearn.decomposition import PCA

    frame, _ = blobs
    emb = ke.embed(frame, method="pca")
    assert list(emb.columns) == ["pca_x", "pca_y"]
    assert emb.index.equals(frame.index)
    expected = PCA(n_components=2, random_state=0).fit_transform(frame)
    np.testing.assert_allclose(
        np.abs(emb.to_numpy()), np.abs(expected), rtol=1e-4, atol=1e-4
    )
    ratios = emb.attrs["explained_variance_ratio"]
    assert len(ratios) == 2 and ratios[0] >= ratios[1] > 0


def test_pca_fit_on_a_sample_projects_every_row(blobs):
    frame, _ = blobs
    emb = ke.embed(frame, method="pca", max_rows=50)
    assert emb.shape == (len(frame), 2) and np.isfinite(emb.to_numpy()).all()
    assert not np.allclose(emb, ke.embed(frame, method="pca"))


def test_pca_finds_a_planted_group_of_anomalies(rng):
    """Rows shifted along one direction stand apart on the first component."""
    values = rng.normal(size=(400, 6))
    values[:12] += 8 * np.array([1, 1, 0, 0, -1, 0]) / np.sqrt(3)
    emb = ke.embed(values, method="pca")
    far = np.argsort(-np.abs(emb["pca_x"].to_numpy() - emb["pca_x"].median()))[:12]
    assert set(far) == set(range(12))


def test_tsne_separates_blobs_and_is_cached(blobs, cache_folder, monkeypatch):
    frame, labels = blobs
    emb = ke.embed(frame, method="tsne", perplexity=20)
    assert list(emb.columns) == ["tsne_x", "tsne_y"]
    assert emb.index.equals(frame.index)
    scores = ke.quality(frame, emb, truth=labels)
    assert scores["ari"] > 0.9 and scores["trustworthiness"] > 0.9
    assert len(list(cache_folder.glob("*.npz"))) == 1

    def no_fit(*args, **kwargs):
        raise AssertionError("t-SNE refitted despite the cache")

    monkeypatch.setattr(_tsne, "fit_tsne", no_fit)
    again = ke.embed(frame, method="tsne", perplexity=20)
    pd.testing.assert_frame_equal(again, emb)
    with pytest.raises(AssertionError, match="refitted"):
        ke.embed(frame, method="tsne", perplexity=21)


def test_tsne_of_a_knn_graph(blobs):
    frame, labels = blobs
    graph = knn_graph(frame, n_neighbors=30)
    emb = ke.embed(graph, method="tsne", cache=False)
    assert emb.shape == (len(frame), 2)
    assert ke.quality(frame, emb, truth=labels)["ari"] > 0.9


def test_tsne_fit_on_a_sample_places_the_rest(blobs):
    frame, labels = blobs
    emb = ke.embed(frame, method="tsne", max_rows=120, perplexity=15, cache=False)
    assert np.isfinite(emb.to_numpy()).all()
    assert ke.quality(frame, emb, truth=labels)["ari"] > 0.8


def test_align_keeps_the_method_columns(blobs):
    frame, _ = blobs
    pca = ke.embed(frame, method="pca")
    turned = pca.copy()
    turned[["pca_x", "pca_y"]] = pca.to_numpy() @ np.array([[0.0, 1.0], [-1.0, 0]])
    aligned = ke.align(turned, pca)
    assert list(aligned.columns) == ["pca_x", "pca_y"]
    np.testing.assert_allclose(aligned, pca, atol=1e-4)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"method": "som"}, ValueError, r"method='som' is not one of \('umap'"),
        ({"method": "pca", "n_neighbors": 10}, ValueError, "applies to UMAP only"),
        ({"method": "tsne", "min_dist": 0.5}, ValueError, "perplexity= sets t-SNE"),
        ({"method": "pca", "whitn": True}, TypeError, "PCA takes"),
        ({"method": "tsne", "n_neighbours": 5}, TypeError, "not a keyword of open"),
        ({"method": "tsne", "perplexity": 0}, ValueError, "perplexity=0 must be"),
        ({"method": "tsne", "perplexity": 80}, ValueError, "needs more than 240 row"),
        ({"method": "tsne", "random_state": -1}, ValueError, "random_state=-1"),
    ],
)
def test_bad_options_are_refused(blobs, options, error, match):
    frame, _ = blobs
    with pytest.raises(error, match=match):
        ke.embed(frame, **options)


def test_pca_of_a_graph_and_sampled_graph_are_refused(blobs):
    frame, _ = blobs
    graph = knn_graph(frame, n_neighbors=10)
    with pytest.raises(ValueError, match="a kNN graph has no coordinates"):
        ke.embed(graph, method="pca")
    with pytest.raises(ValueError, match="needs a feature matrix, not a kNN graph"):
        ke.embed(graph, method="tsne", max_rows=50)


def test_nan_is_refused_for_every_method(blobs):
    frame, _ = blobs
    frame.iloc[3, 1] = np.nan
    for method in ke.METHODS:
        with pytest.raises(ValueError, match="NaN or infinite values"):
            ke.embed(frame, method=method)


def test_coordinates_of_an_unknown_frame_are_refused(blobs):
    frame, _ = blobs
    with pytest.raises(ValueError, match="exactly one coordinate pair"):
        ke.quality(frame, frame.iloc[:, :3].rename(columns=str))


def test_scan_scores_the_elongation_of_each_map(rng):
    """A curve in 3-D (one sequence) scores a longer tree than a round blob."""
    t = np.sort(rng.uniform(0, 3, 300))
    curve = np.c_[np.cos(t), np.sin(t), t] + rng.normal(0, 0.01, (300, 3))
    blob = rng.normal(size=(300, 3))
    scores = [
        ke.scan_scores(
            ke.scan(x, n_neighbors=[15], min_dist=[0.0], cache=False, progress=False)
        )
        for x in (curve, blob)
    ]
    assert scores[0]["elongation"].iloc[0] > 1.5 * scores[1]["elongation"].iloc[0]
