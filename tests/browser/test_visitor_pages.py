"""A tenant tells reception of two visitors for a meeting; reception finds one by name,
signs them in, prints the badge; the board counts them; the other signs in at the kiosk
with their code."""

from __future__ import annotations

import re

from sqlalchemy import select

from booking.extensions import db
from booking.models import User, Visitor
from booking.services.reservations import BookingDraft, create_booking
from tests.browser.conftest import Site, check_page, sign_in
from tests.browser.test_tenant_pages import resource_named
from tests.conftest import NOW


def test_visitors_are_told_of_signed_in_and_badged(page, site: Site) -> None:
    room = resource_named(site, "G.01 Colne meeting room")
    with site.app.app_context():
        dev = db.session.scalar(select(User).where(User.email == site.people["dev"].email))
        assert dev is not None
        meeting = create_booking(
            dev, BookingDraft(room.id, NOW, NOW.replace(hour=10), "Investor meeting"), NOW
        )
        meeting_id = meeting.id
    sign_in(page, site, "dev")
    page.goto(f"{site.url}/visitors?booking_id={meeting_id}")
    assert "Investor meeting" in page.locator("form.visitor-form").inner_text()
    page.get_by_label("Names, one per line").fill(
        "Dr Amira Shah, Leeds Teaching Hospitals\nTom Reid, Yorkshire Bank"
    )
    page.get_by_role("button", name="Tell reception").click()
    assert "Reception expects 2 visitors" in page.get_by_role("status").inner_text()
    listed = page.get_by_role("table", name="Your visitors from today on").inner_text()
    assert "Dr Amira Shah" in listed and "Tom Reid" in listed
    tom_code = re.search(r"V\d+-[A-Z2-7]{6}", listed.split("Tom Reid")[1])
    assert tom_code is not None
    check_page(page, "visitors-tenant")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, "reception")
    page.goto(f"{site.url}/reception/visitors")
    assert page.title() == "Visitors today · HWIC bookings"
    check_page(page, "visitors-reception")
    page.get_by_label("Find by name").fill("amira")
    page.get_by_role("button", name="Find").click()
    rows = page.get_by_role("table", name=re.compile("Expected today")).inner_text()
    assert "Dr Amira Shah" in rows and "Tom Reid" not in rows
    page.get_by_role("button", name="Sign in Dr Amira Shah").click()
    assert "their host has been told" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Badge for Dr Amira Shah").click()
    assert page.get_by_role("heading", name="Dr Amira Shah").is_visible()
    assert "Dev Patel" in page.locator(".badge").inner_text()
    check_page(page, "visitor-badge")

    page.goto(f"{site.url}/reception/kiosk")
    page.get_by_label("Scan or type the check-in code").fill(tom_code.group(0))
    page.get_by_role("button", name="Check in").click()
    assert "Tom Reid" in page.get_by_role("status").inner_text()
    page.goto(f"{site.url}/reception")
    assert "Visitors: 2 in the building" in page.locator("main").inner_text()
    page.goto(f"{site.url}/reception/roll-call")
    roll = page.locator("main").inner_text()
    assert "Tom Reid (visitor, Yorkshire Bank; host Dev Patel)" in roll
    check_page(page, "roll-call-with-visitors")
    page.goto(f"{site.url}/reception/day")
    expected = page.get_by_role("table", name="Visitors expected on this day").inner_text()
    assert "Dr Amira Shah" in expected and "G.01 Colne meeting room" in expected
    with site.app.app_context():
        statuses = set(db.session.scalars(select(Visitor.status)))
    assert statuses == {"arrived"}
