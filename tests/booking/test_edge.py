"""No input gives a 5xx: text the service cannot keep is refused at the edge, naming the
field, before any view (or authentication) runs; bodies too deep or too large are too."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.conftest import Factory, at, iso

NUL, SURROGATE = "\x00", "\ud800"


def raw_json(text: str) -> dict[str, Any]:
    """``text`` as a body, encoded as a client that escapes surrogates would send it."""
    return {"data": text.encode("utf-8", "surrogatepass"), "content_type": "application/json"}


def test_a_deeply_nested_body_is_refused_even_without_a_token(client: FlaskClient) -> None:
    answer = client.post("/api/v1/bookings", **raw_json("[" * 100_000 + "]" * 100_000))
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "too_deep"
    nested = client.post("/api/v1/bookings", **raw_json('{"a":' * 40 + "1" + "}" * 40))
    assert nested.status_code == 400


def test_a_body_too_large_is_a_413(client: FlaskClient) -> None:
    answer = client.post("/api/v1/bookings", **raw_json('"' + "x" * (3 * 1024 * 1024) + '"'))
    assert answer.status_code == 413
    assert answer.content_type == "application/problem+json"


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_bad_text_in_any_field_is_a_422_naming_it(
    client: FlaskClient, make: Factory, bad: str
) -> None:
    staff = make.headers(make.user("admin"))
    room = make.resource(name="Room")
    cases = [
        ("/api/v1/bookings", {"resource_id": room.id, "start": iso(at(1, 9)),
                              "end": iso(at(1, 10)), "title": f"A{bad}"}, "title"),
        ("/api/v1/bookings", {"resource_id": room.id, "start": iso(at(1, 9)),
                              "end": iso(at(1, 10)), "title": "A", "notes": f"n{bad}"}, "notes"),
        ("/api/v1/series", {"resource_id": room.id, "start": iso(at(1, 9)), "end": iso(at(1, 10)),
                            "title": f"S{bad}", "rule": "FREQ=WEEKLY;COUNT=2"}, "title"),
        ("/api/v1/tenants", {"name": f"T{bad}"}, "name"),
        ("/api/v1/closures", {"start": iso(at(20, 0)), "end": iso(at(21, 0)),
                              "reason": f"R{bad}"}, "reason"),
        ("/api/v1/resources", {"name": "R", "kind": "room",
                               "rules": {"opening_hours": {"mon": [f"08:00-18:00{bad}"]}}},
         "rules.opening_hours.mon[0]"),
    ]  # fmt: skip
    for path, body, field in cases:
        text = json.dumps(body)
        answer = client.post(path, headers=staff, **raw_json(text))
        assert answer.status_code == 422, (path, answer.get_data(as_text=True))
        assert field in answer.get_json()["errors"], (path, answer.get_json())
    searched = client.get("/api/v1/resources", query_string={"q": f"lab{NUL}"}, headers=staff)
    assert searched.status_code == 422 and "q" in searched.get_json()["errors"]
    signed = client.post("/sign-in", data={"email": f"a{NUL}@x.test", "password": "x"})
    assert signed.status_code == 422


def test_ordinary_text_is_untouched(client: FlaskClient, make: Factory) -> None:
    member = make.user()
    room = make.resource()
    title = 'Café ☕ — naïve "quotes" & <tags> \u2028 𝄞'
    body = {"resource_id": room.id, "start": iso(at(1, 9)), "end": iso(at(1, 10)), "title": title}
    made = client.post("/api/v1/bookings", json=body, headers=make.headers(member))
    assert made.status_code == 201 and made.get_json()["title"] == title


#: Any character, surrogates included, and NUL and a lone surrogate often.
CHARACTERS = st.characters(exclude_categories=()) | st.sampled_from([NUL, SURROGATE])
TEXT = st.text(CHARACTERS, min_size=1, max_size=30)


def valid_bodies(room_id: int) -> dict[str, dict[str, Any]]:
    """A body each write endpoint accepts; the fuzz puts its text into their strings."""
    span = {"start": iso(at(1, 9)), "end": iso(at(1, 10))}
    return {
        "/api/v1/bookings": {"resource_id": room_id, **span, "title": "t", "notes": "n"},
        "/api/v1/series": {
            "resource_id": room_id,
            **span,
            "title": "t",
            "rule": "FREQ=DAILY;COUNT=2",
        },
        "/api/v1/tenants": {"name": "t"},
        "/api/v1/closures": {"start": iso(at(20, 0)), "end": iso(at(21, 0)), "reason": "r"},
        "/api/v1/resources": {"name": "r", "kind": "room", "features": ["f"]},
        "/api/v1/users": {"email": "x@y.test", "name": "n", "role": "reception"},
    }


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_text_in_any_field_gives_a_5xx(client: FlaskClient, make: Factory, data: Any) -> None:
    """Any text (NULs, lone surrogates, any character) in any string field of an
    otherwise valid body to a write endpoint, as an admin: never a 5xx."""
    room = make.resource()
    bodies = valid_bodies(room.id)
    path = data.draw(st.sampled_from(sorted(bodies)))
    body = dict(bodies[path])
    field = data.draw(st.sampled_from([k for k, v in body.items() if isinstance(v, str)]))
    body[field] = data.draw(TEXT)
    answer = client.post(
        path, headers=make.headers(make.user("admin")), **raw_json(json.dumps(body))
    )
    assert answer.status_code < 500, (path, body, answer.get_data(as_text=True))


def test_a_database_that_cannot_be_reached_is_a_503_with_retry_after(tmp_path: Any) -> None:
    from tests.booking.mail import free_port
    from tests.conftest import app_for

    for url in (
        f"sqlite:///{tmp_path}/no/such/folder/booking.db",
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing?connect_timeout=2",
    ):
        app = app_for(url)
        answer = app.test_client().get(
            "/api/v1/bookings", headers={"Authorization": "Bearer whatever"}
        )
        assert answer.status_code == 503, (url, answer.get_data(as_text=True))
        assert answer.headers["Retry-After"] == "30"
        assert answer.get_json()["code"] == "database_unavailable"
        browser = app.test_client()
        with browser.session_transaction() as session:
            session["user_id"], session["version"] = 1, 0
        page = browser.get("/find")
        assert page.status_code == 503 and "cannot be reached" in page.get_data(as_text=True)


def test_readyz_says_ready_only_with_the_database_at_the_newest_schema(
    app: Any, client: FlaskClient, tmp_path: Any
) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "ok"
    with app.app_context():
        from booking.extensions import db as database

        newest = ready.get_json()["newest"]
        database.session.execute(text("UPDATE alembic_version SET version_num = '0008'"))
        database.session.commit()
        behind = client.get("/readyz")
        database.session.execute(text(f"UPDATE alembic_version SET version_num = '{newest}'"))
        database.session.commit()
    assert behind.status_code == 503 and behind.headers["Retry-After"] == "30"
    assert behind.mimetype == "application/problem+json"
    assert behind.get_json()["schema"] == "0008" and behind.get_json()["code"] == "not_ready"
    from tests.conftest import app_for

    down = app_for(f"sqlite:///{tmp_path}/no/such/folder/b.db").test_client().get("/readyz")
    assert down.status_code == 503 and "does not answer" in down.get_json()["detail"]
