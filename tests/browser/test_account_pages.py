"""One's account in Chromium: a forgotten password set through the mailed link, the
password changed on the account page, and the audit log read by the facilities team."""

from __future__ import annotations

import re

from sqlalchemy import select

from booking.extensions import db
from booking.models import Notification
from tests.browser.conftest import Site, check_page, sign_in


def test_a_forgotten_password_is_set_through_the_link_then_changed(page, site: Site):
    ben = site.people["ben"]
    page.goto(f"{site.url}/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    check_page(page, "forgot-password")
    page.get_by_label("E-mail address").fill(ben.email)
    page.get_by_role("button", name="Send me a link").click()
    assert "If that address has an account" in page.get_by_role("status").inner_text()
    with site.app.app_context():
        mail = db.session.scalar(select(Notification).where(Notification.kind == "password_reset"))
        assert mail is not None and mail.to_address == ben.email
        link = mail.payload["link"]
    page.goto(site.url + link[link.index("/reset-password/") :])
    check_page(page, "reset-password")
    page.get_by_label("New password", exact=False).first.fill("a fresh password")
    page.get_by_label("New password again").fill("a fresh password")
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_url(re.compile(r"/sign-in"))
    assert "Your password is set" in page.get_by_role("status").inner_text()
    sign_in(page, site, "ben", "a fresh password")
    page.get_by_role("link", name=re.compile("your account")).click()
    check_page(page, "account")
    page.get_by_label("Current password").fill("a fresh password")
    page.get_by_label("New password", exact=False).first.fill("another password")
    page.get_by_label("New password again").fill("another password")
    page.get_by_role("button", name="Change password").click()
    assert "Your password is changed" in page.get_by_role("status").inner_text()


def test_facilities_read_the_audit_log(page, site: Site):
    sign_in(page, site, "ben")
    page.goto(f"{site.url}/find?date=2026-12-01&kind=room")
    page.get_by_role("link", name=re.compile(r"^G\.01 Colne meeting room from")).click()
    page.get_by_label("Title").fill("Audited")
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(re.compile(r"/bookings/\d+$"))
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, "facilities")
    page.get_by_role("link", name="Audit log").click()
    table = page.get_by_role("table").inner_text()
    assert "Audited" in table and "Ben Okafor" in table and "created" in table
    check_page(page, "audit-log")


def test_an_admin_invites_someone_and_erases_them(page, site: Site):
    sign_in(page, site, "admin")
    page.get_by_role("link", name="People").click()
    check_page(page, "people")
    page.get_by_label("E-mail address").fill("new.starter@calder-diagnostics.example")
    page.get_by_label("Name", exact=True).fill("New Starter")
    page.get_by_label("Role", exact=True).select_option("tenant_member")
    page.get_by_label("Organisation").select_option(label="Calder Diagnostics")
    page.get_by_role("button", name="Invite").click()
    assert "New Starter is invited" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Erase New Starter").click()
    check_page(page, "erase")
    page.get_by_role("button", name="Yes, erase New Starter").click()
    assert "Erased: the account is now" in page.get_by_role("status").inner_text()
    assert "New Starter" not in page.get_by_role("table").inner_text()


def test_an_admin_deactivates_someone_and_edits_an_organisation(page, site: Site):
    sign_in(page, site, "admin")
    page.goto(f"{site.url}/staff/people")
    page.get_by_role("link", name="Hana Sato", exact=True).click()
    check_page(page, "person")
    page.get_by_role("radio", name=re.compile(r"No: deactivated")).check()
    page.get_by_role("button", name="Save").click()
    assert "Saved: Hana Sato." in page.get_by_role("status").inner_text()
    assert "Hana Sato (deactivated)" in " ".join(page.get_by_role("table").inner_text().split())
    page.get_by_role("link", name="Organisations (sector, rate tier)").click()
    check_page(page, "organisations")
    page.get_by_label("Sector of Holme Valley Biologics").select_option("nhs")
    page.get_by_role("button", name="Save Holme Valley Biologics").click()
    assert "Saved: Holme Valley Biologics." in page.get_by_role("status").inner_text()
    assert page.get_by_label("Sector of Holme Valley Biologics").input_value() == "nhs"
