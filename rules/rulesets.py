"""A resource's effective rules: site defaults, then each ancestor, then the resource.

Each rule is taken whole from the nearest level that sets it: a resource's
``opening_hours`` replace its ancestors' (a weekday it leaves out is closed), and its
``quota`` list replaces theirs. Where each rule came from is kept, so people can see
why it applies. Rules arrive as the contract's JSON (durations as ISO 8601 text) and
leave as typed values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from rules.durations import DurationError, parse_duration

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
)
#: Every rule of the contract, in the order the API lists them.
RULE_NAMES = (
    "opening_hours",
    "closed_on_bank_holidays",
    *DURATION_RULES,
    "requires_approval",
    "required_certification",
    "check_in",
    "quota",
    "visitor_briefing",
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
        else:
            values[name] = bool(value)
    return RuleSet(**values, sources={name: source for name, (_, source) in chosen.items()})


def check_rules(raw: Mapping[str, Any]) -> None:
    """Raise ``RulesError`` unless ``raw`` is a valid set of rules."""
    effective_rules([Layer(None, raw)])
