"""Pure availability and conflict logic: no I/O, no Flask, no database, no clock.

Everything here works on plain values (aware datetimes, intervals, claims) and takes
``now`` as an argument where it matters, so it is tested without an application.
"""

from rules.availability import Availability, find_availability, first_fit
from rules.conflicts import Claim, Target, Usage, find_conflicts, saturated, usage_profile
from rules.intervals import (
    Interval,
    IntervalError,
    clip,
    intersection,
    merge,
    overlaps,
    subtract,
)
from rules.localtime import LocalTimeError, localize, to_utc
from rules.policies import BookingRequest, ResourceFacts, Violation, check_request

__all__ = [
    "Availability",
    "BookingRequest",
    "Claim",
    "Interval",
    "IntervalError",
    "LocalTimeError",
    "ResourceFacts",
    "Target",
    "Usage",
    "Violation",
    "check_request",
    "clip",
    "find_availability",
    "find_conflicts",
    "first_fit",
    "intersection",
    "localize",
    "merge",
    "overlaps",
    "saturated",
    "subtract",
    "to_utc",
    "usage_profile",
]
