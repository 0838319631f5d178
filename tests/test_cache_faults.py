"""Cache faults: keys by content, and a cache that cannot be written loses nothing.

- UMAP keywords that are arrays are hashed by their values (a ``repr``
  abbreviates arrays over 1,000 elements, so two ``init`` arrays once shared
  a key and the second call got the first embedding);
- a keyword that cannot be hashed reliably skips the cache, with a log line;
- an ``ASTROKIT_CACHE`` that cannot be written (a file in the way, a
  read-only folder) is a ``CacheWarning`` naming it, and the computed result
  is returned.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat

import numpy as np
import pandas as pd
import pytest

import astrokit as ak
from astrokit._shared.cache import CacheError, CacheWarning, cache_dir, cache_write
from astrokit.embedding import _cache, _umap

NOT_CACHED = r"not cached: the cache folder ASTROKIT_CACHE=.*Point ASTROKIT_CACHE at"


@pytest.fixture(scope="module")
def features(tmp_path_factory):
    """The tiny tier's feature matrix (546 rows, 11 features)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASTROKIT_CACHE", str(tmp_path_factory.mktemp("cache")))
        derived = ak.features.derive(ak.data.load_demo("tiny"))
    return derived[derived.attrs["features"]]


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def fits(monkeypatch):
    """Count the UMAP fits (the real fit still runs)."""
    calls = []
    real = _umap.fit_embedding

    def counted(prepared, **options):
        calls.append(options)
        return real(prepared, **options)

    monkeypatch.setattr(_umap, "fit_embedding", counted)
    return calls


@pytest.fixture
def fake_fit(monkeypatch):
    """A fast stand-in for the UMAP fit, counting its calls."""
    calls = []

    def fake(prepared, **options):
        calls.append(options)
        return prepared.features[:, :2].astype(np.float32)

    monkeypatch.setattr(_umap, "fit_embedding", fake)
    return calls


@pytest.fixture
def blocked(tmp_path, monkeypatch):
    """ASTROKIT_CACHE below a file: unwritable even for root."""
    (tmp_path / "afile").write_text("in the way")
    path = tmp_path / "afile" / "sub"
    monkeypatch.setenv("ASTROKIT_CACHE", str(path))
    return path


@pytest.fixture
def read_only(tmp_path, monkeypatch):
    """ASTROKIT_CACHE a read-only folder (root ignores permissions: skipped)."""
    if os.geteuid() == 0:
        pytest.skip("running as root: a read-only folder is writable anyway")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    monkeypatch.setenv("ASTROKIT_CACHE", str(folder))
    yield folder
    folder.chmod(stat.S_IRWXU)


# ------------------------------------------------------------- keys by content
def test_init_arrays_that_differ_in_one_value_do_not_share_an_entry(
    features, cache_folder, fits, caplog
):
    rng = np.random.default_rng(0)
    A = rng.normal(size=(546, 2))
    B = A.copy()
    B[273, 0] += 5
    assert repr(A) == repr(B)  # what the old key saw
    options = dict(n_neighbors=10, n_epochs=20)
    with caplog.at_level(logging.INFO, logger="astrokit.embedding"):
        first = ak.embedding.embed(features, init=A, **options)
        second = ak.embedding.embed(features, init=B, **options)
    assert "read from cache" not in caplog.text
    assert len(fits) == 2
    assert not np.allclose(first.to_numpy(), second.to_numpy())
    assert len(list((cache_folder / "embeddings").glob("*.npz"))) == 2
    with caplog.at_level(logging.INFO, logger="astrokit.embedding"):
        again = ak.embedding.embed(features, init=A.copy(), **options)
    assert "read from cache" in caplog.text and len(fits) == 2
    pd.testing.assert_frame_equal(again, first)


def test_array_keywords_are_hashed_by_dtype_shape_and_values():
    x = [np.zeros((3, 2))]
    a = np.arange(2000.0)
    keys = {
        _cache.cache_key(x, {"init": a}),
        _cache.cache_key(x, {"init": a.astype(np.float32)}),
        _cache.cache_key(x, {"init": a.reshape(1000, 2)}),
        _cache.cache_key(x, {"init": np.where(a == 999, -1.0, a)}),
    }
    assert len(keys) == 4 and None not in keys
    assert _cache.cache_key(x, {"init": a}) == _cache.cache_key(x, {"init": a.copy()})
    assert _cache.cache_key(x, {"s": np.int64(3)}) == _cache.cache_key(x, {"s": 3})


def test_keys_of_primitive_parameters_did_not_change():
    """Entries cached before content hashing are still found."""
    arrays = [np.arange(6.0).reshape(3, 2)]
    params = dict(n_neighbors=11, min_dist=0.1, metric="euclidean", fit_sample=None)
    params["umap_kwargs"] = {"spread": 1.5, "densmap": False, "list": [1, 2]}
    old = hashlib.sha256()  # the key as it was computed before
    for array in arrays:
        old.update(f"{array.dtype.str}{array.shape}".encode())
        old.update(memoryview(array).cast("B"))
    meta = {"params": params, "umap": _cache._umap_version(), "format": _cache.FORMAT}
    old.update(json.dumps(meta, sort_keys=True, default=repr).encode())
    assert _cache.cache_key(arrays, params) == old.hexdigest()


@pytest.mark.parametrize(
    "value",
    [
        {"file": lambda x: x},
        {"file": object()},
        {"file": np.array([None, 1], dtype=object)},
        {1: 0, "a": 1},  # keys json cannot sort
    ],
)
def test_a_keyword_without_a_content_hash_skips_the_cache(
    features, cache_folder, fake_fit, caplog, value
):
    with caplog.at_level(logging.WARNING, logger="astrokit.embedding"):
        ak.embedding.embed(features, n_neighbors=10, tqdm_kwds=value)
        ak.embedding.embed(features, n_neighbors=10, tqdm_kwds=value)
    assert "embedding cache skipped for this call" in caplog.text
    assert "cache=False to silence this" in caplog.text
    assert len(fake_fit) == 2
    assert not list(cache_folder.glob("embeddings/*.npz"))


# ------------------------------------------------- a cache that cannot be written
def test_embedding_is_returned_when_the_cache_is_below_a_file(
    features, blocked, fake_fit
):
    with pytest.warns(CacheWarning, match=r"the embedding was computed but not cached"):
        emb = ak.embedding.embed(features, n_neighbors=10)
    assert emb.shape == (546, 2) and emb.index.equals(features.index)
    assert len(fake_fit) == 1


def test_the_warning_names_the_file_in_the_way(blocked):
    with pytest.warns(CacheWarning, match=NOT_CACHED) as record:
        assert cache_write("x/y.txt", lambda p: p.write_text("1"), what="it") is None
    assert "afile' is a file, not a folder" in str(record[0].message)


def test_load_demo_returns_the_table_when_the_cache_is_a_file(tmp_path, monkeypatch):
    (tmp_path / "cachefile").write_text("")
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "cachefile"))
    with pytest.warns(CacheWarning, match=r"the demo table was computed but not"):
        table = ak.data.load_demo("tiny")
    pd.testing.assert_frame_equal(table, ak.data.make_galaxies("tiny"))


def test_embedding_is_returned_from_a_read_only_cache(features, read_only, fake_fit):
    with pytest.warns(CacheWarning, match=NOT_CACHED + ".*computed again next time"):
        emb = ak.embedding.embed(features, n_neighbors=10)
    assert emb.shape == (546, 2)
    assert not list(read_only.iterdir())


def test_load_demo_from_a_read_only_cache(read_only):
    with pytest.warns(CacheWarning, match=NOT_CACHED):
        assert len(ak.data.load_demo("tiny")) == 4781


def test_cache_dir_that_cannot_be_created_is_a_kit_error(blocked):
    with pytest.raises(CacheError, match=r"ASTROKIT_CACHE=.*cannot be created"):
        cache_dir()
    assert cache_dir(create=False) == blocked  # readers just find nothing there


def test_a_cache_folder_without_write_permission_warns(
    features, cache_folder, fake_fit, monkeypatch
):
    """The read-only case as root sees it: creating the file is refused."""
    import tempfile

    def denied(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", f"{dir}/.x.npz.1234.tmp")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.warns(CacheWarning, match=NOT_CACHED) as record:
        emb = ak.embedding.embed(features, n_neighbors=10)
    message = str(record[0].message)
    assert "embeddings/" in message and ".npz' (Permission denied)" in message
    assert ".tmp" not in message
    assert emb.shape == (546, 2) and len(fake_fit) == 1
