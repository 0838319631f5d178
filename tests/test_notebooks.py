"""Lessons are stored without outputs and follow the lesson structure.

Their execution is a separate pytest run (``pytest --nbmake notebooks``, part of
``make test``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
SECTIONS = [
    "What you'll learn",
    "What you'll need",
    "Key points",
    "Exercise",
    "What's next",
]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def test_lessons_match_the_readme():
    readme = (NOTEBOOKS[0].parents[1] / "README.md").read_text()
    listed = re.findall(r"^\| `notebooks/(\d\d_\w+\.ipynb)` \|", readme, re.M)
    assert listed, "README.md has no table of lessons"
    assert listed == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    code = [c for c in _cells(path) if c["cell_type"] == "code"]
    assert code, "a lesson without code"
    dirty = [i for i, c in enumerate(code) if c["outputs"] or c["execution_count"]]
    assert not dirty, f"{path.name}: code cells {dirty} keep outputs; clear them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_reads_like_a_lesson(path):
    assert re.fullmatch(r"\d\d_[a-z]+(_[a-z0-9]+)+\.ipynb", path.name)
    cells = _cells(path)
    assert cells[0]["cell_type"] == "markdown"
    assert "".join(cells[0]["source"]).startswith("# ")
    markdown = "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )
    missing = [s for s in SECTIONS if s not in markdown]
    assert not missing, f"{path.name} lacks sections {missing}"
    assert "<details>" not in markdown, "solutions are code cells, not markdown"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_has_an_executed_solution(path):
    """Each exercise is followed by a folded code cell tagged ``solution``.

    Solutions are code so that CI runs them with the lesson and they cannot go
    stale; ``hide-input`` folds them on the lesson site, ``source_hidden`` in
    JupyterLab.
    """
    cells = _cells(path)
    starts = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown"
        and re.search(r"^(#+ |\*\*)Exercise \d", "".join(c["source"]), re.M)
    ]
    assert starts, f"{path.name} has no exercises"
    for start, end in zip(starts, [*starts[1:], len(cells)], strict=True):
        tags = [
            c["metadata"].get("tags", [])
            for c in cells[start:end]
            if c["cell_type"] == "code"
        ]
        assert any("solution" in t and "hide-input" in t for t in tags), (
            f"{path.name}: the exercise in cell {start} has no code cell tagged "
            "'solution' and 'hide-input'"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_imports_cell(path):
    code = ["".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code"]
    importing = [s for s in code if re.search(r"^(import|from) \w", s, re.M)]
    assert len(importing) == 1, f"{path.name}: imports in {len(importing)} cells"
