"""The audit log page: who changed which booking and what, filtered as the API filters it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import render_template, request

from booking.services.catalogue import ResourceFilter, list_resource_summaries, site_zone
from booking.services.core import AuditFilter, read_audit
from booking.services.people import list_users
from booking.web.session import for_those_who_can, me
from booking.web.staff import blp
from rules.localtime import localize

#: Changes one page lists; narrower filters find older ones.
PAGE = 200


def _id(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


def _day(name: str) -> date | None:
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2200 else None


@blp.get("/audit")
@for_those_who_can("read_audit")
def audit_page() -> str:
    """The newest changes matching the filters: booking, resource, who, from and to."""
    user = me()
    first, last = _day("from"), _day("to")
    zone = site_zone()
    wanted = AuditFilter(
        booking_id=_id("booking_id"),
        resource_id=_id("resource_id"),
        actor_id=_id("actor_id"),
        start=localize(datetime.combine(first, time()), zone) if first else None,
        end=localize(datetime.combine(last + timedelta(days=1), time()), zone) if last else None,
        limit=PAGE,
    )
    return render_template(
        "staff/audit.html",
        rows=read_audit(user, wanted),
        wanted=wanted,
        first=first,
        last=last,
        resources=list_resource_summaries(ResourceFilter()),
        people=list_users(user),
        page=PAGE,
    )
