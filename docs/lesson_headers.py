"""Write each lesson's header from the teacher's guide's table.

The header is one line under the title of the lesson's first cell, in the
manner of the Carpentries' episode headers and the Rubin tutorials' "last
verified" line::

    > **Teaching:** 30 min · **Exercises:** 15 min · **Last verified:** \
    2026-12-01, astrokit 0.1.0

(one line in the notebook).

The minutes come from the table "The lessons at a glance" in
``docs/teaching.md`` (the single place to change them). Usage::

    python docs/lesson_headers.py             # minutes from the guide; dates kept
    python docs/lesson_headers.py --verified  # also today's date and version
    python docs/lesson_headers.py --check     # exit 1 if a header is missing or stale

Run ``--verified`` only after every lesson ran on a release (``make test``
and ``make site``). Only the first cell of a lesson is touched, and each
notebook is read again right before it is written, so edits made to other
cells in the meantime are kept.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "teaching.md"
NOTEBOOKS = ROOT / "notebooks"
HEADER = re.compile(
    r"^> \*\*Teaching:\*\* (?P<teaching>\d+) min · "
    r"\*\*Exercises:\*\* (?P<exercises>\d+) min · "
    r"\*\*Last verified:\*\* (?P<date>\d{4}-\d\d-\d\d), astrokit (?P<version>\S+)$",
    re.M,
)
ROW = re.compile(
    r"^\| \[(?P<lesson>\d\d_\w+)\]\(\.\./notebooks/(?P=lesson)\.ipynb\) "
    r"\| (?P<teaching>\d+) \| (?P<exercises>\d+) \|",
    re.M,
)


def guide_minutes(text: str | None = None) -> dict[str, tuple[int, int]]:
    """``{lesson stem: (teaching, exercises)}`` from the guide's table."""
    text = GUIDE.read_text(encoding="utf-8") if text is None else text
    found = {
        m["lesson"]: (int(m["teaching"]), int(m["exercises"]))
        for m in ROW.finditer(text)
    }
    if not found:
        example = "| [01_x](../notebooks/01_x.ipynb) | 30 | 15 |"
        msg = f"{GUIDE}: no table row like {example!r}"
        raise ValueError(msg)
    return found


def kit_version() -> str:
    """The version in ``pyproject.toml`` (the one a release carries)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version = "([^"]+)"', text, re.M)[1]


def header_line(teaching: int, exercises: int, date: str, version: str) -> str:
    return (
        f"> **Teaching:** {teaching} min · **Exercises:** {exercises} min · "
        f"**Last verified:** {date}, astrokit {version}"
    )


def with_header(source: str, line: str) -> str:
    """The first cell's text with ``line`` as its header (replaced or added)."""
    if HEADER.search(source):
        return HEADER.sub(line, source, count=1)
    title, _, rest = source.partition("\n")
    if not title.startswith("# "):
        msg = f"the first cell starts with {title[:40]!r}, not a '# Title' line"
        raise ValueError(msg)
    return f"{title}\n\n{line}\n\n{rest.lstrip(chr(10))}"


def _updated(path: Path, minutes: tuple[int, int], verified: str | None) -> str | None:
    """The new first-cell text of ``path``, or None when it is already right."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    source = "".join(cells[0]["source"])
    old = HEADER.search(source)
    if verified:
        date, version = verified, kit_version()
    elif old:
        date, version = old["date"], old["version"]
    else:
        msg = f"{path.name} has no header yet; run with --verified after running it"
        raise ValueError(msg)
    new = with_header(source, header_line(*minutes, date, version))
    return None if new == source else new


def _write_first_cell(path: Path, source: str) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))  # read again: others edit too
    nb["cells"][0]["source"] = source.splitlines(keepends=True)
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verified", action="store_true", help="stamp today")
    parser.add_argument("--check", action="store_true", help="change nothing")
    args = parser.parse_args(argv)
    minutes = guide_minutes()
    lessons = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    missing = [p.stem for p in lessons if p.stem not in minutes]
    if missing:
        print(f"lessons without a row in {GUIDE.name}: {missing}", file=sys.stderr)
        return 1
    today = datetime.date.today().isoformat() if args.verified else None
    stale = []
    for path in lessons:
        try:
            new = _updated(path, minutes[path.stem], today)
        except ValueError as error:
            if not args.check:
                print(error, file=sys.stderr)
                return 1
            new = "no header"
        if new is not None:
            stale.append(path.name)
            if not args.check:
                _write_first_cell(path, new)
    verb = "stale" if args.check else "updated"
    print(f"{verb}: {stale or 'none'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
