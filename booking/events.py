"""Typed domain events: what happened to bookings, said once by the service that did it.

Services ``publish`` an event inside their transaction. Subscribers registered for its
type (or a base type) run either **in the transaction**, just before it commits (the
notification outbox, and anything else that must commit or roll back with the change),
or **after the commit** (anything that must only ever see committed changes). An event
of a transaction that rolls back reaches no subscriber after the commit, and whatever
the in-transaction subscribers wrote rolls back with it. Jobs and automatic transitions
publish the same events as people's actions, so no path that changes a booking can
forget a subscriber. ``booking.services.transactions.transactional`` drives the two
phases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from booking.extensions import db

E = TypeVar("E", bound="DomainEvent")
Handler = Callable[[Any], None]

_PENDING = "booking.events.pending"
_DONE = "booking.events.done"
_KEPT = "booking.events.kept"
_in_transaction: dict[type[DomainEvent], list[Handler]] = defaultdict(list)
_after_commit: dict[type[DomainEvent], list[Handler]] = defaultdict(list)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened; ``actor_id`` is ``None`` for the service's own jobs."""

    actor_id: int | None
    at: datetime


@dataclass(frozen=True, kw_only=True)
class BookingsEvent(DomainEvent):
    """Something that happened to bookings: one, or the dates of one series
    (``series_id``) changed in one step."""

    booking_ids: tuple[int, ...]
    series_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class BookingsMade(BookingsEvent):
    """New bookings (confirmed, pending approval, held or a walk-in checked in)."""


@dataclass(frozen=True, kw_only=True)
class BookingConfirmed(BookingsEvent):
    """A hold made a booking (confirmed, or pending where it needs approval)."""


@dataclass(frozen=True, kw_only=True)
class BookingApproved(BookingsEvent):
    """A pending booking approved; ``reason`` is what the approver said, if anything."""

    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class BookingRejected(BookingsEvent):
    """A pending booking rejected, with the approver's reason."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class BookingsChanged(BookingsEvent):
    """Bookings changed; ``moved`` when their time, place, units or people changed."""

    moved: bool


@dataclass(frozen=True, kw_only=True)
class BookingsCancelled(BookingsEvent):
    """Bookings cancelled by someone (``actor_id``)."""


@dataclass(frozen=True, kw_only=True)
class BookingsExpired(BookingsEvent):
    """Bookings that lapsed by themselves: a hold never confirmed, or a request nobody
    approved in time."""

    was: Literal["held", "pending"]


@dataclass(frozen=True, kw_only=True)
class BookingsReleased(BookingsEvent):
    """Bookings released as no-shows: not checked in within the grace."""


@dataclass(frozen=True, kw_only=True)
class BookingCheckedIn(BookingsEvent):
    """People arrived for a booking."""


@dataclass(frozen=True, kw_only=True)
class BookingsCompleted(BookingsEvent):
    """Bookings checked out, or ended while checked in."""


@dataclass(frozen=True, kw_only=True)
class WaitlistOffered(BookingsEvent):
    """Freed time offered to someone waiting for it: a held booking kept for them
    (``entry_id`` is their waitlist entry)."""

    entry_id: int


@dataclass(frozen=True, kw_only=True)
class VisitorArrived(DomainEvent):
    """A visitor signed in at reception: their host is told."""

    visitor_id: int
    host_id: int


@dataclass(frozen=True, kw_only=True)
class TrainingRequested(DomainEvent):
    """Someone asked for the training ``code`` (to book ``resource_id``): the facility
    managers are told."""

    request_id: int
    user_id: int
    code: str
    resource_id: int | None


@dataclass(frozen=True, kw_only=True)
class PasswordLinkMade(DomainEvent):
    """A one-time link to set a password was made for ``user_id``: it is mailed to them.
    ``purpose`` is ``password_reset`` or ``invitation``; ``secret`` is the link's own."""

    user_id: int
    purpose: Literal["password_reset", "invitation"]
    secret: str = field(repr=False)
    lasts: timedelta


@dataclass(frozen=True, kw_only=True)
class TimeFreed(DomainEvent):
    """Time a booking held on a resource is free again (cancelled, moved, cut short...):
    ``[start, end)``, occupied time including buffers, never before the event."""

    resource_id: int
    start: datetime
    end: datetime


def subscribe(event_type: type[E], *, after_commit: bool = False) -> Callable[[Any], Any]:
    """Register the decorated function for ``event_type`` and its subtypes."""

    def register(handler: Callable[[E], None]) -> Callable[[E], None]:
        (_after_commit if after_commit else _in_transaction)[event_type].append(handler)
        return handler

    return register


def unsubscribe(handler: Handler) -> None:
    """Forget ``handler`` wherever it was registered."""
    for registry in (_in_transaction, _after_commit):
        for handlers in registry.values():
            if handler in handlers:
                handlers.remove(handler)


@contextmanager
def paused(handler: Handler, event_type: type[DomainEvent]) -> Iterator[None]:
    """Run the block without ``handler`` (registered in the transaction for
    ``event_type``); for measuring what a subscriber costs."""
    unsubscribe(handler)
    try:
        yield
    finally:
        _in_transaction[event_type].append(handler)


def publish(event: DomainEvent, *made: object) -> None:
    """Say that ``event`` happened in the current transaction; ``made`` are rows it
    made, kept in the session until the commit so later subscribers find them there
    instead of reading them again (the session holds clean rows only weakly)."""
    db.session.info.setdefault(_PENDING, []).append(event)
    if made:
        db.session.info.setdefault(_KEPT, []).extend(made)


def _handlers(
    registry: dict[type[DomainEvent], list[Handler]], event: DomainEvent
) -> list[Handler]:
    return [h for kind in type(event).__mro__ for h in registry.get(kind, ())]


def dispatch_in_transaction() -> None:
    """Run the in-transaction subscribers of every event published so far, and of
    those they publish in turn; keep the events for after the commit."""
    info = db.session.info
    pending: list[DomainEvent] = info.setdefault(_PENDING, [])
    done: list[DomainEvent] = info.setdefault(_DONE, [])
    while pending:
        event = pending.pop(0)
        for handler in _handlers(_in_transaction, event):
            handler(event)
        done.append(event)


def dispatch_after_commit() -> None:
    """Run the after-commit subscribers of the events of the transaction that just
    committed."""
    done: list[DomainEvent] = db.session.info.pop(_DONE, [])
    db.session.info.pop(_KEPT, None)
    for event in done:
        for handler in _handlers(_after_commit, event):
            handler(event)


def discard() -> None:
    """Forget the events of a transaction that rolled back."""
    db.session.info.pop(_PENDING, None)
    db.session.info.pop(_DONE, None)
    db.session.info.pop(_KEPT, None)
