"""My bookings: what I have booked, cancelling and checking in, my calendar feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now
from booking.errors import (
    DomainError,
)
from booking.models import OCCUPYING, Booking, Closure
from booking.services import catalogue, displays, feeds, reservations, visitors
from booking.services.catalogue import get_resource, resource_names
from booking.services.reservations import BookingQuery
from booking.web.blueprint import blp, or_404
from booking.web.session import me, same_site, signed_in


def _feed_links() -> dict[str, Any]:
    user = me()
    secret = feeds.feed_secret(user, now())
    mine = url_for("feeds.mine_feed", secret=secret, _external=True)
    webcal = "webcal://" + mine.split("://", 1)[1]
    name = "HWIC bookings"
    return {
        "url": mine,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": mine, "name": name}),
        "tenant": url_for("feeds.tenant_feed", secret=secret, _external=True)
        if user.tenant_id
        else None,
    }


@blp.get("/bookings")
@signed_in
def mine() -> str:
    """Your bookings, upcoming and of the last 30 days, and your calendar feed."""
    user = me()
    moment = now()
    listed = reservations.list_bookings(
        user, BookingQuery(start=moment - timedelta(days=30), mine=True, limit=1000)
    )
    ahead = [b for b in listed if b.end > moment]
    upcoming = [b for b in ahead if b.status in OCCUPYING]
    called_off = [b for b in ahead if b.status not in OCCUPYING]  # cancelled, declined
    past = [b for b in listed if b.end <= moment][::-1]
    return render_template(
        "mine.html",
        upcoming=upcoming,
        called_off=called_off,
        past=past,
        names=resource_names(),
        checkable=lambda b: _checkable(b, moment),
        open_statuses=OCCUPYING,
        feed=_feed_links(),
    )


def _checkable(booking: Booking, moment: datetime) -> bool:
    opens = booking.start - reservations.check_in_from()
    return booking.status == "confirmed" and opens <= moment < booking.end


@blp.get("/bookings/<int:booking_id>")
@signed_in
def booking_page(booking_id: int) -> str:
    user = me()
    booking = or_404(reservations.get_booking, user, booking_id)
    return render_template(
        "booking.html",
        booking=booking,
        resource=get_resource(booking.resource_id),
        checkable=_checkable(booking, now()),
        open_statuses=OCCUPYING,
        now=now(),
        code=_check_in_code(booking, now()),
        guests=visitors.list_visitors(user, booking_id=booking.id),
        closures=(closures := _closures_over(booking)),
        names=resource_names() if closures else {},
    )


def _closures_over(booking: Booking) -> list[Closure]:
    """Closures of its resource (or above it) that a booking still meant to happen runs
    into: made after it was booked, so the booker is warned on its page."""
    if booking.status not in OCCUPYING:
        return []
    return catalogue.list_closures(me(), booking.resource_id, booking.start, booking.end)


def made_in_words(booking: Booking) -> str:
    """What the booker is told on the booking's page right after making it."""
    if booking.status == "pending":
        return "Requested: it waits for approval, and we e-mail you the decision."
    if booking.status == "held":
        return "Held for you: confirm it to keep it."
    if booking.status == "checked_in":
        return "Booked and checked in."
    return "Booked: it is confirmed."


def _check_in_code(booking: Booking, moment: datetime) -> tuple[str, str] | None:
    """A booking still to be checked in: its code for reception's kiosk, and its QR."""
    if booking.status != "confirmed" or booking.end <= moment:
        return None
    code = displays.check_in_code(booking.id)
    return code, displays.qr_svg(code, f"Check-in code {code}", scale=3)


def _act(action: str, booking_id: int) -> BaseResponse:
    user = me()
    done = {
        "cancel": (reservations.cancel_booking, "Cancelled."),
        "check-in": (reservations.check_in, "Checked in. Welcome!"),
    }[action]
    try:
        done[0](user, booking_id, now())
        flash(done[1])
    except DomainError as refused:
        flash(refused.detail)
    return redirect(same_site(request.form.get("back"), url_for("web.mine")))


@blp.get("/bookings/<int:booking_id>/cancel")
@signed_in
def ask_to_cancel(booking_id: int) -> str:
    """Ask before cancelling: what goes (this date, or this and the later dates of a
    repeating booking), with "Yes, cancel" and "No, keep it"."""
    user = me()
    booking = or_404(reservations.get_booking, user, booking_id)
    following = request.args.get("following") == "1" and booking.series_id is not None
    later: list[Booking] = []
    if following and booking.series_id is not None:
        view = reservations.get_series(user, booking.series_id, now())
        later = [b for b in view.bookings if b.start >= booking.start and b.status in OCCUPYING]
    return render_template(
        "cancel.html",
        booking=booking,
        following=following,
        later=later,
        where=get_resource(booking.resource_id).name,
        back=same_site(request.args.get("back"), url_for("web.mine")),
    )


@blp.post("/bookings/<int:booking_id>/cancel")
@signed_in
def cancel(booking_id: int) -> BaseResponse:
    return _act("cancel", booking_id)


@blp.post("/bookings/<int:booking_id>/check-in")
@signed_in
def check_in(booking_id: int) -> BaseResponse:
    return _act("check-in", booking_id)


@blp.post("/bookings/<int:booking_id>/cancel-following")
@signed_in
def cancel_following(booking_id: int) -> BaseResponse:
    """Cancel a repeating booking from this date on."""
    user = me()
    try:
        booking = reservations.get_booking(user, booking_id)
        if booking.series_id is None:
            abort(404)
        view = reservations.cancel_series(user, booking.series_id, booking.id, now())
        left = sum(1 for b in view.bookings if b.status in OCCUPYING)
        flash(f"Cancelled this date and the ones after it; {left} still booked.")
    except DomainError as refused:
        flash(refused.detail)
    return redirect(url_for("web.mine"))


@blp.post("/feeds/rotate")
@signed_in
def rotate_feed() -> BaseResponse:
    user = me()
    feeds.rotate_feed_secret(user, now())
    flash("Your calendar feed has a new address; the old one no longer works.")
    return redirect(url_for("web.mine") + "#feed")
