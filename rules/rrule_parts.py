"""The parts of an RFC 5545 RRULE checked before anything is expanded: values RFC 5545
calls invalid are refused, and how many candidates an expansion could try is bounded, so
no rule (a series' or an imported calendar's) can run away."""

from __future__ import annotations

from datetime import timedelta


class RecurrenceError(ValueError):
    """A rule that is not a bounded RFC 5545 RRULE a series may use."""


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: RFC 5545 3.3.10: the values each BY part may hold (a sign allowed where negative).
_RANGES: dict[str, tuple[int, int, bool]] = {
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}
#: Roughly how long each frequency's period is, for bounding an expansion.
_PERIOD_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3_600,
    "DAILY": 86_400,
    "WEEKLY": 604_800,
    "MONTHLY": 2_419_200,
    "YEARLY": 31_536_000,
}


def _check_number(name: str, text: str, low: int, high: int, signed: bool) -> None:
    digits = text[1:] if signed and text[:1] in "+-" else text
    if not digits.isdigit() or not low <= int(digits) <= high:
        sign = "±" if signed else ""
        raise RecurrenceError(
            f"{name} values must be whole numbers from {sign}{low} to {sign}{high}."
        )


def check_parts(parts: dict[str, str]) -> None:
    """Refuse (``RecurrenceError``) the parts of an RRULE that RFC 5545 calls invalid:
    an INTERVAL that is not a positive whole number, BY values out of range, unknown
    weekdays."""
    try:
        _check_parts(parts)
    except RecurrenceError as error:
        raise RecurrenceError(f"The rule is not a valid RRULE: {error}") from error


def _check_parts(parts: dict[str, str]) -> None:
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or int(interval) < 1:
        raise RecurrenceError("INTERVAL must be a whole number of at least 1.")
    for name, (low, high, signed) in _RANGES.items():
        for value in parts[name].split(",") if name in parts else ():
            _check_number(name, value, low, high, signed)
    for day in parts["BYDAY"].split(",") if "BYDAY" in parts else ():
        ordinal, weekday = day[:-2], day[-2:]
        if weekday not in _WEEKDAYS:
            raise RecurrenceError(f"{day!r} is not a day of the week (MO to SU) in BYDAY.")
        if ordinal:
            _check_number("BYDAY", ordinal, 1, 53, True)
    if parts.get("WKST", "MO") not in _WEEKDAYS:
        raise RecurrenceError("WKST must be a day of the week (MO to SU).")


def candidate_bound(parts: dict[str, str], span: timedelta) -> float:
    """At most how many times expanding a rule with ``parts`` over ``span`` (from its
    first occurrence to the end of the window) tries a candidate: checked before
    expanding, so a rule that would take too long is refused instead of run."""
    period = _PERIOD_SECONDS.get(parts.get("FREQ", ""), 1) * max(1, int(parts.get("INTERVAL", "1")))
    periods = max(0.0, span.total_seconds()) / period + 1
    per_period = 1
    for name in _RANGES.keys() | {"BYDAY"}:
        if name in parts:
            per_period *= len(parts[name].split(","))
    if "BYDAY" in parts and parts.get("FREQ") in ("MONTHLY", "YEARLY"):
        per_period *= 53  # a weekday names every such day of the month or year
    return periods * per_period
