"""Three independent readers of iCalendar feeds, each giving the occurrences it sees.

- ``icalendar`` with ``recurring-ical-events`` (Python);
- ``ical``, a strict Python parser with its own recurrence expansion;
- ``ical.js``, Thunderbird's parser (Node), which reads times through the feed's own
  VTIMEZONE, where the Python readers use the zone database.

Each returns a sorted list of ``Seen`` (UID, UTC start and end, summary, status).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

HERE = Path(__file__).resolve().parent
ICALJS = HERE / "node_modules" / "ical.js"


@dataclass(frozen=True, order=True)
class Seen:
    start: datetime
    end: datetime
    uid: str
    summary: str
    status: str


def by_icalendar(text: str, window: tuple[datetime, datetime]) -> list[Seen]:
    calendar = Calendar.from_ical(text)
    return sorted(
        Seen(
            e.get("DTSTART").dt.astimezone(UTC),
            e.get("DTEND").dt.astimezone(UTC),
            str(e.get("UID")),
            str(e.get("SUMMARY")),
            str(e.get("STATUS")),
        )
        for e in recurring_ical_events.of(calendar).between(*window)
    )


def by_ical(text: str, window: tuple[datetime, datetime]) -> list[Seen]:
    calendar = IcsCalendarStream.calendar_from_ics(text)
    timeline = calendar.timeline_tz(ZoneInfo("UTC"))
    return sorted(
        Seen(
            e.dtstart.astimezone(UTC),  # type: ignore[union-attr]
            e.dtend.astimezone(UTC),  # type: ignore[union-attr]
            str(e.uid),
            str(e.summary),
            e.status.value if e.status else "",
        )
        for e in timeline.overlapping(*window)
    )


def icaljs_available() -> bool:
    return shutil.which("node") is not None and ICALJS.exists()


def by_icaljs(text: str, window: tuple[datetime, datetime]) -> list[Seen]:
    if not icaljs_available():
        if os.environ.get("CI") == "true" and shutil.which("node"):
            pytest.fail("ical.js is required under CI=true: npm install --prefix tests/calendars")
        pytest.skip("Node or ical.js is not installed (npm install --prefix tests/calendars)")
    answer = subprocess.run(
        ["node", str(HERE / "expand.mjs"), window[0].isoformat(), window[1].isoformat()],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return sorted(
        Seen(
            datetime.fromisoformat(item["start"]),
            datetime.fromisoformat(item["end"]),
            item["uid"],
            item["summary"],
            item["status"],
        )
        for item in json.loads(answer.stdout)
    )


READERS = {"icalendar": by_icalendar, "ical": by_ical, "ical.js": by_icaljs}
