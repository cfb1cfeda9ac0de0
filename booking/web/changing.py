"""Changing a booking in the pages: its title, people and cost code, or moving it to
another time or resource; for a repeating booking, this date, this and the following
dates, or all still to come. The same services and checks as the API, and its refusals in
the same words as the booking form's."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now
from booking.errors import DomainError
from booking.models import OCCUPYING, Booking, User
from booking.services import reservations
from booking.services.catalogue import (
    ResourceFilter,
    get_resource,
    list_resource_summaries,
    site_zone,
)
from booking.services.reservations import BookingDraft
from booking.web.blueprint import blp, or_404
from booking.web.finding import REFUSALS, refusal_shown
from booking.web.forms import BookingForm
from booking.web.session import me, signed_in

SCOPES = {"this": "This date only", "following": "This and the following dates",
          "all": "Every date still to come"}  # fmt: skip


def _open_booking(user: User, booking_id: int) -> Booking:
    booking = or_404(reservations.get_booking, user, booking_id)
    if booking.status not in OCCUPYING:
        abort(404)
    return booking


def _values(booking: Booking) -> dict[str, str]:
    zone = site_zone()
    start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
    return {
        "title": booking.title, "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"),
        "attendees": str(booking.attendees or ""), "cost_code": booking.cost_code or "",
        "resource_id": str(booking.resource_id), "scope": "this",
    }  # fmt: skip


def _page(booking: Booking, form: dict[str, str], **extra: Any) -> str:
    resource = get_resource(booking.resource_id)
    choices = list_resource_summaries(ResourceFilter(kind=resource.kind, bookable=True))
    return render_template(
        "change.html", booking=booking, form=form, choices=choices, scopes=SCOPES,
        errors=extra.pop("errors", {}), **extra,
    )  # fmt: skip


@blp.route("/bookings/<int:booking_id>/change", methods=["GET", "POST"])
@signed_in
def change(booking_id: int) -> BaseResponse | str | tuple[str, int]:
    """The change form, and its answer: the booking's page, or the reasons it cannot."""
    user = me()
    booking = _open_booking(user, booking_id)
    if request.method == "GET":
        return _page(booking, _values(booking))
    form = BookingForm(request.form)
    typed = {**form.values(), "resource_id": request.form.get("resource_id", ""),
             "scope": request.form.get("scope", "this")}  # fmt: skip
    if not form.validate():
        return _page(booking, typed, errors=form.problems()), 422
    assert form.starts_at is not None and form.ends_at is not None
    resource_id = int(typed["resource_id"]) if typed["resource_id"].isdigit() else 0
    changes: dict[str, Any] = {
        "start": form.starts_at, "end": form.ends_at, "title": form.title.data,
        "attendees": form.people, "cost_code": form.cost_code.data or None,
    }  # fmt: skip
    if resource_id != booking.resource_id:
        changes["resource_id"] = resource_id
    series_id = booking.series_id
    scope = typed["scope"] if series_id and typed["scope"] in SCOPES else "this"
    try:
        if series_id is None or scope == "this":
            reservations.update_booking(user, booking.id, changes, now())
        else:
            changes.pop("cost_code")
            reservations.update_series(user, series_id, changes, scope, booking.id, now())
    except REFUSALS as refused:
        draft = BookingDraft(resource_id or booking.resource_id, form.starts_at, form.ends_at,
                             form.title.data or "")  # fmt: skip
        errors, refusal = refusal_shown(refused, draft)
        refusal.pop("book_the_rest", None)
        refusal.pop("waitlist", None)
        return _page(booking, typed, errors=errors, refusal=refusal), refused.status
    except DomainError as refused:
        return _page(booking, typed, refusal={"reasons": [refused.detail]}), refused.status
    flash("Changed." if scope == "this" else f"Changed: {SCOPES[scope].lower()}.")
    return redirect(url_for("web.booking_page", booking_id=booking.id))
