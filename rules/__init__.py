"""Pure availability and conflict logic: no I/O, no Flask, no database, no clock.

Everything here works on plain values (aware datetimes, intervals, claims, rule sets)
and takes ``now`` as an argument where it matters, so it is tested without an
application.
"""

from rules.availability import (
    Availability,
    bookable_time,
    claims_window,
    find_availability,
    first_fit,
    fits_length,
)
from rules.bank_holidays import bank_holidays
from rules.conflicts import Claim, Target, Usage, find_conflicts, saturated, usage_profile
from rules.intervals import (
    Interval,
    IntervalError,
    clip,
    difference,
    intersection,
    merge,
    overlaps,
    subtract,
)
from rules.localtime import LocalTimeError, localize, to_utc
from rules.opening import Closure, closing_time, open_time, opening_ranges
from rules.policies import (
    BookingRequest,
    Circumstances,
    Decision,
    ResourceFacts,
    check_request,
    decide,
    occupied_time,
)
from rules.quotas import check_quotas, periods, quota_window
from rules.rulesets import Layer, Quota, RulesError, RuleSet, check_rules, effective_rules
from rules.violations import CODES, Violation

__all__ = [
    "CODES",
    "Availability",
    "BookingRequest",
    "Circumstances",
    "Claim",
    "Closure",
    "Decision",
    "Interval",
    "IntervalError",
    "Layer",
    "LocalTimeError",
    "Quota",
    "ResourceFacts",
    "RuleSet",
    "RulesError",
    "Target",
    "Usage",
    "Violation",
    "bank_holidays",
    "bookable_time",
    "check_quotas",
    "check_request",
    "check_rules",
    "claims_window",
    "clip",
    "decide",
    "difference",
    "effective_rules",
    "find_availability",
    "find_conflicts",
    "first_fit",
    "fits_length",
    "intersection",
    "localize",
    "merge",
    "occupied_time",
    "open_time",
    "opening_ranges",
    "closing_time",
    "overlaps",
    "periods",
    "quota_window",
    "saturated",
    "subtract",
    "to_utc",
    "usage_profile",
]
