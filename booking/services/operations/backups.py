"""Backing the database up to one file, and restoring it from one.

SQLite uses its online backup API: the copy is one consistent moment of the database,
taken while the service goes on serving (writers wait only for the pages being copied).
PostgreSQL uses ``pg_dump`` and ``pg_restore`` in their custom format: the dump is one
snapshot (a single repeatable-read transaction), also taken while serving. Their major
version must be the server's or newer (``pg_dump`` refuses an older client); Debian keeps
each version's tools under ``/usr/lib/postgresql/<version>/bin``, which is searched after
``PATH``, newest first.

A restore refuses a database that holds any rows of the service's own tables unless told
to replace it; it then gives back every row of the backup, and the schema version the
backup was taken at (``flask --app booking db upgrade`` brings an older one forward).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import URL, make_url

from booking.errors import DomainError
from booking.extensions import db
from booking.services.operations.readiness import newest_revision

#: The tables whose rows make a database "not empty" to a restore.
OWN_TABLES = ("users", "tenants", "resources", "bookings")


class BackupError(DomainError):
    """A backup or restore that cannot be done; nothing was changed."""

    status, code, title = 409, "backup_refused", "Backup or restore refused"


@dataclass(frozen=True)
class Restored:
    """What a restore gave back: the rows of the service's own tables, and the schema."""

    rows: dict[str, int]
    schema: str | None
    newest: str


def _url() -> URL:
    return make_url(db.engine.url)


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database has nothing to back up or restore.")
    return Path(url.database)


def client_tool(name: str) -> str:
    """The PostgreSQL client program ``name``: on ``PATH``, else Debian's newest."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
        reverse=True,
    )
    if not candidates:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools of the server's "
            "major version or newer (Debian: postgresql-client)."
        )
    return str(candidates[0])


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq address for the client tools, and an environment with the password (kept
    off the command line, where other users could read it)."""
    address = url.set(drivername="postgresql", password=None)
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    return address.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {' '.join(message[-3:])}")


def backup(target: Path, *, overwrite: bool = False) -> int:
    """Write the whole database to ``target``; its size in bytes. An existing file is
    kept unless ``overwrite``; the new one appears only once complete."""
    if target.exists() and not overwrite:
        raise BackupError(f"{target} already exists; choose another name or overwrite it.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    url = _url()
    try:
        if _is_sqlite(url):
            source = sqlite3.connect(_sqlite_path(url))
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # the online backup API: one consistent moment
            finally:
                copy.close()
                source.close()
        else:
            address, environment = _libpq(url)
            command = [client_tool("pg_dump"), "--format=custom", "--no-owner"]
            _run([*command, f"--file={partial}", f"--dbname={address}"], environment)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def own_rows() -> dict[str, int]:
    """Rows in each of the service's own tables that exist in the database now."""
    present = set(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        return {
            table: connection.execute(select(func.count()).select_from(text(table))).scalar_one()
            for table in OWN_TABLES
            if table in present
        }


def _schema() -> str | None:
    if "alembic_version" not in inspect(db.engine).get_table_names():
        return None
    with db.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(version) if version is not None else None


def _check_sqlite_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as connection:
            connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a backup of this service's SQLite database.") from error


def restore(source: Path, *, replace: bool = False) -> Restored:
    """Put the backup ``source`` in place of the database, which must hold no rows of
    the service's tables unless ``replace``."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file.")
    held = {table: count for table, count in own_rows().items() if count}
    if held and not replace:
        found = ", ".join(f"{count} {table}" for table, count in held.items())
        raise BackupError(
            f"The database is not empty ({found}); restoring would replace it. "
            "Give --replace to do so."
        )
    url = _url()
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    if _is_sqlite(url):
        _check_sqlite_backup(source)
        backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        database = sqlite3.connect(_sqlite_path(url))
        try:
            backup_file.backup(database)  # page by page, under the database's own lock
        finally:
            database.close()
            backup_file.close()
    else:
        address, environment = _libpq(url)
        _run([client_tool("pg_restore"), "--list", str(source)], environment)  # readable?
        command = [client_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
        _run([*command, "--single-transaction", f"--dbname={address}", str(source)], environment)
    db.engine.dispose()
    return Restored(own_rows(), _schema(), newest_revision())
