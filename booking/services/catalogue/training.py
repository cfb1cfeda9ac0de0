"""Training: asking for the certification a resource requires, and the facility managers'
view of it: open requests, certifications running out within 30 days, and everyone's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from booking.access import require
from booking.errors import StateConflictError
from booking.events import TrainingRequested, publish
from booking.extensions import db
from booking.models import Certification, Resource, TrainingRequest, User
from booking.services.catalogue.resources import get_resource
from booking.services.catalogue.rulebook import certifications_of, rules_of, site_zone
from booking.services.core import transactional
from rules.policies import lacking_training

#: How far ahead the "due" list looks for certifications running out.
DUE_WITHIN = timedelta(days=30)


@transactional
def request_training(actor: User, resource_id: int, now: datetime) -> tuple[TrainingRequest, bool]:
    """Ask for the training ``resource_id`` requires; True when the request is new (the
    managers are told once; asking again while it is open changes nothing)."""
    resource = get_resource(resource_id)
    rules = rules_of(resource)
    code = rules.required_certification
    if code is None:
        raise StateConflictError(f"{resource.name} needs no training.")
    if lacking_training(rules, certifications_of(actor), now, site_zone()) is None:
        raise StateConflictError(f"You hold the {code} certification already.")
    open_one = db.session.scalar(
        select(TrainingRequest).where(
            TrainingRequest.user_id == actor.id, TrainingRequest.code == code,
            TrainingRequest.answered_at.is_(None),
        )
    )  # fmt: skip
    if open_one is not None:
        return open_one, False
    made = TrainingRequest(user_id=actor.id, code=code, resource_id=resource.id, created_at=now)
    db.session.add(made)
    db.session.flush()
    publish(TrainingRequested(actor_id=actor.id, at=now, request_id=made.id, user_id=actor.id,
                              code=code, resource_id=resource.id))  # fmt: skip
    return made, True


def answer_requests(user_id: int, code: str, now: datetime) -> None:
    """Mark ``user_id``'s open requests for ``code`` answered (a grant does this)."""
    for request in db.session.scalars(
        select(TrainingRequest).where(
            TrainingRequest.user_id == user_id, TrainingRequest.code == code,
            TrainingRequest.answered_at.is_(None),
        )
    ):  # fmt: skip
        request.answered_at = now


@dataclass(frozen=True, slots=True)
class Held:
    """A certification as the training page lists it."""

    user_id: int
    name: str
    code: str
    expires_on: date | None


@dataclass(frozen=True, slots=True)
class Asked:
    """An open request for training."""

    user_id: int
    name: str
    code: str
    resource: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Training:
    requests: list[Asked]
    due: list[Held]
    held: list[Held]


def training_overview(actor: User, today: date) -> Training:
    """Open requests (oldest first), certifications running out within 30 days (soonest
    first, the lapsed of the last 30 days too), and every certification by person."""
    require(actor, "manage_catalogue", "see everyone's training")
    rows = db.session.execute(
        select(Certification.user_id, User.name, Certification.code, Certification.expires_on)
        .join(User, User.id == Certification.user_id)
        .order_by(User.name, Certification.code)
    )
    held = [Held(*row) for row in rows]
    soon, lapsed = today + DUE_WITHIN, today - DUE_WITHIN
    due = sorted(
        (h for h in held if h.expires_on is not None and lapsed <= h.expires_on <= soon),
        key=lambda h: (h.expires_on or today, h.name),
    )
    asked = db.session.execute(
        select(TrainingRequest, User.name, Resource.name)
        .join(User, User.id == TrainingRequest.user_id)
        .outerjoin(Resource, Resource.id == TrainingRequest.resource_id)
        .where(TrainingRequest.answered_at.is_(None))
        .order_by(TrainingRequest.created_at)
    )
    requests = [Asked(r.user_id, name, r.code, where, r.created_at) for r, name, where in asked]
    return Training(requests, due, held)
