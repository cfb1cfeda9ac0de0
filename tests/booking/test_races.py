"""Concurrent requests for the same time: exactly the right number win, on both databases.

Each racer is a thread with its own client, app context, session and connection; a
barrier releases them together so their transactions really overlap.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from booking.extensions import db
from booking.models import OCCUPYING, Booking, Resource, WaitlistEntry
from booking.services.reservations import bookings
from rules import Claim, Interval, Target, usage_profile
from tests.conftest import Factory, at, iso

ROUNDS = 3


def race(app: Flask, requests: list[tuple[Any, ...]]) -> list[int]:
    """POST every (headers, body[, path]) at once, to /api/v1/bookings unless a path is
    given; the status codes, in order."""
    barrier = threading.Barrier(len(requests))

    def attempt(item: tuple[Any, ...]) -> int:
        headers, body, path = (*item, "/api/v1/bookings")[:3]
        client = app.test_client()
        barrier.wait()
        return client.post(path, json=body, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(attempt, requests))


def occupying(app: Flask) -> list[Booking]:
    with app.app_context():
        return list(db.session.scalars(select(Booking).where(Booking.status.in_(OCCUPYING))))


def body(resource_id: int, day: int, **extra: Any) -> dict[str, Any]:
    return {
        "resource_id": resource_id,
        "start": iso(at(day, 9)),
        "end": iso(at(day, 11)),
        "title": "Race",
        **extra,
    }


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_sixteen_clients_one_slot_exactly_one_wins(app, make: Factory, round_):
    bench = make.resource(name="Bench", kind="desk")
    racers = [
        (make.headers(make.user(tenant=f"Tenant {i % 4}")), body(bench.id, 1 + round_))
        for i in range(16)
    ]
    statuses = race(app, racers)
    assert Counter(statuses) == {201: 1, 409: 15}
    rows = occupying(app)
    assert len(rows) == 1
    for a, b in combinations(rows, 2):
        assert not (a.occupied_start < b.occupied_end and b.occupied_start < a.occupied_end)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_whole_lab_against_its_bench_one_wins(app, make: Factory, round_):
    lab = make.resource(name="Wet lab", kind="lab")
    bench = make.resource(name="Bench", kind="desk", parent_id=lab.id)
    instrument = make.resource(name="Microscope", kind="equipment", parent_id=bench.id)
    targets = [lab.id, bench.id, instrument.id] * 4
    racers = [(make.headers(make.user()), body(rid, 1 + round_)) for rid in targets]
    statuses = race(app, racers)
    assert Counter(statuses) == {201: 1, 409: len(targets) - 1}
    assert len(occupying(app)) == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_pool_of_three_with_ten_racers_exactly_three(app, make: Factory, round_):
    pool = make.resource(name="Hot desks", kind="desk", quantity=3)
    racers = [(make.headers(make.user()), body(pool.id, 1 + round_)) for _ in range(10)]
    statuses = race(app, racers)
    assert Counter(statuses) == {201: 3, 409: 7}
    rows = occupying(app)
    claims = [Claim(pool.id, Interval(b.occupied_start, b.occupied_end), b.units) for b in rows]
    window = Interval(at(1, 0), at(30, 0))
    assert max(u.units for u in usage_profile(Target(pool.id, 3), claims, window)) == 3


def test_mixed_unit_requests_never_overfill_a_pool(app, make: Factory):
    pool = make.resource(name="Hot desks", kind="desk", quantity=4)
    racers = [(make.headers(make.user()), body(pool.id, 1, units=1 + i % 3)) for i in range(10)]
    race(app, racers)
    rows = occupying(app)
    claims = [Claim(pool.id, Interval(b.occupied_start, b.occupied_end), b.units) for b in rows]
    peak = max(
        u.units for u in usage_profile(Target(pool.id, 4), claims, Interval(at(1, 0), at(2, 0)))
    )
    assert peak <= 4
    assert peak >= 3  # the pool is filled as far as the requests allow, not left half-empty


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_series_racing_single_bookings_never_double_books(app, make: Factory, round_):
    lab = make.resource(name="Wet lab", kind="lab")
    bench = make.resource(name="Bench", kind="desk", parent_id=lab.id)
    series = {
        **body(lab.id, 1 + round_),
        "rule": "FREQ=DAILY;COUNT=5",
        "on_conflict": "fail",
    }
    racers: list[tuple[Any, ...]] = [(make.headers(make.user()), series, "/api/v1/series")]
    racers += [(make.headers(make.user()), body(bench.id, 2 + round_)) for _ in range(5)]
    racers += [(make.headers(make.user()), body(lab.id, 3 + round_)) for _ in range(5)]
    statuses = race(app, racers)
    rows = occupying(app)
    for a, b in combinations(rows, 2):
        if {a.resource_id, b.resource_id} <= {lab.id, bench.id}:
            assert not (a.occupied_start < b.occupied_end and b.occupied_start < a.occupied_end)
    if statuses[0] == 201:  # the series won all five days: every single booking lost
        assert Counter(statuses[1:]) == {409: 10}
        assert len(rows) == 5
    else:  # a single booking took a day first: the whole series was refused
        assert statuses[0] == 409
        assert Counter(statuses[1:]) == {201: 2, 409: 8}
        assert len(rows) == 2


@pytest.mark.parametrize("change", ["moved under a booked lab", "a pool shrunk to one"])
def test_a_resource_changed_while_a_booking_is_read_is_judged_as_it_now_is(
    app, make: Factory, monkeypatch, change
):
    # A booking reads its resource before its write transaction; here another
    # transaction changes the resource in between. The booking must see the change.
    lab_a = make.resource(name="Lab A", kind="lab")
    lab_b = make.resource(name="Lab B", kind="lab")
    tenant = make.user()
    make.booking(lab_b, tenant, at(1, 9), at(1, 11))
    if change == "moved under a booked lab":
        resource = make.resource(name="Bench", kind="desk", parent_id=lab_a.id)
        values = {"parent_id": lab_b.id, "path": f"{lab_b.path}{resource.id}/"}
    else:
        resource = make.resource(name="Hot desks", kind="desk", quantity=2)
        make.booking(resource, tenant, at(1, 9), at(1, 11), exclusive=False)  # one unit of two
        values = {"quantity": 1}
    read = bookings.standing_circumstances
    changed = []

    def read_then_change(*args: Any, **kwargs: Any) -> Any:
        if not changed:  # another transaction, committed in between
            changed.append(True)
            with db.engine.begin() as other:
                other.execute(update(Resource).where(Resource.id == resource.id).values(**values))
        return read(*args, **kwargs)

    monkeypatch.setattr(bookings, "standing_circumstances", read_then_change)
    headers, before = make.headers(tenant), len(occupying(app))
    asked = body(resource.id, 1)
    response = app.test_client().post("/api/v1/bookings", json=asked, headers=headers)
    assert response.status_code == 409, response.json
    assert response.json["code"] == "booking_conflict"
    assert len(occupying(app)) == before  # nothing was written


def waiting(app: Flask) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(select(WaitlistEntry.id, WaitlistEntry.status)).all())


def join_waitlist(client: Any, headers: dict[str, str], resource_id: int, day: int, **extra: Any):
    answer = client.post("/api/v1/waitlist", json=body(resource_id, day, **extra), headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_hand_over_racing_direct_bookings_gives_the_time_once(app, make: Factory, round_):
    """The owner cancels while 15 people try to book the time and 3 wait for it: the
    time goes to exactly one of them, by an offer or a booking, never to two."""
    scope = make.resource(name="Confocal", kind="equipment")
    day = 1 + round_
    owner = make.headers(make.user())
    client = app.test_client()
    booked = client.post("/api/v1/bookings", json=body(scope.id, day), headers=owner).get_json()
    entries = [join_waitlist(client, make.headers(make.user()), scope.id, day) for _ in range(3)]
    racers: list[tuple[Any, ...]] = [(owner, None, f"/api/v1/bookings/{booked['id']}/cancel")]
    racers += [(make.headers(make.user()), body(scope.id, day)) for _ in range(15)]
    statuses = race(app, racers)
    assert statuses[0] == 200
    rows = [b for b in occupying(app) if b.resource_id == scope.id]
    assert len(rows) == 1, [(b.status, b.user_id) for b in rows]
    lines = waiting(app)
    if rows[0].status == "held":  # the first in line was offered it before any booking
        assert Counter(statuses[1:]) == {409: 15}
        assert [lines[e] for e in entries] == ["offered", "waiting", "waiting"]
    else:
        assert Counter(statuses[1:]) == {201: 1, 409: 14}
        assert [lines[e] for e in entries] == ["waiting"] * 3


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_cancellations_racing_never_overfill_a_pool(app, make: Factory, round_):
    """Two bookings of a pool of two cancelled at once: each hand-over offers what is
    free after the other's, so the pool never holds more than two."""
    pool = make.resource(name="Hot desks", kind="desk", quantity=2)
    day = 1 + round_
    client = app.test_client()
    owners = [make.headers(make.user()) for _ in range(2)]
    made = [
        client.post("/api/v1/bookings", json=body(pool.id, day), headers=h).get_json()
        for h in owners
    ]
    for units in (2, 1, 1, 1):
        join_waitlist(client, make.headers(make.user()), pool.id, day, units=units)
    racers: list[tuple[Any, ...]] = [
        (h, None, f"/api/v1/bookings/{b['id']}/cancel") for h, b in zip(owners, made, strict=True)
    ]
    assert race(app, racers) == [200, 200]
    rows = [b for b in occupying(app) if b.resource_id == pool.id]
    claims = [Claim(pool.id, Interval(b.occupied_start, b.occupied_end), b.units) for b in rows]
    window = Interval(at(1, 0), at(30, 0))
    assert max(u.units for u in usage_profile(Target(pool.id, 2), claims, window)) == 2
    assert {b.status for b in rows} == {"held"}
    offered = [s for s in waiting(app).values() if s == "offered"]
    assert len(offered) == len(rows) >= 1
