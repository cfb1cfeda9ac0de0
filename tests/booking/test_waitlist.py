"""The waitlist: joining, one's place, and freed time handed to the first in line that it
fits, in the transaction that frees it, by every path that frees time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, WaitlistEntry
from booking.services.reservations.approvals import expire_pending
from booking.services.reservations.attendance import release_no_shows
from booking.services.reservations.holds import expire_holds
from tests.conftest import NOW, Factory, at, iso


def body(resource_id: int, start, end, **extra: Any) -> dict[str, Any]:
    return {
        "resource_id": resource_id,
        "start": iso(start),
        "end": iso(end),
        "title": "Work",
        **extra,
    }


def book(client: FlaskClient, headers, resource_id: int, start, end, **extra):
    return client.post(
        "/api/v1/bookings", json=body(resource_id, start, end, **extra), headers=headers
    )


def join(client: FlaskClient, headers, resource_id: int, start, end, **extra):
    return client.post(
        "/api/v1/waitlist", json=body(resource_id, start, end, **extra), headers=headers
    )


def entry(client: FlaskClient, headers, entry_id: int) -> dict[str, Any]:
    return client.get(f"/api/v1/waitlist/{entry_id}", headers=headers).get_json()


def later(app: Flask, minutes: int) -> None:
    app.config["FIXED_NOW"] = NOW + timedelta(minutes=minutes)


@pytest.fixture
def taken(client: FlaskClient, make: Factory):
    """A microscope booked on 1 December 09:00-11:00, and two people waiting for it."""
    scope = make.resource(name="Confocal microscope", kind="equipment")
    owner = make.headers(make.user())
    booked = book(client, owner, scope.id, at(1, 9), at(1, 11)).get_json()
    first, second = make.headers(make.user()), make.headers(make.user())
    one = join(client, first, scope.id, at(1, 9), at(1, 11)).get_json()
    two = join(client, second, scope.id, at(1, 9), at(1, 11)).get_json()
    return {"scope": scope, "owner": owner, "booking": booked, "first": first, "second": second,
            "one": one, "two": two}  # fmt: skip


def test_joining_says_your_place_in_line(client, taken):
    assert taken["one"]["status"] == "waiting" and taken["one"]["position"] == 1
    assert taken["two"]["position"] == 2
    mine = client.get("/api/v1/waitlist", headers=taken["second"]).get_json()
    assert [e["id"] for e in mine] == [taken["two"]["id"]]
    # one's own entries only: another person's is not found
    other = client.get(f"/api/v1/waitlist/{taken['one']['id']}", headers=taken["second"])
    assert other.status_code == 404


def test_others_do_not_see_an_entry_staff_do(client, make: Factory, taken):
    stranger = make.headers(make.user(tenant="Kirklees Health"))
    assert client.get(f"/api/v1/waitlist/{taken['one']['id']}", headers=stranger).status_code == 404
    assert client.get("/api/v1/waitlist", headers=stranger).get_json() == []
    staff = make.headers(make.user("facility_manager"))
    line = client.get(f"/api/v1/waitlist?resource_id={taken['scope'].id}", headers=staff)
    assert [e["position"] for e in line.get_json()] == [1, 2]


def test_free_time_is_refused_with_slot_free_and_rules_as_for_a_booking(client, make: Factory):
    room = make.resource(name="Room", kind="room", rules={"max_duration": "PT2H"})
    headers = make.headers(make.user())
    free = join(client, headers, room.id, at(1, 9), at(1, 10))
    assert free.status_code == 409 and free.get_json()["code"] == "slot_free"
    book(client, make.headers(make.user()), room.id, at(1, 9), at(1, 12), override_rules=False)
    book(client, make.headers(make.user()), room.id, at(1, 9), at(1, 11))
    too_long = join(client, headers, room.id, at(1, 9), at(1, 13))
    assert too_long.status_code == 422
    assert [v["code"] for v in too_long.get_json()["violations"]] == ["too_long"]


def test_a_clash_offers_the_waitlist_and_joining_twice_is_refused(client, make: Factory, taken):
    clash = book(client, make.headers(make.user()), taken["scope"].id, at(1, 10), at(1, 11))
    assert clash.status_code == 409 and clash.get_json()["waitlist"] is True
    again = join(client, taken["first"], taken["scope"].id, at(1, 10), at(1, 12))
    assert again.status_code == 409 and again.get_json()["code"] == "already_waiting"


def offered(client, headers, entry_id: int) -> dict[str, Any]:
    found = entry(client, headers, entry_id)
    assert found["status"] == "offered", found
    held = client.get(f"/api/v1/bookings/{found['booking_id']}", headers=headers).get_json()
    assert held["status"] == "held"
    assert (held["start"], held["end"]) == (found["start"], found["end"])
    assert held["hold_expires_at"] == found["hold_expires_at"]
    return held


def test_cancelling_offers_the_time_to_the_first_in_line(app, client, taken):
    cancel = client.post(
        f"/api/v1/bookings/{taken['booking']['id']}/cancel", headers=taken["owner"]
    )
    assert cancel.status_code == 200
    held = offered(client, taken["first"], taken["one"]["id"])
    assert held["hold_expires_at"] == iso(NOW + timedelta(minutes=30))  # [waitlist] offer_for
    assert entry(client, taken["second"], taken["two"]["id"])["position"] == 1
    confirmed = client.post(f"/api/v1/bookings/{held['id']}/confirm", headers=taken["first"])
    assert confirmed.get_json()["status"] == "confirmed"
    assert entry(client, taken["first"], taken["one"]["id"])["status"] == "booked"
    assert entry(client, taken["second"], taken["two"]["id"])["status"] == "waiting"


def test_an_offer_that_lapses_passes_to_the_next(app, client, taken):
    client.post(f"/api/v1/bookings/{taken['booking']['id']}/cancel", headers=taken["owner"])
    held = offered(client, taken["first"], taken["one"]["id"])
    later(app, 31)
    with app.app_context():
        expire_holds(NOW + timedelta(minutes=31))
    assert entry(client, taken["first"], taken["one"]["id"])["status"] == "lapsed"
    assert (
        client.get(f"/api/v1/bookings/{held['id']}", headers=taken["first"]).get_json()["status"]
        == "expired"
    )
    offered(client, taken["second"], taken["two"]["id"])


def test_declining_or_leaving_an_offer_passes_it_on(app, client, taken):
    client.post(f"/api/v1/bookings/{taken['booking']['id']}/cancel", headers=taken["owner"])
    offered(client, taken["first"], taken["one"]["id"])
    left = client.delete(f"/api/v1/waitlist/{taken['one']['id']}", headers=taken["first"])
    assert left.status_code == 200 and left.get_json()["status"] == "left"
    held = offered(client, taken["second"], taken["two"]["id"])
    declined = client.post(f"/api/v1/bookings/{held['id']}/cancel", headers=taken["second"])
    assert declined.status_code == 200
    assert entry(client, taken["second"], taken["two"]["id"])["status"] == "lapsed"
    again = client.delete(f"/api/v1/waitlist/{taken['one']['id']}", headers=taken["first"])
    assert again.status_code == 409 and again.get_json()["code"] == "not_waiting"


def test_entries_expire_when_their_time_comes(app, client, taken):
    with app.app_context():
        expire_holds(at(1, 9))
    assert entry(client, taken["first"], taken["one"]["id"])["status"] == "expired"
    assert entry(client, taken["first"], taken["one"]["id"])["position"] is None


def test_an_offer_is_kept_no_later_than_its_start(app, client, make: Factory):
    room = make.resource(name="Room", kind="room")
    owner, waiter = make.headers(make.user()), make.headers(make.user())
    soon = NOW + timedelta(minutes=20)
    booked = book(client, owner, room.id, soon, soon + timedelta(hours=1)).get_json()
    waiting = join(client, waiter, room.id, soon, soon + timedelta(hours=1)).get_json()
    client.post(f"/api/v1/bookings/{booked['id']}/cancel", headers=owner)
    held = offered(client, waiter, waiting["id"])
    assert held["hold_expires_at"] == held["start"]


def test_only_entries_that_fit_whole_are_offered(client, make: Factory):
    room = make.resource(name="Room", kind="room")
    owner = make.headers(make.user())
    early = book(client, owner, room.id, at(1, 9), at(1, 10)).get_json()
    book(client, owner, room.id, at(1, 10), at(1, 11))
    longer, shorter = make.headers(make.user()), make.headers(make.user())
    whole = join(client, longer, room.id, at(1, 9), at(1, 11)).get_json()
    part = join(client, shorter, room.id, at(1, 9), at(1, 10)).get_json()
    client.post(f"/api/v1/bookings/{early['id']}/cancel", headers=owner)
    assert entry(client, longer, whole["id"])["status"] == "waiting"  # 10-11 is still booked
    offered(client, shorter, part["id"])


def test_a_pool_entry_is_offered_when_its_units_are_free(client, make: Factory):
    desks = make.resource(name="Hot desks", kind="desk", quantity=3)
    owner = make.headers(make.user())
    two = book(client, owner, desks.id, at(1, 9), at(1, 17), units=2).get_json()
    book(client, owner, desks.id, at(1, 9), at(1, 17))
    waiter = make.headers(make.user())
    waiting = join(client, waiter, desks.id, at(1, 9), at(1, 17), units=2).get_json()
    assert waiting["status"] == "waiting"
    client.post(f"/api/v1/bookings/{two['id']}/cancel", headers=owner)
    assert offered(client, waiter, waiting["id"])["units"] == 2


def test_a_whole_lab_freed_goes_to_those_waiting_for_its_benches(client, make: Factory):
    lab = make.resource(name="Wet Lab 1.10", kind="lab")
    bench = make.resource(name="Bench 1.10A", kind="desk", parent_id=lab.id)
    owner, waiter = make.headers(make.user()), make.headers(make.user())
    whole = book(client, owner, lab.id, at(1, 9), at(1, 12)).get_json()
    waiting = join(client, waiter, bench.id, at(1, 9), at(1, 10)).get_json()
    client.post(f"/api/v1/bookings/{whole['id']}/cancel", headers=owner)
    offered(client, waiter, waiting["id"])


FREEING = ["moved", "shortened", "checked out early", "released as a no-show", "rejected",
           "not approved in time", "hold lapsed", "one date of a series cancelled"]  # fmt: skip
#: Paths that free only the rest of the booking, from its end or from now: the waiter
#: waits for the last hour.
FREEING_THE_REST = (
    "shortened",
    "checked out early",
    "released as a no-show",
    "not approved in time",
)


def free_by(path: str, app: Flask, client: FlaskClient, booking_path: str, owner, staff) -> None:
    """Free the booking at ``booking_path`` the way ``path`` says."""
    if path == "moved":
        client.patch(booking_path, json={"start": iso(at(3, 9)), "end": iso(at(3, 11))},
                     headers=owner)  # fmt: skip
    elif path == "shortened":
        client.patch(booking_path, json={"end": iso(at(1, 10))}, headers=owner)
    elif path == "checked out early":
        app.config["FIXED_NOW"] = at(1, 9)
        assert client.post(f"{booking_path}/check-in", headers=owner).status_code == 200
        app.config["FIXED_NOW"] = at(1, 9, 30)
        assert client.post(f"{booking_path}/check-out", headers=owner).status_code == 200
    elif path == "released as a no-show":
        with app.app_context():
            assert release_no_shows(at(1, 9, 16))
    elif path == "rejected":
        client.post(f"{booking_path}/reject", json={"reason": "Maintenance"}, headers=staff)
    elif path == "not approved in time":
        with app.app_context():
            assert expire_pending(at(1, 9))
    elif path == "hold lapsed":
        with app.app_context():
            assert expire_holds(NOW + timedelta(minutes=16))
    else:
        assert client.post(f"{booking_path}/cancel", headers=owner).status_code == 200


@pytest.mark.parametrize("path", FREEING)
def test_every_path_that_frees_time_hands_it_over(app, client, make: Factory, path: str):
    rules: dict[str, Any] = {}
    if path in ("rejected", "not approved in time"):
        rules = {"requires_approval": True}
    if path == "released as a no-show":
        rules = {"check_in": {"required": True, "grace": "PT15M"}}
    room = make.resource(name="Room", kind="room", rules=rules)
    owner, waiter = make.headers(make.user()), make.headers(make.user())
    start, end = at(1, 9), at(1, 11)
    if path == "one date of a series cancelled":
        made = client.post(
            "/api/v1/series",
            json={**body(room.id, start, end), "rule": "FREQ=DAILY;COUNT=3"},
            headers=owner,
        ).get_json()
        booked = made["bookings"][1]
        start, end = at(2, 9), at(2, 11)
    else:
        extra: dict[str, Any] = {"hold": True} if path == "hold lapsed" else {}
        booked = book(client, owner, room.id, start, end, **extra).get_json()
    wanted = (at(1, 10), end) if path in FREEING_THE_REST else (start, end)
    waiting = join(client, waiter, room.id, *wanted).get_json()
    assert waiting["status"] == "waiting", waiting
    staff = make.headers(make.user("facility_manager"))
    free_by(path, app, client, f"/api/v1/bookings/{booked['id']}", owner, staff)
    app.config["FIXED_NOW"] = NOW
    held = offered(client, waiter, waiting["id"])
    if path == "one date of a series cancelled":  # the other dates stay booked
        days = [b["status"] for b in client.get(f"/api/v1/series/{made['id']}",
                                                headers=owner).get_json()["bookings"]]  # fmt: skip
        assert days == ["confirmed", "cancelled", "confirmed"]
    assert (held["start"], held["end"]) == (iso(wanted[0]), iso(wanted[1]))


def test_the_waiter_is_told_with_a_link_and_the_deadline(app, client, make: Factory, taken):
    from booking.models import Notification

    client.post(f"/api/v1/bookings/{taken['booking']['id']}/cancel", headers=taken["owner"])
    from booking.services.notifications.recording import write_recorded

    with app.app_context():
        write_recorded(NOW)
        offers = list(
            db.session.scalars(select(Notification).where(Notification.kind == "offered"))
        )
        held = db.session.scalar(
            select(WaitlistEntry.booking_id).where(WaitlistEntry.id == taken["one"]["id"])
        )
        assert len(offers) == 1
        assert offers[0].booking_id == held
        assert offers[0].subject.startswith("Free for you: Confocal microscope")
        assert offers[0].payload["confirm_by"].endswith("GMT")
        assert db.session.get(Booking, held).status == "held"


def test_offers_are_heard_under_the_waitlist_preference() -> None:
    from booking.services.notifications.audience import Person, audience

    keen = Person(1, "Keen", "keen@example.test")
    quiet = Person(2, "Quiet", "quiet@example.test", frozenset({"waitlist"}))
    assert audience("offered", booker=keen, owner=keen, actor_id=None) == [keen]
    assert audience("offered", booker=quiet, owner=quiet, actor_id=None) == []
