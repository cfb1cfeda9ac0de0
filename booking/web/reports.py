"""Report pages: the staff's usage reports with charts and the funder report, each with
its CSV (the API's columns, ``schemas.reports``); the monthly statement's views join this
blueprint from ``web.statements``.

Every chart is drawn on the server (``web.charts``) and comes with a text alternative
and its data as a table; the pages print without the site's header and the filters.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from marshmallow import ValidationError

from booking.clock import today
from booking.responses import csv_response
from booking.schemas.reports import (
    FUNDER_COLUMNS,
    GROUPS,
    USAGE_COLUMNS,
    PeriodQuerySchema,
    funder_cells,
    usage_cells,
)
from booking.services import accounts
from booking.services.accounts import UsageRow, WeekHeat
from booking.web import charts
from booking.web.session import for_those_who_can, me
from rules.weekhours import DAYS

blp = Blueprint("report_pages", __name__)

#: How many resources the utilisation chart draws (the table lists them all).
MOST_BARS = 20
SECTOR_NAMES = {
    "nhs": "NHS",
    "university": "University",
    "private": "Private",
    "public": "Public",
    "third_sector": "Third sector",
}


def _period(default_first: date, default_last: date) -> tuple[date, date, list[str]]:
    """The period asked for in ``from`` and ``to``, or the default and what was wrong."""
    if "from" not in request.args and "to" not in request.args:
        return default_first, default_last, []
    try:
        asked = PeriodQuerySchema().load({key: request.args.get(key, "") for key in ("from", "to")})
    except ValidationError as wrong:
        problems = [m for ms in wrong.messages_dict.values() for m in ms]
        return default_first, default_last, [str(problem) for problem in problems]
    return asked["start"], asked["end"], []


def _last_months(count: int) -> tuple[date, date]:
    """From the first of the month ``count - 1`` months back to today."""
    day = today()
    back = day.year * 12 + day.month - 1 - (count - 1)
    return date(back // 12, back % 12 + 1, 1), day


@dataclass(frozen=True)
class Chart:
    """A chart as the page shows it: the image, its text alternative and a caption."""

    src: str
    alt: str


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def _heat_chart(heat: WeekHeat, hours: list[int]) -> Chart | None:
    if not hours:
        return None
    shares = [(d, h, heat.utilisation(d, h)) for d in range(7) for h in hours]
    cells = tuple(-1.0 if s is None else s for _, _, s in shares)
    src = charts.heatmap(DAYS, tuple(f"{h:02d}" for h in hours), cells)
    known = [(s, d, h) for d, h, s in shares if s is not None]
    busiest, quietest = max(known), min(known)
    alt = (
        "Heatmap of the share of open time booked, by day of the week (rows) and hour "
        f"(columns). Busiest: {DAYS[busiest[1]]} {busiest[2]:02d}:00, {busiest[0]:.0%}. "
        f"Quietest open hour: {DAYS[quietest[1]]} {quietest[2]:02d}:00, {quietest[0]:.0%}. "
        "The table after the chart gives every hour."
    )
    return Chart(src, alt)


def _resource_chart(rows: list[UsageRow]) -> Chart | None:
    ranked = sorted(
        (r for r in rows if r.utilisation is not None),
        key=lambda r: (-(r.utilisation or 0), r.label),
    )[:MOST_BARS]
    if not ranked:
        return None
    src = charts.bars(
        tuple(r.label for r in ranked), tuple(r.utilisation or 0.0 for r in ranked), percent=True
    )
    shown = f"the {len(ranked)} busiest of {len(rows)}" if len(rows) > len(ranked) else "each"
    alt = (
        f"Bar chart of the share of open time booked for {shown} resources. Highest: "
        f"{ranked[0].label}, {_percent(ranked[0].utilisation)}; lowest shown: "
        f"{ranked[-1].label}, {_percent(ranked[-1].utilisation)}. The table after the chart "
        "lists every resource."
    )
    return Chart(src, alt)


def _no_show_rate(row: UsageRow) -> float | None:
    return row.no_shows / row.bookings if row.bookings else None


def _no_show_chart(rows: list[UsageRow]) -> Chart | None:
    if not any(row.bookings for row in rows):
        return None
    rates = [_no_show_rate(row) or 0.0 for row in rows]
    src = charts.bars(tuple(row.label for row in rows), tuple(rates), percent=True)
    said = "; ".join(f"{row.label}: {_percent(_no_show_rate(row))}" for row in rows)
    return Chart(src, f"Bar chart of the share of bookings that were no-shows, by month. {said}.")


def _sector_chart(rows: list[UsageRow]) -> Chart | None:
    if not any(row.booked_hours for row in rows):
        return None
    labels = tuple(SECTOR_NAMES.get(str(row.key), row.label) for row in rows)
    hours = tuple(row.booked_hours for row in rows)
    src = charts.bars(labels, hours, percent=False, unit=" h")
    said = "; ".join(f"{label}: {h:,.1f} hours" for label, h in zip(labels, hours, strict=True))
    return Chart(src, f"Bar chart of hours booked by tenants of each sector. {said}.")


@blp.get("/staff/reports")
@for_those_who_can("see_all")
def usage_page() -> str:
    """Utilisation by hour of the week, per resource, no-shows by month and hours by
    sector, for the last three months unless another period is asked for."""
    first, last, problems = _period(*_last_months(3))
    seen = accounts.usage_overview(me(), first, last)
    heat, by_resource, by_month, by_sector = (
        seen.heat,
        seen.by_resource,
        seen.by_month,
        seen.by_sector,
    )
    hours = heat.hours_open()
    return render_template(
        "staff/reports.html",
        first=first,
        last=last,
        problems=problems,
        heat=heat,
        days=DAYS,
        hours=hours,
        heat_chart=_heat_chart(heat, hours),
        by_resource=by_resource,
        resource_chart=_resource_chart(by_resource),
        by_month=by_month,
        no_show_chart=_no_show_chart(by_month),
        no_show_rate=_no_show_rate,
        by_sector=by_sector,
        sector_chart=_sector_chart(by_sector),
        sector_names=SECTOR_NAMES,
        percent=_percent,
        groups=GROUPS,
    )


@blp.get("/staff/reports/usage-by-<any(" + ", ".join(GROUPS) + "):group_by>.csv")
@for_those_who_can("see_all")
def usage_csv(group_by: str) -> Response:
    first, last, problems = _period(*_last_months(3))
    if problems:
        abort(400)
    rows = accounts.usage_report(me(), first, last, group_by)
    return csv_response(
        map(usage_cells, rows), USAGE_COLUMNS, f"usage-{first}-{last}-{group_by}.csv"
    )


def _last_quarters() -> tuple[date, date]:
    """The four calendar quarters to the end of the current one."""
    day = today()
    start = date(day.year - 1, (day.month - 1) // 3 * 3 + 1, 1)
    start = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return start, day


@blp.get("/staff/funder")
@for_those_who_can("see_all")
def funder_page() -> str:
    """Organisations supported and hours by sector per quarter, as a UKSPF return asks."""
    first, last, problems = _period(*_last_quarters())
    rows = accounts.funder_report(me(), first, last)
    by_quarter: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_quarter[row.quarter].append(row)
    return render_template(
        "staff/funder.html", first=first, last=last, problems=problems,
        by_quarter=by_quarter, sector_names=SECTOR_NAMES,
    )  # fmt: skip


@blp.get("/staff/funder.csv")
@for_those_who_can("see_all")
def funder_csv() -> Response:
    first, last, problems = _period(*_last_quarters())
    if problems:
        abort(400)
    rows = accounts.funder_report(me(), first, last)
    return csv_response(map(funder_cells, rows), FUNDER_COLUMNS, f"funder-{first}-{last}.csv")
