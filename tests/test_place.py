"""Placing new rows on a fitted embedding: ``astrokit.embedding._place``."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import astrokit as ak
from astrokit.embedding._place import NeighbourPlacer, place


@pytest.fixture(scope="module")
def sample():
    """Two groups in 4-D with a 2-D 'embedding' that is a smooth map of them."""
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(0, 1, (150, 4)), rng.normal(6, 1, (150, 4))])
    features = pd.DataFrame(X, columns=list("abcd"))
    coords = np.c_[X[:, 0] + X[:, 1], X[:, 2] - 0.5 * X[:, 3]]
    embedding = pd.DataFrame(coords, columns=["umap_x", "umap_y"])
    return features, embedding


def test_a_row_equal_to_a_sample_row_lands_on_it(sample):
    features, embedding = sample
    new = features.iloc[[3, 200]].set_axis(["p", "q"])
    placed = place(features, embedding, new)
    np.testing.assert_allclose(placed.to_numpy(), embedding.iloc[[3, 200]], atol=1e-5)


def test_keeps_the_index_and_the_columns(sample):
    features, embedding = sample
    rng = np.random.default_rng(1)
    new = pd.DataFrame(
        rng.normal(3, 2, (40, 4)),
        columns=list("abcd"),
        index=pd.Index(rng.permutation(np.arange(500, 540)), name="pixel"),
    )
    placed = place(features, embedding, new)
    assert placed.index.equals(new.index)
    assert list(placed.columns) == ["umap_x", "umap_y"]
    assert placed.dtypes.eq(np.float32).all()


def test_a_new_row_goes_near_its_own_group(sample):
    features, embedding = sample
    rng = np.random.default_rng(2)
    near_second = pd.DataFrame(rng.normal(6, 0.3, (20, 4)), columns=list("abcd"))
    placed = place(features, embedding, near_second)
    second = embedding.iloc[150:].mean()
    first = embedding.iloc[:150].mean()
    to_second = np.hypot(*(placed - second).to_numpy().T)
    to_first = np.hypot(*(placed - first).to_numpy().T)
    assert (to_second < to_first).all()


def test_is_deterministic_and_pickles(sample):
    features, embedding = sample
    rng = np.random.default_rng(3)
    new = rng.normal(2, 3, (60, 4))
    placer = NeighbourPlacer(n_neighbors=7).fit(features.to_numpy(), embedding)
    again = pickle.loads(pickle.dumps(placer))
    pd.testing.assert_frame_equal(placer.transform(new), again.transform(new))
    pd.testing.assert_frame_equal(
        placer.transform(new), place(features.to_numpy(), embedding, new, n_neighbors=7)
    )


def test_a_large_sample_uses_an_approximate_index_that_places_as_well(monkeypatch):
    """Above EXACT_SAMPLE_ROWS the search is pynndescent's: same answers here."""
    from astrokit.embedding import _place

    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(0, 1, (600, 4)), rng.normal(6, 1, (600, 4))])
    coords = np.c_[X[:, 0] + X[:, 1], X[:, 2] - 0.5 * X[:, 3]]
    new = np.vstack([X[[5, 900]], rng.normal(6, 0.3, (30, 4))])
    exact = NeighbourPlacer().fit(X, coords)
    monkeypatch.setattr(_place, "EXACT_SAMPLE_ROWS", 1000)
    approx = NeighbourPlacer().fit(X, coords)
    assert type(approx.index_.index).__name__ == "NNDescent"
    placed = approx.transform(new).to_numpy()
    np.testing.assert_allclose(placed[:2], coords[[5, 900]], atol=1e-5)
    close = np.hypot(*(placed - exact.transform(new).to_numpy()).T)
    assert np.median(close) < 0.05
    again = pickle.loads(pickle.dumps(approx)).transform(new).to_numpy()
    np.testing.assert_array_equal(again, placed)


def test_rows_the_approximate_index_leaves_short_are_searched_exactly():
    """pynndescent can return fewer than k neighbours (-1, inf): never used as such."""
    from sklearn.neighbors import NearestNeighbors

    from astrokit.embedding._place import _Approximate

    rng = np.random.default_rng(6)
    values = rng.normal(size=(300, 3)).astype(np.float32)
    queries = rng.normal(size=(4, 3)).astype(np.float32)
    exact_d, exact_i = NearestNeighbors(n_neighbors=5).fit(values).kneighbors(queries)

    class Short:  # what pynndescent returns for a query on a small graph island
        def query(self, X, k):
            ind, dist = exact_i.astype(np.int32), exact_d.astype(np.float32)
            ind[1, 3:], dist[1, 3:] = -1, np.inf
            dist[2, 4] = np.inf
            return ind, dist

    ind, dist = _Approximate(Short(), values).query(queries, k=5)
    np.testing.assert_array_equal(ind, exact_i)
    np.testing.assert_allclose(dist, exact_d, rtol=1e-5)


def test_chunks_give_the_same_answer(sample, monkeypatch):
    features, embedding = sample
    new = np.random.default_rng(4).normal(3, 3, (55, 4))
    whole = place(features, embedding, new)
    monkeypatch.setattr("astrokit.embedding._place.CHUNK_ROWS", 8)
    pd.testing.assert_frame_equal(place(features, embedding, new), whole)


def test_bad_input_is_a_clear_error(sample):
    features, embedding = sample
    with pytest.raises(ValueError, match="n_neighbors=400 must be at most the number"):
        place(features, embedding, features, n_neighbors=400)
    with pytest.raises(ValueError, match="embedding has 10 rows and features 300"):
        place(features, embedding.iloc[:10], features)
    placer = NeighbourPlacer().fit(features.to_numpy(), embedding)
    with pytest.raises(ValueError, match="features has 3 columns; this Neighbour"):
        placer.transform(np.zeros((2, 3)))


def test_embed_places_with_neighbours_on_request(sample):
    features, _ = sample
    table = features.set_axis(pd.RangeIndex(1000, 1300, name="row"))
    kw = dict(n_neighbors=10, max_rows=120, cache=False, n_epochs=30)
    placed = ak.embedding.embed(table, placement="neighbours", **kw)
    assert placed.index.equals(table.index)
    assert np.isfinite(placed.to_numpy()).all()
    # the sample rows keep their UMAP coordinates; the others sit among them
    again = ak.embedding.embed(table, placement="neighbours", **kw)
    pd.testing.assert_frame_equal(placed, again)
    with pytest.raises(ValueError, match="placement='nearest' is not one of"):
        ak.embedding.embed(table, placement="nearest", **kw)


@pytest.fixture(scope="module")
def large(monkeypatch_module):
    """discover on a 900-row table with the large-table threshold at 500 rows."""
    from astrokit._discover import _large

    monkeypatch_module.setattr(_large, "LARGE_ROWS", 500)
    monkeypatch_module.setattr(_large, "SAMPLE_ROWS", 400)
    rng = np.random.default_rng(7)
    values = np.vstack(
        [rng.normal(0, 1, (600, 3)), rng.normal(6, 0.5, (300, 3)), [[20, -20, 20]]]
    )
    table = pd.DataFrame(values, columns=["pmra", "pmdec", "parallax"])
    table.index = pd.Index(rng.permutation(np.arange(5000, 5901)), name="source")
    return table, ak.discover(table, n_neighbors=10, progress=False)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_discover_above_the_threshold_fits_on_a_sample(large):
    table, found = large
    choices = found.choices.set_index("step")
    assert "400 of 901 rows" in choices.loc["sample", "choice"]
    assert "fitted on a random sample of 400" in choices.loc["embedding", "choice"]
    assert "glosh is left out" in choices.loc["outliers", "reason"]
    for part in (found.embedding, found.labels, found.confidence, found.outliers):
        assert part.index.equals(table.index)
    assert np.isfinite(found.embedding.to_numpy()).all()
    assert found.outliers["combined"].notna().all()
    assert found.stability["size"].sum() == (found.labels >= 0).sum()


def test_discover_above_the_threshold_finds_the_groups_and_the_outlier(large):
    table, found = large
    truth = np.r_[np.zeros(600, int), np.ones(300, int), [2]]
    truth = pd.Series(truth, index=table.index)
    both = found.labels >= 0
    agreement = ak.cluster.agreement(found.labels[both], truth[both])
    assert found.n_clusters == 2 and agreement["ari"] > 0.9
    assert found.outliers["combined"].idxmax() == table.index[-1]
    # NaN only for noise and for sample rows that no rerun happened to draw
    grouped = found.confidence[found.labels >= 0]
    assert grouped.dropna().between(0, 1).all() and grouped.isna().mean() < 0.01
