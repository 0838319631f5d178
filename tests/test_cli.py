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
    "5. Forest distance and UMAP",
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


@pytest.mark.slow
def test_demo_prints_agreement_with_the_truth(demo_run):
    _, _, printed = demo_run
    ari = re.search(r"ARI ([0-9.]+) \(GMM, (\d+) clusters\)", printed)
    assert ari, printed
    assert 0.0 < float(ari.group(1)) <= 1.0
    assert int(ari.group(2)) == 6
    precision = re.search(r"precision at (\d+) planted anomalies: (.*)", printed)
    assert precision, printed
    values = [float(v.split()[-1]) for v in precision.group(2).split(",")]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert "report:" in printed


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
