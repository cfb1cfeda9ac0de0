"""The centre the reports are tested on: a building with a lab (charged on use), a
room, a pool of desks and a free room; an NHS and a private tenant; 80 bookings of every
kind over March and April 2027, across the clock change. Its fixture, ``centre``, is
shared with the report pages' tests through ``tests/booking/conftest.py``."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from booking.extensions import db
from booking.models import Booking, Closure, Tenant
from tests.conftest import Factory

LONDON = ZoneInfo("Europe/London")
FIRST, LAST = date(2027, 3, 1), date(2027, 4, 30)  # the clocks go forward on 28 March
AFTER = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)
HOURS = ["08:00-18:00"]
BUILDING_RULES = {
    "opening_hours": {day: HOURS for day in ("mon", "tue", "wed", "thu", "fri")},
    "closed_on_bank_holidays": True,
    "rates": {"standard": 3000, "nhs": 1200},
    "late_cancel_within": "P1D",
    "late_cancel_percent": 50,
    "no_show_percent": 100,
}
CLOSURE = (datetime(2027, 4, 14, 12, 0, tzinfo=UTC), datetime(2027, 4, 16, 12, 0, tzinfo=UTC))


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)


@pytest.fixture
def centre(app: Flask, make: Factory):
    """A building with a lab (charged on use, 30-minute minimum), a room and a pool of
    four desks; two tenants (one NHS, on the nhs tier); 80 bookings of every kind."""
    app.config["FIXED_NOW"] = AFTER
    building = make.resource(kind="building", name="HWIC", bookable=False, rules=BUILDING_RULES)
    lab = make.resource(
        kind="lab", name="Wet lab", parent_id=building.id,
        rules={"charge_basis": "used", "minimum_charge_minutes": 30},
    )  # fmt: skip
    room = make.resource(kind="room", name="Boardroom", parent_id=building.id)
    desks = make.resource(kind="desk", name="Hot desks", parent_id=building.id, quantity=4)
    free = make.resource(kind="room", name="Quiet room", parent_id=building.id, rules={"rates": {}})
    nhs, private = make.user(tenant="Trust"), make.user(tenant="Medtech")
    nhs_admin = make.user("tenant_admin", tenant="Trust")
    with app.app_context():
        trust = db.session.query(Tenant).filter_by(name="Trust").one()
        trust.sector, trust.rate_tier = "nhs", "nhs"
        works = Closure(resource_id=room.id, start=CLOSURE[0], end=CLOSURE[1], reason="Works",
                        created_at=AFTER)  # fmt: skip
        db.session.add(works)
        db.session.commit()
    pick = random.Random(17)
    made = []
    day = FIRST
    while day <= LAST:
        if day.weekday() < 5:
            for _ in range(2):
                person = pick.choice([nhs, private, nhs_admin])
                where = pick.choice([lab, room, desks, free])
                start = local(day, pick.randrange(8, 16), pick.choice([0, 15, 30, 45]))
                end = start + timedelta(minutes=pick.choice([15, 60, 90, 150]))
                status = pick.choice(
                    ["confirmed", "completed", "completed", "no_show", "cancelled", "cancelled",
                     "pending", "rejected"]
                )  # fmt: skip
                more = {"units": pick.randint(1, 3) if where is desks else 1}
                if status == "completed" and pick.random() < 0.8:
                    more["checked_in_at"] = start + timedelta(minutes=pick.randrange(0, 15))
                    more["checked_out_at"] = end - timedelta(minutes=pick.randrange(0, 20))
                if status == "cancelled":
                    more["cancelled_at"] = start - timedelta(hours=pick.choice([2, 30]))
                    more["late_cancellation"] = more["cancelled_at"] > start - timedelta(days=1)
                if pick.random() < 0.3:
                    more["cost_code"] = pick.choice(["PO-1001", "GRANT-77", "=SUM(A1)"])
                made.append(_row(where, person, start, end, status=status, **more))
        day += timedelta(days=1)
    with app.app_context():  # one transaction for the lot
        db.session.add_all(made)
        db.session.flush()
        db.session.expunge_all()
        db.session.commit()
    resources = {"lab": lab, "room": room, "desks": desks, "free": free}
    return {"resources": resources, "bookings": made, "people": (nhs, private, nhs_admin)}


def _row(resource, user, start: datetime, end: datetime, **fields) -> Booking:
    return Booking(
        resource_id=resource.id, user_id=user.id, booked_by_id=user.id, tenant_id=user.tenant_id,
        title="Existing booking", units=fields.pop("units", 1), start=start, end=end,
        occupied_start=start, occupied_end=end, exclusive=resource.quantity == 1,
        created_at=AFTER, updated_at=AFTER, **fields,
    )  # fmt: skip
