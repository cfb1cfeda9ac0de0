"""Reception's board: checking someone in changes it; a walk-in takes two clicks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, User
from booking.services.reservations.bookings import BookingDraft, create_booking
from tests.browser.conftest import Site, check_page, sign_in
from tests.browser.test_tenant_pages import resource_named
from tests.conftest import NOW, at


def user_named(site: Site, who: str) -> User:
    found = db.session.scalar(select(User).where(User.email == site.people[who].email))
    assert found is not None
    return found


def test_reception_checks_a_booking_in_and_the_board_changes(page, site: Site):
    desk = resource_named(site, "Desk 2.01")
    with site.app.app_context():
        ben = user_named(site, "ben")
        booked = create_booking(
            ben, BookingDraft(desk.id, NOW, at(24, 12, month=11), "Desk day"), NOW
        )
    sign_in(page, site, "reception")
    page.get_by_role("link", name="Reception", exact=True).click()
    floor = page.get_by_role("table", name="Second floor: 0 present")
    row = floor.get_by_role("row", name="Desk 2.01")
    assert "booked" in row.inner_text()
    arrivals = page.get_by_role("region", name="Arriving in the next hour")
    assert "Desk day" in arrivals.inner_text() and "Ben Okafor" in arrivals.inner_text()
    check_page(page, "reception-board")
    row.get_by_role("button", name="Check in Ben Okafor at Desk 2.01").click()
    assert "checked in" in page.get_by_role("status").inner_text()
    floor = page.get_by_role("table", name="Second floor: 1 present")
    assert "checked in" in floor.get_by_role("row", name="Desk 2.01").inner_text()
    assert "In the building: 1 person" in page.get_by_role("heading", level=2).first.inner_text()
    with site.app.app_context():
        assert db.session.get(Booking, booked.id).status == "checked_in"
    page.get_by_role("link", name="Roll-call").click()
    assert "Ben Okafor" in page.get_by_role("table").inner_text()
    check_page(page, "roll-call")
    page.get_by_role("link", name="Back to the board").click()
    page.get_by_role("link", name="Today's day sheet").click()
    assert "Desk day" in page.content()
    check_page(page, "day-sheet")
    page.get_by_label("Day", exact=True).fill("2026-11-25")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name="Day sheet, Wednesday 25 November 2026").wait_for()
    page.get_by_role("link", name="← Tue 24 Nov").click()
    assert "Desk day" in page.content()


def _walk_in_hana(page, site: Site, now: datetime) -> Booking:
    """Reception books Hana a desk from ``now`` in two clicks; her one booking."""
    sign_in(page, site, "reception")
    page.goto(f"{site.url}/reception")
    page.get_by_label("Person").select_option(label="Hana Sato")
    page.get_by_role("button", name="Book and check in").click()
    assert "checked in" in page.get_by_role("status").inner_text()
    with site.app.app_context():
        hana = user_named(site, "hana")
        [made] = db.session.scalars(select(Booking).where(Booking.user_id == hana.id)).all()
        db.session.expunge(made)
    assert made.status == "checked_in" and made.start <= now < made.end
    return made


def test_a_walk_in_desk_in_two_clicks(page, site: Site):
    _walk_in_hana(page, site, NOW)
    assert "1 person" in page.get_by_role("heading", name="In the building: 1 person").inner_text()


def test_a_walk_in_late_in_the_day_is_booked_at_once(page, site: Site):
    late = datetime(2026, 11, 24, 17, 47, tzinfo=UTC)  # 17:47 in London, off the slots
    site.app.config["FIXED_NOW"] = late
    made = _walk_in_hana(page, site, late)
    assert made.end.minute % 15 == 0  # the end offered is one the rules accept
    check_page(page, "board-late")


def test_the_board_is_for_staff_only(page, site: Site):
    sign_in(page, site, "ben")
    assert page.get_by_role("link", name="Reception", exact=True).count() == 0
    answer = page.goto(f"{site.url}/reception")
    assert answer.status == 403
    assert "for the centre's staff" in page.content()
