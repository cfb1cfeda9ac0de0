"""The pages under attack: no way off the site through a form, sessions that end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import db
from tests.conftest import Factory, app_for, at


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = app_for(database_url, WTF_CSRF_ENABLED=False)
    yield application
    with application.app_context():
        db.engine.dispose()


def signed_in_client(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"] = user_id
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
