"""A tenant refused a taken slot joins the waitlist, is offered the time when it is freed
and confirms it in one click."""

from __future__ import annotations

import re

from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, User, WaitlistEntry
from tests.browser.conftest import Site, check_page, sign_in
from tests.browser.test_tenant_pages import resource_named
from tests.conftest import at


def test_a_refused_tenant_waits_is_offered_the_time_and_confirms_it(page, site: Site):
    room = resource_named(site, "G.01 Colne meeting room")
    with site.app.app_context():
        from booking.services.reservations.bookings import BookingDraft, create_booking

        cara = db.session.scalar(select(User).where(User.email == site.people["cara"].email))
        board = create_booking(
            cara, BookingDraft(room.id, at(1, 10), at(1, 11), "Board"), at(24, 9, month=11)
        )
    sign_in(page, site, "dev")
    page.goto(
        f"{site.url}/book/{room.id}?start=2026-12-01T10:00:00%2B00:00&end=2026-12-01T11:00:00%2B00:00"
    )
    page.get_by_label("Title").fill("Stand-up")
    page.get_by_role("button", name="Book", exact=True).click()
    assert "already booked" in page.get_by_role("alert").inner_text()
    page.get_by_role("button", name="Join the waitlist").click()
    page.wait_for_url(f"{site.url}/waitlist")
    assert "You are first in line." in page.get_by_role("status").inner_text()
    line = page.get_by_role("table", name="What you are waiting for")
    assert "First" in line.inner_text() and "Stand-up" in line.inner_text()
    check_page(page, "waitlist")

    with site.app.app_context():  # the booker of the room cancels it
        from booking.services.reservations import cancel_booking

        cara = db.session.scalar(select(User).where(User.email == site.people["cara"].email))
        cancel_booking(cara, board.id, at(24, 9, month=11))
    page.reload()
    assert "Held for you until Tue 24 Nov 2026, 09:30" in line.inner_text()
    check_page(page, "waitlist-offered")
    line.get_by_role("button", name=re.compile("^Confirm")).click()
    assert "Confirmed: it is yours." in page.get_by_role("status").inner_text()
    with site.app.app_context():
        entry = db.session.scalar(select(WaitlistEntry))
        assert entry is not None and entry.status == "booked"
        made = db.session.get(Booking, entry.booking_id)
        assert made is not None and made.status == "confirmed" and made.title == "Stand-up"
