"""Invitations calendar apps act on (iTIP, RFC 5546), written by the feeds' own code.

A message about a booking carries one VCALENDAR with ``METHOD:REQUEST`` (the booking as
it now is: add or update it) or ``METHOD:CANCEL`` (remove it). Its events are the very
``FeedEvent``/``FeedSeries`` values the calendar feeds are built from, so UID, SEQUENCE
and times agree with the feed and an app updates one event instead of adding a second.
Each event names the centre as ORGANIZER and the recipient as an ATTENDEE who has
already accepted (``PARTSTAT=ACCEPTED``, ``RSVP=FALSE``): nobody is asked to reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from calendars.feed import (
    FeedEvent,
    FeedSeries,
    assemble,
    event_lines,
    new_calendar,
    series_lines,
    years_of,
)

Method = Literal["REQUEST", "CANCEL"]


@dataclass(frozen=True, slots=True)
class Address:
    """A person or the centre: a display name and an e-mail address."""

    name: str
    email: str


def _param(value: str) -> str:
    """A parameter value, quoted, without the characters a quoted value cannot hold."""
    cleaned = "".join(ch for ch in value if ch >= " " and ch not in '"\x7f')
    return f'"{cleaned}"'


def _mailto(address: Address) -> str:
    return f"mailto:{address.email}"


def party_lines(organizer: Address, attendee: Address) -> list[str]:
    """The ORGANIZER and ATTENDEE content lines of an invitation's events."""
    return [
        f"ORGANIZER;CN={_param(organizer.name)}:{_mailto(organizer)}",
        f"ATTENDEE;CN={_param(attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
        f"RSVP=FALSE:{_mailto(attendee)}",
    ]


def build_invitation(
    method: Method,
    zone: ZoneInfo,
    organizer: Address,
    attendee: Address,
    *,
    events: Sequence[FeedEvent] = (),
    series: Sequence[FeedSeries] = (),
) -> bytes:
    """One VCALENDAR with ``method`` holding ``events`` (single bookings, or occurrences
    of a series under its UID with their RECURRENCE-ID) and whole ``series`` (master
    with RRULE and EXDATEs, and its overrides)."""
    if not events and not series:
        raise ValueError("an invitation needs at least one event")
    extra = party_lines(organizer, attendee)
    lines: list[str] = []
    for item in events:
        lines += event_lines(item, zone, extra=extra)
    for one in series:
        lines += series_lines(one, zone, extra=extra)
    first = (events[0].start if events else series[0].master.start).year
    return assemble(new_calendar(method), zone, years_of(events, series, first), lines)
