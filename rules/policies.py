"""Booking policies: whether a request may be made at all, apart from conflicts.

``check_request`` returns every violation at once, each with a stable code and a
message a person can act on. The codes are part of the external contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rules.intervals import Interval


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule the request breaks: a machine-readable ``code`` and a plain ``message``."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ResourceFacts:
    """What the policies need to know about the resource asked for."""

    name: str
    bookable: bool
    quantity: int = 1
    capacity: int | None = None


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """A booking as asked for: when, how many units and how many people."""

    interval: Interval
    units: int = 1
    attendees: int | None = None


def check_request(
    request: BookingRequest, resource: ResourceFacts, now: datetime
) -> list[Violation]:
    """Every policy ``request`` breaks for ``resource`` at time ``now`` (empty if none)."""
    violations: list[Violation] = []
    if not resource.bookable:
        violations.append(
            Violation("not_bookable", f"{resource.name} cannot be booked on its own.")
        )
    if request.interval.start < now:
        violations.append(Violation("in_the_past", "The booking would start in the past."))
    if request.units > resource.quantity:
        violations.append(
            Violation(
                "over_capacity",
                f"{resource.name} has {resource.quantity} unit(s); {request.units} were asked for.",
            )
        )
    if (
        request.attendees is not None
        and resource.capacity is not None
        and request.attendees > resource.capacity
    ):
        violations.append(
            Violation(
                "over_capacity",
                f"{resource.name} holds {resource.capacity} people; "
                f"{request.attendees} were asked for.",
            )
        )
    return violations
