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

from icalendar import Calendar, Event, vDuration, vRecur

from calendars.timezones import vtimezone

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


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` as local time in ``zone`` (``TZID``), or in UTC where that local time
    happens twice (the hour the clocks go back): RFC 5545 means the first of the two,
    but not every app reads it so, while a UTC time is read the same by all."""
    local = moment.astimezone(zone)
    twin = local.replace(fold=1 - local.fold)
    return _utc(moment) if twin.utcoffset() != local.utcoffset() else local


def _event(item: FeedEvent, zone: ZoneInfo, *, master: bool = False) -> Event:
    """The VEVENT for ``item``; a series' ``master`` keeps local times whatever they are,
    as its rule repeats them in local time."""
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", _utc(item.changed))
    event.add("created", _utc(item.created))
    event.add("last-modified", _utc(item.changed))
    event.add("sequence", item.sequence)
    event.add("dtstart", item.start.astimezone(zone) if master else _local(item.start, zone))
    event.add("dtend", item.end.astimezone(zone) if master else _local(item.end, zone))
    if item.recurrence_id is not None:
        event.add("recurrence-id", _local(item.recurrence_id, zone))
    event.add("summary", item.summary)
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    event.add("status", item.status)
    event.add("transp", "TRANSPARENT" if item.status == CANCELLED else "OPAQUE")
    return event


def _years(feed: FeedCalendar) -> range:
    instants = [e.start for e in feed.events] + [e.end for e in feed.events]
    for series in feed.series:
        instants += [series.master.start, *series.exdates]
        instants += [o.start for o in series.overrides] + [o.end for o in series.overrides]
    if not instants:
        return range(feed.span[0], feed.span[0] + 1)
    return range(min(instants).year - 1, max(instants).year + 2)


def build_calendar(feed: FeedCalendar) -> bytes:
    """The feed as iCalendar bytes (UTF-8, CRLF, lines folded at 75 octets)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", feed.name)
    calendar.add("x-wr-calname", feed.name)
    calendar.add("x-wr-timezone", feed.zone.key)
    calendar.add("refresh-interval", feed.refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(feed.refresh))
    calendar.add_component(vtimezone(feed.zone, _years(feed)))
    for item in feed.events:
        calendar.add_component(_event(item, feed.zone))
    for series in feed.series:
        master = _event(series.master, feed.zone, master=True)
        master.add("rrule", vRecur.from_ical(series.rule))
        for excluded in sorted(series.exdates):
            master.add("exdate", _local(excluded, feed.zone))
        calendar.add_component(master)
        for override in series.overrides:
            calendar.add_component(_event(override, feed.zone))
    body: bytes = calendar.to_ical()
    return body
