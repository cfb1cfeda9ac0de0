"""Local wall-clock times and the instants they name, across the clock changes.

A wall-clock time that the clocks skip (spring forward) does not exist, and one they
repeat (fall back) is ambiguous; neither names one instant, so both are refused
rather than guessed.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
