"""The ``astrokit`` command: ``demo`` writes its report, errors are one clear line."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from astrokit import cli

HEADINGS = [
    "1. Coverage",
    "4. Features",
    "5. Distance and UMAP",
    "6. Clusters",
    "7. Outliers",
    "8. Run time",
]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(printed):
        mp.setenv("ASTROKIT_CACHE", str(out / "cache"))
        status = cli.main(["demo", "--tier", "tiny", "--out", str(out / "report")])
    return status, out / "report" / "report.html", printed.getvalue()


@pytest.mark.slow
def test_demo_writes_a_self_contained_report(demo_run):
    status, report, _ = demo_run
    assert status == 0
    page = report.read_text(encoding="utf-8")
    for heading in HEADINGS:
        assert f"<h2>{heading}" in page
    assert page.count("data:image/png;base64,") >= 20
    assert "Bokeh" in page
    assert not re.search(r'<script[^>]+src="https?://', page)
    # the groups are named, and their table is the compact one that fits
    assert "<th>name</th>" in page and "bpt majority" not in page
    assert re.search(r'"0: (star-forming|composite|LINER|Seyfert|ambiguous)', page)


def test_cluster_view_names_the_groups_beside_the_plot():
    import holoviews as hv
    import numpy as np
    import pandas as pd

    from astrokit._demo.report import _cluster_view, cluster_names

    rng = np.random.default_rng(0)
    labels = pd.Series(np.repeat([-1, 0, 1], [20, 100, 80]), name="cluster")
    embedding = pd.DataFrame(
        rng.normal(size=(200, 2)) + np.c_[3 * labels, labels],
        columns=["umap_x", "umap_y"],
    )
    description = pd.DataFrame(
        {"name": ["noise", "LINER, high log [SII]6716+31/Hα", "star-forming"]},
        index=pd.Index([-1, 0, 1], name="cluster"),
    )
    assert cluster_names(description)[0] == "0: LINER, high log [SII]6716+31/Hα"
    res = {"labels": labels, "embedding": embedding, "description": description}
    model = hv.render(_cluster_view(res), backend="bokeh")
    (legend,) = model.legend
    items = [item.label.value for item in legend.items]
    assert items == [
        "0: LINER, high log [SII]6716+31/Hα",
        "1: star-forming",
        "-1: noise",
    ]
    assert legend in model.right  # beside the plot, not over the points
    noise = legend.items[-1].renderers[0].glyph
    assert noise.fill_color == "#b0b0b0"  # grey, as in every cluster plot


@pytest.mark.slow
def test_demo_prints_agreement_with_the_truth(demo_run):
    _, _, printed = demo_run
    found = re.search(r"groups found by discover: (\d+) \((\d+) planted", printed)
    assert found, printed
    assert int(found.group(1)) >= 1 and int(found.group(2)) == 6
    ari = re.search(r"environments\); ARI ([0-9.]+)", printed)
    assert ari and 0.0 < float(ari.group(1)) <= 1.0, printed
    precision = re.search(r"precision at (\d+) planted anomalies: (.*)", printed)
    assert precision, printed
    values = [float(v.split()[-1]) for v in precision.group(2).split(",")]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert "report:" in printed


@pytest.mark.slow
def test_demo_on_a_large_table_fits_on_a_sample(tmp_path, monkeypatch):
    """Above discover's LARGE_ROWS (lowered here) the report says what was sampled."""
    from astrokit._discover import _large

    monkeypatch.setattr(_large, "LARGE_ROWS", 600)
    monkeypatch.setattr(_large, "SAMPLE_ROWS", 500)
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "cache"))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = cli.main(["demo", "--tier", "tiny", "--out", str(tmp_path / "r")])
    assert status == 0
    found = re.search(r"models fitted on 500 of ([\d,]+) rows", printed.getvalue())
    assert found and int(found.group(1).replace(",", "")) > 600, printed.getvalue()
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "<th>sample size</th>" in page  # the stability table's column
    assert "every other row takes the majority label" in page
    assert "as trustworthy as UMAP.transform" in page  # the embedding's reason


def test_demo_into_a_file_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "cache"))
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    status = cli.main(["demo", "--tier", "tiny", "--out", str(blocker)])
    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith("astrokit demo: error:")
    assert "taken" in err


def test_unknown_tier_is_rejected(capsys):
    with pytest.raises(SystemExit):
        cli.main(["demo", "--tier", "huge"])
    assert "invalid choice: 'huge'" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--random-state", "--seed"])
def test_random_state_option_and_its_old_name(flag):
    args = cli._parser().parse_args(["prepare", "--tier", "tiny", flag, "3"])
    assert args.random_state == 3


@pytest.fixture
def no_pipeline(monkeypatch, tmp_path):
    """Fail the test if the pipeline starts; record that it did."""
    from astrokit._demo import report

    started = []

    def pipeline(table, out):
        started.append(out)
        raise AssertionError("the pipeline ran")

    monkeypatch.setattr(report, "build_demo_report", pipeline)
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "cache"))
    return started


def test_unwritable_out_fails_before_any_work(tmp_path, capsys, no_pipeline):
    (tmp_path / "afile").write_text("")
    out = tmp_path / "afile" / "report"
    status = cli.main(["demo", "--tier", "tiny", "--out", str(out)])
    assert status == 1 and not no_pipeline
    err = capsys.readouterr().err
    assert re.match(r"astrokit demo: error: --out .*afile/report cannot be writ", err)
    assert "give a folder you can write to" in err
    assert not (tmp_path / "cache").exists()  # not even the data was loaded


def test_read_only_out_fails_before_any_work(tmp_path, capsys, no_pipeline):
    import os
    import stat

    if os.geteuid() == 0:
        pytest.skip("running as root: a read-only folder is writable anyway")
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        status = cli.main(["demo", "--tier", "tiny", "--out", str(out)])
    finally:
        out.chmod(stat.S_IRWXU)
    assert status == 1 and not no_pipeline
    assert "Permission denied" in capsys.readouterr().err


def test_the_writability_probe_leaves_nothing(tmp_path):
    out = tmp_path / "new" / "report"
    assert cli._writable_folder(out) is True
    assert out.is_dir() and not list(out.iterdir())
    assert cli._writable_folder(out) is False  # it exists now


@pytest.mark.parametrize("existing", [False, True])
def test_ctrl_c_is_one_line_status_130_and_no_report(
    tmp_path, capsys, monkeypatch, existing
):
    from astrokit._demo import report

    def interrupted(table, out, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "build_demo_report", interrupted)
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "report"
    if existing:
        out.mkdir()
    status = cli.main(["demo", "--tier", "tiny", "--out", str(out)])
    assert status == 130
    err = capsys.readouterr().err
    assert err == "astrokit demo: interrupted.\n"
    assert "Traceback" not in err
    # a folder made for the report is removed again; one that was there stays
    assert out.is_dir() == existing
    assert not existing or not list(out.iterdir())


def test_prepare_with_an_unwritable_cache_is_an_error(tmp_path, capsys, monkeypatch):
    (tmp_path / "afile").write_text("")
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "afile" / "cache"))
    status = cli.main(["prepare", "--tier", "tiny"])
    assert status == 1
    err = capsys.readouterr().err
    assert re.match(r"astrokit prepare: error: the demo table was computed", err)
    assert "ASTROKIT_CACHE=" in err and "is a file, not a folder" in err


def test_demo_with_an_unwritable_cache_still_runs(tmp_path, capsys, monkeypatch):
    from astrokit._demo import report

    ran = []
    monkeypatch.setattr(report, "build_demo_report", lambda t, out, **o: ran.append(t))
    monkeypatch.setattr(report, "format_summary", lambda summary: "summary")
    (tmp_path / "afile").write_text("")
    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "afile" / "cache"))
    status = cli.main(["demo", "--tier", "tiny", "--out", str(tmp_path / "out")])
    assert status == 0 and len(ran[0]) == 4781
    err = capsys.readouterr().err.splitlines()
    (line,) = [e for e in err if "CacheWarning" in e]  # one line, no source
    assert line.startswith("astrokit demo: CacheWarning: the demo table was comp")
    assert "ASTROKIT_CACHE=" in line and "Traceback" not in "".join(err)


@pytest.fixture
def star_file(tmp_path):
    """A 3-column star table of two groups, with an identifier, as CSV."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    values = np.vstack([rng.normal(0, 1, (240, 3)), rng.normal(5, 0.4, (80, 3))])
    table = pd.DataFrame(values, columns=["pmra", "pmdec", "parallax"])
    table.insert(0, "source_id", rng.permutation(10**6)[:320] + 10**12)
    path = tmp_path / "stars.csv"
    table.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_discover_on_a_table_writes_its_tables_and_report(star_file, tmp_path, capsys):
    import pandas as pd

    out = tmp_path / "found"
    status = cli.main(
        ["discover", str(star_file), "--index", "source_id", "--out", str(out)]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "Discovery: 320 rows x 3 features, 2 groups" in printed
    rows = pd.read_csv(out / "rows.csv", index_col="source_id")
    source = pd.read_csv(star_file, index_col="source_id")
    assert rows.index.equals(source.index)  # the rows keep their names
    assert set(rows.columns) >= {"umap_x", "umap_y", "cluster", "outlier_rank"}
    assert rows["cluster"].nunique() == 2
    choices = pd.read_csv(out / "choices.csv")
    assert choices["step"].iloc[0] == "features"
    page = (out / "report.html").read_text(encoding="utf-8")
    for heading in ["What was done", "Groups", "Outliers"]:
        assert f"<h2>{heading}" in page
    assert page.count("data:image/png;base64,") == 2


@pytest.mark.slow
def test_discover_leaves_an_identifier_out_of_the_features(star_file, tmp_path, capsys):
    status = cli.main(["discover", str(star_file), "--out", str(tmp_path / "o")])
    assert status == 0
    assert "3 features" in capsys.readouterr().out  # not source_id


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--index", "nope"], "--index 'nope' is not a column of"),
        (["--columns", "pmra,zzz"], "unknown feature name(s) ['zzz']; the table has"),
    ],
)
def test_discover_with_a_wrong_column_is_one_clear_line(
    star_file, tmp_path, capsys, extra, message
):
    out = tmp_path / "new"
    status = cli.main(["discover", str(star_file), "--out", str(out), *extra])
    assert status == 1
    assert not out.exists()  # the folder it made is removed again
    err = capsys.readouterr().err.strip()
    assert err.startswith("astrokit discover: error: ") and message in err
    assert len(err.splitlines()) == 1


def test_discover_of_a_missing_file_is_one_clear_line(tmp_path, capsys):
    status = cli.main(["discover", str(tmp_path / "none.csv"), "--out", str(tmp_path)])
    assert status == 1
    assert "does not exist" in capsys.readouterr().err
