"""Telling a host that their visitor has signed in at reception.

The message is written in the transaction that signs the visitor in (one INSERT into the
outbox), so the sender delivers it as it does every other; a host who switched off the
``visitors`` topic is not written to.
"""

from __future__ import annotations

from booking.events import VisitorArrived, subscribe
from booking.extensions import db
from booking.models import Booking, Visitor
from booking.services.catalogue import read_layout
from booking.services.feeds import location_of
from booking.services.notifications import composing, outbox
from booking.services.notifications.writing import people


@subscribe(VisitorArrived)
def tell_host(arrived: VisitorArrived) -> None:
    """One message to the host of the visitor who has just signed in."""
    visitor = db.session.get(Visitor, arrived.visitor_id)
    host = people([arrived.host_id]).get(arrived.host_id)
    if visitor is None or host is None or not host.wants("visitor_arrived"):
        return
    who = visitor.name + (f" ({visitor.organisation})" if visitor.organisation else "")
    booking = db.session.get(Booking, visitor.booking_id) if visitor.booking_id else None
    place = "Reception"
    if booking is not None:
        layout = read_layout({booking.resource_id})
        place = f"Reception, for {location_of(layout, booking.resource_id)}"
    content = composing.Content(
        subject=f"{composing.VERBS['visitor_arrived']}: {who}",
        payload={
            "kind": "visitor_arrived",
            "title": f"Visitor: {who}",
            "place": place,
            "when": composing.instant_words(arrived.at),
            "status": "signed in",
            "link": f"{composing.site_url()}/visitors",
            "link_words": "Your visitors",
        },
        booking_id=booking.id if booking is not None else None,
    )
    outbox.write("visitor_arrived", host, content, None, arrived.at)
