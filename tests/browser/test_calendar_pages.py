"""The calendar pages in Chromium: a lab's week beside its benches, worked by keyboard
alone to book free time; the month; a day that fits a phone; the form's rules in words."""

from __future__ import annotations

import re

from tests.browser.conftest import WIDTHS, Site, check_page, sign_in
from tests.browser.test_tenant_pages import bookings_of, resource_named


def test_the_week_view_by_keyboard_alone_books_free_time(page, site: Site):
    sign_in(page, site, "ben")
    lab = resource_named(site, "Wet Lab 1.10 — Cell biology")
    page.goto(f"{site.url}/calendar?family={lab.id}&date=2026-11-24")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Calendar: Wet Lab 1.10")
    headers = page.locator("table.week tbody th[scope=row]").all_inner_texts()
    assert headers[:3] == ["Wet Lab 1.10 — Cell biology", "Bench 1.10A", "Bench 1.10B"]
    check_page(page, "calendar-week")
    page.get_by_role("link", name=re.compile(r"^After")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"date=2026-12-01"))
    assert "Week of 30 November to 6 December 2026" in page.inner_text("main")
    offer = page.get_by_role("link", name=re.compile(r"^Book Bench 1\.10A, free ")).first
    offer.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/book/"))
    assert "Before you book" in page.inner_text("main")
    page.get_by_label("Title").focus()
    page.keyboard.type("Cell counts")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/bookings/\d+$"))
    assert "Booked: it is confirmed." in page.inner_text("main")
    assert any(b.title == "Cell counts" for b in bookings_of(site, "ben"))
    page.goto(f"{site.url}/calendar?date=2026-12-01")
    assert "Cell counts" in page.inner_text("table.week")


def test_the_month_and_a_phone_sized_day(page, site: Site):
    sign_in(page, site, "ben")
    bench = resource_named(site, "Bench 1.10A")
    page.goto(f"{site.url}/calendar?resource={bench.id}&view=month&date=2026-12-01")
    assert page.locator("table.month a.date").count() == 35
    check_page(page, "calendar-month")
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 800})
    page.goto(f"{site.url}/calendar?resource={bench.id}&view=day&date=2026-12-01")
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= WIDTHS["phone"], f"the day view scrolls sideways on a phone: {wide}px"
    assert page.get_by_role("link", name=re.compile(r"^Book Bench 1\.10A, free ")).count() >= 1
    check_page(page, "calendar-day", {"phone": WIDTHS["phone"]})


def test_equipment_needing_training_says_so_before_booking(page, site: Site):
    sign_in(page, site, "ben")
    cabinet = resource_named(site, "Class II biosafety cabinet (1.10)")
    page.goto(f"{site.url}/book/{cabinet.id}")
    said = page.inner_text("main")
    assert "You cannot book this yet" in said
    assert "This needs the biosafety-cabinet certification." in said
    check_page(page, "book-needs-training")
    page.goto(f"{site.url}/find?date=2026-12-01&kind=equipment")
    assert "Not yours to book yet" in page.inner_text("main")
    check_page(page, "find-not-yet")


def test_a_tenant_books_moves_and_cancels(page, site: Site):
    sign_in(page, site, "ben")
    room = resource_named(site, "G.02 Holme meeting room")
    page.goto(f"{site.url}/book/{room.id}?start=2026-12-02T10:00:00%2B00:00"
              "&end=2026-12-02T11:00:00%2B00:00")  # fmt: skip
    page.get_by_label("Title").fill("Board prep")
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(re.compile(r"/bookings/\d+$"))
    page.get_by_role("link", name="Change or move").click()
    page.wait_for_url(re.compile(r"/change$"))
    check_page(page, "change")
    page.get_by_label("From").fill("15:00")
    page.get_by_label("To").fill("16:30")
    page.get_by_role("button", name="Save the change").click()
    page.wait_for_url(re.compile(r"/bookings/\d+$"))
    said = page.inner_text("main")
    assert "Changed." in said and "15:00 to 16:30" in said
    page.get_by_role("link", name="Cancel this booking").click()
    page.get_by_role("button", name=re.compile(r"^Yes, cancel")).click()
    assert "Cancelled." in page.inner_text("main")
    (made,) = [b for b in bookings_of(site, "ben") if b.title == "Board prep"]
    assert made.status == "cancelled" and made.start.hour == 15


def test_a_tenant_admin_sees_the_team_and_books_for_a_member(page, site: Site):
    sign_in(page, site, "ana")
    page.get_by_role("link", name="Team").click()
    check_page(page, "team")
    assert "Ben Okafor" in page.inner_text("main")
    room = resource_named(site, "G.02 Holme meeting room")
    page.goto(f"{site.url}/book/{room.id}?start=2026-12-03T10:00:00%2B00:00"
              "&end=2026-12-03T11:00:00%2B00:00")  # fmt: skip
    page.get_by_label("Title").fill("Ben's interview")
    page.get_by_label("For", exact=True).select_option(label="Ben Okafor")
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(re.compile(r"/bookings/\d+$"))
    assert any(b.title == "Ben's interview" for b in bookings_of(site, "ben"))
    page.get_by_role("link", name="Team").click()
    assert "Ben's interview" in page.get_by_role("table").first.inner_text()
