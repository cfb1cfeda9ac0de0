"""Building a subscribable calendar (RFC 5545) from bookings, the same for every app.

Every event's times are written in the site's zone (``TZID``) with the VTIMEZONE for it,
so a 09:00 booking shows at 09:00 in every app on both sides of the clock changes. UIDs
are given by the caller (stable: from booking and series ids); ``DTSTAMP`` and
``LAST-MODIFIED`` are the booking's last change, never the time of the request, so the
same bookings always make the same bytes. A series is one master event with its
``RRULE``, ``EXDATE`` for the dates it no longer has, and an override (``RECURRENCE-ID``)
for each occurrence that differs from what the rule says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, vDuration, vText
from icalendar.parser import Contentline

from calendars.timezones import vtimezone_bytes

PRODID = "-//Health and Wellbeing Innovation Centre//Booking service//EN"
#: Event statuses (RFC 5545 3.8.1.11).
CONFIRMED, TENTATIVE, CANCELLED = "CONFIRMED", "TENTATIVE", "CANCELLED"


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One event: a booking, or one occurrence of a series that differs from its rule."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    status: str
    changed: datetime  # the booking's last change: DTSTAMP and LAST-MODIFIED
    created: datetime
    sequence: int = 0
    location: str | None = None
    description: str | None = None
    #: For an override of a series' occurrence: the start the rule gave it.
    recurrence_id: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedSeries:
    """A recurring booking: the master event (its first occurrence), its rule, the dates
    it no longer has and the occurrences that differ."""

    master: FeedEvent
    rule: str  # an RRULE value, e.g. FREQ=WEEKLY;BYDAY=TU;UNTIL=20270323T235959Z
    exdates: tuple[datetime, ...] = ()
    overrides: tuple[FeedEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedCalendar:
    """What a feed holds and how apps should treat it."""

    name: str
    zone: ZoneInfo
    refresh: timedelta
    events: Sequence[FeedEvent] = ()
    series: Sequence[FeedSeries] = ()
    span: tuple[int, int] = field(default=(2000, 2100))  # years the VTIMEZONE must cover


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _is_repeated(local: datetime) -> bool:
    """True when ``local``'s wall-clock time happens twice (the hour the clocks go back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _stamp(moment: datetime) -> str:
    return f"{_utc(moment):%Y%m%dT%H%M%SZ}"


def _when(name: str, moment: datetime, zone: ZoneInfo, *, keep_local: bool = False) -> str:
    """A date-time property in local time of ``zone`` (``TZID``), or in UTC where that
    local time happens twice: RFC 5545 means the first of the two, but not every app
    reads it so, while a UTC time is read the same by all. A series' start keeps its
    local time whatever it is (``keep_local``), as its rule repeats it in local time."""
    local = moment.astimezone(zone)
    if _is_repeated(local) and not keep_local:
        return f"{name}:{_stamp(moment)}"
    return f"{name};TZID={zone.key}:{local:%Y%m%dT%H%M%S}"


def _line(line: str) -> str:
    """One content line, folded at 75 octets where it is longer."""
    if len(line) <= 75 and line.isascii():
        return line + "\r\n"
    folded: bytes = Contentline(line).to_ical()  # type: ignore[no-untyped-call]
    return folded.decode("utf-8") + "\r\n"


def _text(value: str) -> str:
    return str(vText(value).to_ical().decode("utf-8"))


def event_lines(
    item: FeedEvent,
    zone: ZoneInfo,
    *,
    rule: str | None = None,
    exdates: Sequence[datetime] = (),
    extra: Sequence[str] = (),
) -> list[str]:
    """The VEVENT for ``item``, unfolded: written directly (the same properties for every
    event, escaped by ``icalendar``), as a feed holds thousands of them; ``extra`` are
    further content lines (an invitation's ORGANIZER and ATTENDEE)."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_text(item.uid)}",
        f"DTSTAMP:{_stamp(item.changed)}",
        f"CREATED:{_stamp(item.created)}",
        f"LAST-MODIFIED:{_stamp(item.changed)}",
        f"SEQUENCE:{item.sequence}",
        _when("DTSTART", item.start, zone, keep_local=rule is not None),
        _when("DTEND", item.end, zone, keep_local=rule is not None),
    ]
    if item.recurrence_id is not None:
        lines.append(_when("RECURRENCE-ID", item.recurrence_id, zone))
    if rule is not None:
        lines.append(f"RRULE:{rule}")
    lines.extend(_when("EXDATE", excluded, zone) for excluded in sorted(exdates))
    lines.append(f"SUMMARY:{_text(item.summary)}")
    if item.location:
        lines.append(f"LOCATION:{_text(item.location)}")
    if item.description:
        lines.append(f"DESCRIPTION:{_text(item.description)}")
    lines.append(f"STATUS:{item.status}")
    lines.append(f"TRANSP:{'TRANSPARENT' if item.status == CANCELLED else 'OPAQUE'}")
    lines.extend(extra)
    lines.append("END:VEVENT")
    return lines


def years_of(events: Sequence[FeedEvent], series: Sequence[FeedSeries], default: int) -> range:
    """The years a VTIMEZONE must cover for ``events`` and ``series`` (``default`` alone
    when there are none)."""
    instants = [e.start for e in events] + [e.end for e in events]
    for one in series:
        instants += [one.master.start, *one.exdates]
        instants += [o.start for o in one.overrides] + [o.end for o in one.overrides]
    if not instants:
        return range(default, default + 1)
    return range(min(instants).year - 1, max(instants).year + 2)


def series_lines(series: FeedSeries, zone: ZoneInfo, extra: Sequence[str] = ()) -> list[str]:
    """A series' master VEVENT and its overrides, unfolded."""
    lines = event_lines(series.master, zone, rule=series.rule, exdates=series.exdates, extra=extra)
    for override in series.overrides:
        lines += event_lines(override, zone, extra=extra)
    return lines


def assemble(calendar: Calendar, zone: ZoneInfo, years: range, lines: Sequence[str]) -> bytes:
    """``calendar``'s properties, the VTIMEZONE of ``zone`` over ``years`` and the
    content ``lines`` (folded here) as iCalendar bytes (UTF-8, CRLF)."""
    head: bytes = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    zone_text = vtimezone_bytes(zone, years.start, years.stop)
    body = "".join(_line(line) for line in lines).encode("utf-8")
    return head[: -len(end)] + zone_text + body + end


def new_calendar(method: str) -> Calendar:
    """An empty VCALENDAR of this service with ``method`` (PUBLISH, REQUEST, CANCEL)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def build_calendar(feed: FeedCalendar) -> bytes:
    """The feed as iCalendar bytes (UTF-8, CRLF, lines folded at 75 octets)."""
    calendar = new_calendar("PUBLISH")
    calendar.add("name", feed.name)
    calendar.add("x-wr-calname", feed.name)
    calendar.add("x-wr-timezone", feed.zone.key)
    calendar.add("refresh-interval", feed.refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(feed.refresh))
    lines: list[str] = []
    for item in feed.events:
        lines += event_lines(item, feed.zone)
    for series in feed.series:
        lines += series_lines(series, feed.zone)
    years = years_of(feed.events, feed.series, feed.span[0])
    return assemble(calendar, feed.zone, years, lines)
