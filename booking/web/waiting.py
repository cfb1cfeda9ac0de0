"""The waitlist's pages: wait for a booked time from the refusal, see one's place and
offers (confirm one in a click), leave; staff see every line."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now
from booking.errors import DomainError
from booking.services import reservations
from booking.services.catalogue import resource_names
from booking.services.reservations import BookingDraft
from booking.web.blueprint import blp
from booking.web.forms import cost_code_from
from booking.web.session import me, same_site, signed_in


def _line_words(position: int | None) -> str:
    if position == 1:
        return "You are first in line."
    return f"You are number {position} in line."


@blp.post("/book/<int:resource_id>/wait")
@signed_in
def join_waitlist(resource_id: int) -> BaseResponse:
    """Wait for the time a booking was refused for (the refusal's "Join the waitlist")."""
    try:
        start = datetime.fromisoformat(request.form["start"])
        end = datetime.fromisoformat(request.form["end"])
        people = request.form.get("attendees", "")
        attendees = int(people) if people.isdigit() else None
    except (KeyError, ValueError):
        flash("That time could not be read; choose it again.")
        return redirect(url_for("web.book", resource_id=resource_id))
    title = request.form.get("title", "").strip()[:200] or "Booking"
    code = cost_code_from(request.form)
    draft = BookingDraft(resource_id, start, end, title, attendees=attendees, cost_code=code)
    try:
        place = reservations.join_waitlist(me(), draft, now())
    except DomainError as refused:
        flash(f"You could not join the waitlist: {refused.detail}")
        return redirect(url_for("web.book", resource_id=resource_id))
    flash(
        f"{_line_words(place.position)} If the time is freed it is held for you, and we "
        "will e-mail you to confirm it."
    )
    return redirect(url_for("web.waitlist"))


@blp.get("/waitlist")
@signed_in
def waitlist() -> str:
    """One's entries (staff: every line), open ones first."""
    return render_template(
        "waitlist.html",
        places=reservations.list_entries(me()),
        names=resource_names(),
        now=now(),
    )


@blp.post("/waitlist/<int:entry_id>/leave")
@signed_in
def leave_waitlist(entry_id: int) -> BaseResponse:
    try:
        reservations.leave_waitlist(me(), entry_id, now())
        flash("You have left the waitlist.")
    except DomainError as refused:
        flash(refused.detail)
    return redirect(url_for("web.waitlist"))


@blp.post("/bookings/<int:booking_id>/confirm")
@signed_in
def confirm(booking_id: int) -> BaseResponse:
    """Keep a held booking (a waitlist offer, or a hold): one click."""
    try:
        made = reservations.confirm_booking(me(), booking_id, now())
        flash("Confirmed: it is yours." if made.status == "confirmed" else "Sent for approval.")
    except DomainError as refused:
        flash(refused.detail)
    back = url_for("web.booking_page", booking_id=booking_id)
    return redirect(same_site(request.form.get("back"), back))
