"""Self-service: who am I, changing one's password, a forgotten password by a one-time
link (an hour, once, limited, telling nobody who has an account), and new users'
invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import close_databases, db
from booking.models import Notification
from booking.services import people
from booking.services.notifications.delivery import render
from tests.booking.test_sign_in import csrf_token, sign_in, with_password
from tests.conftest import NOW, Factory, app_for


def _links(app: Flask, kind: str = "password_reset") -> list[Notification]:
    with app.app_context():
        found = list(db.session.scalars(select(Notification).where(Notification.kind == kind)))
        for message in found:
            db.session.expunge(message)
        return found


def _mail_text(app: Flask, message_id: int) -> str:
    with app.app_context():
        mail = render(db.session.get(Notification, message_id))
    plain = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    return plain.get_payload(decode=True).decode()


def _secret(message: Notification) -> str:
    return message.payload["link"].rsplit("/", 1)[1]


def test_me_and_changing_ones_password(app: Flask, client: FlaskClient, make: Factory):
    user = with_password(app, make)
    headers = make.headers(user)
    assert client.get("/api/v1/me", headers=headers).get_json()["email"] == user.email
    wrong = client.post(
        "/api/v1/me/password", headers=headers, json={"current": "not it", "new": "a new secret"}
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["errors"] == {"current": ["That is not your current password."]}
    short = client.post(
        "/api/v1/me/password", headers=headers, json={"current": "correct horse", "new": "short"}
    )
    assert short.get_json()["errors"] == {"new": ["Use at least 8 characters."]}
    done = client.post(
        "/api/v1/me/password",
        headers=headers,
        json={"current": "correct horse", "new": "battery staple"},
    )
    assert done.status_code == 204
    with app.app_context():
        assert people.sign_in(user.email, "battery staple", NOW).id == user.id
    assert client.get("/api/v1/me").status_code == 401


def test_a_forgotten_password_is_set_once_through_the_link_within_an_hour(
    app: Flask, client: FlaskClient, make: Factory
):
    user = with_password(app, make)
    known = client.post("/api/v1/password-reset", json={"email": user.email.upper()})
    unknown = client.post("/api/v1/password-reset", json={"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()  # nobody learns who has an account
    (message,) = _links(app)
    assert message.to_address == user.email
    secret = _secret(message)
    mail = _mail_text(app, message.id)
    assert f"/reset-password/{secret}" in mail and "works once, for 1 hour" in mail
    page = client.get(f"/reset-password/{secret}")
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    token = csrf_token(client, f"/reset-password/{secret}")
    differ = client.post(
        f"/reset-password/{secret}",
        data={"new": "brand new one", "again": "brand new 1", "csrf_token": token},
    )
    assert differ.status_code == 422
    assert "The two passwords are not the same." in differ.get_data(as_text=True)
    done = client.post(
        f"/reset-password/{secret}",
        data={"new": "brand new one", "again": "brand new one", "csrf_token": token},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/sign-in")
    assert sign_in(client, user.email, "brand new one", csrf_token(client)).status_code == 302
    again = client.get(f"/reset-password/{secret}")
    assert again.status_code == 410 and "Ask for a new one" in again.get_data(as_text=True)


def test_a_link_runs_out_after_an_hour_and_only_three_are_sent_an_hour(
    app: Flask, client: FlaskClient, make: Factory
):
    user = with_password(app, make)
    for _ in range(4):
        client.post("/api/v1/password-reset", json={"email": user.email})
    sent = _links(app)
    assert len(sent) == 3
    app.config["FIXED_NOW"] = NOW + timedelta(hours=1)
    assert client.get(f"/reset-password/{_secret(sent[0])}").status_code == 410
    assert client.get("/reset-password/not-a-link").status_code == 410
    assert client.get(f"/reset-password/{'x' * 500}").status_code == 404


def test_a_new_user_is_invited_to_choose_a_password(app: Flask, client: FlaskClient, make: Factory):
    admin = make.headers(make.user("admin"))
    made = client.post(
        "/api/v1/users",
        headers=admin,
        json={"email": "new@x.test", "name": "New Person", "role": "reception"},
    )
    assert made.status_code == 201
    (invitation,) = _links(app, "invitation")
    assert invitation.to_address == "new@x.test"
    mail = _mail_text(app, invitation.id)
    assert "Choose your password" in mail and "7 days" in mail
    app.config["FIXED_NOW"] = NOW + timedelta(days=6)
    assert client.get(f"/reset-password/{_secret(invitation)}").status_code == 200


def test_the_account_page_changes_the_password_and_stays_signed_in(
    app: Flask, client: FlaskClient, make: Factory
):
    user = with_password(app, make)
    assert sign_in(client, user.email, "correct horse", csrf_token(client)).status_code == 302
    token = csrf_token(client, "/account")
    typed = {"new": "new password 1", "again": "new password 1", "csrf_token": token}
    wrong = client.post("/account", data={**typed, "current": "nope"})
    assert wrong.status_code == 422
    assert "That is not your current password." in wrong.get_data(as_text=True)
    done = client.post("/account", data={**typed, "current": "correct horse"})
    assert done.status_code == 302
    assert "Your password is changed." in client.get("/account").get_data(as_text=True)
    token = csrf_token(client, "/forgot-password")  # the session is a fresh one
    forgot = client.post("/forgot-password", data={"email": "who@x.test", "csrf_token": token})
    assert "If that address has an account" in forgot.get_data(as_text=True)


@pytest.fixture
def limited(database_url):
    app = app_for(database_url, LIMITS_SIGN_IN="2/minute")
    yield app
    with app.app_context():
        close_databases()


def test_asking_for_links_is_limited_per_address(limited: Flask):
    client = limited.test_client()
    for _ in range(2):
        assert client.post("/api/v1/password-reset", json={"email": "a@x.test"}).status_code == 202
    refused = client.post("/api/v1/password-reset", json={"email": "b@x.test"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["detail"].startswith("This address has used its allowance")
    token = csrf_token(client, "/forgot-password")
    page = client.post("/forgot-password", data={"email": "c@x.test", "csrf_token": token})
    assert page.status_code == 429 and "Too many requests" in page.get_data(as_text=True)


def test_ones_own_tokens_are_made_shown_once_and_revoked_on_the_account_page(
    app: Flask, client: FlaskClient, make: Factory
):
    from tests.booking.test_booking_pages import flashed_after, signed_in

    user, other = make.user(), make.user()
    others_token = make.token(other)
    pages = signed_in(app, user)
    made = pages.post("/account/tokens").get_data(as_text=True)
    assert "The new token, shown only now" in made
    raw = made.split('id="token" type="text" readonly value="')[1].split('"')[0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    listed = pages.get("/account").get_data(as_text=True)
    assert raw not in listed and "in use" in listed
    token_id = int(listed.split("/account/tokens/")[1].split("/")[0])
    done = pages.post(f"/account/tokens/{token_id}/revoke")
    assert flashed_after(pages, done) == "Revoked: that token no longer works."
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    with app.app_context():
        from booking.models import ApiToken

        theirs = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == other.id))
    assert pages.post(f"/account/tokens/{theirs}/revoke").status_code == 404
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {others_token}"}).status_code
        == 200
    )


def test_one_changes_ones_own_name(app: Flask, make: Factory):
    from tests.booking.test_booking_pages import flashed_after, signed_in

    pages = signed_in(app, make.user())
    done = pages.post("/account/name", data={"name": "  Ana C. Calder "})
    assert flashed_after(pages, done) == "Saved: you are Ana C. Calder."
    empty = pages.post("/account/name", data={"name": "   "})
    assert empty.status_code == 422 and 'id="name-error"' in empty.get_data(as_text=True)
