"""Held slots that lapse by themselves, and the alternatives a 409 offers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.services.reservations.holds import expire_holds
from tests.conftest import NOW, Factory, at, iso


def book(client: FlaskClient, headers, resource_id: int, start, end, **extra):
    body = {"resource_id": resource_id, "start": iso(start), "end": iso(end), "title": "Work"}
    return client.post("/api/v1/bookings", json={**body, **extra}, headers=headers)


def later(app: Flask, minutes: int) -> None:
    app.config["FIXED_NOW"] = NOW + timedelta(minutes=minutes)


def test_a_hold_occupies_its_time_until_it_lapses(app, client, make: Factory):
    room = make.resource(name="G.01 Colne", kind="room")
    holder, other = make.headers(make.user()), make.headers(make.user())
    held = book(client, holder, room.id, at(1, 9), at(1, 10), hold=True)
    assert held.status_code == 201
    body = held.get_json()
    assert body["status"] == "held"
    assert datetime.fromisoformat(body["hold_expires_at"]) == NOW + timedelta(minutes=15)
    assert book(client, other, room.id, at(1, 9), at(1, 10)).status_code == 409
    later(app, 14)
    assert book(client, other, room.id, at(1, 9), at(1, 10)).status_code == 409
    later(app, 15)  # lapsed: free at once, before any job has run
    free = client.get(
        f"/api/v1/resources/{room.id}/availability?start=2026-12-01T08:00&end=2026-12-01T11:00",
        headers=other,
    ).get_json()
    assert free["busy"] == []
    assert book(client, other, room.id, at(1, 9), at(1, 10)).status_code == 201
    gone = client.get(f"/api/v1/bookings/{body['id']}", headers=holder).get_json()
    assert gone["status"] == "expired"


def test_confirm_before_the_hold_lapses_and_not_after(app, client, make: Factory):
    room = make.resource(name="Room", kind="room")
    headers = make.headers(make.user())
    first = book(client, headers, room.id, at(1, 9), at(1, 10), hold=True).get_json()
    second = book(client, headers, room.id, at(2, 9), at(2, 10), hold=True).get_json()
    confirmed = client.post(f"/api/v1/bookings/{first['id']}/confirm", headers=headers)
    assert confirmed.status_code == 200
    assert confirmed.get_json()["status"] == "confirmed"
    assert confirmed.get_json()["hold_expires_at"] is None
    again = client.post(f"/api/v1/bookings/{first['id']}/confirm", headers=headers)
    assert again.status_code == 409 and again.get_json()["code"] == "not_held"
    later(app, 20)
    lapsed = client.post(f"/api/v1/bookings/{second['id']}/confirm", headers=headers)
    assert lapsed.status_code == 409 and lapsed.get_json()["code"] == "hold_expired"
    # the confirmed one is a booking like any other now
    assert book(client, make.headers(make.user()), room.id, at(1, 9), at(1, 10)).status_code == 409


def test_a_confirmed_hold_on_a_resource_needing_approval_waits_for_it(client, make: Factory):
    hall = make.resource(name="Atrium", kind="event_space", rules={"requires_approval": True})
    headers = make.headers(make.user())
    held = book(client, headers, hall.id, at(1, 9), at(1, 10), hold=True).get_json()
    assert held["status"] == "held"
    confirmed = client.post(f"/api/v1/bookings/{held['id']}/confirm", headers=headers)
    assert confirmed.get_json()["status"] == "pending"


def test_expire_holds_is_idempotent(app, client, make: Factory):
    room = make.resource(name="Room", kind="room")
    headers = make.headers(make.user())
    ids = [
        book(client, headers, room.id, at(d, 9), at(d, 10), hold=True).get_json()["id"]
        for d in (1, 2)
    ]
    with app.app_context():
        assert expire_holds(NOW + timedelta(minutes=5)) == []
        assert sorted(expire_holds(NOW + timedelta(minutes=15))) == ids
        assert expire_holds(NOW + timedelta(minutes=30)) == []
    statuses = {
        client.get(f"/api/v1/bookings/{i}", headers=headers).get_json()["status"] for i in ids
    }
    assert statuses == {"expired"}


@pytest.fixture
def rooms(make: Factory):
    rules = {"opening_hours": {"tue": ["08:00-18:00"], "wed": ["08:00-18:00"]}, "slot": "PT30M"}
    floor = make.resource(name="Ground floor", kind="floor", bookable=False, rules=rules)
    colne = make.resource(
        name="Colne", kind="room", parent_id=floor.id, capacity=8, features=["screen"]
    )
    holme = make.resource(
        name="Holme", kind="room", parent_id=floor.id, capacity=12, features=["screen"]
    )
    small = make.resource(
        name="Pod", kind="room", parent_id=floor.id, capacity=2, features=["screen"]
    )
    bare = make.resource(name="Bare", kind="room", parent_id=floor.id, capacity=20)
    return colne, holme, small, bare


def test_a_409_offers_alternatives_and_each_one_books(client, make: Factory, rooms):
    colne, holme, small, bare = rooms
    taker = make.user(tenant="Pennine Digital Health")
    make.booking(colne, taker, at(1, 10), at(1, 11))  # Tuesday 1 December
    make.booking(colne, taker, at(1, 12), at(1, 13))
    headers = make.headers(make.user())
    refused = book(client, headers, colne.id, at(1, 10), at(1, 11), attendees=6)
    assert refused.status_code == 409
    offers = refused.get_json()["alternatives"]
    assert 1 <= len(offers) <= 5
    as_pairs = [
        (o["resource_id"], datetime.fromisoformat(o["start"]).astimezone(UTC)) for o in offers
    ]
    # nearest free times in Colne that day first, then Holme at the time asked for
    assert as_pairs[:3] == [
        (colne.id, at(1, 9, 0)),
        (colne.id, at(1, 11)),
        (colne.id, at(1, 8, 30)),
    ]
    assert (holme.id, at(1, 10)) in as_pairs
    names = {colne.id: colne.name, holme.id: holme.name}
    assert all(o["name"] == names[o["resource_id"]] for o in offers)  # people choose by name
    # too small, or without the screen Colne has: never offered
    assert not {small.id, bare.id} & {rid for rid, _ in as_pairs}
    for offer in offers:  # each is an alternative to the others: booked, then let go
        start, end = datetime.fromisoformat(offer["start"]), datetime.fromisoformat(offer["end"])
        taken = book(client, headers, offer["resource_id"], start, end, attendees=6)
        assert taken.status_code == 201, (offer, taken.get_json())
        client.post(f"/api/v1/bookings/{taken.get_json()['id']}/cancel", headers=headers)


def test_alternatives_on_later_days_when_the_day_is_full(client, make: Factory, rooms):
    colne = rooms[0]
    make.booking(colne, make.user(), at(1, 8), at(1, 18))
    headers = make.headers(make.user())
    refused = book(client, headers, colne.id, at(1, 10), at(1, 11))
    own = [o for o in refused.get_json()["alternatives"] if o["resource_id"] == colne.id]
    # Wednesday and the next Tuesday at the same time; the days between are closed
    assert [datetime.fromisoformat(o["start"]).astimezone(UTC) for o in own] == [
        at(2, 10),
        at(8, 10),
    ]
