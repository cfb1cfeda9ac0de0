"""The demo centre's past: weeks of bookings that have run their course, so the usage
reports, charts, statements and the funder report have something to show in the demo
(``flask seed``) and in the browser tests. Written straight to the database, as a data
import would be, never clashing: only resources no bookable resource holds are booked,
in slots of a day that do not overlap."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, Resource, User
from booking.services.catalogue import site_zone
from booking.services.core import transactional
from rules.localtime import localize

#: What the demo's history books (not the Atrium, which needs approval).
HISTORY_KINDS = ("room", "lab", "desk", "equipment")
#: (local start hour, minutes) of the slots the demo's history books, morning and afternoon.
HISTORY_SLOTS = ((9, 120), (10, 60), (13, 90), (14, 180), (15, 60))
#: What became of past bookings, and how often.
HISTORY_FATES = (("completed", 80), ("no_show", 7), ("cancelled", 13))


def _history_fate(pick: random.Random) -> str:
    return pick.choices([f for f, _ in HISTORY_FATES], [w for _, w in HISTORY_FATES])[0]


def _past_booking(
    resource: Resource, person: User, start: datetime, minutes: int, pick: random.Random
) -> Booking:
    """A booking that has run its course: completed, a no-show, or cancelled."""
    end = start + timedelta(minutes=minutes)
    fate = _history_fate(pick)
    came = start + timedelta(minutes=pick.randrange(0, 10)) if fate == "completed" else None
    cancelled = start - timedelta(hours=pick.choice([2, 72])) if fate == "cancelled" else None
    late = cancelled is not None and start - cancelled < timedelta(days=1)
    return Booking(
        resource_id=resource.id, user_id=person.id, booked_by_id=person.id,
        tenant_id=person.tenant_id, title=f"{resource.kind.replace('_', ' ').title()} booking",
        units=pick.randint(1, 3) if resource.quantity > 1 else 1, start=start, end=end,
        occupied_start=start, occupied_end=end, exclusive=resource.quantity == 1, status=fate,
        checked_in_at=came, checked_out_at=came and end - timedelta(minutes=pick.randrange(0, 20)),
        cancelled_at=cancelled, late_cancellation=late,
        cost_code=pick.choice([None, None, "PO-4471", "GRANT-MRC-22"]),
        created_at=start - timedelta(days=7), updated_at=start,
    )  # fmt: skip


def _within_bookable(resource: Resource, everything: dict[int, Resource]) -> bool:
    """Whether a bookable resource holds ``resource`` (booking both at once would clash:
    the history books a lab, not its benches too)."""
    return any(everything[above].bookable for above in resource.ancestor_ids)


@transactional
def seed_history(now: datetime, weeks: int = 13) -> int:
    """The demo's last ``weeks`` of use, so the reports have something to show: on each
    weekday before today, the tenants' people book some rooms, labs and desks at the
    usual hours, never two at once that would clash; most bookings were kept, some were
    no-shows, some cancelled. Written once: nothing is added if any booking started before today."""
    zone = site_zone()
    today = now.astimezone(zone).date()
    first_day = today - timedelta(weeks=weeks)
    if db.session.scalar(select(Booking.id).where(Booking.start < now).limit(1)) is not None:
        return 0
    people = db.session.scalars(select(User).where(User.tenant_id.is_not(None))).all()
    everything = {r.id: r for r in db.session.scalars(select(Resource))}
    places = [r for r in everything.values() if r.bookable and r.kind in HISTORY_KINDS
              and not _within_bookable(r, everything)]  # fmt: skip
    pick, made = random.Random(2026), []
    day = first_day
    while day < today:
        if day.weekday() < 5:
            for place in places:
                for hour, minutes in HISTORY_SLOTS[:: pick.choice([2, 3, 5])]:
                    if pick.random() < 0.6:
                        start = localize(datetime.combine(day, time(hour)), zone)
                        made.append(_past_booking(place, pick.choice(people), start, minutes, pick))
        day += timedelta(days=1)
    db.session.add_all(made)
    return len(made)
