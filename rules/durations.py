"""ISO 8601 durations of fixed length (weeks, days, hours, minutes, seconds).

Years and months have no fixed length, so booking rules do not use them and they are
refused here rather than guessed.
"""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
#: Longer than any booking rule needs; keeps arithmetic on datetimes in range.
LONGEST = timedelta(days=3660)


class DurationError(ValueError):
    """Text that is not a fixed-length ISO 8601 duration."""


def parse_duration(text: str) -> timedelta:
    """The length named by ``text``, e.g. ``PT30M``, ``P1DT2H`` or ``P2W``."""
    match = _DURATION.match(text.strip().upper())
    if match is None or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        raise DurationError(f"{text!r} is not an ISO 8601 duration such as PT30M or P1D")
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    try:
        length = timedelta(**parts)
    except OverflowError as error:
        raise DurationError(f"{text!r} is too long") from error
    if length > LONGEST:
        raise DurationError(f"{text!r} is longer than {LONGEST.days} days")
    return length


def format_duration(length: timedelta) -> str:
    """``length`` as an ISO 8601 duration (``PT0S`` for zero)."""
    seconds = int(length.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0S"


_SPOKEN_UNITS = {
    "w": "weeks", "week": "weeks", "weeks": "weeks",
    "d": "days", "day": "days", "days": "days",
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes",
    "minutes": "minutes",
}  # fmt: skip
_SPOKEN = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")


def parse_spoken_duration(text: str) -> timedelta:
    """A length as people write it ("30 minutes", "1 hour 30 minutes", "1.5 hours",
    "2 days", "90 min", "1h30m"), or as ISO 8601 ("PT30M")."""
    cleaned = text.strip().lower().replace(",", " ").replace(" and ", " ")
    if cleaned.upper().startswith("P"):
        return parse_duration(cleaned)
    found = _SPOKEN.findall(cleaned)
    if not found or _SPOKEN.sub("", cleaned).strip():
        raise DurationError(f"{text!r} is not a length such as 30 minutes or 1 hour 30 minutes")
    total = timedelta(0)
    for number, unit in found:
        if unit not in _SPOKEN_UNITS:
            raise DurationError(f"{unit!r} is not minutes, hours, days or weeks")
        total += timedelta(**{_SPOKEN_UNITS[unit]: float(number)})
    if total > LONGEST:
        raise DurationError(f"{text!r} is longer than {LONGEST.days} days")
    return timedelta(seconds=round(total.total_seconds()))
