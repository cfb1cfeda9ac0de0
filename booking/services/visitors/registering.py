"""Telling reception who is coming: one visitor or several at once, for a host of one's
own tenant (reception: for anyone), perhaps for a booking; or a walk-in reception signs
in at once. Each use case runs in one transaction.

Who sees a visitor: the centre's staff, and the people of the host's tenant (a host
with no tenant: they and whoever registered the visit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, true

from booking.access import can, require
from booking.errors import InvalidFieldsError, NotFoundError, PermissionDeniedError
from booking.extensions import db
from booking.models import Booking, User, Visitor
from booking.services.core import transactional, visible_booking
from booking.services.visitors.signing import sign_in


@dataclass
class VisitorDraft:
    """A visitor as someone tells reception of them."""

    name: str
    expected_at: datetime
    email: str | None = None
    organisation: str | None = None
    host_id: int | None = None  # None: the caller
    leaves_at: datetime | None = None
    booking_id: int | None = None
    arrive: bool = False  # reception: a walk-in, signed in at once
    briefed: bool = False  # reception: given the safety briefing


def visible_visitors(actor: User) -> ColumnElement[bool]:
    """SQL for the visitors ``actor`` may see."""
    if can(actor, "see_all"):
        return true()
    own = or_(Visitor.host_id == actor.id, Visitor.registered_by_id == actor.id)
    if actor.tenant_id is None:
        return own
    return or_(own, Visitor.tenant_id == actor.tenant_id)


def visible_visitor(actor: User, visitor_id: int, *, for_update: bool = False) -> Visitor:
    """A visitor ``actor`` may see (locked if asked), or a 404 whether or not it exists."""
    query = select(Visitor).where(Visitor.id == visitor_id, visible_visitors(actor))
    visitor = db.session.scalar(query.with_for_update() if for_update else query)
    if visitor is None:
        raise NotFoundError("No such visitor.")
    return visitor


def host_for(actor: User, host_id: int | None) -> User:
    """The host ``actor`` may register a visitor for: themselves, anyone of their own
    tenant, or (reception) anyone; a 403 otherwise, whether or not the person exists."""
    if host_id is None or host_id == actor.id:
        return actor
    host = db.session.get(User, host_id)
    if can(actor, "run_reception"):
        if host is None:
            raise InvalidFieldsError({"host_id": ["No such person."]})
        return host
    if host is not None and actor.tenant_id is not None and host.tenant_id == actor.tenant_id:
        return host
    raise PermissionDeniedError("You may register visitors only for people of your own tenant.")


def _booking_for(actor: User, draft: VisitorDraft) -> Booking | None:
    if draft.booking_id is None:
        return None
    try:
        return visible_booking(actor, draft.booking_id)
    except NotFoundError:
        raise InvalidFieldsError({"booking_id": ["No such booking."]}) from None


def _check(draft: VisitorDraft) -> None:
    if draft.leaves_at is not None and draft.leaves_at <= draft.expected_at:
        raise InvalidFieldsError({"leaves_at": ["They must leave after they arrive."]})


def _new_visitor(actor: User, draft: VisitorDraft, now: datetime) -> Visitor:
    _check(draft)
    host = host_for(actor, draft.host_id)
    booking = _booking_for(actor, draft)
    visitor = Visitor(
        name=draft.name.strip(),
        email=draft.email or None,
        organisation=(draft.organisation or "").strip() or None,
        host_id=host.id,
        tenant_id=host.tenant_id,
        booking_id=booking.id if booking is not None else None,
        expected_at=draft.expected_at,
        leaves_at=draft.leaves_at,
        status="expected",
        registered_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(visitor)
    db.session.flush()
    return visitor


@transactional
def register_visitors(actor: User, drafts: Sequence[VisitorDraft], now: datetime) -> list[Visitor]:
    """Tell reception of ``drafts``, all or none; a walk-in (``arrive``, reception only)
    is signed in at once and its host told."""
    if any(draft.arrive for draft in drafts):
        require(actor, "run_reception", "sign visitors in")
    made = []
    for draft in drafts:
        visitor = _new_visitor(actor, draft, now)
        if draft.arrive:
            sign_in(actor, visitor, now, briefed=draft.briefed)
        made.append(visitor)
    return made


def register_visitor(actor: User, draft: VisitorDraft, now: datetime) -> Visitor:
    """Tell reception of one visitor (see ``register_visitors``)."""
    return register_visitors(actor, [draft], now)[0]
