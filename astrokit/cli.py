"""The ``astrokit`` command line: ``demo``, ``discover`` (any table), ``prepare``."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

from astrokit._shared.cache import TIERS, CacheWarning

__all__ = ["main"]


def _random_state_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--random-state",
        "--seed",  # its old name, kept for scripts written for astrokit 0.1
        dest="random_state",
        type=int,
        default=0,
        help="the generator's seed (default: %(default)s)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="astrokit",
        description="Unsupervised discovery in multi-wavelength astronomical data.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo", help="run the pipeline on the built-in demo data, write a report"
    )
    demo.add_argument("--tier", choices=TIERS, default="demo", help="data size")
    _random_state_option(demo)
    demo.add_argument(
        "--out", default="astrokit-demo", help="output folder (default: %(default)s)"
    )
    discover = sub.add_parser(
        "discover",
        help="find the groups and outliers of your own table, write tables "
        "and a report",
        description="Run astrokit.discover with its defaults on a catalogue "
        "file (FITS table, CSV, ECSV, Parquet, HDF5) and write rows.csv, "
        "groups.csv, effects.csv, choices.csv and report.html into --out.",
    )
    discover.add_argument("table", help="the catalogue file")
    discover.add_argument(
        "--columns",
        help="comma-separated feature columns, e.g. pmra,pmdec,parallax "
        "(default: every numeric column but identifiers, sky positions, "
        "survey bookkeeping, truth columns and columns that carry nothing)",
    )
    discover.add_argument(
        "--index", help="the column that names the rows (e.g. source_id)"
    )
    discover.add_argument(
        "--out",
        default="astrokit-discover",
        help="output folder (default: %(default)s)",
    )
    discover.add_argument(
        "--no-outliers", action="store_true", help="skip the outlier scores"
    )
    _random_state_option(discover)
    prepare = sub.add_parser(
        "prepare", help="generate and cache the demo data, warm compiled code"
    )
    prepare.add_argument("--tier", choices=TIERS, default="demo", help="data size")
    _random_state_option(prepare)
    return parser


def _writable_folder(out: Path) -> bool:
    """Create ``out`` if needed and check a file can be written there.

    Returns whether the folder was created here (so it can be removed again
    if the run stops before writing anything). Raises ValueError naming
    ``--out`` when the folder cannot be created or written.
    """
    if out.exists() and not out.is_dir():
        msg = f"--out {out} is a file; give a folder for the report (it is created)."
        raise ValueError(msg)
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".astrokit-probe-")
        os.close(fd)
        os.remove(probe)
    except OSError as error:
        msg = (
            f"--out {out} cannot be written ({error.strerror or error}); give a "
            "folder you can write to (it is created if needed)."
        )
        raise ValueError(msg) from error
    return created


@contextlib.contextmanager
def _output_folder(out: Path):
    """``--out``, checked before any work; removed if a failed run left it empty."""
    created = _writable_folder(out)  # fail in a second, not after the work
    try:
        yield out
    except BaseException:
        if created and not any(out.iterdir()):
            out.rmdir()  # leave nothing behind
        raise


def _demo(args: argparse.Namespace) -> None:
    from astrokit._demo.report import build_demo_report, format_summary
    from astrokit.data import load_demo

    start = time.perf_counter()
    with _output_folder(Path(args.out)) as out:
        table = load_demo(args.tier, random_state=args.random_state)
        summary = build_demo_report(table, out, progress=True)  # written atomically
    print(format_summary(summary))
    print(f"done in {time.perf_counter() - start:.1f} s")


def _discover(args: argparse.Namespace) -> None:
    from astrokit import discover
    from astrokit.data import read_catalog

    start = time.perf_counter()
    with _output_folder(Path(args.out)) as out:
        table = read_catalog(args.table, source_column=None)
        if args.index is not None:
            if args.index not in table.columns:
                msg = f"--index {args.index!r} is not a column of {args.table}."
                raise ValueError(msg)
            table = table.set_index(args.index)
        columns = None
        if args.columns:
            columns = [c.strip() for c in args.columns.split(",") if c.strip()]
        found = discover(
            table, columns=columns, random_state=args.random_state,
            outliers=not args.no_outliers, progress=True,
        )  # fmt: skip
        title = f"astrokit discover: {Path(args.table).name}"
        paths = found.save(out, title=title)
    print(found)
    if len(found.summary):
        print(found.summary.to_string())
    print(f"written to {out}: {', '.join(paths)}")
    print(f"done in {time.perf_counter() - start:.1f} s")


def _prepare(args: argparse.Namespace) -> None:
    from astrokit.data import load_demo
    from astrokit.embedding import warm_up

    # preparing is caching: a cache that cannot be written is this command's error
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        try:
            table = load_demo(args.tier, random_state=args.random_state)
        except CacheWarning as warning:
            raise OSError(str(warning)) from None
    print(f"demo data ready: {len(table):,} rows (tier {args.tier})")
    print(f"UMAP compiled and cached in {warm_up():.0f} s")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    def one_line(message, category, *_where, **_how) -> None:
        name = category.__name__
        print(f"astrokit {args.command}: {name}: {message}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            # the kit's warnings (an unwritable cache) are one line, always shown
            warnings.simplefilter("always", CacheWarning)
            warnings.showwarning = one_line
            run = {"demo": _demo, "discover": _discover, "prepare": _prepare}
            run[args.command](args)
    except (ValueError, FileNotFoundError, OSError) as error:
        print(f"astrokit {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"astrokit {args.command}: interrupted.", file=sys.stderr)
        return 130  # 128 + SIGINT, as shells report it
    return 0


if __name__ == "__main__":
    sys.exit(main())
