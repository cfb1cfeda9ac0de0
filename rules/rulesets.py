"""A resource's effective rules: site defaults, then each ancestor, then the resource.

Each rule is taken whole from the nearest level that sets it: a resource's
``opening_hours`` replace its ancestors' (a weekday it leaves out is closed), and its
``quota`` list replaces theirs. Where each rule came from is kept, so people can see
why it applies. Rules arrive as the contract's JSON (durations as ISO 8601 text) and
leave as typed values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from rules.durations import DurationError, parse_duration

#: The bases a resource may be charged on (see ``rules.charges``).
CHARGE_BASES = ("booked", "used")
#: A tenant tier's name.
TIER = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Rules whose value is an ISO 8601 duration.
DURATION_RULES = (
    "min_duration",
    "max_duration",
    "slot",
    "min_notice",
    "max_advance",
    "buffer_before",
    "buffer_after",
    "late_cancel_within",
)
#: Rules whose value is a whole number, and the range it must be in.
NUMBER_RULES = {
    "minimum_charge_minutes": (0, 24 * 60),
    "late_cancel_percent": (0, 100),
    "no_show_percent": (0, 100),
}
#: Pence per hour for one tier: at most a million pounds an hour.
MOST_PENCE_AN_HOUR = 100_000_000
#: Every rule of the contract, in the order the API lists them.
RULE_NAMES = (
    "opening_hours",
    "closed_on_bank_holidays",
    *(name for name in DURATION_RULES if name != "late_cancel_within"),
    "requires_approval",
    "required_certification",
    "check_in",
    "quota",
    "visitor_briefing",
    "rates",
    "charge_basis",
    "minimum_charge_minutes",
    "late_cancel_within",
    "late_cancel_percent",
    "no_show_percent",
)
#: Minutes since local midnight, ``end`` up to 1440 (24:00).
OpeningRange = tuple[int, int]
#: The resource id a rule was set on; ``None`` is the site's defaults.
Source = int | None


class RulesError(ValueError):
    """Rules that do not have the contract's shape."""


@dataclass(frozen=True, slots=True)
class Quota:
    """At most ``hours`` booked per ``period`` (day, week, month) per ``scope`` (tenant, user).

    It counts bookings of the resource it is set on and everything below it (all
    resources when set for the site, ``source`` ``None``).
    """

    scope: str
    period: str
    hours: float
    source: Source = None


@dataclass(frozen=True, slots=True)
class CheckInRule:
    """Whether a booking must be checked in, and how late it may be."""

    required: bool
    grace: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Typed rules of one resource; ``None`` or empty means the rule does not apply.

    ``opening_hours`` maps a weekday (0 = Monday) to its open ranges; ``None`` means
    open at all hours. ``sources`` names, per rule set, the level it came from.
    """

    opening_hours: Mapping[int, tuple[OpeningRange, ...]] | None = None
    closed_on_bank_holidays: bool = False
    min_duration: timedelta | None = None
    max_duration: timedelta | None = None
    slot: timedelta | None = None
    min_notice: timedelta | None = None
    max_advance: timedelta | None = None
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    requires_approval: bool = False
    required_certification: str | None = None
    check_in: CheckInRule | None = None
    quotas: tuple[Quota, ...] = ()
    #: Visitors for a booking here are given its safety briefing before they go in.
    visitor_briefing: bool = False
    #: Pence per hour by tenant tier (see ``rules.charges``); empty: free.
    rates: Mapping[str, int] = field(default_factory=dict)
    charge_basis: str = "booked"
    minimum_charge_minutes: int = 0
    late_cancel_within: timedelta | None = None
    late_cancel_percent: int = 0
    no_show_percent: int = 100
    sources: Mapping[str, Source] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Layer:
    """The rules set at one level: the site (``source`` ``None``) or one resource."""

    source: Source
    rules: Mapping[str, Any]


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    value = int(hours) * 60 + int(minutes)
    if not (0 <= int(minutes) < 60 and 0 <= value <= 24 * 60):
        raise ValueError(text)
    return value


def parse_opening_hours(raw: Mapping[str, Any]) -> dict[int, tuple[OpeningRange, ...]]:
    """``{"mon": ["08:00-18:00"]}`` as ``{0: ((480, 1080),)}``; a day left out is closed."""
    hours: dict[int, tuple[OpeningRange, ...]] = {}
    for day, ranges in raw.items():
        if day not in WEEKDAYS:
            raise RulesError(f"opening_hours: unknown weekday {day!r}")
        parsed: list[OpeningRange] = []
        for text in ranges:
            try:
                first, last = (_minutes(part) for part in str(text).split("-"))
            except ValueError as error:
                raise RulesError(f"opening_hours: {text!r} is not HH:MM-HH:MM") from error
            if last <= first:
                raise RulesError(f"opening_hours: {text!r} ends before it starts")
            parsed.append((first, last))
        hours[WEEKDAYS.index(day)] = tuple(sorted(parsed))
    return hours


def _duration(name: str, value: Any) -> timedelta:
    try:
        return parse_duration(str(value))
    except DurationError as error:
        raise RulesError(f"{name}: {error}") from error


def _quotas(raw: Iterable[Mapping[str, Any]], source: Source) -> tuple[Quota, ...]:
    quotas = []
    for item in raw:
        scope, period, hours = item.get("scope"), item.get("period"), item.get("hours")
        if scope not in ("tenant", "user") or period not in ("day", "week", "month"):
            raise RulesError(
                f"quota: {dict(item)!r} needs scope tenant|user, period day|week|month"
            )
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
            raise RulesError(f"quota: hours must be a positive number, not {hours!r}")
        quotas.append(Quota(scope=scope, period=period, hours=float(hours), source=source))
    return tuple(quotas)


def _check_in(raw: Mapping[str, Any]) -> CheckInRule:
    return CheckInRule(
        required=bool(raw.get("required", False)),
        grace=_duration("check_in.grace", raw.get("grace", "PT15M")),
    )


def _rates(raw: Any) -> dict[str, int]:
    if not isinstance(raw, Mapping):
        raise RulesError('rates: give pence per hour for each tier, like {"standard": 2500}')
    rates = {}
    for tier, pence in raw.items():
        if not (isinstance(tier, str) and TIER.fullmatch(tier)):
            raise RulesError(f"rates: {tier!r} is not a tier name (a-z, 0-9, _ or -)")
        if isinstance(pence, bool) or not isinstance(pence, int):
            raise RulesError(f"rates: {tier} must be whole pence per hour, not {pence!r}")
        if not 0 <= pence <= MOST_PENCE_AN_HOUR:
            raise RulesError(f"rates: {tier} must be 0 to {MOST_PENCE_AN_HOUR} pence an hour")
        rates[tier] = pence
    return rates


def _number(name: str, value: Any) -> int:
    least, most = NUMBER_RULES[name]
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise RulesError(f"{name}: must be a whole number from {least} to {most}")
    return value


def _basis(value: Any) -> str:
    if value not in CHARGE_BASES:
        raise RulesError(f"charge_basis: must be one of {', '.join(CHARGE_BASES)}")
    return str(value)


def chosen_rules(layers: Iterable[Layer]) -> dict[str, tuple[Any, Source]]:
    """Each rule as set at the nearest level (its raw value) and that level, in
    ``RULE_NAMES`` order: what the API shows as a resource's effective rules."""
    chosen: dict[str, tuple[Any, Source]] = {}
    for layer in layers:
        for name, value in layer.rules.items():
            if name not in RULE_NAMES:
                raise RulesError(f"unknown rule {name!r}")
            chosen[name] = (value, layer.source)
    return {name: chosen[name] for name in RULE_NAMES if name in chosen}


def effective_rules(layers: Iterable[Layer]) -> RuleSet:
    """The rules in force below ``layers`` (site first, the resource itself last)."""
    chosen = chosen_rules(layers)
    values: dict[str, Any] = {}
    for name, (value, source) in chosen.items():
        if name == "opening_hours":
            values[name] = parse_opening_hours(value)
        elif name in DURATION_RULES:
            values[name] = _duration(name, value)
        elif name == "quota":
            values["quotas"] = _quotas(value, source)
        elif name == "check_in":
            values[name] = _check_in(value)
        elif name == "required_certification":
            values[name] = str(value) if value else None
        elif name == "rates":
            values[name] = _rates(value)
        elif name == "charge_basis":
            values[name] = _basis(value)
        elif name in NUMBER_RULES:
            values[name] = _number(name, value)
        else:
            values[name] = bool(value)
    return RuleSet(**values, sources={name: source for name, (_, source) in chosen.items()})


def check_rules(raw: Mapping[str, Any]) -> None:
    """Raise ``RulesError`` unless ``raw`` is a valid set of rules."""
    effective_rules([Layer(None, raw)])
