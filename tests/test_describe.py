"""describe_clusters and plot_sequence on tiny tables whose answer is known."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import astrokit.features as F
import astrokit.interpret as interp


@pytest.fixture
def planted():
    """Three groups of 40, 40, 20 rows: 0 is high in a, 1 low in b, 2 neither."""
    rng = np.random.default_rng(3)
    n = [40, 40, 20]
    labels = np.repeat([0, 1, 2], n)
    a = rng.normal(0, 0.3, 100) + np.where(labels == 0, 3.0, 0.0)
    b = rng.normal(0, 0.3, 100) - np.where(labels == 1, 2.0, 0.0)
    c = rng.normal(0, 1.0, 100)
    index = pd.Index([f"row{i}" for i in range(100)], name="pixel")
    frame = pd.DataFrame({"a": a, "b": b, "c": c}, index=index)
    return frame, pd.Series(labels, index=index)


def test_sizes_and_ranked_signature(planted):
    f, labels = planted
    d = interp.describe_clusters(f, labels, top=2)
    assert d.index.name == "cluster" and d.index.tolist() == [0, 1, 2]
    assert d["size"].tolist() == [40, 40, 20]
    assert d["fraction"].tolist() == pytest.approx([0.4, 0.4, 0.2])
    assert d.loc[0, "top_1"].startswith("high a (+")
    assert d.loc[1, "top_1"].startswith("low b (-")
    assert "bpt_majority" not in d and not d["description"].str.contains("BPT").any()
    assert d.loc[0, "description"].startswith("very high a")
    assert d.attrs == {"method": "robust", "bpt": None}


def test_numbers_are_those_of_effect_sizes(planted):
    f, labels = planted
    es = interp.effect_sizes(f, labels, method="cohen")
    d = interp.describe_clusters(f, labels, method="cohen", top=3)
    for c in (0, 1, 2):
        best = es[(es.cluster == c) & (es["rank"] == 1)].iloc[0]
        level = "high" if best.effect > 0 else "low"
        assert d.loc[c, "top_1"] == f"{level} {best.feature} ({best.effect:+.1f})"


def test_min_effect_and_noise(planted):
    f, labels = planted
    labels = labels.copy()
    labels.iloc[:5] = -1
    d = interp.describe_clusters(f, labels, min_effect=50)
    assert d.index.tolist() == [-1, 0, 1, 2]
    assert d.loc[-1, "size"] == 5 and d.loc[-1, "top_1"] == ""
    assert d.loc[-1, "description"].startswith("noise")
    assert d.loc[0, "description"] == "no feature stands out (every |effect| < 50)"
    assert d["fraction"].sum() == pytest.approx(1.0)


def test_labels_select_rows(planted):
    f, labels = planted
    part = labels.iloc[::2]  # a Series picks its rows of the features
    d = interp.describe_clusters(f, part)
    assert d["size"].tolist() == [20, 20, 10]
    arr = interp.describe_clusters(f, labels.to_numpy())
    assert arr["size"].tolist() == [40, 40, 20]


def bpt_table():
    """Cluster 0: star-forming rows; cluster 1: 7 LINER and 3 Seyfert rows."""
    sf = (-0.6, -0.6, -1.5, -0.3)
    liner = (0.3, 0.1, -0.4, 0.0)
    seyfert = (0.0, 0.0, -0.5, 1.0)
    rows = [sf] * 10 + [liner] * 7 + [seyfert] * 3
    rng = np.random.default_rng(0)
    values = np.array(rows) + rng.normal(0, 0.01, (20, 4))
    names = ["log_nii_ha", "log_sii_ha", "log_oi_ha", "log_oiii_hb"]
    f = pd.DataFrame(values, columns=names)
    f.attrs["definitions"] = F.registry("bpt").to_dict(orient="index")
    return f, np.repeat([0, 1], 10)


def test_bpt_mix_and_majority():
    f, labels = bpt_table()
    d = interp.describe_clusters(f, labels)
    assert d.loc[0, "bpt_star-forming"] == 1.0 and d.loc[0, "bpt_majority"] == (
        "star-forming"
    )
    assert d.loc[1, "bpt_LINER"] == pytest.approx(0.7)
    assert d.loc[1, "bpt_Seyfert"] == pytest.approx(0.3)
    assert d.loc[1, "bpt_majority"] == "LINER"
    assert [c for c in d if c.startswith("bpt_")][:-1] == [
        f"bpt_{c}" for c in F.BPT_CLASSES
    ]
    assert d.loc[1, "description"].startswith("BPT LINER (70%); very high ")
    # physical names (display_label, plain text) and the meaning of the first
    assert (
        "log [OI]6300/Hα" in d.loc[1, "description"]
        or "log [NII]6583/Hα" in (d.loc[1, "description"])
    )
    assert "$" not in d.loc[1, "description"] and "_" not in d.loc[1, "description"]
    assert "(" in d.loc[1, "description"].split("; ")[1]
    assert d.attrs["bpt"] == "kewley06"


def test_top_columns_use_display_labels():
    f, labels = bpt_table()
    f = f.assign(log_ha_co=np.r_[np.zeros(10), np.ones(10)] + np.arange(20) * 0.01)
    d = interp.describe_clusters(f, labels, top=5)
    tops = d.loc[1, [f"top_{k}" for k in range(1, 6)]].tolist()
    # the physical name with its units in plain text, never the column name
    assert any(
        t.startswith("high log Hα/CO [1e-20 erg s⁻¹ cm⁻² / (K km s⁻¹)] (+")
        for t in tops
    )
    assert any(t.startswith("high log [OIII]5007/Hβ (+") for t in tops)
    assert not any("log_" in t or "$" in t for t in d[["top_1", "top_2"]].stack())


def test_name_for_legends():
    f, labels = bpt_table()
    d = interp.describe_clusters(f, labels)
    best = interp.effect_sizes(f, labels).query("cluster == 1 and rank == 1").iloc[0]
    level = ("very " if abs(best.effect) >= 2 else "") + (
        "high" if best.effect > 0 else "low"
    )
    expected = f"LINER, {level} {F.display_label(best.feature, units=False, tex=False)}"
    assert d.loc[1, "name"] == expected
    assert d.loc[0, "name"].startswith("star-forming, ")
    assert d.columns[:3].tolist() == ["size", "fraction", "name"]
    # noise, and clusters where no feature stands out
    noisy = np.r_[[-1] * 2, labels[2:]]
    quiet = interp.describe_clusters(f, noisy, min_effect=100)
    assert quiet.loc[-1, "name"] == "noise"
    assert quiet.loc[0, "name"] == "star-forming" and quiet.loc[1, "name"] == "LINER"
    plain = interp.describe_clusters(f, labels, bpt=None, min_effect=100)
    assert plain["name"].eq("no feature stands out").all()


def test_compact_form(planted):
    f, labels = planted
    full = interp.describe_clusters(f, labels)
    compact = interp.describe_clusters(f, labels, compact=True)
    assert compact.columns.tolist() == ["size", "fraction", "name", "description"]
    assert compact.equals(full[compact.columns])
    assert compact.attrs == full.attrs


def test_bpt_options():
    f, labels = bpt_table()
    assert "bpt_majority" not in interp.describe_clusters(f, labels, bpt=None)
    nii = interp.describe_clusters(f, labels, bpt="nii")
    assert nii.attrs["bpt"] == "nii" and nii.loc[1, "bpt_LINER"] == pytest.approx(0.7)
    # without [OIII]/Hbeta "auto" adds nothing, a named scheme says what is missing
    g = f.drop(columns="log_oiii_hb")
    assert "bpt_majority" not in interp.describe_clusters(g, labels)
    with pytest.raises(ValueError, match=r"which='oi' needs: log_oiii_hb"):
        interp.describe_clusters(g, labels, bpt="oi")


def test_errors(planted):
    f, labels = planted
    with pytest.raises(ValueError, match=r"bpt='bpt' must be 'auto', None or a BPT"):
        interp.describe_clusters(f, labels, bpt="bpt")
    with pytest.raises(ValueError, match=r"top=0 must be an integer of at least 1"):
        interp.describe_clusters(f, labels, top=0)
    with pytest.raises(ValueError, match=r"min_effect=-1 must be a number >= 0"):
        interp.describe_clusters(f, labels, min_effect=-1)
    with pytest.raises(ValueError, match=r"labels hold 1 cluster\(s\)"):
        interp.describe_clusters(f, np.zeros(len(f), int))


def test_plot_sequence_ranks_the_groups():
    rng = np.random.default_rng(5)
    labels = np.repeat([0, 1, 2, 3], 30)
    step = labels.astype(float)
    f = pd.DataFrame({
        "log_f1130w_f770w": step * 0.2 + rng.normal(0, 0.02, 120),
        "log_sii_ha": step * 0.3 + rng.normal(0, 0.05, 120),  # rises with PAH
        "log_oiii_hb": -step * 0.1 + rng.normal(0, 0.01, 120),  # falls
    })  # fmt: skip
    axs = interp.plot_sequence(f, labels)
    assert len(axs) == 2  # the ionisation ratios present, in IONISATION order
    assert axs[0].rank_correlation == pytest.approx(1.0)
    assert axs[1].rank_correlation == pytest.approx(-1.0)
    assert axs[0].get_ylabel() == F.display_label("log_sii_ha")  # physical label
    assert axs[0].get_xlabel() == F.display_label("log_f1130w_f770w")
    assert axs[0].get_title() == "rank correlation across groups +1.00"
    path = axs[0].lines[0]  # the grey line joins the groups in order of x
    assert np.all(np.diff(path.get_xdata()) > 0)
    assert [t.get_text() for t in axs[0].texts] == ["0", "1", "2", "3"]
    noisy = labels.copy()
    noisy[:30] = -1  # noise is not a group of the sequence
    assert len(interp.plot_sequence(f, noisy, y=["log_sii_ha"])[0].texts) == 3
    plt.close("all")


def test_plot_sequence_errors():
    f = pd.DataFrame({"log_f1130w_f770w": [0.1, 0.2, 0.3, 0.4], "z": [1.0, 2, 3, 4]})
    with pytest.raises(ValueError, match=r"features has none of the default y"):
        interp.plot_sequence(f, [0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"labels hold 1 cluster\(s\); a sequence"):
        interp.plot_sequence(f, [0, 0, 0, 0], y=["z"])
    with pytest.raises(KeyError, match=r"unknown feature names \['w'\]"):
        interp.plot_sequence(f, [0, 0, 1, 1], y=["w"])
    plt.close("all")
