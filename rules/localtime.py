"""Local wall-clock times and the instants they name, across the clock changes.

A wall-clock time that the clocks skip (spring forward) does not exist, and one they
repeat (fall back) is ambiguous; neither names one instant, so both are refused
rather than guessed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


class LocalTimeError(ValueError):
    """A naive local time that does not name exactly one instant."""


def is_aware(moment: datetime) -> bool:
    """True when ``moment`` carries a usable UTC offset."""
    return moment.tzinfo is not None and moment.utcoffset() is not None


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """The aware instant that wall-clock time ``naive`` names in ``zone``.

    Raises ``LocalTimeError`` when the time falls in a gap or in a repeated hour.
    """
    if is_aware(naive):
        return naive
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            raise LocalTimeError(
                f"{naive.isoformat()} does not exist in {zone.key}: the clocks go forward"
            )
        raise LocalTimeError(
            f"{naive.isoformat()} happens twice in {zone.key}: the clocks go back; "
            "give a UTC offset"
        )
    return first


def to_utc(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` as an aware UTC datetime; a naive one is read as local time in ``zone``."""
    return localize(moment, zone).astimezone(UTC)


#: Slots are counted from this local wall-clock time (a Monday midnight), so a slot of
#: ``PT15M`` aligns to quarter hours, ``P1D`` to midnights and ``P1W`` to Mondays.
SLOT_ORIGIN = datetime(2000, 1, 3)


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall-clock time ``moment`` shows in ``zone``."""
    return moment.astimezone(zone).replace(tzinfo=None)


def from_wall_clock(naive: datetime, zone: ZoneInfo) -> datetime:
    """The instant of wall-clock time ``naive`` in ``zone``, in UTC, never refusing.

    Rule boundaries (opening times, slot edges) must always name an instant: a time the
    clocks skip is read with the offset before the change (01:30 on the spring day is
    02:30 BST) and a repeated one as its first occurrence.
    """
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def shift(moment: datetime, length: timedelta, zone: ZoneInfo) -> datetime:
    """``moment`` plus ``length``, its days counted as calendar days in ``zone``.

    As in RFC 5545, ``P1D`` after 09:00 is 09:00 the next day even across a clock change
    (23 or 25 hours); hours, minutes and seconds are exact time.
    """
    day_part = timedelta(days=length.days)
    landed = from_wall_clock(wall_clock(moment, zone) + day_part, zone)
    return landed + (length - day_part)


#: Slot edges are asked about the same instants over and over (every resource of a
#: search opens at the same times), so the answers are remembered.
_remembered = lru_cache(maxsize=8192)


@_remembered
def is_aligned(moment: datetime, slot: timedelta, zone: ZoneInfo) -> bool:
    """True when ``moment`` falls on a slot edge of wall-clock time in ``zone``."""
    return (wall_clock(moment, zone) - SLOT_ORIGIN) % slot == timedelta(0)


@_remembered
def align_up(moment: datetime, slot: timedelta, zone: ZoneInfo) -> datetime:
    """The first slot edge at or after ``moment`` (wall-clock time in ``zone``)."""
    local = wall_clock(moment, zone)
    rest = (local - SLOT_ORIGIN) % slot
    if not rest:
        return moment
    edge = from_wall_clock(local - rest + slot, zone)
    return edge if edge > moment else edge + slot


def align_down(moment: datetime, slot: timedelta, zone: ZoneInfo) -> datetime:
    """The last slot edge at or before ``moment`` (wall-clock time in ``zone``)."""
    local = wall_clock(moment, zone)
    rest = (local - SLOT_ORIGIN) % slot
    if not rest:
        return moment
    edge = from_wall_clock(local - rest, zone)
    return edge if edge <= moment else edge - slot
