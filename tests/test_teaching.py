"""What a lecturer relies on: the guide, the lesson headers, the offline
install and Binder.

- every lesson's first cell carries the header of ``docs/lesson_headers.py``
  (teaching and exercise minutes, last verified date and version), with the
  minutes of the teacher's guide's table, and the guide has a section for
  every lesson and totals that add up;
- ``make wheelhouse`` and ``make install-offline`` run the pip commands
  documented in ``docs/offline.md`` (read from ``make -n``, since building a
  wheelhouse needs the network), and astrokit's own wheel, built here with
  ``--no-deps --no-build-isolation``, installs with ``--no-index`` into an
  empty folder and imports from there with its package data;
- ``binder/`` installs the kit, and the README's badge points at it.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GUIDE = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")


def _headers_module():
    spec = importlib.util.spec_from_file_location(
        "lesson_headers", ROOT / "docs" / "lesson_headers.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


headers = _headers_module()
MINUTES = headers.guide_minutes(GUIDE)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


# ---------------------------------------------------------------- the guide


def test_the_guide_lists_every_lesson_and_nothing_else():
    assert list(MINUTES) == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_header_matches_the_guide(path):
    first = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
    found = headers.HEADER.search(first)
    assert found, (
        f"{path.name}: no header line under the title; run "
        "`python docs/lesson_headers.py --verified` after running the lesson"
    )
    assert found[0] in first.splitlines()[:3], "the header goes under the title"
    minutes = (int(found["teaching"]), int(found["exercises"]))
    assert minutes == MINUTES[path.stem], (
        f"{path.name}: header says {minutes}, docs/teaching.md says "
        f"{MINUTES[path.stem]}; run `python docs/lesson_headers.py`"
    )
    verified = datetime.date.fromisoformat(found["date"])
    assert verified <= datetime.date.today(), "verified in the future"
    assert _version(found["version"]) <= _version(headers.kit_version())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_guide_teaches_each_lesson(path):
    number, _, _ = path.stem.partition("_")
    sections = re.split(r"^### ", GUIDE, flags=re.M)
    mine = [s for s in sections if s.startswith(f"{number} ")]
    assert len(mine) == 1, f"docs/teaching.md has no '### {number} ...' section"
    for part in ("**Before**", "**Key points**", "**Cut**"):
        assert part in mine[0], f"section {number} lacks {part}"
    if number != "00":
        assert "**Pitfalls and questions**" in mine[0]
        assert re.search(r"\*\"[^\"\n]+\"\*", mine[0]), "what learners ask or say"
    three_days = GUIDE.split("### Three days", 1)[1].split("\n## ", 1)[0]
    assert re.search(rf"\b{number} [a-z]", three_days), (
        f"lesson {number} is not in the three-day timetable"
    )


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60} min"


def test_the_guide_totals_add_up():
    teaching = sum(t for t, _ in MINUTES.values())
    exercises = sum(e for _, e in MINUTES.values())
    stated = re.search(r"In all: about (.+?) of teaching and (.+?) of exercises", GUIDE)
    assert stated, "the guide states its totals"
    assert " ".join(stated[1].split()) == _hours(teaching)
    assert " ".join(stated[2].split()) == _hours(exercises)
    core = sum(t + e for name, (t, e) in MINUTES.items() if name[:2] <= "07")
    day = re.search(
        r"Lessons 00 to 07 hold about (.+?) of teaching and exercises", GUIDE
    )
    assert day and " ".join(day[1].split()) == _hours(core)


def test_one_day_timetable_fits_the_day():
    table = GUIDE.split("### One day", 1)[1].split("###", 1)[0]
    times = re.findall(r"^\| (\d\d):(\d\d) \|", table, re.M)
    clock = [int(h) * 60 + int(m) for h, m in times]
    assert clock == sorted(clock) and len(clock) >= 8
    day = clock[-1] - clock[0]
    assert 6 * 60 <= day <= 8 * 60, f"a day of {day} minutes"


def test_header_is_added_under_the_title_and_replaced_in_place():
    line = headers.header_line(30, 15, "2026-01-02", "0.1.0")
    added = headers.with_header("# Title\n\nIntro.\n\n## What you'll learn\n", line)
    assert added == f"# Title\n\n{line}\n\nIntro.\n\n## What you'll learn\n"
    again = headers.with_header(added, headers.header_line(5, 5, "2026-02-03", "0.2"))
    assert again.count("**Teaching:**") == 1 and "2026-02-03" in again
    with pytest.raises(ValueError, match="not a '# Title' line"):
        headers.with_header("Intro without a title", line)


def test_headers_script_check_mode_finds_a_stale_header(tmp_path, monkeypatch):
    lesson = tmp_path / "notebooks" / "01_try_it.ipynb"
    lesson.parent.mkdir()
    line = headers.header_line(10, 5, "2026-01-02", "0.1.0")
    nb = {
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": [f"# Try it\n\n{line}\n"],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    lesson.write_text(json.dumps(nb), encoding="utf-8")
    guide = tmp_path / "teaching.md"
    guide.write_text("| [01_try_it](../notebooks/01_try_it.ipynb) | 20 | 5 | x |\n")
    monkeypatch.setattr(headers, "NOTEBOOKS", lesson.parent)
    monkeypatch.setattr(headers, "GUIDE", guide)
    assert headers.main(["--check"]) == 1  # 10 in the lesson, 20 in the guide
    assert headers.main([]) == 0
    first = json.loads(lesson.read_text(encoding="utf-8"))["cells"][0]["source"]
    assert "**Teaching:** 20 min" in "".join(first)
    assert "2026-01-02" in "".join(first)  # the date is kept without --verified
    assert headers.main(["--check"]) == 0


# ---------------------------------------------------------- offline install


def _make_n(target: str, **variables: str) -> list[list[str]]:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    args = [f"{k}={v}" for k, v in variables.items()]
    out = subprocess.run(
        [make, "-n", "-B", target, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [shlex.split(line) for line in out.splitlines() if "pip" in line]


def test_make_wheelhouse_collects_every_wheel_and_the_demo_data():
    lines = subprocess.run(
        ["make", "-n", "-B", "wheelhouse", "WHEELHOUSE=/tmp/wh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    wheel = [shlex.split(line) for line in lines if " pip wheel " in line]
    assert len(wheel) == 1
    cmd = wheel[0]
    assert cmd[cmd.index("--wheel-dir") + 1] == "/tmp/wh"
    assert ".[dev]" in cmd and "pip" in cmd[cmd.index("wheel") + 1 :]
    prepared = [line for line in lines if "astrokit prepare" in line]
    assert {re.search(r"--tier (\w+)", line)[1] for line in prepared} == {
        "tiny",
        "demo",
    }
    assert all("ASTROKIT_CACHE=/tmp/wh/cache " in line for line in prepared)


def test_make_install_offline_never_asks_the_network():
    pips = _make_n("install-offline", WHEELHOUSE="/media/usb/wh")
    installs = [c for c in pips if "install" in c]
    assert len(installs) == 2 and any("astrokit[dev]" in c for c in installs)
    for cmd in installs:
        assert "--no-index" in cmd, cmd
        assert cmd[cmd.index("--find-links") + 1] == "/media/usb/wh"
    documented = (ROOT / "docs" / "offline.md").read_text(encoding="utf-8")
    assert "--no-index --find-links build/wheelhouse" in documented
    assert "make install-offline" in documented and "make wheelhouse" in documented


def _wheel_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(meta).decode()
    return re.findall(r"^Requires-Dist: (.+)$", text, re.M)


@pytest.mark.slow
def test_astrokit_wheel_installs_offline_and_imports(tmp_path):
    wheels, target = tmp_path / "wheelhouse", tmp_path / "site"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(wheels),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    (wheel,) = wheels.glob("astrokit-*.whl")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [r for r in _wheel_requirements(wheel) if "extra ==" not in r]
    assert [r.replace(" ", "") for r in runtime] == [
        r.replace(" ", "") for r in project["dependencies"]
    ]
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-index",
            "--find-links",
            str(wheels),
            "--no-deps",
            "--target",
            str(target),
            "astrokit",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    probe = (
        "import astrokit, astrokit.data as d; "
        "print(astrokit.__file__); print(astrokit.__version__); "
        "print(len(d.datasets()))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    where, version, n_datasets = ran.stdout.split()
    assert Path(where).is_relative_to(target)  # this copy, not the checkout
    assert version == project["version"]
    assert int(n_datasets) > 0  # registry.json travelled in the wheel
    assert (target / "bin" / "astrokit").exists()  # the command too


# ------------------------------------------------------------------ Binder


def test_binder_installs_the_kit_and_prepares_the_data():
    post_build = (ROOT / "binder" / "postBuild").read_text()
    syntax = subprocess.run(["bash", "-n", str(ROOT / "binder" / "postBuild")])
    assert syntax.returncode == 0
    commands = [shlex.split(line, comments=True) for line in post_build.splitlines()]
    pip = [c for c in commands if c[:4] == ["python", "-m", "pip", "install"]]
    assert len(pip) == 1 and "." in pip[0], "postBuild installs the repository"
    # binder/environment.yml brings every dependency (tests/test_environment.py)
    assert "--no-deps" in pip[0]
    assert ["astrokit", "prepare", "--tier", "demo"] in commands
    assert "set -euo pipefail" in post_build  # a failed step fails the build


def test_readme_binder_badge_is_repository_relative():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"\[!\[[^\]]*Binder[^\]]*\]\(([^)]+)\)\]\(([^)]+)\)", readme)
    assert badge, "README has no Binder badge"
    image, link = badge.groups()
    assert "badge" in image
    assert not re.match(r"\w+://", link), f"{link} is absolute: a fork would lose it"
    assert (ROOT / link.split("#")[0]).exists(), link
    launch = (ROOT / link.split("#")[0]).read_text(encoding="utf-8")
    assert "mybinder.org/v2/gh/" in launch and "postBuild" in launch
