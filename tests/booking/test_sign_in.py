"""Signing in to the web pages: passwords, CSRF on every form, slowed-down guessing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask

from booking.extensions import db
from booking.models import User
from tests.conftest import NOW, Factory


def csrf_token(client, path: str = "/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def with_password(
    app: Flask, make: Factory, password: str = "correct horse", role: str = "tenant_member"
) -> User:
    user = make.user(role, None if role in ("admin", "facility_manager", "reception") else "T")
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", user.email], input=f"{password}\n{password}\n"
    )
    assert result.exit_code == 0, result.output
    assert f"Password set for {user.email}" in result.output
    return user


def sign_in(client, email: str, password: str, token: str):
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def test_set_password_asks_twice_and_refuses_short_or_mismatched(app, make: Factory):
    user = make.user()
    runner = app.test_cli_runner()
    mismatch = runner.invoke(
        args=["users", "set-password", user.email], input="abcdefgh\nabcdefgX\n"
    )
    assert mismatch.exit_code == 1 and "do not match" in mismatch.output
    matching = runner.invoke(
        args=["users", "set-password", user.email], input="abcdefgh\nabcdefgh\n"
    )
    assert matching.exit_code == 0
    short = runner.invoke(args=["users", "set-password", user.email], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 8" in short.output
    unknown = runner.invoke(
        args=["users", "set-password", "nobody@x.test"], input="a" * 9 + "\n" + "a" * 9 + "\n"
    )
    assert unknown.exit_code != 0 and "No user" in unknown.output
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored and "abcdefgh" not in stored  # hashed


def test_sign_in_with_the_right_password_and_out_again(app, client, make: Factory):
    user = with_password(app, make)
    token = csrf_token(client)
    answer = sign_in(client, user.email.upper(), "correct horse", token)
    assert answer.status_code == 302 and answer.headers["Location"] == "/find"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/bookings").status_code == 200
    out = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/bookings")})
    assert out.status_code == 302
    assert client.get("/bookings").status_code == 302  # back to the sign-in page


@pytest.mark.parametrize(
    ("role", "start"),
    [("reception", "/reception"), ("facility_manager", "/find"), ("tenant_member", "/find")],
)
def test_each_role_starts_where_its_day_starts(app, client, make: Factory, role, start):
    user = with_password(app, make, role=role)
    answer = sign_in(client, user.email, "correct horse", csrf_token(client))
    assert answer.headers["Location"] == start
    assert client.get("/").headers["Location"] == start
    asked = client.post(
        "/sign-in",
        data={"email": user.email, "password": "correct horse", "next": "/bookings",
              "csrf_token": csrf_token(client)},
    )  # fmt: skip
    assert asked.headers["Location"] == "/bookings"  # where they were going, if anywhere


def test_forms_without_the_csrf_token_are_refused(app, client, make: Factory):
    user = with_password(app, make)
    answer = client.post("/sign-in", data={"email": user.email, "password": "correct horse"})
    assert answer.status_code == 400
    assert client.get("/bookings").status_code == 302


def test_after_five_failures_the_address_is_locked_for_a_while(app, client, make: Factory):
    user = with_password(app, make)
    token = csrf_token(client)
    for _ in range(5):
        assert sign_in(client, user.email, "wrong guess", token).status_code == 401
    locked = sign_in(client, user.email, "correct horse", token)
    assert locked.status_code == 429
    assert "Try again in 15 minutes" in locked.get_data(as_text=True)
    app.config["FIXED_NOW"] = NOW + timedelta(minutes=15)
    assert sign_in(client, user.email, "correct horse", token).status_code == 302


def test_sign_in_goes_back_only_to_pages_of_this_site(app, client, make: Factory):
    user = with_password(app, make)
    token = csrf_token(client)
    for target, expected in (("/bookings", "/bookings"), ("//evil.example/x", "/find"),
                             ("https://evil.example/", "/find")):  # fmt: skip
        client.post("/sign-out", data={"csrf_token": token})
        token = csrf_token(client)
        answer = client.post(
            "/sign-in",
            data={
                "email": user.email,
                "password": "correct horse",
                "csrf_token": token,
                "next": target,
            },  # fmt: skip
        )
        assert answer.headers["Location"] == expected
