"""astrokit.stars: cones, quality cuts, the cluster and its members."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from astrokit import stars

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def cone():
    return stars.make_cone(n_field=1500, n_members=250, random_state=3)


@pytest.fixture(scope="module")
def found(cone):
    return stars.find_cluster(stars.quality_cuts(cone))


def test_quality_cuts_count_every_cut(cone):
    kept = stars.quality_cuts(cone, min_parallax_over_error=5)
    cuts = kept.attrs["cuts"]
    assert list(cuts.index) == [
        "5-parameter astrometry",
        "RUWE",
        "parallax_over_error",
        "G limit",
    ]
    assert cuts["applied"].all()
    assert cuts["remaining"].iloc[-1] == len(kept)
    assert cuts["removed"].sum() == len(cone) - len(kept)
    assert (kept["ruwe"] < 1.4).all() and (kept["phot_g_mean_mag"] < 18).all()
    assert (kept["parallax"] / kept["parallax_error"] >= 5).all()


def test_cuts_not_applied_without_their_columns(cone):
    kept = stars.quality_cuts(cone.drop(columns=["ruwe", "parallax_error"]),
                              min_parallax_over_error=5)  # fmt: skip
    cuts = kept.attrs["cuts"]
    assert not cuts.loc["RUWE", "applied"] and cuts.loc["RUWE", "removed"] == 0
    assert "no parallax_over_error" in cuts.loc["parallax_over_error", "rule"]


def test_cluster_found_without_being_told_where(cone, found):
    kept = stars.quality_cuts(cone)
    truth = kept.loc[found.probability.index, "truth_member"].to_numpy()
    member = found.is_member
    recall = (member & truth).sum() / truth.sum()
    purity = (member & truth).sum() / member.sum()
    assert recall > 0.95 and purity > 0.95
    s = found.summary.iloc[0]
    assert abs(s.pmra - -4.0) < 0.1 and abs(s.pmdec - 6.0) < 0.1
    assert abs(s.parallax - 0.8) < 3 * s.parallax_err + 0.01
    assert s.distance_pc == pytest.approx(1000 / (s.parallax + 0.017))
    assert s.distance_lo_pc < s.distance_pc < s.distance_hi_pc


def test_probabilities_and_members_table(found):
    p = found.probability
    assert ((p >= 0) & (p <= 1)).all()
    m = found.members
    assert list(m.columns[:2]) == ["source_id", "probability"]
    assert (m["probability"] >= 0.5).all()
    assert m["probability"].is_monotonic_decreasing
    assert set(found.choices["step"]) >= {"group", "choose", "membership", "distance"}
    assert found.groups["concentration"].is_monotonic_decreasing


@pytest.mark.parametrize("method", ["dbscan", "gmm"])
def test_other_methods_find_the_same_cluster(cone, found, method):
    other = stars.find_cluster(stars.quality_cuts(cone), method=method, max_rows=800)
    shared = len(other.members.index.intersection(found.members.index))
    assert shared / len(found.members) > 0.95


def test_field_only_cone_gives_a_weak_group(rng):
    """No cluster planted: whatever is chosen holds few members, and says so."""
    field = stars.make_cone(n_field=1500, n_members=1, random_state=5)
    found = stars.find_cluster(stars.quality_cuts(field))
    assert len(found.members) < 0.2 * len(found.probability)


def test_position_adds_sky_offsets(cone):
    found = stars.find_cluster(stars.quality_cuts(cone), position=True)
    assert list(found.scaled.columns) == ["pmra", "pmdec", "parallax", "x_deg", "y_deg"]


def test_cone_without_parallaxes_is_refused(cone):
    with pytest.raises(ValueError, match=r"no column\(s\) \['parallax'\]"):
        stars.find_cluster(cone.drop(columns="parallax"))
    with pytest.raises(ValueError, match=r"cone\['parallax'\] has no finite value"):
        stars.check_cone(cone.assign(parallax=np.nan))
    with pytest.raises(ValueError, match=r"stars\['parallax'\] has no finite value"):
        stars.quality_cuts(cone.assign(parallax=np.nan))


def test_too_few_stars_is_refused(cone):
    with pytest.raises(ValueError, match=r"only 30 stars have finite .* at least 50"):
        stars.find_cluster(cone.dropna(subset=["parallax"]).head(30))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "kmeans"}, r"method='kmeans' is not one of"),
        ({"threshold": 1.5}, r"threshold=1.5 must be a probability"),
        ({"n_field": 0}, r"n_field=0 must be an integer of at least 1"),
    ],
)
def test_bad_options_are_named(cone, kwargs, match):
    with pytest.raises(ValueError, match=match):
        stars.find_cluster(cone, **kwargs)


def test_bad_limits_and_sources(cone, tmp_path):
    with pytest.raises(ValueError, match=r"g_max='18' must be a finite number"):
        stars.quality_cuts(cone, g_max="18")
    with pytest.raises(ValueError, match=r"source='no_such_cone' is neither a file"):
        stars.read_cone("no_such_cone")
    with pytest.raises(ValueError, match=r"radius=20 must be a number of degrees"):
        stars.adql_cone(10.0, 10.0, 20, table="gaiadr3.gaia_source")


def test_read_cone_from_file_and_query_cache(cone, tmp_path, monkeypatch):
    path = tmp_path / "cone.csv"
    cone.to_csv(path, index=False)
    assert len(stars.read_cone(path)) == len(cone)
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "cache"))
    query = stars.adql_cone(120.0, -20.0, 0.5, table="gaiadr3.gaia_source")
    from astrokit.stars._cone import _cache_path

    cached = _cache_path(query)
    cached.parent.mkdir(parents=True)
    cone.head(10).to_csv(cached, index=False)  # as if asked before: no network
    got = stars.query_cone(120.0, -20.0, 0.5)
    assert len(got) == 10 and got.attrs["query"] == query


def test_plots_draw_members_and_fit(cone, found):
    kept = stars.quality_cuts(cone)
    ax = stars.plot_cmd(kept, found)
    assert ax.yaxis_inverted() and len(ax.collections) == 2
    ax = stars.plot_parallax(kept, found)
    assert "Gaussian" in ax.get_lines()[0].get_label()
    assert stars.plot_sky(kept).xaxis_inverted()
    ax = stars.plot_proper_motions(kept, found, zoom=2.0)
    assert ax.get_xlim()[1] - ax.get_xlim()[0] == pytest.approx(4.0)


@pytest.mark.realdata
def test_m67_members_match_the_literature_box(shared_data):
    """Cantat-Gaudin et al. (2018) M67 box; graded only after the call."""
    cone = stars.read_cone(shared_data / "gaia" / "m67_gaia_edr3_cone.csv")
    kept = stars.quality_cuts(cone)
    found = stars.find_cluster(kept)
    used = kept.loc[found.probability.index]
    pm = np.hypot(used.pmra + 10.986, used.pmdec + 2.964)
    box = ((pm < 0.8) & ((used.parallax - 1.135).abs() < 0.25)).to_numpy()
    member = found.is_member
    assert (member & box).sum() / box.sum() >= 0.95
    assert (member & box).sum() / member.sum() >= 0.93
    assert 800 < found.summary["distance_pc"].iloc[0] < 920
