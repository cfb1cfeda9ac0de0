"""Rate limits: the API per token, failed sign-ins per address, 429 with Retry-After."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from booking.config import ConfigError, load_settings
from booking.extensions import close_databases, db
from booking.models import Booking
from tests.booking.test_sign_in import csrf_token, sign_in, with_password
from tests.conftest import Factory, app_for


@pytest.fixture
def limited(database_url):
    app = app_for(database_url, LIMITS_API="3/minute", LIMITS_SIGN_IN="4/minute")
    yield app
    with app.app_context():
        close_databases()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_api_token_over_its_limit_gets_a_429_problem_with_retry_after(limited):
    make = Factory(limited)
    client = limited.test_client()
    mine, other = make.token(make.user()), make.token(make.user())
    for _ in range(3):
        assert client.get("/api/v1/bookings", headers=bearer(mine)).status_code == 200
    refused = client.get("/api/v1/bookings", headers=bearer(mine))
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["code"] == "rate_limited" and body["status"] == 429
    assert "try again in" in body["detail"] and "3 per 1 minute" in body["detail"]
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60 and body["retry_after"] == wait
    assert mine not in refused.get_data(as_text=True)  # the key is the token's digest
    # Another token, and requests without one, keep their own allowance.
    assert client.get("/api/v1/bookings", headers=bearer(other)).status_code == 200
    assert client.get("/api/v1/bookings").status_code == 401
    assert client.get("/healthz").status_code == 200


def test_a_refused_write_changes_nothing(limited):
    make = Factory(limited)
    client = limited.test_client()
    token = make.token(make.user())
    for _ in range(3):
        client.get("/api/v1/bookings", headers=bearer(token))
    room = make.resource()
    answer = client.post(
        "/api/v1/bookings",
        json={"resource_id": room.id, "start": "2026-12-07T10:00", "end": "2026-12-07T11:00"},
        headers=bearer(token),
    )
    assert answer.status_code == 429
    with limited.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_failed_sign_ins_from_one_address_are_limited(limited):
    make = Factory(limited)
    user = with_password(limited, make)
    client = limited.test_client()
    token = csrf_token(client)
    for n in range(4):  # different accounts, so no account's own lock-out is what stops them
        assert sign_in(client, f"nobody{n}@x.test", "wrong guess", token).status_code == 401
    refused = sign_in(client, user.email, "correct horse", token)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many failed sign-ins from this address" in page
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.mimetype == "text/html"
    # Another address is not held up.
    elsewhere = limited.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    answer = sign_in(elsewhere, user.email, "correct horse", csrf_token(elsewhere))
    assert answer.status_code == 302


def test_correct_sign_ins_never_use_up_the_allowance(limited):
    make = Factory(limited)
    user = with_password(limited, make)
    client = limited.test_client()
    for _ in range(6):
        token = csrf_token(client)
        assert sign_in(client, user.email, "correct horse", token).status_code == 302
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/bookings")})


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_address_is_the_proxys_report_only_when_proxies_are_configured(database_url, proxies):
    app = app_for(database_url, LIMITS_SIGN_IN="2/minute", SITE_PROXIES=proxies)
    client = app.test_client()
    token = csrf_token(client)
    answers = []
    for n in range(3):  # each claims another address
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{n}"
        answers.append(sign_in(client, f"nobody{n}@x.test", "wrong guess", token).status_code)
    with app.app_context():
        close_databases()
    # Without a proxy in front the header is the client's own claim and is ignored.
    assert answers == ([401, 401, 429] if proxies == 0 else [401, 401, 401])


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BOOKING_LIMITS_API", "lots", "[limits] api: 'lots' is not a rate"),
        ("BOOKING_LIMITS_SIGN_IN", "", "[limits] sign_in: '' is not a rate"),
        ("BOOKING_LIMITS_STORAGE", "carrier-pigeon://x", "[limits] storage:"),
        ("BOOKING_SITE_PROXIES", "9", "[site] proxies: must be a whole number from 0 to 5"),
    ],
)
def test_limit_settings_are_checked_at_start(tmp_path, variable, value, message):
    environ = {"BOOKING_CONFIG": str(tmp_path / "none.toml"), variable: value}
    (tmp_path / "none.toml").write_text("")
    with pytest.raises(ConfigError) as refused:
        load_settings(environ)
    assert message in str(refused.value)


def test_limit_settings_come_from_the_file_and_the_environment(tmp_path):
    (tmp_path / "c.toml").write_text('[limits]\napi = "100/minute;2000/hour"\n')
    environ = {"BOOKING_CONFIG": str(tmp_path / "c.toml"), "BOOKING_LIMITS_SIGN_IN": "5/minute"}
    settings = load_settings(environ)
    assert settings["LIMITS_API"] == "100/minute;2000/hour"
    assert settings["LIMITS_SIGN_IN"] == "5/minute"
    assert settings["LIMITS_STORAGE"] == "memory://"
