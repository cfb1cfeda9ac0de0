"""Changing a resource's own rules, and first seeing what the change would do: which
bookings still to come, of the resource or anything inside it, would break the new rules
(opening hours, bank holidays and closures, length and slots). They are not cancelled:
staff decide what to do with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from booking.access import require
from booking.extensions import db
from booking.models import OCCUPYING, Booking, Resource, User
from booking.services.catalogue.resources import get_resource, update_resource
from booking.services.catalogue.rulebook import circumstances_for
from booking.services.catalogue.snapshot import current_catalogue
from rules import Interval, RuleSet
from rules.policies import Circumstances, standing_violations

#: The most affected bookings a preview lists.
MOST_SHOWN = 200


@dataclass(frozen=True, slots=True)
class Affected:
    """A booking still to come that the new rules would refuse, and why."""

    booking_id: int
    resource_name: str
    start: datetime
    end: datetime
    reasons: list[str]


def _judge_all(resource: Resource, now: datetime) -> list[Affected]:
    book = current_catalogue().rules
    below = select(Resource).where(Resource.path.startswith(resource.path))
    places = {r.id: r for r in db.session.scalars(below)}
    query = (
        select(Booking)
        .where(Booking.resource_id.in_(places), Booking.end > now, Booking.status.in_(OCCUPYING))
        .order_by(Booking.start)
    )
    ahead = list(db.session.scalars(query))
    if not ahead:
        return []
    # each place's closures and bank holidays are read once, over every booking's time
    span = Interval(ahead[0].start, max(booking.end for booking in ahead))
    contexts: dict[int, tuple[RuleSet, Circumstances]] = {}
    found = []
    for booking in ahead:
        place = places[booking.resource_id]
        if place.id not in contexts:
            rules = book.rules_for(place.id)
            contexts[place.id] = (rules, circumstances_for(place, rules, span, now))
        rules, context = contexts[place.id]
        interval = Interval(booking.start, booking.end)
        broken = standing_violations(place.name, interval, rules, context)
        if broken:
            found.append(Affected(booking.id, place.name, booking.start, booking.end,
                                  [v.message for v in broken]))  # fmt: skip
            if len(found) >= MOST_SHOWN:
                break
    return found


def preview_rules(
    actor: User, resource_id: int, own: dict[str, Any], now: datetime
) -> list[Affected]:
    """The bookings still to come that ``own`` (the resource's own rules, in full) would
    refuse; nothing is saved."""
    require(actor, "manage_catalogue", "change rules")
    resource = get_resource(resource_id)
    with db.session.begin_nested() as trial:
        resource.rules = own
        db.session.flush()
        affected = _judge_all(resource, now)
        trial.rollback()
    db.session.expire(resource)
    return affected


def set_rules(actor: User, resource_id: int, own: dict[str, Any], now: datetime) -> Resource:
    """Save ``own`` as the resource's own rules (the API's checks and audit apply)."""
    return update_resource(actor, resource_id, {"rules": own}, now)
