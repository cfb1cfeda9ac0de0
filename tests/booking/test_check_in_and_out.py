"""Check-in from 15 minutes before the start, check-out that frees the rest, and walk-ins."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Factory, at, iso

SECOND = timedelta(seconds=1)


def clock(app: Flask, moment: datetime) -> None:
    app.config["FIXED_NOW"] = moment


def check_in(client: FlaskClient, headers, booking_id: int):
    return client.post(f"/api/v1/bookings/{booking_id}/check-in", headers=headers)


def check_out(client: FlaskClient, headers, booking_id: int):
    return client.post(f"/api/v1/bookings/{booking_id}/check-out", headers=headers)


def refused(response, status: int, code: str) -> str:
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["code"] == code
    return str(body["detail"])


def test_check_in_opens_fifteen_minutes_before_the_start(app, client, make: Factory):
    room = make.resource(kind="room")
    user = make.user()
    booking = make.booking(room, user, at(1, 10), at(1, 11))
    headers = make.headers(user)
    clock(app, at(1, 9, 45) - SECOND)
    detail = refused(check_in(client, headers, booking.id), 409, "check_in_too_early")
    assert "09:45" in detail
    clock(app, at(1, 9, 45))
    done = check_in(client, headers, booking.id)
    assert done.status_code == 200
    assert done.get_json()["status"] == "checked_in"
    assert datetime.fromisoformat(done.get_json()["checked_in_at"]) == at(1, 9, 45)
    refused(check_in(client, headers, booking.id), 409, "already_checked_in")


def test_the_opening_of_check_in_is_a_setting(database_url):
    from tests.conftest import app_for

    app = app_for(database_url, RECEPTION_CHECK_IN_FROM="PT1H")
    make = Factory(app)
    user, room = make.user(), make.resource(kind="room")
    booking = make.booking(room, user, at(1, 10), at(1, 11))
    client = app.test_client()
    clock(app, at(1, 9))
    assert check_in(client, make.headers(user), booking.id).status_code == 200


def test_check_in_after_the_end_or_of_a_closed_booking_is_refused(app, client, make: Factory):
    room = make.resource(kind="room")
    user = make.user()
    headers = make.headers(user)
    ended = make.booking(room, user, at(1, 10), at(1, 11))
    cancelled = make.booking(room, user, at(2, 10), at(2, 11), status="cancelled")
    held = make.booking(room, user, at(3, 10), at(3, 11), status="held", hold_expires_at=at(3, 11))
    pending = make.booking(room, user, at(4, 10), at(4, 11), status="pending")
    clock(app, at(1, 11))
    assert "ended" in refused(check_in(client, headers, ended.id), 409, "check_in_too_late")
    clock(app, at(2, 10))
    detail = refused(check_in(client, headers, cancelled.id), 409, "booking_closed")
    assert "cancelled" in detail
    clock(app, at(3, 10))
    refused(check_in(client, headers, held.id), 409, "not_confirmed")
    clock(app, at(4, 10))
    assert "approved" in refused(check_in(client, headers, pending.id), 409, "not_confirmed")


def test_where_check_in_is_required_it_closes_at_the_grace(app, client, make: Factory):
    desk = make.resource(kind="desk", rules={"check_in": {"required": True, "grace": "PT15M"}})
    user = make.user()
    headers = make.headers(user)
    late = make.booking(desk, user, at(1, 10), at(1, 12))
    just_in_time = make.booking(desk, user, at(2, 10), at(2, 12))
    clock(app, at(2, 10, 15) - SECOND)
    assert check_in(client, headers, just_in_time.id).status_code == 200
    clock(app, at(1, 10, 15))
    detail = refused(check_in(client, headers, late.id), 409, "check_in_too_late")
    assert "no-show" in detail and "10:15" in detail


def test_who_may_check_a_booking_in(app, client, make: Factory):
    room = make.resource(kind="room")
    booker = make.user("tenant_member", "Calder")
    colleague = make.user("tenant_member", "Calder")
    admin_of_tenant = make.user("tenant_admin", "Calder")
    stranger_admin = make.user("tenant_admin", "Pennine")
    reception = make.user("reception")
    clock(app, at(1, 10))
    bookings = [make.booking(room, booker, at(1, 10 + n), at(1, 11 + n)) for n in range(3)]
    assert check_in(client, make.headers(colleague), bookings[0].id).status_code == 404
    assert check_in(client, make.headers(stranger_admin), bookings[0].id).status_code == 404
    assert check_in(client, make.headers(booker), bookings[0].id).status_code == 200
    clock(app, at(1, 11))
    assert check_in(client, make.headers(admin_of_tenant), bookings[1].id).status_code == 200
    clock(app, at(1, 12))
    assert check_in(client, make.headers(reception), bookings[2].id).status_code == 200


def test_early_check_out_frees_the_rest_and_keeps_the_booked_end(app, client, make: Factory):
    room = make.resource(kind="room", rules={"buffer_after": "PT10M"})
    user, other = make.user(), make.user()
    headers = make.headers(user)
    booked = client.post(
        "/api/v1/bookings",
        json={
            "resource_id": room.id,
            "start": iso(at(1, 10)),
            "end": iso(at(1, 12)),
            "title": "Workshop",
        },
        headers=headers,
    ).get_json()
    clock(app, at(1, 10))
    assert check_in(client, headers, booked["id"]).status_code == 200
    later = {"resource_id": room.id, "start": iso(at(1, 11)), "end": iso(at(1, 12)), "title": "X"}
    other_headers = make.headers(other)
    assert client.post("/api/v1/bookings", json=later, headers=other_headers).status_code == 409
    clock(app, at(1, 10, 40) + timedelta(seconds=20))
    out = check_out(client, headers, booked["id"])
    assert out.status_code == 200
    body = out.get_json()
    assert body["status"] == "completed"
    assert datetime.fromisoformat(body["end"]) == at(1, 10, 41)  # up to the minute
    assert datetime.fromisoformat(body["booked_end"]) == at(1, 12)
    assert datetime.fromisoformat(body["checked_out_at"]) == at(1, 10, 40) + timedelta(seconds=20)
    # the rest is free again: a completed booking holds no time (only the next
    # booking's need for the buffer after anything before it shows as busy)
    assert client.post("/api/v1/bookings", json=later, headers=other_headers).status_code == 201
    busy = client.get(
        f"/api/v1/resources/{room.id}/availability",
        query_string={"start": iso(at(1, 10)), "end": iso(at(1, 11))},
        headers=other_headers,
    ).get_json()["busy"]
    assert [
        (datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"])) for b in busy
    ] == [(at(1, 10, 50), at(1, 11))]
    refused(check_out(client, headers, booked["id"]), 409, "not_checked_in")


def test_check_out_after_the_end_keeps_the_booking_whole(app, client, make: Factory):
    room = make.resource(kind="room")
    user = make.user()
    headers = make.headers(user)
    booking = make.booking(room, user, at(1, 10), at(1, 11))
    clock(app, at(1, 10, 30))
    check_in(client, headers, booking.id)
    clock(app, at(1, 11, 5))
    body = check_out(client, headers, booking.id).get_json()
    assert body["status"] == "completed"
    assert datetime.fromisoformat(body["end"]) == at(1, 11)
    assert body["booked_end"] is None


def test_check_out_needs_a_checked_in_booking_that_has_started(app, client, make: Factory):
    room = make.resource(kind="room")
    user = make.user()
    headers = make.headers(user)
    booking = make.booking(room, user, at(1, 10), at(1, 11))
    clock(app, at(1, 9, 50))
    refused(check_out(client, headers, booking.id), 409, "not_checked_in")
    check_in(client, headers, booking.id)
    assert "cancel" in refused(check_out(client, headers, booking.id), 409, "not_started")
    cancelled = client.post(f"/api/v1/bookings/{booking.id}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"


def walk_in(client: FlaskClient, headers, resource_id: int, end, **extra):
    body = {"resource_id": resource_id, "end": iso(end), "title": "Walk-in", "check_in": True}
    return client.post("/api/v1/bookings", json={**body, **extra}, headers=headers)


def test_a_walk_in_starts_now_rounded_to_the_slot_and_is_checked_in(app, client, make: Factory):
    desk = make.resource(kind="desk", rules={"slot": "PT30M", "min_notice": "PT2H"})
    visitor = make.user()
    reception = make.headers(make.user("reception"))
    clock(app, at(1, 10, 7))
    made = walk_in(client, reception, desk.id, at(1, 12), on_behalf_of=visitor.id)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert datetime.fromisoformat(body["start"]) == at(1, 10)
    assert body["status"] == "checked_in"
    assert datetime.fromisoformat(body["checked_in_at"]) == at(1, 10, 7)
    assert body["user_id"] == visitor.id
    # the desk is taken for the rest of the morning
    again = walk_in(client, reception, desk.id, at(1, 12), on_behalf_of=visitor.id)
    assert again.status_code == 409


def test_a_walk_in_rounds_to_the_minute_without_a_slot(app, client, make: Factory):
    desk = make.resource(kind="desk")
    reception = make.headers(make.user("reception"))
    clock(app, at(1, 10, 7) + timedelta(seconds=42))
    body = walk_in(client, reception, desk.id, at(1, 12)).get_json()
    assert datetime.fromisoformat(body["start"]) == at(1, 10, 7)


def test_reception_books_at_any_notice_tenants_do_not(app, client, make: Factory):
    room = make.resource(kind="room", rules={"min_notice": "PT2H"})
    member = make.user()
    reception = make.headers(make.user("reception"))
    body = {"resource_id": room.id, "start": iso(at(1, 10)), "end": iso(at(1, 11)), "title": "T"}
    clock(app, at(1, 9, 30))
    mine = client.post("/api/v1/bookings", json=body, headers=make.headers(member))
    assert mine.status_code == 422
    assert [v["code"] for v in mine.get_json()["violations"]] == ["too_soon"]
    theirs = client.post(
        "/api/v1/bookings", json={**body, "on_behalf_of": member.id}, headers=reception
    )
    assert theirs.status_code == 201


def test_only_reception_books_walk_ins(app, client, make: Factory):
    desk = make.resource(kind="desk")
    member = make.headers(make.user())
    clock(app, at(1, 10))
    refused(walk_in(client, member, desk.id, at(1, 12)), 403, "forbidden")
    refused(walk_in(client, member, desk.id, at(1, 12), start=iso(at(1, 10))), 403, "forbidden")


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"hold": True}, "hold"), ({"check_in": False}, "start")],
)
def test_walk_in_input_that_cannot_be_booked(app, client, make: Factory, extra, field):
    desk = make.resource(kind="desk")
    reception = make.headers(make.user("reception"))
    clock(app, at(1, 10))
    answer = walk_in(client, reception, desk.id, at(1, 12), **extra)
    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]


def test_a_walk_in_ending_before_now_is_refused(app, client, make: Factory):
    desk = make.resource(kind="desk")
    reception = make.headers(make.user("reception"))
    clock(app, at(1, 10, 5))
    answer = walk_in(client, reception, desk.id, at(1, 10))
    assert answer.status_code == 422 and "end" in answer.get_json()["errors"]


def test_a_walk_in_given_a_start_must_be_checkable_now(app, client, make: Factory):
    desk = make.resource(kind="desk")
    reception = make.headers(make.user("reception"))
    clock(app, at(1, 10))
    answer = walk_in(client, reception, desk.id, at(1, 12), start=iso(at(1, 11)))
    refused(answer, 409, "check_in_too_early")
    started = walk_in(client, reception, desk.id, at(1, 12), start=iso(at(1, 9, 30)))
    assert started.status_code == 201 and started.get_json()["status"] == "checked_in"


def test_a_walk_in_of_a_resource_needing_approval_is_refused(app, client, make: Factory):
    lab = make.resource(kind="lab", rules={"requires_approval": True})
    reception = make.headers(make.user("reception"))
    clock(app, at(1, 10))
    refused(walk_in(client, reception, lab.id, at(1, 12)), 409, "not_confirmed")


def test_a_walk_in_late_in_its_slot_is_not_too_late_for_check_in(app, client, make: Factory):
    desk = make.resource(
        kind="desk", rules={"slot": "PT1H", "check_in": {"required": True, "grace": "PT15M"}}
    )
    reception = make.headers(make.user("reception"))
    clock(app, at(1, 10, 40))
    made = walk_in(client, reception, desk.id, at(1, 12))
    assert made.status_code == 201, made.get_json()
    assert datetime.fromisoformat(made.get_json()["start"]) == at(1, 10)
    assert made.get_json()["status"] == "checked_in"
