"""Reception's pages: the live board, the day sheet and the roll-call to print."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now, today
from booking.errors import DomainError
from booking.services import attendance, bookings, occupancy, people
from booking.services.bookings import BookingDraft, BookingQuery
from booking.services.resources import resource_names
from booking.services.rulebook import local_day, site_zone
from booking.web.session import for_those_who_can, me
from rules.localtime import LocalTimeError, localize

blp = Blueprint("reception", __name__, url_prefix="/reception")


@blp.get("")
@for_those_who_can("run_reception")
def board() -> str:
    """Who is in now per floor, arrivals due in the next hour, today's no-shows, walk-ins."""
    user, moment = me(), now()
    zone = site_zone()
    today = moment.astimezone(zone).date()
    day = local_day(today)
    soon = bookings.list_bookings(
        user, BookingQuery(start=moment, end=moment + timedelta(hours=1), status=("confirmed",))
    )
    arrivals = [b for b in soon if b.start >= moment - attendance.check_in_from()]
    missed = bookings.list_bookings(
        user, BookingQuery(start=day.start, end=day.end, status=("no_show",))
    )
    state = occupancy.occupancy(user, moment)
    desks = [
        r
        for floor in state["floors"]
        for r in floor["resources"]
        if r["kind"] == "desk" and r["units_free"] > 0
    ]
    closing = localize(datetime.combine(today, time(17, 30)), zone)
    return render_template(
        "reception/board.html",
        state=state,
        arrivals=arrivals,
        missed=missed,
        names=resource_names(),
        people=[p for p in people.list_users(user) if p.tenant_id is not None],
        desks=desks,
        until=max(closing, moment + timedelta(hours=1)).strftime("%H:%M"),
        refreshed=moment,
    )


@blp.post("/bookings/<int:booking_id>/<any('check-in', 'check-out'):action>")
@for_those_who_can("run_reception")
def attend(booking_id: int, action: str) -> BaseResponse:
    user = me()
    act = attendance.check_in if action == "check-in" else attendance.check_out
    try:
        booking = act(user, booking_id, now())
        flash(f"{booking.title}: {'checked in' if action == 'check-in' else 'checked out'}.")
    except DomainError as refused:
        flash(refused.detail)
    return redirect(url_for("reception.board"))


@blp.post("/walk-in")
@for_those_who_can("run_reception")
def walk_in() -> BaseResponse:
    """Book a desk for someone from now and check them in, in one go."""
    user, moment = me(), now()
    try:
        desk = int(request.form["resource_id"])
        person = int(request.form["user_id"])
        clock = time.fromisoformat(request.form.get("until", "17:30"))
    except (KeyError, ValueError):
        flash("Choose a desk, a person and until when.")
        return redirect(url_for("reception.board"))
    zone = site_zone()
    try:
        end = localize(datetime.combine(moment.astimezone(zone).date(), clock), zone)
    except LocalTimeError:
        flash(
            f"No walk-in: {clock:%H:%M} does not happen once today, as the clocks change; "
            "choose another time."
        )
        return redirect(url_for("reception.board"))
    draft = BookingDraft(desk, None, end, "Walk-in", on_behalf_of=person, check_in=True)
    try:
        bookings.create_booking(user, draft, moment)
        flash("Walk-in booked and checked in.")
    except DomainError as refused:
        flash(f"No walk-in: {refused.detail}")
    return redirect(url_for("reception.board"))


@blp.get("/day")
@for_those_who_can("run_reception")
def day_sheet() -> str:
    try:
        day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        day = today()
    day = min(max(day, date(2000, 1, 1)), date(2200, 12, 31))
    sheet = occupancy.day_sheet(me(), day)
    return render_template("reception/day.html", sheet=sheet, day=day)


@blp.get("/roll-call")
@for_those_who_can("run_reception")
def roll_call() -> str:
    moment = now()
    return render_template(
        "reception/roll_call.html", roll=occupancy.roll_call(me(), moment), at=moment
    )


def as_instant(text: str | None) -> datetime | None:
    """An ISO 8601 instant from the views' plain data, for the ``local`` filter."""
    return None if text is None else datetime.fromisoformat(text)


@blp.app_template_filter("instant")
def instant(text: str | None) -> datetime | None:
    return as_instant(text)
