"""Fields shared by the schemas: ids, instants in the site's zone, durations."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from marshmallow import ValidationError, fields, validate

from rules.durations import DurationError, format_duration, parse_duration
from rules.localtime import LocalTimeError, to_utc

MAX_ID = 2**31 - 1
#: Instants outside these years are refused: no booking is that far off.
YEARS = (2000, 2200)


def site_zone() -> ZoneInfo:
    """The zone naive times are read in and times are shown in."""
    return ZoneInfo(current_app.config["SITE_TIMEZONE"])


def local_iso(moment: datetime) -> str:
    """``moment`` in the site's zone as ISO 8601 with its UTC offset."""
    return in_zone(moment, site_zone())


@functools.lru_cache(maxsize=4096)
@functools.lru_cache(maxsize=8192)
def in_zone(moment: datetime, zone: ZoneInfo) -> str:
    """``moment`` in ``zone`` as ISO 8601 with its offset (many lines of a report share
    their times, and ``zone`` is looked up once for them all: see ``local_iso``)."""
    # a day's bookings share a few dozen start and end times: each is formatted once,
    # and kept for the next lines that share it
    return moment.astimezone(zone).isoformat()


def Id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:  # noqa: N802 - a field type
    """A database id: a positive 32-bit integer (``strict=False`` in query strings)."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


def Count(  # noqa: N802 - reads as a field type
    maximum: int = 100_000, minimum: int = 0, *, strict: bool = True, **kwargs: Any
) -> fields.Integer:
    """A whole number of people or units within bounds (``strict=False`` in query strings)."""
    return fields.Integer(strict=strict, validate=validate.Range(minimum, maximum), **kwargs)


class Instant(fields.DateTime):
    """An ISO 8601 date-time as an aware UTC instant.

    An aware time is taken as given; a naive one is local time of the site, refused
    when the clocks skip it or repeat it. Dumped in the site's zone with its offset.
    """

    default_error_messages = {
        **fields.DateTime.default_error_messages,
        "range": f"Must fall between the years {YEARS[0]} and {YEARS[1]}.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        if not YEARS[0] <= parsed.year <= YEARS[1]:
            raise self.make_error("range")
        try:
            return to_utc(parsed, site_zone())
        except LocalTimeError as error:
            raise ValidationError(str(error)) from error

    def _serialize(
        self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> str | None:
        return None if value is None else local_iso(value)


class Duration(fields.Field[timedelta]):
    """An ISO 8601 duration of fixed length such as ``PT30M``, loaded as a ``timedelta``
    (documented as a string: ``booking.api.init_app`` registers it)."""

    default_error_messages = {"invalid": "Not a valid string."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> timedelta:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return parse_duration(value)
        except DurationError as error:
            raise ValidationError(str(error)) from error

    def _serialize(
        self, value: timedelta | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> str | None:
        return None if value is None else format_duration(value)


class DurationText(fields.String):
    """An ISO 8601 duration checked on load but kept as text (rules are stored as given)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_duration(text)
        except DurationError as error:
            raise ValidationError(str(error)) from error
        return text.strip().upper()
