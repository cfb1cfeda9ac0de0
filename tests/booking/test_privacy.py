"""Data protection: a person's export holds everything about them and no secret; erasure
pseudonymises them, ends their tokens, feeds and password, and keeps their bookings for
the accounts; both are in the audit log."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient

from booking.schemas.people import EXPORT_SECTIONS
from booking.services import people
from tests.booking.test_sign_in import with_password
from tests.conftest import NOW, Factory, at


def test_an_export_holds_everything_about_the_person_and_no_secret(
    app: Flask, client: FlaskClient, make: Factory
):
    room = make.resource(name="Room")
    ana = with_password(app, make)
    mine = make.headers(ana)
    make.booking(room, ana, at(1, 9), at(1, 10), title="Ana's review", notes="bring slides")
    client.get("/api/v1/feeds", headers=mine)
    answer = client.get(f"/api/v1/users/{ana.id}/export", headers=mine)
    assert answer.status_code == 200
    data = answer.get_json()
    assert set(data) == {"exported_at", "person", *EXPORT_SECTIONS}
    assert data["person"]["email"] == ana.email and data["person"]["tenant"] == "T"
    assert [b["title"] for b in data["bookings"]] == ["Ana's review"]
    assert data["bookings"][0]["notes"] == "bring slides"
    assert len(data["api_tokens"]) == 1 and len(data["calendar_feed"]) == 1
    text = json.dumps(data)
    for secret in ("password_hash", "digest", "salt", "scrypt"):
        assert secret not in text
    log = client.get("/api/v1/audit", headers=make.headers(make.user("admin"))).get_json()
    assert [(e["action"], e["user_id"], e["actor_id"]) for e in log][0] == (
        "exported", ana.id, ana.id)  # fmt: skip


def test_erasure_pseudonymises_and_keeps_the_bookings_for_the_accounts(
    app: Flask, client: FlaskClient, make: Factory
):
    room = make.resource(name="Room", rules={"rates": {"standard": 1000}})
    ana = with_password(app, make)
    token = make.headers(ana)
    feed = client.get("/api/v1/feeds", headers=token).get_json()["mine"]["url"]
    feed_path = feed[feed.index("/api/") :]
    assert client.get(feed_path).status_code == 200
    coming = make.booking(room, ana, at(1, 9), at(1, 10), title="Ana's review")
    admin = make.headers(make.user("admin"))
    refused = client.post(f"/api/v1/users/{ana.id}/erase", headers=admin)
    assert refused.status_code == 409 and "1 booking still to come" in refused.get_json()["detail"]
    client.post(f"/api/v1/bookings/{coming.id}/cancel", headers=token)
    past = make.booking(room, ana, at(20, 9, month=11), at(20, 11, month=11), title="Secret",
                        status="completed")  # fmt: skip
    erased = client.post(f"/api/v1/users/{ana.id}/erase", headers=admin)
    assert erased.status_code == 200
    assert erased.get_json()["name"] == f"Erased user {ana.id}"
    assert erased.get_json()["email"] == f"erased-{ana.id}@erased.invalid"
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert client.get(feed_path).status_code == 404
    with app.app_context():
        try:
            people.sign_in(ana.email, "correct horse", NOW)
        except people.SignInRefusedError:
            pass
        else:
            raise AssertionError("an erased person signed in")
    kept = client.get(f"/api/v1/bookings/{past.id}", headers=admin).get_json()
    assert kept["title"] == "Booking" and kept["status"] == "completed"
    charges = client.get("/api/v1/reports/charges?from=2026-11-01&to=2026-11-30",
                         headers=admin).get_json()  # fmt: skip
    assert sum(line["amount"] for line in charges["lines"]) == 2000
    actions = [e["action"] for e in client.get("/api/v1/audit", headers=admin).get_json()]
    assert "erased" in actions


def test_only_an_admin_erases_and_not_themselves(client: FlaskClient, make: Factory):
    member, admin_user = make.user(), make.user("admin")
    for role in ("facility_manager", "reception", "tenant_admin", "tenant_member"):
        answer = client.post(
            f"/api/v1/users/{member.id}/erase", headers=make.headers(make.user(role))
        )
        assert answer.status_code == 403, role
    itself = client.post(f"/api/v1/users/{admin_user.id}/erase", headers=make.headers(admin_user))
    assert itself.status_code == 409


def test_the_people_page_invites_exports_and_erases(app: Flask, make: Factory):
    from sqlalchemy import select

    from booking.extensions import db
    from booking.models import Notification, User
    from tests.booking.test_booking_pages import flashed_after, signed_in

    admin = signed_in(app, make.user("admin"))
    page = admin.get("/staff/people").get_data(as_text=True)
    assert "Invite someone" in page
    bad = admin.post("/staff/people", data={"email": "x", "name": "", "role": "reception"})
    assert bad.status_code == 422 and "Give an e-mail address" in bad.get_data(as_text=True)
    staff_in_tenant = admin.post("/staff/people", data={
        "email": "r@x.test", "name": "R", "role": "reception",
        "tenant_id": str(make.user().tenant_id)})  # fmt: skip
    assert staff_in_tenant.status_code == 422
    assert "Centre staff do not belong to a tenant." in staff_in_tenant.get_data(as_text=True)
    invited = admin.post("/staff/people", data={"email": "new@x.test", "name": "New One",
                                                "role": "reception"})  # fmt: skip
    assert flashed_after(admin, invited).startswith("New One is invited")
    with app.app_context():
        new = db.session.scalar(select(User).where(User.email == "new@x.test"))
        assert new is not None
        sent = db.session.scalar(select(Notification).where(Notification.user_id == new.id))
        assert sent is not None and sent.kind == "invitation"
    download = admin.get(f"/staff/people/{new.id}/data.json")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.get_json()["person"]["email"] == "new@x.test"
    asked = admin.get(f"/staff/people/{new.id}/erase").get_data(as_text=True)
    assert "Erase New One?" in asked
    done = admin.post(f"/staff/people/{new.id}/erase")
    assert flashed_after(admin, done) == f"Erased: the account is now “Erased user {new.id}”."
    assert admin.get("/staff/people/999999/erase").status_code == 404
