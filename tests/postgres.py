"""A throwaway PostgreSQL server for the test suite.

``BOOKING_TEST_DATABASE_URL`` points the suite at an existing server instead. When
neither can be had the PostgreSQL tests skip, except under ``CI=true``, where a missing
PostgreSQL fails the run rather than passing silently.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started or reached."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_tool(name: str) -> str:
    """Path of a server program: on PATH, or in Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if not candidates:
        raise PostgresUnavailable(f"{name} is not installed")
    return str(candidates[0])


def _as_server_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; run them as the postgres system user.
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root and runuser is missing")
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a fresh server in a temporary folder; yield its SQLAlchemy URL; remove it."""
    initdb, pg_ctl = _server_tool("initdb"), _server_tool("pg_ctl")
    root = Path(tempfile.mkdtemp(prefix="hwic-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()
    run = {"check": True, "capture_output": True, "text": True}
    try:
        subprocess.run(
            _as_server_user(
                [initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
            ),
            **run,
        )
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_server_user(
                [pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]
            ),
            **run,
        )
    except (subprocess.CalledProcessError, OSError) as error:
        shutil.rmtree(root, ignore_errors=True)
        detail = getattr(error, "stderr", "") or str(error)
        raise PostgresUnavailable(f"could not start PostgreSQL: {detail.strip()}") from error
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def postgres_url() -> Iterator[str]:
    """The server the suite should use: the configured one, or a throwaway one."""
    configured = os.environ.get("BOOKING_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    with throwaway_server() as url:
        yield url
