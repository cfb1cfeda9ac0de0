"""The database as the last word: migrations match the models, SQL agrees with rules/,
and PostgreSQL itself refuses overlapping exclusive bookings."""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from sqlalchemy import bindparam, create_engine, select, text
from sqlalchemy.exc import IntegrityError

from booking.database import writer_lock_path, writer_turn
from booking.extensions import close_databases, db
from booking.models import Booking, CatalogueVersion, Resource, User
from booking.seeding import seed_demo
from booking.services.core.claims import (
    indexed_overlap,
    load_claims,
    overlapping,
    related_bookings,
    spans_overlap,
)
from booking.services.core.neighbours import claims_and_lapsed_holds
from booking.services.reservations.bookings import BookingDraft, create_booking
from rules import Interval, overlaps
from tests.conftest import NOW, Factory, app_for, at, fresh_pg_database
from tests.rules.strategies import intervals


# SQLite cannot reflect the PostgreSQL-only expression index, and Alembic says so.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
def test_migrations_build_exactly_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        # The options the app gives Alembic, so objects the models leave out (SQLite's
        # R*Tree) are left out here exactly as autogenerate leaves them out.
        options = app.extensions["migrate"].configure_args
        context = MigrationContext.configure(conn, opts=options)
        assert compare_metadata(context, db.metadata) == []


def test_stored_times_come_back_aware_utc(app, make: Factory):
    room = make.resource()
    summer = datetime(2027, 7, 1, 9, tzinfo=UTC)
    booking = make.booking(room, make.user(), summer, datetime(2027, 7, 1, 10, tzinfo=UTC))
    with app.app_context():
        loaded = db.session.get(Booking, booking.id)
        assert loaded.start == summer and loaded.start.tzinfo is not None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stored=intervals(), probe=intervals())
def test_sql_overlap_agrees_with_rules(app, make: Factory, stored: Interval, probe: Interval):
    room = make.resource()
    booking = make.booking(room, make.user(), stored.start, stored.end)
    with app.app_context():
        query = select(Booking.id).where(
            Booking.id == booking.id, overlapping(Booking.start, Booking.end, probe)
        )
        found = db.session.scalar(query) is not None
        by_parameters = select(Booking.id).where(
            Booking.id == booking.id,
            spans_overlap(Booking.start, Booking.end, bindparam("s"), bindparam("e")),
        )
        as_parameters = db.session.scalar(by_parameters, {"s": probe.start, "e": probe.end})
        near = select(Booking.id).where(Booking.id == booking.id, indexed_overlap(probe))
        found_by_index = db.session.scalar(near) is not None
        db.session.delete(db.session.get(Booking, booking.id))
        db.session.commit()
    assert found == overlaps(stored, probe)
    assert (as_parameters is not None) == found
    assert found_by_index or not found  # the index may only narrow, never lose a booking


def test_index_is_exact_to_the_microsecond_and_follows_moves_and_deletes(app, make: Factory):
    room = make.resource()
    start = datetime(2026, 12, 1, 9, 0, 30, 500_000, tzinfo=UTC)
    end = datetime(2026, 12, 1, 9, 0, 59, 900_000, tzinfo=UTC)
    booking = make.booking(room, make.user(), start, end)

    def claimed(window: Interval) -> list[int]:
        with app.app_context():
            return [c.booking_id for c in load_claims(None, window, NOW)]

    last_bit = Interval(end - timedelta(microseconds=50_000), end + timedelta(seconds=10))
    assert claimed(last_bit) == [booking.id]
    assert claimed(Interval(end, end + timedelta(minutes=1))) == []  # back to back
    assert claimed(Interval(start - timedelta(minutes=1), start)) == []
    with app.app_context():
        moved = db.session.get(Booking, booking.id)
        moved.start = moved.occupied_start = at(3, 9)
        moved.end = moved.occupied_end = at(3, 10)
        db.session.commit()
    assert claimed(last_bit) == []
    assert claimed(Interval(at(3, 9, 59), at(3, 11))) == [booking.id]
    with app.app_context():
        db.session.delete(db.session.get(Booking, booking.id))
        db.session.commit()
    assert claimed(Interval(at(3, 0), at(4, 0))) == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_exclusion_constraint_refuses_overlap_even_bypassing_the_service(app, make: Factory):
    room = make.resource()
    user = make.user()
    make.booking(room, user, at(1, 9), at(1, 11))
    make.booking(room, user, at(1, 11), at(1, 12))  # back to back is fine
    make.booking(room, user, at(1, 9), at(1, 11), status="cancelled")  # freed time is fine
    with pytest.raises(IntegrityError, match="bookings_no_overlap"):
        make.booking(room, user, at(1, 10), at(1, 12))


def test_sqlite_writers_take_turns_on_a_file_lock(app):
    with app.app_context():
        path = writer_lock_path(db.engine)
        if db.engine.dialect.name != "sqlite":
            assert path is None  # PostgreSQL locks rows instead
            return
        assert path is not None
        with writer_turn(db.engine):
            other = os.open(path, os.O_RDWR)
            try:
                with pytest.raises(BlockingIOError):  # a second writer must wait
                    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(other)
        other = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once the turn ends
        finally:
            os.close(other)


def test_only_sqlite_files_need_writer_turns():
    assert writer_lock_path(create_engine("sqlite://")) is None
    assert writer_lock_path(create_engine("sqlite:////tmp/x/booking.db")) == (
        "/tmp/x/booking.db-writer.lock"
    )


def test_a_bookings_prebuilt_claims_query_reads_what_the_general_one_reads(app, make: Factory):
    # A lab (bookable) on a floor (not), with a bench and an instrument on the bench;
    # the bench is asked about. Its lab, itself and its instrument block it; the floor,
    # a sibling bench and another room do not.
    floor = make.resource(kind="floor", bookable=False)
    lab = make.resource(kind="lab", parent_id=floor.id)
    bench = make.resource(kind="equipment", parent_id=lab.id)
    sibling = make.resource(kind="equipment", parent_id=lab.id)
    instrument = make.resource(kind="equipment", parent_id=bench.id)
    other = make.resource()
    user = make.user()
    window = Interval(at(1, 8), at(1, 20))
    rows = {
        name: make.booking(resource, user, at(1, 9 + hour), at(1, 10 + hour), **extra)
        for hour, (name, resource, extra) in enumerate(
            [
                ("lab", lab, {}),
                ("bench", bench, {}),
                ("instrument", instrument, {}),
                ("sibling", sibling, {}),
                ("other", other, {}),
                ("floor", floor, {}),
                ("cancelled", bench, {"status": "cancelled"}),
                (
                    "live hold",
                    bench,
                    {"status": "held", "hold_expires_at": NOW + timedelta(hours=1)},
                ),
                ("lapsed hold", bench, {"status": "held", "hold_expires_at": NOW}),
                ("moved", bench, {}),
            ]
        )
    }
    make.booking(bench, user, at(1, 20), at(1, 21))  # back to back: outside the window
    moving = [rows["moved"].id]
    with app.app_context():
        resource = db.session.get(Resource, bench.id)
        general = load_claims(related_bookings(resource), window, NOW, excluding=moving)
        claims, lapsed = claims_and_lapsed_holds(resource, window, NOW, excluding=moving)
        # A series asks for several windows at once (PostgreSQL: one statement for all):
        # the same claims, each once, though the live hold lies across two windows.
        split = [
            Interval(at(1, 8), at(1, 16, 30)),
            Interval(at(1, 16, 30), at(1, 20)),
            Interval(at(2, 8), at(2, 9)),
        ]
        many, many_lapsed = claims_and_lapsed_holds(resource, split, NOW, excluding=moving)
    assert sorted(claims, key=lambda c: c.booking_id) == sorted(general, key=lambda c: c.booking_id)
    assert sorted(many, key=lambda c: c.booking_id) == sorted(general, key=lambda c: c.booking_id)
    wanted = {"lab", "bench", "instrument", "live hold"}
    assert {c.booking_id for c in claims} == {rows[name].id for name in wanted}
    assert lapsed == many_lapsed == [rows["lapsed hold"].id]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_every_migration_goes_down_and_up_again_with_the_data_in_place(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Step down through the migrations and up again with bookings, people and the
    catalogue in the database: every downgrade runs, the rows come back, and the triggers
    (SQLite's, which a table rebuild drops) are all in place again."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'round-trip.db'}"
    else:
        url = fresh_pg_database(request.getfixturevalue("pg_server"), "hwic_round_trip")
    app = app_for(url)
    kept = ("tenants", "users", "resources", "bookings", "booking_events")
    with app.app_context():
        flask_migrate.upgrade()
        people = seed_demo("round-trip", NOW)
        ben = db.session.scalar(select(User).where(User.email == people[0].email))
        room = db.session.scalar(select(Resource).where(Resource.kind == "room"))
        create_booking(ben, BookingDraft(room.id, at(1, 9), at(1, 10), "Kept"), NOW)
        counted = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) for t in kept}
        assert counted["bookings"] == 1
        room_id = {"id": room.id}
        for target in ("0020", "0008", "0006", "0005", "0003", "0001"):
            db.session.remove()
            flask_migrate.downgrade(revision=target)
            flask_migrate.upgrade()
            again = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) for t in kept}
            assert again == counted, target
            # the catalogue's version still follows every change to a resource
            before = db.session.scalar(select(CatalogueVersion.token))
            db.session.execute(text("UPDATE resources SET name = name WHERE id = :id"), room_id)
            assert db.session.scalar(select(CatalogueVersion.token)) != before, target
            db.session.commit()
        if kind == "sqlite":  # the interval index still follows every booking
            spans = db.session.scalar(text("SELECT count(*) FROM booking_spans"))
            assert spans == counted["bookings"]
            create_booking(ben, BookingDraft(room.id, at(2, 9), at(2, 10), "New"), NOW)
            spans = db.session.scalar(text("SELECT count(*) FROM booking_spans"))
            assert spans == counted["bookings"] + 1
        db.session.remove()
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        close_databases()
