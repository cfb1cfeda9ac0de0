"""Running people and organisations: deactivating someone who has left (no sign-in, no
tokens, no feeds, no reset mail; bookings stay), changing roles, and the tenants."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Notification
from booking.services import people
from tests.booking.test_booking_pages import flashed_after, signed_in
from tests.booking.test_sign_in import with_password
from tests.conftest import NOW, Factory


def _signs_in(app: Flask, email: str, password: str) -> bool:
    with app.app_context():
        try:
            people.sign_in(email, password, NOW)
        except people.SignInRefusedError:
            return False
        return True


def test_a_deactivated_person_is_locked_out_and_can_come_back(
    app: Flask, client: FlaskClient, make: Factory
):
    leaver = with_password(app, make)
    token = make.headers(leaver)
    feed = client.get("/api/v1/feeds", headers=token).get_json()["mine"]["url"]
    admin_user = make.user("admin")
    admin = make.headers(admin_user)
    off = client.patch(f"/api/v1/users/{leaver.id}", headers=admin, json={"active": False})
    assert off.status_code == 200 and off.get_json()["deactivated_at"] is not None
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert client.get(feed[feed.index("/api/") :]).status_code == 404
    assert not _signs_in(app, leaver.email, "correct horse")
    client.post("/api/v1/password-reset", json={"email": leaver.email})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    refused = client.post(f"/api/v1/users/{leaver.id}/tokens", headers=admin)
    assert refused.status_code == 409 and "deactivated" in refused.get_json()["detail"]
    back = client.patch(f"/api/v1/users/{leaver.id}", headers=admin, json={"active": True})
    assert back.get_json()["deactivated_at"] is None
    assert _signs_in(app, leaver.email, "correct horse")
    itself = client.patch(f"/api/v1/users/{admin_user.id}", headers=admin, json={"active": False})
    assert itself.status_code == 409
    mismatch = client.patch(f"/api/v1/users/{leaver.id}", headers=admin, json={"role": "reception"})
    assert mismatch.status_code == 422
    assert "Centre staff do not belong to a tenant." in str(mismatch.get_json()["errors"])


def test_the_person_and_organisation_pages(app: Flask, make: Factory):
    member = make.user()
    admin = signed_in(app, make.user("admin"))
    page = admin.get(f"/staff/people/{member.id}").get_data(as_text=True)
    assert member.email in page and "May sign in" in page
    saved = admin.post(
        f"/staff/people/{member.id}",
        data={
            "name": "Renamed",
            "role": "tenant_admin",
            "tenant_id": str(member.tenant_id),
            "active": "no",
        },
    )
    assert flashed_after(admin, saved) == "Saved: Renamed."
    assert "Renamed</a> <small>(deactivated)</small>" in admin.get("/staff/people").get_data(
        as_text=True
    )
    bad = admin.post(
        f"/staff/people/{member.id}",
        data={"name": "", "role": "tenant_admin", "tenant_id": "", "active": "yes"},
    )
    assert bad.status_code == 422
    tenants = admin.get("/staff/tenants").get_data(as_text=True)
    assert "Add an organisation" in tenants
    wrong_tier = admin.post(
        "/staff/tenants", data={"name": "New Org", "sector": "nhs", "rate_tier": "not a tier!"}
    )
    assert wrong_tier.status_code == 422 and 'id="rate_tier-error"' in wrong_tier.get_data(
        as_text=True
    )
    added = admin.post(
        "/staff/tenants", data={"name": "New Org", "sector": "nhs", "rate_tier": "nhs"}
    )
    assert flashed_after(admin, added) == "Added New Org."
    twice = admin.post(
        "/staff/tenants", data={"name": "New Org", "sector": "nhs", "rate_tier": "nhs"}
    )
    assert twice.status_code == 409 and "exists already" in twice.get_data(as_text=True)
    tenant_id = member.tenant_id
    changed = admin.post(
        f"/staff/tenants/{tenant_id}",
        data={"name": "Calder Diagnostics", "sector": "university", "rate_tier": "academic"},
    )
    assert flashed_after(admin, changed) == "Saved: Calder Diagnostics."
    assert (
        admin.post(
            "/staff/tenants/999999", data={"name": "x", "sector": "nhs", "rate_tier": "nhs"}
        ).status_code
        == 404
    )


def test_an_admin_makes_and_revokes_an_integrations_token(
    app: Flask, client: FlaskClient, make: Factory
):
    robot = make.user("reception")
    admin = signed_in(app, make.user("admin"))
    made = admin.post(f"/staff/people/{robot.id}/tokens").get_data(as_text=True)
    assert "The new token, shown only now" in made and f"use the API as {robot.name}" in made
    raw = made.split('id="token" type="text" readonly value="')[1].split('"')[0]
    bearer = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=bearer).get_json()["id"] == robot.id
    token_id = int(made.split("/account/tokens/")[1].split("/")[0])
    back = f"/staff/people/{robot.id}"
    done = admin.post(f"/account/tokens/{token_id}/revoke", data={"back": back})
    assert done.headers["Location"].endswith(back)
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert admin.post("/staff/people/999999/tokens").status_code == 404
    other = signed_in(app, make.user("facility_manager"))
    assert other.post(f"/staff/people/{robot.id}/tokens").status_code == 403
