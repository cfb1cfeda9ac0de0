"""Visitors in the pages: tenants tell reception who is coming (one or several at once,
from a booking or on their own); reception signs them in and out, prints badges and the
day's list, and signs walk-ins in."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.access import can
from booking.clock import now, today
from booking.errors import DomainError, NotFoundError
from booking.models import User
from booking.services import displays, people, reservations, visitors
from booking.services.catalogue import resource_names, site_zone
from booking.services.visitors import VisitorDraft
from booking.web import reception
from booking.web.blueprint import blp, in_words
from booking.web.session import for_those_who_can, me, same_site, signed_in
from rules.localtime import LocalTimeError, localize

#: How many visitors one form may tell of at once.
AT_ONCE = 50


def _hosts(user: User) -> list[User]:
    """Whom the caller may register visitors for, themselves first."""
    if not can(user, "list_users"):
        return [user]
    found = [p for p in people.list_users(user) if p.id != user.id]
    if not can(user, "run_reception"):
        found = [p for p in found if p.tenant_id == user.tenant_id]
    return [user, *sorted(found, key=lambda p: p.name)]


def _guests(text: str) -> list[tuple[str, str | None]]:
    """``Name, Organisation`` per line, blank lines left out."""
    guests = []
    for line in text.splitlines():
        name, _, organisation = line.partition(",")
        if name.strip():
            guests.append((name.strip()[:200], organisation.strip()[:200] or None))
    return guests


def _local(day: str, clock: str) -> datetime:
    """A local date and time from a form, as an aware instant; ``ValueError`` if it is
    not one (a time the clocks skip or repeat included)."""
    try:
        return localize(
            datetime.combine(date.fromisoformat(day), time.fromisoformat(clock)), site_zone()
        )
    except LocalTimeError as error:
        raise ValueError(str(error)) from error


def _form_defaults(booking_id: int | None) -> dict[str, Any]:
    values: dict[str, Any] = {"date": today().isoformat(), "time": "09:00", "until": ""}
    if booking_id is not None:
        try:
            booking = reservations.get_booking(me(), booking_id)
        except DomainError:
            return values
        start, end = booking.start.astimezone(site_zone()), booking.end.astimezone(site_zone())
        values = {
            "date": start.date().isoformat(),
            "time": f"{start:%H:%M}",
            "until": f"{end:%H:%M}",
        }
        values.update(booking=booking, booking_id=str(booking.id))
    return values


def _page(values: dict[str, Any], errors: dict[str, str] | None = None) -> str:
    user = me()
    zone, first = site_zone(), today()
    upcoming = [
        v
        for v in visitors.list_visitors(user)
        if v.status in ("expected", "arrived") and v.expected_at.astimezone(zone).date() >= first
    ]
    return render_template(
        "visitors.html",
        values=values,
        errors=errors or {},
        hosts=_hosts(user),
        upcoming=upcoming,
        codes={v.id: displays.visitor_code(v.id) for v in upcoming},
        names=resource_names(),
    )


@blp.get("/visitors")
@signed_in
def visitor_list() -> str:
    """Your (tenant's) visitors, and the form to tell reception of more."""
    booking_id = request.args.get("booking_id", type=int)
    return _page(_form_defaults(booking_id))


@blp.post("/visitors")
@signed_in
def register_visitors() -> str | tuple[str, int] | BaseResponse:
    form = request.form
    values: dict[str, Any] = {
        key: form.get(key, "")
        for key in ("names", "email", "date", "time", "until", "host_id", "booking_id")
    }
    guests = _guests(values["names"])
    errors: dict[str, str] = {}
    if not guests:
        errors["names"] = "Write at least one name, one per line."
    elif len(guests) > AT_ONCE:
        errors["names"] = f"At most {AT_ONCE} at once."
    if values["email"] and len(guests) > 1:
        errors["email"] = "An e-mail address goes with one visitor: leave it out for several."
    try:
        expected = _local(values["date"], values["time"])
        leaves = _local(values["date"], values["until"]) if values["until"] else None
    except ValueError:
        errors["time"] = "Give a date and a time that happen once that day (HH:MM)."
        expected, leaves = None, None
    if errors or expected is None:
        return _page(values, errors), 422
    drafts = [
        VisitorDraft(
            name=name,
            organisation=organisation,
            email=values["email"] or None,
            expected_at=expected,
            leaves_at=leaves,
            host_id=int(values["host_id"]) if values["host_id"].isdigit() else None,
            booking_id=int(values["booking_id"]) if values["booking_id"].isdigit() else None,
        )
        for name, organisation in guests
    ]
    try:
        made = visitors.register_visitors(me(), drafts, now())
    except DomainError as refused:
        return _page(values, {"names": in_words(refused)}), refused.status
    many = "s" if len(made) > 1 else ""
    flash(f"Reception expects {len(made)} visitor{many}. Send each their code.")
    return redirect(url_for("web.visitor_list"))


@blp.post("/visitors/<int:visitor_id>/cancel")
@signed_in
def cancel_visit(visitor_id: int) -> BaseResponse:
    try:
        gone = visitors.cancel_visit(me(), visitor_id, now())
        flash(f"{gone.name}: not coming; reception is told.")
    except DomainError as refused:
        flash(in_words(refused))
    back = same_site(request.form.get("back"), url_for("web.visitor_list"))
    return redirect(back)


# --- reception ----------------------------------------------------------------------------


@reception.blp.get("/visitors")
@for_those_who_can("run_reception")
def desk() -> str:
    """Today's visitors: expected, in, gone; search by name; walk-ins."""
    name = request.args.get("q", "").strip()[:100] or None
    user = me()
    shown = visitors.list_visitors(user, today(), name=name)
    inside = visitors.present(user)
    return render_template(
        "reception/visitors.html",
        shown=shown,
        inside=inside,
        q=name or "",
        hosts=_hosts(user),
        meetings=visitors.meetings(shown),
        names=resource_names(),
        at=now(),
    )


@reception.blp.post("/visitors/<int:visitor_id>/<any(arrive, leave):action>")
@for_those_who_can("run_reception")
def sign(visitor_id: int, action: str) -> BaseResponse:
    try:
        if action == "arrive":
            briefed = request.form.get("briefed") == "yes"
            done = visitors.arrive(me(), visitor_id, now(), briefed=briefed)
            flash(f"{done.name}: signed in; their host has been told.")
        else:
            done = visitors.leave(me(), visitor_id, now())
            flash(f"{done.name}: signed out.")
    except DomainError as refused:
        flash(in_words(refused))
    return redirect(url_for("reception.desk", q=request.form.get("q") or None))


@reception.blp.post("/visitors/walk-in")
@for_those_who_can("run_reception")
def walk_in_visitor() -> BaseResponse:
    """A visitor nobody told reception of: signed in at once, their host told."""
    name = request.form.get("name", "").strip()[:200]
    host = request.form.get("host_id", "")
    if not name or not host.isdigit():
        flash("Write the visitor's name and choose whom they visit.")
        return redirect(url_for("reception.desk"))
    moment = now()
    draft = VisitorDraft(
        name=name,
        organisation=request.form.get("organisation", "").strip()[:200] or None,
        expected_at=moment,
        host_id=int(host),
        arrive=True,
    )
    try:
        made = visitors.register_visitor(me(), draft, moment)
        flash(f"{made.name}: signed in; their host has been told.")
        return redirect(url_for("reception.badge", visitor_id=made.id))
    except DomainError as refused:
        flash(in_words(refused))
    return redirect(url_for("reception.desk"))


@reception.blp.get("/visitors/<int:visitor_id>/badge")
@for_those_who_can("run_reception")
def badge(visitor_id: int) -> str:
    """A badge to print: name, organisation, host and date."""
    try:
        visitor = visitors.get_visitor(me(), visitor_id)
    except NotFoundError:
        abort(404)
    host = people.get_user(visitor.host_id)
    day = (visitor.arrived_at or visitor.expected_at).astimezone(site_zone()).date()
    return render_template("reception/badge.html", visitor=visitor, host=host, day=day)
