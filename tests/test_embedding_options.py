"""Tests for the options embed passes to umap-learn: kit errors, before any work."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from astrokit import embedding as ke
from astrokit.embedding import _options


@pytest.fixture
def X(rng):
    return rng.normal(size=(40, 3))


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        (
            {"metric": "eucledian"},
            ValueError,
            r"metric='eucledian' is not a UMAP metric. Did you mean 'euclidean'\?",
        ),
        (
            {"metric": "precomputed"},
            ValueError,
            r"metric='precomputed' is not for feature rows: pass the kNN graph",
        ),
        ({"n_epochs": -5}, ValueError, r"n_epochs=-5 must be an integer >= 0 or None"),
        ({"n_epochs": 2.5}, TypeError, r"n_epochs=2.5 must be an integer >= 0"),
        ({"n_epochs": True}, TypeError, r"n_epochs=True must be an integer >= 0"),
        ({"min_dist": "a"}, TypeError, r"min_dist='a' must be between 0 and spread"),
        ({"min_dist": np.nan}, ValueError, r"min_dist=nan must be between 0 and"),
        (
            {"min_dist": 1.5},
            ValueError,
            r"min_dist=1.5 must be between 0 and spread=1.0",
        ),
        ({"spread": 0}, ValueError, r"spread=0 must be a finite number > 0\."),
        ({"spread": "x"}, TypeError, r"spread='x' must be a finite number > 0\."),
        (
            {"learning_rate": -1},
            ValueError,
            r"learning_rate=-1 must be a finite number > 0",
        ),
        ({"learning_rate": np.inf}, ValueError, r"learning_rate=inf must be a finite"),
        (
            {"repulsion_strength": -1},
            ValueError,
            r"repulsion_strength=-1 must be a finite number >= 0",
        ),
        (
            {"negative_sample_rate": 0},
            ValueError,
            r"negative_sample_rate=0 must be a finite number > 0",
        ),
        (
            {"set_op_mix_ratio": 2},
            ValueError,
            r"set_op_mix_ratio=2 must be a finite number >= 0 and <= 1",
        ),
        ({"a": -1.0}, ValueError, r"a=-1.0 must be a finite number > 0"),
        ({"n_components": 3}, ValueError, r"n_components=3: embed returns two columns"),
        ({"output_dens": True}, ValueError, r"output_dens=True returns densities"),
        (
            {"init": "foo"},
            ValueError,
            r"init='foo' is not a UMAP initialisation; use one of",
        ),
        (
            {"init": [[0, 1]]},
            TypeError,
            r"init must be one of .* or a NumPy array .*got list",
        ),
        (
            {"init": np.zeros((5, 2))},
            ValueError,
            r"init has shape \(5, 2\); it needs one \(x, y\) per fitted row: \(40, 2",
        ),
        ({"init": np.zeros((40, 2))}, ValueError, r"init has a constant column"),
        (
            {"init": np.full((40, 2), np.nan)},
            ValueError,
            r"init has 80 NaN or infinite values",
        ),
        (
            {"n_neighbours": 5},
            TypeError,
            r"got n_neighbours=5, .* umap.UMAP. Did you mean 'n_neighbors'",
        ),
        ({"max_row": 5}, TypeError, r"Did you mean 'max_rows'\?"),
        (
            {"precomputed_knn": (None, None, None)},
            TypeError,
            r"precomputed_knn= is set by embed itself",
        ),
        (
            {"random_state": -1},
            ValueError,
            r"random_state=-1 must be between 0 and 2\*\*32 - 1",
        ),
        (
            {"random_state": 2**40},
            ValueError,
            r"random_state=1099511627776 must be between",
        ),
    ],
)
def test_bad_umap_options_are_kit_errors(X, options, error, match):
    with pytest.raises(error, match=match):
        ke.embed(X, n_neighbors=5, cache=False, **options)


def test_init_of_the_full_table_with_max_rows_says_why(rng):
    X = rng.normal(size=(60, 3))
    init = rng.normal(size=(60, 2))
    msg = r"\(30, 2\) \(max_rows: UMAP is fitted on 30 of 60\)"
    with pytest.raises(ValueError, match=msg):
        ke.embed(X, n_neighbors=5, max_rows=30, cache=False, init=init)


def test_good_options_still_embed(X, rng):
    emb = ke.embed(
        X,
        n_neighbors=5,
        cache=False,
        n_epochs=np.int64(20),  # numpy integers are fine (umap refuses them)
        init=rng.normal(size=(40, 2)),
        spread=2.0,
        min_dist=1.5,
        learning_rate=0.5,
    )
    assert emb.shape == (40, 2) and np.isfinite(emb.to_numpy()).all()


def test_the_lists_match_the_installed_umap():
    umap = pytest.importorskip("umap")
    distances = pytest.importorskip("umap.distances")

    assert set(_options.UMAP_METRICS) == set(distances.named_distances)
    params = list(inspect.signature(umap.UMAP.__init__).parameters)[1:]
    assert set(_options.UMAP_PARAMETERS) == set(params)
