"""The page a resource's QR code opens: check in, or book it now (``/r/<id>``)."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now
from booking.errors import DomainError, NotFoundError
from booking.services import displays, reservations
from booking.web.blueprint import blp, in_words, local_time
from booking.web.session import me, signed_in


@blp.get("/r/<int:resource_id>")
@signed_in
def door(resource_id: int) -> str:
    """Check in to one's booking due here, or book it from now (phone-sized)."""
    try:
        found = displays.door(me(), resource_id, now())
    except NotFoundError:
        abort(404)
    return render_template("door.html", door=found)


def _back(resource_id: int) -> BaseResponse:
    return redirect(url_for("web.door", resource_id=resource_id))


@blp.post("/r/<int:resource_id>/<any('check-in', 'check-out'):action>")
@signed_in
def attend_here(resource_id: int, action: str) -> BaseResponse:
    act = reservations.check_in if action == "check-in" else reservations.check_out
    try:
        booking = act(me(), int(request.form.get("booking_id", "0")), now())
        done = "checked in" if action == "check-in" else "checked out"
        flash(f"{booking.title}: {done}.")
    except DomainError as refused:
        flash(in_words(refused))
    except ValueError:
        flash("Choose your booking.")
    return _back(resource_id)


@blp.post("/r/<int:resource_id>/book")
@signed_in
def book_here(resource_id: int) -> BaseResponse:
    """Book it from now until the end chosen, checked in at once."""
    try:
        end = datetime.fromisoformat(request.form.get("end", ""))
        if end.tzinfo is None:
            raise ValueError("an end without its offset")
    except ValueError:
        flash("Choose how long for.")
        return _back(resource_id)
    try:
        booking = displays.book_at_the_door(me(), resource_id, end, now())
        flash(f"Booked and checked in, until {local_time(booking.end, 'time')}.")
    except DomainError as refused:
        flash(f"Not booked: {in_words(refused)}")
    return _back(resource_id)
