"""Reading closure days from an iCalendar file (a university's closures, say).

Recurring events are expanded with ``recurring-ical-events`` within the window asked for.
Each occurrence gets a key made of its UID and the start its rule gave it
(``RECURRENCE-ID``), so importing the same file again finds the same keys. An all-day
event closes whole local days; a floating time is read in the site's zone. Cancelled
events and those with no length are left out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar

from rules.localtime import from_wall_clock
from rules.rrule_parts import RecurrenceError, candidate_bound, check_parts

#: The most candidates expanding one event's rules may try (about a second of work).
MAX_CANDIDATES = 100_000


class CalendarFileError(ValueError):
    """A file that is not an iCalendar this service can read."""


@dataclass(frozen=True, slots=True)
class ImportedEvent:
    """One occurrence of an event in the file, as UTC instants."""

    key: str  # UID and original start: the same occurrence always has the same key
    start: datetime
    end: datetime
    summary: str


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return from_wall_clock(value, zone)
        return value.astimezone(UTC)
    return from_wall_clock(datetime.combine(value, time()), zone)


def _value(component: Any, name: str) -> Any:
    prop = component.get(name)
    return None if prop is None else getattr(prop, "dt", prop)


def _end(component: Any, start: date | datetime) -> date | datetime:
    end = _value(component, "DTEND")
    if end is not None:
        return end  # type: ignore[no-any-return]
    length = _value(component, "DURATION")
    if isinstance(length, timedelta):
        return start + length
    # RFC 5545 3.6.1: a date start with neither lasts one day; a date-time start, no time
    return start + timedelta(days=1) if not isinstance(start, datetime) else start


def parse_calendar(text: str) -> Calendar:
    """The calendar in ``text``, or ``CalendarFileError`` saying why it cannot be read."""
    try:
        parsed = Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise CalendarFileError(f"Not a readable iCalendar file: {error}") from error
    if not isinstance(parsed, Calendar) or parsed.name != "VCALENDAR":
        raise CalendarFileError("Not an iCalendar file: it must begin with BEGIN:VCALENDAR.")
    return parsed


def _rule_parts(rule: Any) -> dict[str, str]:
    text = rule.to_ical().decode("utf-8", "replace") if hasattr(rule, "to_ical") else str(rule)
    parts = dict(item.partition("=")[::2] for item in text.upper().split(";") if item)
    return {name: value for name, value in parts.items() if value}


def check_events(calendar: Calendar, zone: ZoneInfo, window_end: datetime) -> None:
    """Refuse, before anything is expanded, an event without a start and a rule that
    RFC 5545 calls invalid or that would take too long to expand up to ``window_end``."""
    for event in calendar.walk("VEVENT"):
        name = str(event.get("SUMMARY") or event.get("UID") or "an event")[:80]
        first = _value(event, "DTSTART")
        if not isinstance(first, date):
            raise CalendarFileError(f"{name!r} has no start (DTSTART).")
        rules = event.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
            parts = _rule_parts(rule)
            try:
                check_parts(parts)
            except RecurrenceError as error:
                raise CalendarFileError(f"{name!r} has an invalid RRULE: {error}") from error
            span = window_end - _instant(first, zone)
            if candidate_bound(parts, span) > MAX_CANDIDATES:
                raise CalendarFileError(
                    f"{name!r} repeats too often ({parts.get('FREQ', '?')}) to be closures; "
                    "give each closure as an event, or a daily or coarser rule."
                )


def imported_events(
    text: str, zone: ZoneInfo, window: tuple[datetime, datetime], limit: int
) -> list[ImportedEvent]:
    """Every occurrence in ``text`` overlapping ``window``, by start; at most ``limit``."""
    calendar = parse_calendar(text)
    check_events(calendar, zone, window[1])
    try:
        occurrences = recurring_ical_events.of(calendar).between(*window)
    except (ValueError, TypeError, recurring_ical_events.InvalidCalendar) as error:
        raise CalendarFileError(f"The events cannot be expanded: {error}") from error
    found: list[ImportedEvent] = []
    for occurrence in occurrences:
        if str(occurrence.get("STATUS", "")).upper() == "CANCELLED":
            continue
        first = _value(occurrence, "DTSTART")
        if not isinstance(first, date):
            continue
        start, end = _instant(first, zone), _instant(_end(occurrence, first), zone)
        if end <= start:
            continue
        uid = str(occurrence.get("UID") or "") or _anonymous_uid(occurrence)
        original = _value(occurrence, "RECURRENCE-ID") or first
        found.append(
            ImportedEvent(
                key=f"{uid}#{_instant(original, zone).isoformat()}"[:600],
                start=start,
                end=end,
                summary=str(occurrence.get("SUMMARY") or "Closed"),
            )
        )
        if len(found) > limit:
            raise CalendarFileError(
                f"The file holds more than {limit} closures in the booking horizon."
            )
    return sorted(found, key=lambda e: (e.start, e.key))


def _anonymous_uid(component: Any) -> str:
    """A stable stand-in for a missing UID: the event's own text, hashed."""
    return "sha256:" + hashlib.sha256(component.to_ical()).hexdigest()
