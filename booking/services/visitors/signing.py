"""Signing a visitor in: the lab's safety briefing where its rules ask for one, and the
host told (``VisitorArrived``, which the notifications hear)."""

from __future__ import annotations

from datetime import datetime

from booking.errors import StateConflictError
from booking.events import VisitorArrived, publish
from booking.extensions import db
from booking.models import Booking, Resource, User, Visitor
from booking.services.catalogue import rules_of


def briefing_for(visitor: Visitor) -> Resource | None:
    """The resource whose safety briefing ``visitor`` must be given before going in
    (its rules' ``visitor_briefing``), if any."""
    if visitor.booking_id is None:
        return None
    booking = db.session.get(Booking, visitor.booking_id)
    resource = db.session.get(Resource, booking.resource_id) if booking is not None else None
    if resource is None or not rules_of(resource).visitor_briefing:
        return None
    return resource


def sign_in(actor: User, visitor: Visitor, now: datetime, *, briefed: bool = False) -> None:
    """Mark ``visitor`` arrived (refused where a briefing is due and not given) and tell
    their host."""
    if visitor.status != "expected":
        words = {"arrived": "signed in already", "left": "has left", "cancelled": "cancelled"}
        raise StateConflictError(
            f"{visitor.name} {words.get(visitor.status, visitor.status)}.",
            code=f"visitor_{visitor.status}",
        )
    needs = briefing_for(visitor)
    if needs is not None and not briefed:
        raise StateConflictError(
            f"Give {visitor.name} the safety briefing for {needs.name}, and tick that you "
            "did, before signing them in.",
            code="briefing_required",
        )
    visitor.status, visitor.arrived_at, visitor.updated_at = "arrived", now, now
    if briefed:
        visitor.briefed_at = now
    publish(
        VisitorArrived(actor_id=actor.id, at=now, visitor_id=visitor.id, host_id=visitor.host_id)
    )
