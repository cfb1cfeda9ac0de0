"""The database as the last word: migrations match the models, SQL agrees with rules/,
and PostgreSQL itself refuses overlapping exclusive bookings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from booking.extensions import db
from booking.models import Booking
from booking.services.claims import overlapping
from rules import Interval, overlaps
from tests.conftest import Factory, at
from tests.rules.strategies import intervals


def test_migrations_build_exactly_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
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
        db.session.delete(db.session.get(Booking, booking.id))
        db.session.commit()
    assert found == overlaps(stored, probe)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_exclusion_constraint_refuses_overlap_even_bypassing_the_service(app, make: Factory):
    room = make.resource()
    user = make.user()
    make.booking(room, user, at(1, 9), at(1, 11))
    make.booking(room, user, at(1, 11), at(1, 12))  # back to back is fine
    make.booking(room, user, at(1, 9), at(1, 11), status="cancelled")  # freed time is fine
    with pytest.raises(IntegrityError, match="bookings_no_overlap"):
        make.booking(room, user, at(1, 10), at(1, 12))
