"""``flask --app booking backup FILE`` and ``restore FILE``, on SQLite and PostgreSQL: the
round trip gives back every row, even of a backup taken while bookings are written."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select

from booking.extensions import close_databases, db
from booking.models import Booking, BookingEvent
from tests.booking.test_races import body
from tests.conftest import Factory, app_for, fresh_pg_database


def rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the service, in primary-key order."""
    with app.app_context():
        present = set(inspect(db.engine).get_table_names())
        found = {
            table.name: [
                tuple(row)
                for row in db.session.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for table in db.metadata.sorted_tables
            if table.name in present
        }
        db.session.remove()
    return found


@pytest.fixture
def empty_url(request, database_url: str, tmp_path: Path) -> str:
    """A second database of the same kind with nothing in it (not even the schema)."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_server"), "hwic_restored")


@pytest.fixture
def target(empty_url: str):
    app = app_for(empty_url)
    yield app
    with app.app_context():
        close_databases()


def fill(make: Factory) -> None:
    users = [make.user(), make.user(role="facility_manager", tenant=None)]
    lab = make.resource(name="Wet lab", kind="lab")
    bench = make.resource(name="Bench 1", kind="desk", parent_id=lab.id)
    room = make.resource(name="Colne", kind="room")
    make.booking(bench, users[0], *_hours(1, 9, 11))
    make.booking(room, users[1], *_hours(2, 14, 15), title="Review — ünïcode ✓")


def _hours(day: int, first: int, last: int):
    from tests.conftest import at

    return at(day, first), at(day, last)


def invoke(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_a_restore_into_an_empty_database_gives_back_every_row(
    app: Flask, make: Factory, target: Flask, tmp_path: Path
):
    fill(make)
    before = rows(app)
    assert sum(map(len, before.values())) >= 8
    saved = invoke(app, "backup", str(tmp_path / "hwic.backup"))
    assert saved.exit_code == 0, saved.output
    assert "Backed up to" in saved.output
    answer = invoke(target, "restore", str(tmp_path / "hwic.backup"))
    assert answer.exit_code == 0, answer.output
    assert "Restored" in answer.output and "2 bookings" in answer.output
    assert rows(target) == before
    assert "db upgrade" not in answer.output  # the backup's schema is the newest


def test_a_database_with_data_is_replaced_only_when_asked(app: Flask, make: Factory, tmp_path):
    fill(make)
    backup = tmp_path / "hwic.backup"
    assert invoke(app, "backup", str(backup)).exit_code == 0
    saved = rows(app)
    make.booking(make.resource(name="Later"), make.user(), *_hours(3, 9, 10))
    later = rows(app)
    refused = invoke(app, "restore", str(backup))
    assert refused.exit_code != 0
    assert "not empty (" in refused.output and "--replace" in refused.output
    assert rows(app) == later  # nothing changed
    replaced = invoke(app, "restore", str(backup), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert rows(app) == saved


def test_a_backup_never_overwrites_and_a_restore_reads_only_backups(
    app: Flask, make: Factory, target: Flask, tmp_path
):
    fill(make)
    backup = tmp_path / "hwic.backup"
    backup.write_text("yesterday's")
    kept = invoke(app, "backup", str(backup))
    assert kept.exit_code != 0 and "already exists" in kept.output
    assert backup.read_text() == "yesterday's"
    assert invoke(app, "backup", str(backup), "--overwrite").exit_code == 0
    assert backup.read_bytes() != b"yesterday's"
    nonsense = tmp_path / "notes.txt"
    nonsense.write_text("not a backup")
    refused = invoke(target, "restore", str(nonsense))
    assert refused.exit_code != 0 and (
        "not a backup" in refused.output or "failed" in refused.output
    )
    missing = invoke(target, "restore", str(tmp_path / "missing.backup"))
    assert missing.exit_code != 0 and "no such file" in missing.output


def test_a_backup_taken_while_bookings_are_written_is_one_moment(
    app: Flask, make: Factory, target: Flask, tmp_path
):
    user = make.user()
    headers = {"Authorization": f"Bearer {make.token(user)}"}
    rooms = [make.resource(name=f"Room {n}", kind="room").id for n in range(6)]
    writing, stop, errors = threading.Event(), threading.Event(), []

    def write() -> None:
        client = app.test_client()
        try:
            for day in range(1, 32):
                for room in rooms:
                    if stop.is_set():
                        return
                    answer = client.post("/api/v1/bookings", json=body(room, day), headers=headers)
                    assert answer.status_code == 201, answer.get_json()
                    if day == 2:
                        writing.set()
        except BaseException as error:  # shown by the test, never lost in the thread
            errors.append(error)
        finally:
            writing.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        writing.wait(timeout=60)
        saved = invoke(app, "backup", str(tmp_path / "hwic.backup"))
    finally:
        stop.set()
        writer.join(timeout=60)
    assert errors == []
    assert saved.exit_code == 0, saved.output
    assert invoke(target, "restore", str(tmp_path / "hwic.backup")).exit_code == 0
    with app.app_context():
        written = db.session.scalar(select(func.count()).select_from(Booking))
    with target.app_context():
        restored = db.session.scalar(select(func.count()).select_from(Booking))
        recorded = db.session.scalar(select(func.count(func.distinct(BookingEvent.booking_id))))
    assert len(rooms) <= restored <= written
    assert recorded == restored  # every booking with its record, and no record without one
