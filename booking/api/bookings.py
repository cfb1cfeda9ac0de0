"""Bookings."""

from typing import Any

from flask import url_for

from booking.api.context import actor, now, v1_blueprint
from booking.models import Booking
from booking.schemas.bookings import BookingPatchSchema, BookingQuerySchema, BookingSchema
from booking.schemas.policies import ApprovalSchema, RejectionSchema
from booking.services import reservations
from booking.services.reservations import BookingDraft, BookingQuery

blp = v1_blueprint("bookings", __name__, "Bookings")


@blp.post("/bookings")
@blp.arguments(BookingSchema())
@blp.response(201, BookingSchema())
def create_booking(data: dict[str, Any]) -> tuple[Booking, int, dict[str, str]]:
    """Book a resource; refusals say why (422 violations, 409 conflicts)."""
    booking = reservations.create_booking(actor(), BookingDraft(**data), now())
    location = url_for("bookings.get_booking", booking_id=booking.id)
    return booking, 201, {"Location": location}


@blp.get("/bookings")
@blp.arguments(BookingQuerySchema(), location="query")
@blp.response(200, BookingSchema(many=True))
def list_bookings(args: dict[str, Any]) -> list[Booking]:
    """Bookings the caller may see, by start time."""
    return reservations.list_bookings(actor(), BookingQuery(**args))


@blp.get("/bookings/<id:booking_id>")
@blp.response(200, BookingSchema())
def get_booking(booking_id: int) -> Booking:
    """One booking (404 when the caller may not see it)."""
    return reservations.get_booking(actor(), booking_id)


@blp.patch("/bookings/<id:booking_id>")
@blp.arguments(BookingPatchSchema())
@blp.response(200, BookingSchema())
def update_booking(data: dict[str, Any], booking_id: int) -> Booking:
    """Change a booking; moving it is checked like a new booking."""
    return reservations.update_booking(actor(), booking_id, data, now())


@blp.post("/bookings/<id:booking_id>/cancel")
@blp.response(200, BookingSchema())
def cancel_booking(booking_id: int) -> Booking:
    """Cancel a booking, freeing its time."""
    return reservations.cancel_booking(actor(), booking_id, now())


@blp.post("/bookings/<id:booking_id>/confirm")
@blp.response(200, BookingSchema())
def confirm_booking(booking_id: int) -> Booking:
    """Confirm a held booking before its hold lapses."""
    return reservations.confirm_booking(actor(), booking_id, now())


@blp.post("/bookings/<id:booking_id>/approve")
@blp.arguments(ApprovalSchema())
@blp.response(200, BookingSchema())
def approve_booking(data: dict[str, Any], booking_id: int) -> Booking:
    """Confirm a pending booking (facility manager, admin), optionally saying why."""
    return reservations.approve_booking(actor(), booking_id, data["reason"], now())


@blp.post("/bookings/<id:booking_id>/reject")
@blp.arguments(RejectionSchema())
@blp.response(200, BookingSchema())
def reject_booking(data: dict[str, Any], booking_id: int) -> Booking:
    """Refuse a pending booking with a reason (facility manager, admin); frees its time."""
    return reservations.reject_booking(actor(), booking_id, data["reason"], now())


@blp.post("/bookings/<id:booking_id>/check-in")
@blp.response(200, BookingSchema())
def check_in(booking_id: int) -> Booking:
    """Check a confirmed booking in: from `reception.check_in_from` before its start
    until its end (until the grace, where the resource requires check-in)."""
    return reservations.check_in(actor(), booking_id, now())


@blp.post("/bookings/<id:booking_id>/check-out")
@blp.response(200, BookingSchema())
def check_out(booking_id: int) -> Booking:
    """Check a booking out (completed); leaving early cuts its end back and frees the rest."""
    return reservations.check_out(actor(), booking_id, now())
