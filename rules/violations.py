"""Violations: why a booking is refused, as a stable code and a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass

#: Every violation code of the external contract, in the order they are reported.
CODES = (
    "not_bookable",
    "in_the_past",
    "outside_opening_hours",
    "closed",
    "too_short",
    "too_long",
    "misaligned",
    "too_soon",
    "too_far_ahead",
    "over_capacity",
    "quota_exceeded",
    "certification_required",
)


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule the request breaks: a machine-readable ``code`` and a plain ``message``."""

    code: str
    message: str
