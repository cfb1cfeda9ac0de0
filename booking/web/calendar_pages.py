"""Calendar pages: a day, a week or a month of one resource, of several side by side (a
lab with its benches and instruments), or of one's own bookings.

Nothing is dragged: every booking and every free stretch is a link or text in a table
(week and month) or a list (a day, which fits a phone), with the period's headers, so
the pages read the same by keyboard and screen reader. Free time links to the booking
form at the earliest time the rules accept there, as on Find and book.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, render_template, request
from werkzeug.datastructures import MultiDict

from booking.clock import now, today
from booking.errors import DomainError
from booking.services.catalogue import ResourceFilter, get_resource, list_resource_summaries
from booking.services.finding import Lane, days_from, own_lane, resource_lanes
from booking.web.blueprint import blp
from booking.web.finding import DURATIONS
from booking.web.session import me, signed_in
from rules.durations import parse_duration

VIEWS = ("day", "week", "month")
#: The most resources one page sets side by side.
MOST_LANES = 12


@dataclass(frozen=True)
class Period:
    """The days a view shows around ``day``, and the days its arrows go to."""

    view: str
    day: date

    @property
    def days(self) -> list[date]:
        if self.view == "day":
            return [self.day]
        if self.view == "week":
            monday = self.day - timedelta(days=self.day.weekday())
            return days_from(monday, monday + timedelta(days=6))
        first = self.day.replace(day=1)
        last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        start = first - timedelta(days=first.weekday())
        return days_from(start, last + timedelta(days=6 - last.weekday()))

    @property
    def weeks(self) -> list[list[date]]:
        days = self.days
        return [days[n : n + 7] for n in range(0, len(days), 7)]

    @property
    def before(self) -> date:
        if self.view == "month":
            return (self.day.replace(day=1) - timedelta(days=1)).replace(day=1)
        return self.day - timedelta(days=1 if self.view == "day" else 7)

    @property
    def after(self) -> date:
        if self.view == "month":
            return (self.day.replace(day=1) + timedelta(days=31)).replace(day=1)
        return self.day + timedelta(days=1 if self.view == "day" else 7)

    @property
    def heading(self) -> str:
        if self.view == "day":
            return self.day.strftime("%A %-d %B %Y")
        if self.view == "month":
            return self.day.strftime("%B %Y")
        first, last = self.days[0], self.days[-1]
        return f"Week of {first.strftime('%-d %B')} to {last.strftime('%-d %B %Y')}"


def _period(args: MultiDict[str, str]) -> Period:
    view = args.get("view", "week")
    try:
        day = date.fromisoformat(args.get("date", ""))
    except ValueError:
        day = today()
    day = min(max(day, date(2000, 1, 1)), date(2200, 12, 1))
    return Period(view if view in VIEWS else "week", day)


def _resource_ids(args: MultiDict[str, str]) -> list[int]:
    """The resources asked for: ``resource`` (repeated), and ``family``: a resource with
    the bookable resources directly inside it (a lab's benches and instruments)."""
    ids = [int(v) for v in args.getlist("resource") if v.isdigit()]
    family = args.get("family", "")
    if family.isdigit():
        children = list_resource_summaries(ResourceFilter(parent_id=int(family), bookable=True))
        ids += [int(family), *(child.id for child in children)]
    return list(dict.fromkeys(ids))[:MOST_LANES]


@blp.get("/calendar")
@signed_in
def calendar() -> str:
    """A calendar of resources (``resource``, ``family``) or of one's own bookings."""
    user = me()
    period = _period(request.args)
    length_text = request.args.get("duration", "PT1H")
    length_text = length_text if length_text in DURATIONS else "PT1H"
    ids = _resource_ids(request.args)
    try:
        for resource_id in ids:
            get_resource(resource_id)
    except DomainError:
        abort(404)
    lanes: list[Lane] = (
        resource_lanes(user, ids, period.days, parse_duration(length_text), now())
        if ids
        else [own_lane(user, period.days, now())]
    )
    return render_template(
        "calendar.html",
        period=period,
        lanes=lanes,
        ids=ids,
        family=request.args.get("family", ""),
        duration=length_text,
        length=parse_duration(length_text),
        durations=DURATIONS,
        today=today(),
        views=VIEWS,
    )
