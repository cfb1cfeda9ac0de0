"""The pages under attack: no way off the site through a form, sessions that end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import close_databases
from tests.conftest import Factory, app_for, at


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = app_for(database_url, WTF_CSRF_ENABLED=False)
    yield application
    with application.app_context():
        close_databases()


def signed_in_client(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"], session["version"] = user_id, 0
    return client


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_the_back_field_never_leads_off_the_site(app: Flask, make: Factory, back: str) -> None:
    member = make.user()
    booking = make.booking(make.resource(), member, at(3, 9), at(3, 10))
    client = signed_in_client(app, member.id)
    answer = client.post(f"/bookings/{booking.id}/cancel", data={"back": back})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/bookings"


def test_the_back_field_keeps_a_path_on_the_site(app: Flask, make: Factory) -> None:
    member = make.user()
    booking = make.booking(make.resource(), member, at(3, 9), at(3, 10))
    client = signed_in_client(app, member.id)
    answer = client.post(f"/bookings/{booking.id}/cancel", data={"back": "/find?date=2026-12-03"})
    assert answer.headers["Location"] == "/find?date=2026-12-03"


def password_user(app: Flask, make: Factory, password: str = "correct horse") -> Any:
    user = make.user()
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "set-password", user.email], input=f"{password}\n{password}\n")
    return user


def signed_in_by_form(app: Flask, email: str, password: str = "correct horse") -> FlaskClient:
    client = app.test_client()
    answer = client.post("/sign-in", data={"email": email, "password": password})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def cookie_of(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def with_cookie(app: Flask, value: str) -> FlaskClient:
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_copied_session_cookie_stops_working_at_sign_out(app: Flask, make: Factory) -> None:
    user = password_user(app, make)
    browser = signed_in_by_form(app, user.email)
    copied = cookie_of(browser)
    assert with_cookie(app, copied).get("/bookings").status_code == 200
    browser.post("/sign-out")
    assert with_cookie(app, copied).get("/bookings").status_code == 302  # to sign in


def test_a_new_password_ends_every_session(app: Flask, make: Factory) -> None:
    user = password_user(app, make)
    browser = signed_in_by_form(app, user.email)
    copied = cookie_of(browser)
    app.test_cli_runner().invoke(
        args=["users", "set-password", user.email], input="battery staple\nbattery staple\n"
    )
    assert with_cookie(app, copied).get("/bookings").status_code == 302
    assert browser.get("/bookings").status_code == 302
    signed_in_by_form(app, user.email, "battery staple").get("/bookings")


def test_an_unknown_address_is_checked_against_a_hash_too(
    app: Flask, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So refusing it takes as long as refusing a wrong password."""
    from booking.services.people import passwords

    checked: list[str] = []
    real = passwords.check_password_hash

    def counting(stored: str, given: str) -> bool:
        checked.append(given)
        return real(stored, given)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    user = password_user(app, make)
    client = app.test_client()
    for email in ("nobody@example.test", user.email):
        answer = client.post("/sign-in", data={"email": email, "password": "wrong guess"})
        assert answer.status_code == 401
    assert checked == ["wrong guess", "wrong guess"]
