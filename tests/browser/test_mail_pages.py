"""Mail pages: choosing what one hears about, unsubscribing from a reminder's link,
and staff sending an undelivered message again."""

from __future__ import annotations

from sqlalchemy import select

from booking.extensions import db
from booking.models import Notification, Preferences
from booking.services.notifications.preferences import unsubscribe_token
from tests.browser.conftest import Site, check_page, sign_in
from tests.browser.test_reception_pages import user_named
from tests.conftest import NOW


def test_a_tenant_switches_reminders_off_and_on(page, site: Site):
    sign_in(page, site, "ben")
    page.get_by_role("link", name="E-mail settings").click()
    check_page(page, "preferences")
    page.get_by_label("A reminder the day before each booking").uncheck()
    page.get_by_role("button", name="Save").click()
    assert "Saved" in page.get_by_role("status").inner_text()
    assert not page.get_by_label("A reminder the day before each booking").is_checked()
    with site.app.app_context():
        ben = user_named(site, "ben")
        assert db.session.get(Preferences, ben.id).reminders is False


def test_a_reminders_link_asks_before_it_unsubscribes(page, site: Site):
    with site.app.app_context():
        ben = user_named(site, "ben")
        token = unsubscribe_token(ben.id)
    page.goto(f"{site.url}/unsubscribe/{token}")
    check_page(page, "unsubscribe")
    with site.app.app_context():
        assert db.session.get(Preferences, ben.id) is None  # a visit changes nothing
    page.get_by_role("button", name="Stop reminders").click()
    assert "no more reminders" in page.get_by_role("heading").inner_text()
    with site.app.app_context():
        assert db.session.get(Preferences, ben.id).reminders is False


def test_facilities_send_an_undelivered_message_again(page, site: Site):
    with site.app.app_context():
        ben = user_named(site, "ben")
        db.session.add(
            Notification(
                kind="confirmed",
                user_id=ben.id,
                to_address=ben.email,
                subject="Confirmed: Wet Lab 1.10, Tue 1 Dec 09:00-10:00",
                payload={},
                status="failed",
                attempts=8,
                next_attempt_at=NOW,
                created_at=NOW,
                last_error="SMTPRecipientsRefused: 550 No such mailbox",
            )
        )
        db.session.commit()
    sign_in(page, site, "facilities")
    page.get_by_role("link", name="Undelivered mail").click()
    check_page(page, "undelivered-mail")
    assert "550 No such mailbox" in page.content()
    page.get_by_role("button", name=f"Send again to {ben.email}").click()
    assert "Queued again" in page.get_by_role("status").inner_text()
    with site.app.app_context():
        [message] = db.session.scalars(select(Notification)).all()
        assert message.status == "queued"


def test_a_tenant_is_refused_the_mail_page(page, site: Site):
    sign_in(page, site, "ben")
    answer = page.goto(f"{site.url}/staff/notifications")
    assert answer.status == 403
