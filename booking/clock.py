"""The current instant, for requests, commands and jobs alike."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> datetime:
    """The current instant (aware, UTC); tests pin it with the ``FIXED_NOW`` setting."""
    fixed: datetime | None = current_app.config.get("FIXED_NOW")
    return fixed if fixed is not None else datetime.now(UTC)


def today() -> date:
    """Today's date in the site's zone."""
    return now().astimezone(ZoneInfo(current_app.config["SITE_TIMEZONE"])).date()
