"""The waitlist: wait for booked time, see one's place, leave."""

from __future__ import annotations

from typing import Any

from flask import url_for

from booking.api.context import actor, now, v1_blueprint
from booking.schemas.waitlist import WaitlistEntrySchema, WaitlistQuerySchema
from booking.services import reservations
from booking.services.reservations import BookingDraft, Place

blp = v1_blueprint("waitlist", __name__, "Waitlist")


@blp.post("/waitlist")
@blp.arguments(WaitlistEntrySchema())
@blp.response(201, WaitlistEntrySchema())
def join_waitlist(data: dict[str, Any]) -> tuple[Place, int, dict[str, str]]:
    """Wait for booked time: judged by the rules as a booking would be (422), refused with
    409 `slot_free` where it could be booked now. When the time is freed, the first in
    line that it fits is offered it as a held booking, and told by e-mail."""
    place = reservations.join_waitlist(actor(), BookingDraft(**data), now())
    location = url_for("waitlist.get_entry", entry_id=place.id)
    return place, 201, {"Location": location}


@blp.get("/waitlist")
@blp.arguments(WaitlistQuerySchema(), location="query")
@blp.response(200, WaitlistEntrySchema(many=True))
def list_entries(args: dict[str, Any]) -> list[Place]:
    """The caller's entries (staff: everyone's; `resource_id` for one resource's line),
    open ones first."""
    return reservations.list_entries(actor(), args.get("resource_id"))


@blp.get("/waitlist/<id:entry_id>")
@blp.response(200, WaitlistEntrySchema())
def get_entry(entry_id: int) -> Place:
    """One entry and its place in line (404 when the caller may not see it)."""
    return reservations.get_entry(actor(), entry_id)


@blp.delete("/waitlist/<id:entry_id>")
@blp.response(200, WaitlistEntrySchema())
def leave_waitlist(entry_id: int) -> Place:
    """Leave the line; an offer not yet confirmed is given up and passes on."""
    return reservations.leave_waitlist(actor(), entry_id, now())
