"""Recurring bookings: an RFC 5545 RRULE expanded in local wall-clock time.

A series is its first occurrence and a rule. Every occurrence keeps the first one's
wall-clock times in the site's zone, so 09:00-12:00 stays 09:00-12:00 across the clock
changes; a wall-clock time the clocks skip is read with the offset before the change and
a repeated one as its first occurrence (RFC 5545, 3.3.5).

A rule must be bounded, by ``COUNT`` or ``UNTIL``, and end before the booking horizon
(``max_advance``); it is never expanded past the horizon or past ``MAX_OCCURRENCES``, so
no rule can make a runaway expansion. ``UNTIL`` may be a UTC date-time (``...Z``, as RFC
5545 requires beside a zoned start), a floating local date-time, or a date, which
includes that whole local day.
"""

from __future__ import annotations

import datetime as datetime_module
import types
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil import rrule as rrule_module
from dateutil.rrule import rrule, rrulestr

from rules.intervals import Interval
from rules.localtime import from_wall_clock, wall_clock
from rules.rrule_parts import RecurrenceError as RecurrenceError  # raised by what is here
from rules.rrule_parts import check_parts

#: The most occurrences one series may have.
MAX_OCCURRENCES = 500
#: Frequencies a booking series may use; finer ones make no sense for rooms and labs.
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")
_PARTS = frozenset(
    {
        "FREQ",
        "INTERVAL",
        "COUNT",
        "UNTIL",
        "WKST",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "BYHOUR",
        "BYMINUTE",
        "BYSECOND",
    }
)
_UTC_FORM = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A checked rule: its canonical text (``UNTIL`` in UTC) and its parts."""

    text: str
    parts: tuple[tuple[str, str], ...]

    def part(self, name: str) -> str | None:
        """The value of one part (``COUNT``, ``UNTIL``, ...), or ``None``."""
        return dict(self.parts).get(name)

    @property
    def count(self) -> int | None:
        """``COUNT``, when the rule has one."""
        value = self.part("COUNT")
        return None if value is None else int(value)

    @property
    def until(self) -> datetime | None:
        """``UNTIL`` as an aware UTC instant, when the rule has one."""
        value = self.part("UNTIL")
        return None if value is None else datetime.strptime(value, _UTC_FORM).replace(tzinfo=UTC)


def _until_instant(value: str, zone: ZoneInfo) -> datetime:
    """``UNTIL`` as an instant: UTC (``Z``), floating local time, or a whole local date."""
    try:
        if len(value) == 8:
            day = datetime.strptime(value, "%Y%m%d")
            return from_wall_clock(day + timedelta(days=1), zone) - timedelta(seconds=1)
        if value.endswith("Z"):
            return datetime.strptime(value, _UTC_FORM).replace(tzinfo=UTC)
        return from_wall_clock(datetime.strptime(value, "%Y%m%dT%H%M%S"), zone)
    except ValueError as error:
        raise RecurrenceError(f"UNTIL={value} is not a date or a date-time") from error


def parse_rule(text: str, zone: ZoneInfo) -> Recurrence:
    """Check ``text`` (an RRULE, with or without the ``RRULE:`` prefix) and put it in
    canonical form, or raise ``RecurrenceError`` saying what is wrong."""
    body = text.strip().upper()
    body = body.removeprefix("RRULE:")
    if not body:
        raise RecurrenceError("The rule is empty; give an RRULE such as FREQ=WEEKLY;COUNT=10.")
    parts: dict[str, str] = {}
    for item in body.split(";"):
        name, sep, value = item.partition("=")
        if not sep or not value or name not in _PARTS:
            raise RecurrenceError(f"{item!r} is not a part of an RRULE.")
        if name in parts:
            raise RecurrenceError(f"{name} is given twice.")
        parts[name] = value
    if parts.get("FREQ") not in FREQUENCIES:
        raise RecurrenceError(f"FREQ must be one of {', '.join(FREQUENCIES)}.")
    check_parts(parts)
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise RecurrenceError("The rule must be bounded by exactly one of COUNT or UNTIL.")
    if "COUNT" in parts:
        if not parts["COUNT"].isdigit() or not 1 <= int(parts["COUNT"]) <= MAX_OCCURRENCES:
            raise RecurrenceError(f"COUNT must be a whole number from 1 to {MAX_OCCURRENCES}.")
    else:
        until = _until_instant(parts["UNTIL"], zone)
        if until.year < 2000:
            raise RecurrenceError("UNTIL is before the year 2000.")
        parts["UNTIL"] = until.astimezone(UTC).strftime(_UTC_FORM)
    ordered = tuple((name, parts[name]) for name in sorted(parts, key=_order))
    canonical = ";".join(f"{name}={value}" for name, value in ordered)
    try:
        _build(Recurrence(canonical, ordered), datetime(2030, 1, 7, 9), zone, None)
    except (ValueError, TypeError, KeyError) as error:
        raise RecurrenceError(f"The rule is not a valid RRULE: {error}") from error
    return Recurrence(canonical, ordered)


def weekly_rule(every_weeks: int, until: date) -> str:
    """The RRULE of a booking repeated every ``every_weeks`` weeks up to and including
    the local date ``until`` (what the booking form offers)."""
    if every_weeks < 1:
        raise RecurrenceError("A booking repeats every week or more.")
    return f"FREQ=WEEKLY;INTERVAL={every_weeks};UNTIL={until:%Y%m%d}"


def _order(name: str) -> tuple[int, str]:
    # FREQ first, as RFC 5545 examples write it; the rest in a stable order.
    return (0 if name == "FREQ" else 1, name)


def _build(
    rule: Recurrence, first_local: datetime, zone: ZoneInfo, until: datetime | None
) -> rrule:
    """A dateutil rule over naive wall-clock times, ending at ``until`` (an instant) if
    given, else at the rule's own bound."""
    kept = [f"{name}={value}" for name, value in rule.parts if name not in ("COUNT", "UNTIL")]
    built = rrulestr(";".join(kept), dtstart=first_local)
    assert isinstance(built, rrule)
    bound = rule.until if until is None else until
    if bound is None:
        return built.replace(count=rule.count)
    return built.replace(until=wall_clock(bound, zone))


def _searching_until(year: int) -> Callable[[rrule], Iterator[datetime]]:
    """dateutil's own iterator of rule instances, told that the calendar ends in ``year``.

    dateutil stops a rule at its ``UNTIL`` only once it finds an instance past it, and a
    rule that matches nothing (the 30th of February) is searched to the year 9999: seconds
    of work. Run with ``MAXYEAR`` read as the horizon's year, such a rule ends at once.
    """
    clock = types.SimpleNamespace(**{**vars(datetime_module), "MAXYEAR": year})
    namespace = {**vars(rrule_module), "datetime": clock}
    code = rrule._iter.__code__  # type: ignore[attr-defined]
    return types.FunctionType(code, namespace, "_iter")


@dataclass(frozen=True, slots=True)
class Expansion:
    """The occurrences of a series within its horizon, and what the rule leaves out."""

    occurrences: list[Interval]
    excluded: list[Interval]


def _local_starts(
    rule: Recurrence, start: datetime, zone: ZoneInfo, horizon: datetime
) -> list[datetime]:
    """The rule's local starts from ``start``, refused (``RecurrenceError``) unless it
    starts there and fits before ``horizon`` within ``MAX_OCCURRENCES``."""
    wanted = rule.count if rule.count is not None else MAX_OCCURRENCES + 1
    # Expanded only up to the horizon (or UNTIL), so no rule can run away.
    bounded = _build(rule, start, zone, rule.until or horizon)
    bounded._iter = types.MethodType(_searching_until(horizon.year + 1), bounded)  # type: ignore[attr-defined]
    found: list[datetime] = list(islice(iter(bounded), wanted))
    if not found:
        raise RecurrenceError(
            "The rule has no occurrence before the latest start bookings allow "
            f"({wall_clock(horizon, zone):%Y-%m-%d %H:%M})."
        )
    if found[0] != start:
        raise RecurrenceError(
            "The booking's start must be the rule's first occurrence (for example a Tuesday "
            "for FREQ=WEEKLY;BYDAY=TU)."
        )
    if rule.count is not None and len(found) < rule.count:
        raise RecurrenceError(
            f"COUNT={rule.count} runs past the latest start bookings allow "
            f"({wall_clock(horizon, zone):%Y-%m-%d %H:%M}); only {len(found)} occurrences "
            "fit before it."
        )
    if len(found) > MAX_OCCURRENCES:
        raise RecurrenceError(f"The rule makes more than {MAX_OCCURRENCES} occurrences.")
    return found


def expand(
    rule: Recurrence,
    first: Interval,
    zone: ZoneInfo,
    horizon: datetime,
    *,
    exdates: Collection[datetime] = (),
    exdays: Collection[date] = (),
) -> Expansion:
    """Every occurrence of ``rule`` starting with ``first``, in local wall-clock time.

    Occurrences whose start is in ``exdates`` (instants) or falls on a local date in
    ``exdays`` go to ``excluded``. Raises ``RecurrenceError`` when the rule reaches
    past ``horizon`` (the latest start allowed) or has more than ``MAX_OCCURRENCES``.
    """
    start_local, end_local = wall_clock(first.start, zone), wall_clock(first.end, zone)
    length = end_local - start_local
    # A first occurrence in the hour the clocks repeat can end before it starts by the
    # wall clock (01:15 BST to 01:00 GMT); then every occurrence keeps its exact length.
    exact = first.duration if length <= timedelta(0) else None
    if rule.until is not None and rule.until > horizon:
        raise RecurrenceError(
            f"UNTIL is past the latest start bookings allow "
            f"({wall_clock(horizon, zone):%Y-%m-%d %H:%M}); end the series sooner."
        )
    found = _local_starts(rule, start_local, zone, horizon)
    skipped_instants = set(exdates)
    occurrences: list[Interval] = []
    excluded: list[Interval] = []
    for local in found:
        start = from_wall_clock(local, zone)
        end = start + exact if exact is not None else from_wall_clock(local + length, zone)
        if end <= start:
            # It starts in the hour the clocks skip and is shorter than the jump.
            end = start + length
        slot = Interval(start, end)
        gone = slot.start in skipped_instants or local.date() in exdays
        (excluded if gone else occurrences).append(slot)
    return Expansion(occurrences, excluded)
