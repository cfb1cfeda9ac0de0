"""A tenant signs in, finds a free lab and books it; a taken slot offers alternatives."""

from __future__ import annotations

import re

from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, Resource
from tests.browser.conftest import Site, check_page, sign_in
from tests.conftest import at


def resource_named(site: Site, name: str) -> Resource:
    with site.app.app_context():
        found = db.session.scalar(select(Resource).where(Resource.name == name))
        assert found is not None
        db.session.expunge(found)
        return found


def bookings_of(site: Site, email_start: str) -> list[Booking]:
    person = site.people[email_start]
    with site.app.app_context():
        from booking.models import User

        user = db.session.scalar(select(User).where(User.email == person.email))
        rows = list(db.session.scalars(select(Booking).where(Booking.user_id == user.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_sign_in_page_refuses_a_wrong_password(page, site: Site):
    page.goto(f"{site.url}/find")
    page.wait_for_url(re.compile(r"/sign-in\?next="))
    check_page(page, "sign-in")
    page.get_by_label("E-mail address").fill(site.people["ben"].email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert "not right" in page.get_by_role("alert").inner_text()


def test_a_tenant_finds_a_free_lab_books_it_and_sees_it(page, site: Site):
    sign_in(page, site, "ben")
    page.goto(f"{site.url}/find?date=2026-12-01")
    page.get_by_label("Kind").select_option("lab")
    page.get_by_label("For").select_option("PT2H")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(re.compile(r"kind=lab"))
    check_page(page, "find")
    slots = page.get_by_role("region", name="Earliest free slots")
    slots.get_by_role("link", name=re.compile("Digital Lab 2.05")).click()
    check_page(page, "book")
    page.get_by_label("Title").fill("User research, sprint 4")
    page.get_by_label("People (optional)").fill("6")
    page.get_by_label("Cost code (optional)").fill("PO-2291")
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url(re.compile(r"/bookings/\d+$"))
    assert "Booked" in page.get_by_role("status").inner_text()
    check_page(page, "booking")
    [made] = bookings_of(site, "ben")
    assert made.title == "User research, sprint 4" and made.attendees == 6
    assert made.cost_code == "PO-2291"
    assert made.end - made.start == (at(1, 11) - at(1, 9))
    page.get_by_role("link", name="My bookings").first.click()
    table = page.get_by_role("table", name="Upcoming")
    assert "User research, sprint 4" in table.inner_text()
    assert "Digital Lab 2.05" in table.inner_text()
    check_page(page, "mine")


def test_a_taken_slot_offers_alternatives_booked_in_one_click(page, site: Site):
    room = resource_named(site, "G.01 Colne meeting room")
    sign_in(page, site, "dev")
    other = "cara"  # another tenant books the room first
    with site.app.app_context():
        from booking.models import User
        from booking.services.reservations.bookings import BookingDraft, create_booking

        cara = db.session.scalar(select(User).where(User.email == site.people[other].email))
        create_booking(
            cara, BookingDraft(room.id, at(1, 10), at(1, 11), "Board"), at(24, 9, month=11)
        )
    page.goto(
        f"{site.url}/book/{room.id}?start=2026-12-01T10:00:00%2B00:00&end=2026-12-01T11:00:00%2B00:00"
    )
    page.get_by_label("Title").fill("Stand-up")
    page.get_by_label("Cost code (optional)").fill("GRANT-7")
    page.get_by_role("button", name="Book", exact=True).click()
    alert = page.get_by_role("alert")
    assert "already booked" in alert.inner_text()
    assert "Board" not in page.content()  # another tenant's booking shows only as busy
    check_page(page, "refused")
    offers = alert.get_by_role("button")
    first = offers.first.inner_text()
    assert first.startswith("Book ")
    offers.first.click()
    page.wait_for_url(re.compile(r"/bookings/\d+$"))
    [made] = bookings_of(site, "dev")
    assert made.title == "Stand-up" and made.cost_code == "GRANT-7"  # carried to the offer
    assert not (made.resource_id == room.id and made.start < at(1, 11) and at(1, 10) < made.end)


def test_a_tenant_never_sees_another_tenants_booking(page, site: Site):
    lab = resource_named(site, "Digital Lab 2.05")
    with site.app.app_context():
        from booking.models import User
        from booking.services.reservations.bookings import BookingDraft, create_booking

        cara = db.session.scalar(select(User).where(User.email == site.people["cara"].email))
        secret = create_booking(
            cara,
            BookingDraft(lab.id, at(1, 9), at(1, 12), "Confidential trial"),
            at(24, 9, month=11),
        )
    sign_in(page, site, "ben")
    page.goto(f"{site.url}/find?date=2026-12-01&kind=lab")
    assert "Confidential trial" not in page.content()
    row = page.get_by_role("list", name="Digital Lab 2.05")
    assert "Busy 09:00–12:00" in " ".join(row.inner_text().split())
    answer = page.goto(f"{site.url}/bookings/{secret.id}")
    assert answer.status == 404
    assert "Confidential trial" not in page.content()
    page.goto(f"{site.url}/bookings")
    assert "Confidential trial" not in page.content()


def test_a_weekly_series_is_booked_and_one_date_cancelled(page, site: Site):
    room = resource_named(site, "1.40 Calder meeting room")
    sign_in(page, site, "ben")
    page.goto(
        f"{site.url}/book/{room.id}?start=2026-12-01T14:00:00%2B00:00&end=2026-12-01T15:00:00%2B00:00"
    )
    page.get_by_label("Title").fill("Team retro")
    page.get_by_label("Every week").check()
    page.get_by_label("Until (for a repeat)").fill("2026-12-22")
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url(f"{site.url}/bookings")
    assert "Booked 4 dates" in page.get_by_role("status").inner_text()
    table = page.get_by_role("table", name="Upcoming")
    assert table.get_by_role("link", name="Team retro", exact=True).count() == 4
    check_page(page, "mine-series")
    page.get_by_role("link", name="Cancel this date Team retro, Tue 8 Dec 2026, 14:00").click()
    assert "this date only" in page.content()  # asked first: nothing is cancelled yet
    assert all(b.status == "confirmed" for b in bookings_of(site, "ben"))
    check_page(page, "cancel-ask")
    page.get_by_role("button", name="Yes, cancel it").click()
    assert "Cancelled" in page.get_by_role("status").inner_text()
    made = sorted(bookings_of(site, "ben"), key=lambda b: b.start)
    assert [b.status for b in made] == ["confirmed", "cancelled", "confirmed", "confirmed"]
    page.get_by_role(
        "link", name="Cancel this and later dates of Team retro from Tue 15 Dec 2026, 14:00"
    ).click()
    assert "This cancels 2 dates" in page.content()
    page.get_by_role("link", name="No, keep it").click()  # changed one's mind
    page.wait_for_url(f"{site.url}/bookings")
    page.get_by_role(
        "link", name="Cancel this and later dates of Team retro from Tue 15 Dec 2026, 14:00"
    ).click()
    page.get_by_role("button", name="Yes, cancel these dates").click()
    assert "1 still booked" in page.get_by_role("status").inner_text()
    made = sorted(bookings_of(site, "ben"), key=lambda b: b.start)
    assert [b.status for b in made] == ["confirmed", "cancelled", "cancelled", "cancelled"]
