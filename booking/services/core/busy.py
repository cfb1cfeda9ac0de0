"""Busy time as a refusal tells it: where and when, never whose — but one's own."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking
from rules import Claim, Interval


def busy_time(claims: Sequence[Claim], asker: int | None = None) -> list[dict[str, object]]:
    """Claims as the contract's busy time: resource and interval only, never whose —
    except that the time held by ``asker``'s own bookings says so (``yours``), since
    a clash with oneself is the one a person can undo."""
    own: set[int] = set()
    ids = {claim.booking_id for claim in claims if claim.booking_id is not None}
    if asker is not None and ids:
        query = select(Booking.id).where(Booking.id.in_(ids), Booking.user_id == asker)
        own = set(db.session.scalars(query))
    seen: dict[tuple[int, Interval], bool] = {}
    for claim in claims:
        key = (claim.resource_id, claim.interval)
        seen[key] = seen.get(key, False) or claim.booking_id in own
    return [
        {"resource_id": rid, "start": interval.start, "end": interval.end, "yours": yours}
        for (rid, interval), yours in seen.items()
    ]
