"""The databases every bench runs on, one after the other: SQLite in a temporary folder
and a throwaway PostgreSQL server (``--only`` picks one)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.postgres import throwaway_server  # noqa: E402

# A bench measures the service, not its rate limits: its tokens send thousands of
# requests a minute, so [limits] api is lifted here (and in the servers it starts).
os.environ.setdefault("BOOKING_LIMITS_API", "100000000/minute")


def add_only_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--only", choices=("sqlite", "postgresql"))


def each_database(only: str | None) -> Iterator[tuple[str, str]]:
    """(name, URL) of each database to run on, each torn down once it has been used."""
    with ExitStack() as stack:
        if only != "postgresql":
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            yield "SQLite", f"sqlite:///{folder}/bench.db"
        if only != "sqlite":
            yield "PostgreSQL", stack.enter_context(throwaway_server())


def run_on_each(doc: str, run: Callable[[str, str, int], None], runs: int) -> None:
    """The command line of a bench that times ``runs`` runs (``--runs``) on each database."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=runs)
    add_only_option(parser)
    args = parser.parse_args()
    for name, url in each_database(args.only):
        run(name, url, args.runs)
