"""The Sequencer: its distances, trees, elongation, the toy example, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import pdist, squareform
from scipy.stats import energy_distance, entropy, spearmanr, wasserstein_distance

from astrokit.sequence import Sequencer, elongation, make_toy_spectra
from astrokit.sequence._metrics import distance_matrix
from astrokit.sequence._tree import Tree, least_central, spanning_tree


@pytest.fixture
def spectra(rng):
    grid = np.sort(rng.uniform(0, 10, 30))  # uneven steps
    return grid, rng.uniform(0.1, 2.0, (12, 30))


@pytest.mark.parametrize(
    ("metric", "pair"),
    [
        ("emd", lambda g, a, b: wasserstein_distance(g, g, a, b)),
        ("energy", lambda g, a, b: energy_distance(g, g, a, b)),
        ("euclidean", lambda g, a, b: np.linalg.norm(a - b)),
    ],
)
def test_distance_matrices_equal_scipy_pair_by_pair(spectra, metric, pair):
    grid, values = spectra
    matrix = distance_matrix(values, grid, metric)
    expected = np.array([[pair(grid, a, b) for b in values] for a in values])
    np.testing.assert_allclose(matrix, expected, rtol=1e-9, atol=1e-12)


def test_kl_is_the_symmetrised_divergence(spectra):
    grid, values = spectra
    matrix = distance_matrix(values, grid, "kl")
    kl = np.array([[entropy(a, b) for b in values] for a in values])
    np.testing.assert_allclose(matrix, (kl + kl.T) / 2, rtol=1e-9, atol=1e-12)
    assert (np.diag(matrix) == 0).all()


def test_spanning_tree_matches_scipy_and_joins_identical_rows(rng):
    points = rng.normal(size=(200, 3))
    dense = squareform(pdist(points))
    assert spanning_tree(dense).sum() == pytest.approx(
        minimum_spanning_tree(dense).sum()
    )
    twins = squareform(pdist(np.vstack([points[:5], points[:5]])))  # zero distances
    tree = spanning_tree(twins)
    assert tree.nnz == 9  # a spanning tree of 10 nodes, twins joined too


def test_elongation_of_a_chain_and_of_a_star():
    chain = squareform(pdist(np.arange(30.0)[:, None]))
    tree = Tree(spanning_tree(chain))
    assert tree.start in (0, 29)  # an end of the chain is least central
    assert tree.elongation == pytest.approx(30.0)
    assert list(tree.order()) in (list(range(30)), list(range(29, -1, -1)))
    star = np.full((21, 21), 2.0)  # a hub 1 from each leaf, leaves 2 apart
    star[0, :] = star[:, 0] = 1.0
    np.fill_diagonal(star, 0.0)
    assert Tree(spanning_tree(star)).elongation < 2


def test_least_central_matches_brute_force(rng):
    from scipy.sparse.csgraph import shortest_path

    tree = spanning_tree(squareform(pdist(rng.normal(size=(80, 2)))))
    graph = (tree + tree.T).tocsr()
    hops = shortest_path(graph, unweighted=True)
    assert least_central(graph) == int(np.argmax(hops.sum(axis=1)))


def test_toy_example_order_is_recovered():
    grid, spectra, truth = make_toy_spectra(n_objects=150, n_pixels=200)
    seq = Sequencer(grid=grid).fit(spectra)
    rho = spearmanr(seq.rank_, truth)[0]
    assert abs(rho) >= 0.99
    assert spectra[seq.order_].shape == spectra.shape
    assert sorted(seq.order_) == list(range(150))
    assert seq.elongation_ > 0.5 * len(spectra)  # close to a chain
    assert set(seq.elongations_["metric"]) == {"euclidean", "emd", "energy", "kl"}


def test_shuffled_columns_have_no_sequence(rng):
    """Destroy the sequence (shuffle each column separately): elongation drops."""
    grid, spectra, truth = make_toy_spectra(n_objects=120, n_pixels=100)
    noise = np.column_stack([rng.permutation(col) for col in spectra.T])
    ordered = Sequencer(grid=grid, metrics=["emd"]).fit(spectra)
    shuffled = Sequencer(grid=grid, metrics=["emd"]).fit(noise)
    assert shuffled.elongation_ < 0.5 * ordered.elongation_


def test_rank_keeps_the_index_and_features_may_be_negative(rng):
    t = rng.uniform(0, 1, 80)
    table = pd.DataFrame(
        {"a": t + rng.normal(0, 0.01, 80), "b": -2 * t, "c": np.sin(3 * t)},
        index=[f"pix{i}" for i in range(80)],
    )
    seq = Sequencer().fit(table)
    assert seq.metrics_ == ["euclidean"]
    assert not seq.normalize_
    assert seq.rank_.index.equals(table.index)
    assert abs(spearmanr(seq.rank_, t)[0]) > 0.98
    assert seq.n_features_in_ == 3


def test_auto_metrics_leave_out_kl_with_zeros():
    grid, spectra, _ = make_toy_spectra(n_objects=30, n_pixels=60)
    spectra[0, 0] = 0.0
    assert Sequencer(grid=grid, scales=[1]).fit(spectra).metrics_ == [
        "euclidean",
        "emd",
        "energy",
    ]


def test_n_best_merges_only_the_most_elongated():
    grid, spectra, _ = make_toy_spectra(n_objects=40, n_pixels=80)
    seq = Sequencer(grid=grid, n_best=2).fit(spectra)
    table = seq.elongations_
    assert table["merged"].sum() == 2
    best = set(table["elongation"].nlargest(2).index)
    assert set(table.index[table["merged"]]) == best


def test_elongation_of_an_embedding(rng):
    t = np.linspace(0, 1, 300)
    line = np.c_[t, 0.001 * rng.normal(size=300)]
    fog = rng.normal(size=(300, 2))
    assert elongation(line) > 3 * elongation(fog)
    frame = pd.DataFrame(fog, columns=["umap_x", "umap_y"]).assign(label="a")
    assert elongation(frame, columns=["umap_x", "umap_y"]) == elongation(fog)
    assert elongation(fog, max_rows=100) != elongation(fog)


@pytest.mark.parametrize(
    ("change", "options", "match"),
    [
        (lambda x: x[:3], {}, "data has 3 rows; the Sequencer needs at least 4"),
        (lambda x: np.where(np.eye(*x.shape) > 0, np.nan, x), {}, "NaN or infinite"),
        (lambda x: np.vstack([x, np.ones(x.shape[1])]), {}, r"1 constant row\(s\)"),
        (lambda x: x - 2.0, {"metrics": ["emd"]}, "'emd' reads each row as a dist"),
        (lambda x: x, {"metrics": ["l3"]}, r"metrics=\['l3'\]: use 'auto'"),
        (lambda x: x, {"scales": [40]}, "leave fewer than 2 columns per chunk"),
        (lambda x: x, {"grid": np.arange(5)}, r"grid has shape \(5,\)"),
        (lambda x: x, {"grid": -np.arange(60)}, "strictly increasing"),
        (lambda x: x, {"n_best": 0}, "n_best=0 must be an integer"),
    ],
)
def test_bad_input_is_refused(change, options, match):
    _, spectra, _ = make_toy_spectra(n_objects=20, n_pixels=60)
    with pytest.raises(ValueError, match=match):
        Sequencer(**options).fit(change(spectra))


def test_kl_refuses_zeros_and_a_zero_chunk_is_named():
    _, spectra, _ = make_toy_spectra(n_objects=20, n_pixels=60)
    spectra[3, 5] = 0.0
    with pytest.raises(ValueError, match="'kl' needs strictly positive values"):
        Sequencer(metrics=["kl"]).fit(spectra)
    spectra[3, :30] = 0.0
    with pytest.raises(ValueError, match="sums to zero in 1 row"):
        Sequencer(metrics=["emd"], scales=[2]).fit(spectra)


def test_too_many_rows_is_refused(monkeypatch):
    from astrokit.sequence import _estimator

    monkeypatch.setattr(_estimator, "MAX_ROWS", 10)
    _, spectra, _ = make_toy_spectra(n_objects=20, n_pixels=60)
    with pytest.raises(ValueError, match="accepts at most 10: sequence a random"):
        Sequencer().fit(spectra)


def test_toy_generator_checks_its_options():
    with pytest.raises(ValueError, match="width=0 must be > 0"):
        make_toy_spectra(width=0)
