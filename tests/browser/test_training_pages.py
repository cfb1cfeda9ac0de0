"""Training in Chromium: a member refused for want of training asks for it from the
booking form; the facility manager records it on the training page; the member books."""

from __future__ import annotations

import re

from tests.browser.conftest import Site, check_page, sign_in
from tests.browser.test_tenant_pages import resource_named


def test_a_member_asks_for_training_and_books_once_it_is_recorded(page, site: Site):
    cabinet = resource_named(site, "Class II biosafety cabinet (1.10)")
    sign_in(page, site, "ben")
    page.goto(f"{site.url}/book/{cabinet.id}")
    page.get_by_role("button", name="Ask for the training").click()
    assert "Asked: the facilities team" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, "facilities")
    page.get_by_role("link", name="Training").click()
    check_page(page, "training")
    requests = page.get_by_role("table").first.inner_text()
    assert "Ben Okafor" in requests and "biosafety-cabinet" in requests
    page.get_by_role("button", name=re.compile(r"^Record biosafety-cabinet for Ben Okafor")).click()
    assert "Recorded: biosafety-cabinet." in page.get_by_role("status").inner_text()
    assert "Nobody is waiting for training." in page.inner_text("main")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, "ben")
    page.goto(f"{site.url}/book/{cabinet.id}?start=2026-12-01T10:00:00%2B00:00"
              "&end=2026-12-01T11:00:00%2B00:00")  # fmt: skip
    assert "You cannot book this yet" not in page.inner_text("main")
    page.get_by_label("Title").fill("Sterile work")
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(re.compile(r"/bookings/\d+$"))
    assert "Booked: it is confirmed." in page.inner_text("main")
