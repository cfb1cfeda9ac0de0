"""Reception's pages: the live board, the day sheet and the roll-call to print."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now, today
from booking.errors import DomainError
from booking.services import reception, reservations
from booking.services.catalogue import site_zone
from booking.services.reservations import BookingDraft
from booking.web.session import for_those_who_can, me
from rules.localtime import LocalTimeError, localize

blp = Blueprint("reception", __name__, url_prefix="/reception")


@blp.get("")
@for_those_who_can("run_reception")
def board() -> str:
    """Who is in now per floor, arrivals due in the next hour, today's no-shows, walk-ins."""
    return render_template("reception/board.html", board=reception.board(me(), now()))


@blp.post("/bookings/<int:booking_id>/<any('check-in', 'check-out'):action>")
@for_those_who_can("run_reception")
def attend(booking_id: int, action: str) -> BaseResponse:
    user = me()
    act = reservations.check_in if action == "check-in" else reservations.check_out
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
        clock = time.fromisoformat(request.form["until"])
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
        reservations.create_booking(user, draft, moment)
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
    day = min(max(day, date(2000, 1, 2)), date(2200, 12, 30))  # a day before and after too
    sheet = reception.day_sheet(me(), day)
    return render_template("reception/day.html", sheet=sheet, day=day, one_day=timedelta(days=1))


@blp.get("/roll-call")
@for_those_who_can("run_reception")
def roll_call() -> str:
    moment = now()
    return render_template(
        "reception/roll_call.html", roll=reception.roll_call(me(), moment), at=moment
    )
