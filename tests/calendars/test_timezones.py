"""VTIMEZONEs in yearly-rule form that agree with the zone database, read by ical.js."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from calendars.feed import CONFIRMED, FeedCalendar, FeedEvent, build_calendar
from calendars.timezones import transitions, vtimezone, yearly_rule
from tests.calendars.parsers import by_icaljs

ZONES = [
    "Europe/London",
    "Europe/Dublin",  # summer time is its standard time
    "America/New_York",  # second Sunday in March, first in November
    "Australia/Sydney",  # the southern hemisphere: summer time across new year
    "Asia/Tokyo",  # no clock changes
    "America/Sao_Paulo",  # had them, stopped in 2019
]
YEARS = range(2025, 2031)


@pytest.mark.parametrize("key", ZONES)
def test_the_yearly_rules_predict_every_transition(key):
    zone = ZoneInfo(key)
    component = vtimezone(zone, YEARS)
    assert str(component["TZID"]) == key
    parts = component.subcomponents
    actual = sorted(t.at for year in YEARS for t in transitions(zone, year))
    if not actual:
        assert len(parts) == 1 and "RRULE" not in parts[0]
        offset = datetime(2027, 6, 1, tzinfo=zone).utcoffset()
        assert parts[0]["TZOFFSETTO"].td == offset
        return
    assert len(parts) == 2
    predicted = []
    for part in parts:
        assert "RDATE" not in part
        rule = part["RRULE"].to_ical().decode()
        start = part["DTSTART"].dt
        assert start.year == 1970
        for local in rrulestr(rule, dtstart=start).between(
            datetime(YEARS.start, 1, 1) - timedelta(days=1), datetime(YEARS.stop, 1, 1)
        ):
            predicted.append(local - part["TZOFFSETFROM"].td)
    predicted = sorted(p.replace(tzinfo=UTC) for p in predicted)
    assert [p for p in predicted if p.year in YEARS] == actual


def test_yearly_rule_names_last_and_nth_weekdays():
    assert yearly_rule(datetime(2027, 3, 28, 1)) == (3, "-1SU")  # last Sunday in March
    assert yearly_rule(datetime(2027, 3, 14, 2)) == (3, "2SU")  # second Sunday
    assert yearly_rule(datetime(2027, 11, 7, 2)) == (11, "1SU")  # first Sunday
    assert yearly_rule(datetime(2027, 2, 22, 2)) == (2, "-1MO")  # the fourth is also last


@pytest.mark.parametrize("key", ZONES)
def test_icaljs_reads_local_times_right_all_year(key):
    """Events at 09:00 and 01:30 local on every day around the transitions: ical.js,
    reading times through the VTIMEZONE alone, gets the instant the zone database does."""
    zone = ZoneInfo(key)
    days = {datetime(2027, 1, 15), datetime(2027, 7, 15)}
    for change in transitions(zone, 2027):
        local = change.local.replace(hour=0, minute=0, second=0)
        days.update(local + timedelta(days=n) for n in (-1, 0, 1))
    events = []
    for day in sorted(days):
        for hour, minute in ((9, 0), (1, 30), (23, 30)):
            wall = day.replace(hour=hour, minute=minute)
            start = wall.replace(tzinfo=zone)
            if start.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
                continue  # a time the clocks skip names no instant
            start = start.astimezone(UTC)
            events.append(
                FeedEvent(
                    uid=f"e{len(events)}@test",
                    start=start,
                    end=start + timedelta(minutes=30),
                    summary=wall.isoformat(),
                    status=CONFIRMED,
                    changed=datetime(2026, 1, 1, tzinfo=UTC),
                    created=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
    text = build_calendar(FeedCalendar("zones", zone, timedelta(hours=1), events)).decode()
    assert len(Calendar.from_ical(text).walk("VTIMEZONE")) == 1
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))
    seen = {(s.start, s.end) for s in by_icaljs(text, window)}
    assert seen == {(e.start, e.end) for e in events}
