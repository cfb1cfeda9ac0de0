"""Staff pages: approving and rejecting, closing a room, reading a resource's rules."""

from __future__ import annotations

from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, Closure
from booking.services.reservations.bookings import BookingDraft, create_booking
from tests.browser.conftest import Site, check_page, sign_in
from tests.browser.test_reception_pages import user_named
from tests.browser.test_tenant_pages import resource_named
from tests.conftest import NOW, at


def test_a_facility_manager_approves_and_rejects(page, site: Site):
    lab = resource_named(site, "The Atrium")  # requires approval
    with site.app.app_context():
        ana = user_named(site, "ana")
        first = create_booking(ana, BookingDraft(lab.id, at(2, 9), at(2, 11), "Open day"), NOW)
        second = create_booking(ana, BookingDraft(lab.id, at(3, 9), at(3, 11), "Launch"), NOW)
        assert first.status == second.status == "pending"
    sign_in(page, site, "facilities")
    page.get_by_role("link", name="Approvals").click()
    check_page(page, "approvals")
    page.get_by_role("button", name="Approve Open day").click()
    assert "approved" in page.get_by_role("status").inner_text()
    page.get_by_label("Reason to reject Launch").fill("The Atrium is being repainted that day.")
    page.get_by_role("button", name="Reject Launch").click()
    assert "rejected" in page.get_by_role("status").inner_text()
    with site.app.app_context():
        assert db.session.get(Booking, first.id).status == "confirmed"
        rejected = db.session.get(Booking, second.id)
        assert rejected.status == "rejected"
        assert rejected.status_reason == "The Atrium is being repainted that day."
    assert "Nothing is waiting" in page.content()
    # the booker reads the approver's reason on the booking's page
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, "ana")
    page.goto(f"{site.url}/bookings/{second.id}")
    said = " ".join(page.inner_text("main").split())
    assert "rejected" in said
    assert "Why it was declined The Atrium is being repainted that day." in said
    check_page(page, "booking-rejected")


def test_a_closure_is_made_and_lifted_from_the_page(page, site: Site):
    sign_in(page, site, "facilities")
    page.get_by_role("link", name="Closures").click()
    page.get_by_label("What").select_option(label="G.02 Holme meeting room")
    page.get_by_label("Closed from").fill("2026-12-24")
    page.get_by_label("Reopens on").fill("2027-01-04")
    page.get_by_label("Why").fill("Christmas")
    page.get_by_role("button", name="Close", exact=True).click()
    assert "Closed." in page.get_by_role("status").inner_text()
    check_page(page, "closures")
    with site.app.app_context():
        [made] = db.session.scalars(select(Closure)).all()
        assert made.reason == "Christmas"
    page.get_by_role("button", name="Lift the closure: Christmas").click()
    with site.app.app_context():
        assert db.session.scalars(select(Closure)).all() == []


def test_staff_read_where_each_rule_comes_from(page, site: Site):
    sign_in(page, site, "reception")
    page.get_by_role("link", name="Rules").click()
    check_page(page, "resources")
    page.get_by_role("link", name="Fluorescence microscope").click()
    table = page.get_by_role("table")
    text = " ".join(table.inner_text().split())
    assert "Required certification" in text
    assert "Only people with the fluorescence-microscopy certification may book it." in text
    assert "Opening hours" in text and "Imaging suite 1.30" in text  # inherited from the suite
    assert "Open Monday to Friday" in text and "PT" not in text and "{" not in text
    check_page(page, "rules")
    sign_in(page, site, "reception")
    assert page.goto(f"{site.url}/staff/approvals").status == 403


def test_a_facility_manager_adds_a_bench_and_changes_a_labs_rules(page, site: Site):
    sign_in(page, site, "facilities")
    page.get_by_role("link", name="Rules").click()
    page.get_by_label("Name").fill("Bench 1.10C")
    page.get_by_label("Kind").select_option("desk")
    page.get_by_label("Inside").select_option(label="· · Wet Lab 1.10 — Cell biology")
    page.get_by_label("Features", exact=False).fill("lab-bench")
    page.get_by_role("button", name="Add").click()
    assert "Added Bench 1.10C." in page.get_by_role("status").inner_text()
    check_page(page, "catalogue")
    page.get_by_role("link", name="Change Bench 1.10C").click()
    check_page(page, "resource-edit")
    page.goto(f"{site.url}/staff/resources")
    page.get_by_role("link", name="Wet Lab 1.10 — Cell biology", exact=True).click()
    page.get_by_role("link", name="Change the rules set here").click()
    page.get_by_label("Kept free after each booking", exact=False).fill("45 minutes")
    page.get_by_role("button", name="Preview what it would refuse").click()
    assert "What the change would do" in page.inner_text("main")
    check_page(page, "rules-edit")
    page.get_by_role("button", name="Save").click()
    assert "Saved the rules of Wet Lab 1.10" in page.get_by_role("status").inner_text()
    assert "45 minutes kept free after each booking" in page.inner_text("main")
