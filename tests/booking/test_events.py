"""Domain events: every path that changes a booking says so, once, with the freed time;
a rolled-back change reaches no subscriber after the commit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking import events
from booking.access import CAPABILITIES, ROLES, can
from booking.events import DomainEvent
from booking.jobs import run_job
from tests.conftest import NOW, Factory, at, iso


@pytest.fixture
def heard() -> Iterator[list[DomainEvent]]:
    """Every event that reached an after-commit subscriber."""
    seen: list[DomainEvent] = []

    @events.subscribe(DomainEvent, after_commit=True)
    def listen(event: DomainEvent) -> None:
        seen.append(event)

    yield seen
    events.unsubscribe(listen)


def kinds(seen: list[DomainEvent]) -> list[str]:
    return [type(e).__name__ for e in seen]


def test_every_role_has_its_capabilities_and_nothing_else() -> None:
    assert set(CAPABILITIES) == set(ROLES)
    assert can(type("A", (), {"role": "facility_manager"})(), "approve")
    assert not can(type("A", (), {"role": "reception"})(), "approve")
    assert not can(None, "see_all")


def test_booking_paths_publish_their_events(
    client: FlaskClient, make: Factory, heard: list[DomainEvent]
) -> None:
    member = make.user()
    headers = make.headers(member)
    room = make.resource(name="Room", rules={"buffer_after": "PT15M"})
    made = client.post(
        "/api/v1/bookings",
        json={"resource_id": room.id, "start": iso(at(1, 9)), "end": iso(at(1, 10)), "title": "A"},
        headers=headers,
    ).get_json()
    client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"start": iso(at(1, 11)), "end": iso(at(1, 12))},
        headers=headers,
    )
    client.post(f"/api/v1/bookings/{made['id']}/cancel", headers=headers)
    assert kinds(heard) == [
        "BookingsMade",
        "TimeFreed",
        "BookingsChanged",
        "TimeFreed",
        "BookingsCancelled",
    ]
    moved_from, cancelled = heard[1], heard[3]
    assert isinstance(moved_from, events.TimeFreed)
    assert (moved_from.start, moved_from.end) == (at(1, 9), at(1, 10, 15))
    assert isinstance(cancelled, events.TimeFreed)
    assert (cancelled.start, cancelled.end) == (at(1, 11), at(1, 12, 15))


def test_a_refused_change_reaches_no_subscriber(
    client: FlaskClient, make: Factory, heard: list[DomainEvent]
) -> None:
    member = make.user()
    room = make.resource()
    make.booking(room, member, at(1, 9), at(1, 10))
    answer = client.post(
        "/api/v1/bookings",
        json={"resource_id": room.id, "start": iso(at(1, 9)), "end": iso(at(1, 10)), "title": "B"},
        headers=make.headers(member),
    )
    assert answer.status_code == 409
    assert heard == []


def test_jobs_publish_the_same_events_as_people(
    app: Flask, make: Factory, heard: list[DomainEvent]
) -> None:
    member = make.user()
    room = make.resource(rules={"check_in": {"required": True, "grace": "PT15M"}})
    no_show = make.booking(room, member, NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    pending = make.booking(
        make.resource(), member, at(3, 9), at(3, 10), status="pending", approval_due_at=NOW
    )
    later = NOW + timedelta(hours=1, minutes=15)
    assert run_job(app, "release-no-shows", later) == [no_show.id]
    assert run_job(app, "expire-pending", later) == [pending.id]
    assert kinds(heard) == ["TimeFreed", "BookingsReleased", "TimeFreed", "BookingsExpired"]
    freed = heard[0]
    assert isinstance(freed, events.TimeFreed)
    assert (freed.start, freed.end) == (later, NOW + timedelta(hours=2))
    expired = heard[3]
    assert isinstance(expired, events.BookingsExpired) and expired.was == "pending"
    assert expired.actor_id is None
