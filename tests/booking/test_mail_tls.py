"""Production mail set-ups against a real server: STARTTLS or implicit TLS, with login.

The server (aiosmtpd) has a certificate from a test authority (``trustme``) that the
sender is made to trust; it refuses to log in without TLS and refuses a wrong password.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import AuthResult
from flask import Flask

from booking.extensions import close_databases, db
from booking.jobs import run_job
from booking.models import Notification
from booking.services.notifications import delivery
from tests.booking.mail import MailSink, settings
from tests.conftest import NOW, Factory, app_for, at, iso

LOGIN, PASSWORD = b"bookings@hwic.example", b"correct horse"


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def _check_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    return AuthResult(success=(data.login, data.password) == (LOGIN, PASSWORD), handled=False)


@pytest.fixture(params=["starttls", "ssl"])
def secured(
    request: pytest.FixtureRequest, authority: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, MailSink]]:
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(served)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    monkeypatch.setattr(delivery.ssl, "create_default_context", lambda *a, **k: trusting)
    options: dict[str, Any] = {"authenticator": _check_login}
    if request.param == "starttls":  # no login before STARTTLS
        options.update(tls_context=served, require_starttls=True, auth_require_tls=True)
    else:  # all of it over TLS (aiosmtpd cannot tell, so it must not ask for STARTTLS)
        options.update(ssl_context=served, auth_require_tls=False)
    sink = MailSink()
    sink.start(**options)
    yield request.param, sink
    sink.stop()


def _app(database_url: str, mode: str, sink: MailSink, password: bytes) -> Flask:
    return app_for(
        database_url,
        **settings(sink),
        MAIL_TLS=mode,
        MAIL_USERNAME=LOGIN.decode(),
        MAIL_PASSWORD=password.decode(),
    )


def _book_and_send(app: Flask) -> list[int]:
    make = Factory(app)
    member = make.user()
    room = make.resource(name="Room")
    body = {"resource_id": room.id, "start": iso(at(1, 9)), "end": iso(at(1, 10)), "title": "T"}
    made = app.test_client().post("/api/v1/bookings", json=body, headers=make.headers(member))
    assert made.status_code == 201
    return run_job(app, "send-notifications", NOW)


def test_mail_goes_over_tls_after_logging_in(database_url: str, secured: Any) -> None:
    mode, sink = secured
    app = _app(database_url, mode, sink, PASSWORD)
    assert len(_book_and_send(app)) == 1
    assert [m["Subject"] for m in sink.received] == ["Confirmed: Room, Tue 1 Dec 09:00-10:00"]
    with app.app_context():
        close_databases()


def test_a_wrong_password_keeps_the_message_for_a_later_try(
    database_url: str, secured: Any
) -> None:
    mode, sink = secured
    app = _app(database_url, mode, sink, b"wrong")
    assert _book_and_send(app) == []
    assert sink.received == []
    with app.app_context():
        [waiting] = db.session.query(Notification).all()
        assert waiting.status == "queued" and "SMTPAuthenticationError" in (
            waiting.last_error or ""
        )
        close_databases()
