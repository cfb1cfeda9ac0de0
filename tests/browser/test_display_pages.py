"""On the wall and in the hand: a resource's QR code read back by a real decoder, the
page it opens on a phone, a display on a tablet that keeps itself current across a
server restart, and reception's kiosk."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from booking.extensions import close_databases, db
from booking.models import Booking, User
from booking.services import displays
from booking.services.reservations import BookingDraft, create_booking
from tests.browser.conftest import Site, check_page
from tests.browser.test_tenant_pages import resource_named
from tests.conftest import NOW, app_for

ROOM = "G.01 Colne meeting room"
TABLET_AND_PHONE = {"tablet": 1024, "phone": 390}


def decoded(png: bytes) -> list[str]:
    """The texts of the QR codes a real decoder (ZXing) finds in an image."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_a_resource_qr_code_decodes_to_its_page(page, site: Site) -> None:
    room = resource_named(site, ROOM)
    desk = {"Authorization": f"Bearer {site.people['reception'].token}"}
    svg = site.app.test_client().get(f"/api/v1/resources/{room.id}/qr.svg", headers=desk)
    assert svg.status_code == 200
    page.set_content(f"<!doctype html><body style='margin:0'>{svg.get_data(as_text=True)}")
    image = page.locator("svg").screenshot()
    assert decoded(image) == [f"http://localhost/r/{room.id}"]  # the test client's host


def sign_in_here(page: Any, site: Site, who: str) -> None:
    person = site.people[who]
    page.get_by_label("E-mail address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()


def test_the_code_on_the_door_signs_in_then_books_it_now(page, site: Site) -> None:
    room = resource_named(site, ROOM)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site.url}/r/{room.id}")
    assert "/sign-in" in page.url
    sign_in_here(page, site, "dev")
    page.wait_for_url(f"{site.url}/r/{room.id}")
    assert page.get_by_role("heading", name=ROOM).is_visible()
    lengths = page.get_by_role("button", name="minutes")
    assert lengths.count() >= 1
    check_page(page, "door-free", TABLET_AND_PHONE)
    lengths.first.click()
    page.wait_for_url(f"{site.url}/r/{room.id}")
    assert "Booked and checked in" in page.get_by_role("status").inner_text()
    assert page.get_by_role("button", name="Check out now").is_visible()
    check_page(page, "door-checked-in", TABLET_AND_PHONE)


@contextmanager
def serving(app: Any, port: int = 0) -> Iterator[int]:
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_display_keeps_itself_current_across_a_restart(page, site: Site) -> None:
    room = resource_named(site, ROOM)
    url = site.app.config["DATABASE_URL"]
    with site.app.app_context():
        admin = db.session.scalar(select(User).where(User.role == "facility_manager"))
        assert admin is not None
        made = displays.register_display(admin, room.id, "Colne, by the door", NOW)
        secret = made.secret
        taken = db.session.scalars(
            select(Booking).where(
                Booking.resource_id == room.id, Booking.start <= NOW, Booking.end > NOW
            )  # fmt: skip
        ).all()
        assert not taken, "the seeded room is free at the suite's hour"
    first = app_for(url, SITE_RULES={}, DISPLAYS_POLL="PT1S")
    with serving(first) as port:
        page.goto(f"http://127.0.0.1:{port}/d/{secret}")
        assert page.get_by_text("FREE", exact=False).first.is_visible()
        check_page(page, "display-free", TABLET_AND_PHONE)
        page.set_viewport_size({"width": 1024, "height": 768})
    # the server is down: the display says so and keeps what it shows
    page.get_by_text("Reconnecting").wait_for(state="visible", timeout=10_000)
    assert page.get_by_text("FREE", exact=False).first.is_visible()
    with first.app_context():
        ben = db.session.scalar(select(User).where(User.email.startswith("ben@")))
        assert ben is not None
        draft = BookingDraft(room.id, NOW, NOW.replace(hour=10), "Board meeting")
        create_booking(ben, draft, NOW)
        close_databases()
    restarted = app_for(url, SITE_RULES={}, DISPLAYS_POLL="PT1S")
    with serving(restarted, port):
        page.get_by_text("IN USE").wait_for(state="visible", timeout=10_000)
        page.get_by_text("Reconnecting").wait_for(state="hidden", timeout=10_000)
        wall = page.locator("#live").inner_text()
        assert "Calder Diagnostics" in wall and "Board meeting" not in wall
        assert "Ben" not in wall
        check_page(page, "display-in-use", TABLET_AND_PHONE)
        shot = page.locator(".wall-code svg").screenshot()
        assert decoded(shot) == [f"http://127.0.0.1:{port}/r/{room.id}"]
        with restarted.app_context():
            displays.revoke_display(admin, made.display.id, NOW)
        page.get_by_text("switched off").wait_for(state="visible", timeout=10_000)
    with restarted.app_context():
        close_databases()


def test_reception_checks_a_booking_in_at_the_kiosk(page, site: Site) -> None:
    room = resource_named(site, ROOM)
    with site.app.app_context():
        ben = db.session.scalar(select(User).where(User.email.startswith("ben@")))
        assert ben is not None
        made = create_booking(
            ben, BookingDraft(room.id, NOW, NOW.replace(hour=10), "Investor visit"), NOW
        )
        code = displays.check_in_code(made.id)
    page.goto(f"{site.url}/reception/kiosk")
    sign_in_here(page, site, "reception")
    page.wait_for_url(f"{site.url}/reception/kiosk")
    check_page(page, "kiosk", TABLET_AND_PHONE)
    page.get_by_label("Scan or type the check-in code").fill("B1-AAAAAA")
    page.get_by_role("button", name="Check in").click()
    assert "not a check-in code" in page.get_by_role("alert").inner_text()
    page.get_by_label("Scan or type the check-in code").fill(code.lower())
    page.get_by_role("button", name="Check in").click()
    assert "Investor visit" in page.get_by_role("status").inner_text()
    check_page(page, "kiosk-checked-in", TABLET_AND_PHONE)
