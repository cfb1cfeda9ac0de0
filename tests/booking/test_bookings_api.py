"""Booking through the API: creation, conflicts across the hierarchy, pools, changes, cancels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import BookingEvent
from tests.conftest import Factory, at, iso


@pytest.fixture
def lab(make: Factory):
    lab = make.resource(name="Wet Lab 1.10", kind="lab", capacity=8)
    bench = make.resource(name="Bench A", kind="desk", parent_id=lab.id)
    instrument = make.resource(name="PCR", kind="equipment", parent_id=bench.id)
    sibling = make.resource(name="Bench B", kind="desk", parent_id=lab.id)
    return lab, bench, instrument, sibling


def book(client: FlaskClient, headers, resource_id: int, start: datetime, end: datetime, **extra):
    body = {
        "resource_id": resource_id,
        "start": iso(start),
        "end": iso(end),
        "title": "Work",
        **extra,
    }
    return client.post("/api/v1/bookings", json=body, headers=headers)


def test_create_returns_201_with_location_and_aware_times(client, make: Factory, lab):
    member = make.user()
    response = book(client, make.headers(member), lab[1].id, at(1, 9), at(1, 11), attendees=2)
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/bookings/{body['id']}")
    assert body["status"] == "confirmed"
    assert body["user_id"] == member.id and body["tenant_id"] == member.tenant_id
    assert datetime.fromisoformat(body["start"]) == at(1, 9)
    assert datetime.fromisoformat(body["start"]).tzinfo is not None


def test_naive_times_are_local_time_of_the_site(client, make: Factory, lab):
    headers = make.headers(make.user())
    response = book(client, headers, lab[0].id, at(1, 9), at(1, 10))
    assert response.status_code == 201
    summer = client.post(
        "/api/v1/bookings",
        json={
            "resource_id": lab[0].id,
            "start": "2027-06-01T09:00",
            "end": "2027-06-01T10:00",
            "title": "x",
        },
        headers=headers,
    )
    assert summer.status_code == 201
    assert datetime.fromisoformat(summer.get_json()["start"]) == datetime(2027, 6, 1, 8, tzinfo=UTC)
    assert summer.get_json()["start"] == "2027-06-01T09:00:00+01:00"


@pytest.mark.parametrize(
    ("start", "message"),
    [("2027-03-28T01:30", "does not exist"), ("2027-10-31T01:30", "happens twice")],
)
def test_naive_times_in_the_clock_changes_are_422_for_that_field(
    client, make: Factory, lab, start, message
):
    body = {"resource_id": lab[0].id, "start": start, "end": "2027-11-01T10:00", "title": "x"}
    response = client.post("/api/v1/bookings", json=body, headers=make.headers(make.user()))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert message in response.get_json()["errors"]["start"][0]


def test_same_slot_twice_is_409_with_busy_time_only(client, make: Factory, lab):
    other = make.user(tenant="Pennine Digital Health")
    make.booking(lab[1], other, at(1, 9), at(1, 11), title="Secret project")
    response = book(client, make.headers(make.user()), lab[1].id, at(1, 10), at(1, 12))
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["code"] == "booking_conflict"
    assert problem["conflicts"] == [
        {"resource_id": lab[1].id, "start": iso(at(1, 9)), "end": iso(at(1, 11)), "yours": False}
    ]
    assert "Secret" not in response.get_data(as_text=True)
    assert all(set(c) == {"resource_id", "start", "end", "yours"} for c in problem["conflicts"])
    assert not any(c["yours"] for c in problem["conflicts"])  # busy time only, never whose


def test_back_to_back_bookings_do_not_clash(client, make: Factory, lab):
    headers = make.headers(make.user())
    assert book(client, headers, lab[1].id, at(1, 9), at(1, 10)).status_code == 201
    assert book(client, headers, lab[1].id, at(1, 10), at(1, 11)).status_code == 201
    assert book(client, headers, lab[1].id, at(1, 8), at(1, 9)).status_code == 201


@pytest.mark.parametrize(
    ("booked", "asked", "clash"),
    [
        ("bench", "lab", True),  # a booked bench blocks the whole lab
        ("lab", "bench", True),  # a booked lab blocks its benches
        ("lab", "instrument", True),  # ...and everything below them
        ("instrument", "lab", True),
        ("instrument", "bench", True),
        ("bench", "sibling", False),  # benches of one lab are independent
        ("instrument", "sibling", False),
    ],
)
def test_hierarchy_rule(client, make: Factory, lab, booked, asked, clash):
    names = dict(zip(("lab", "bench", "instrument", "sibling"), lab, strict=True))
    make.booking(names[booked], make.user(), at(1, 9), at(1, 12))
    response = book(client, make.headers(make.user()), names[asked].id, at(1, 11), at(1, 13))
    assert response.status_code == (409 if clash else 201)


def test_pool_counts_units_in_use_at_each_instant(client, make: Factory):
    pool = make.resource(name="Hot desks", kind="desk", quantity=3)
    user = make.user()
    # Three bookings that never overlap all at once: 9-10, 10-11, 9:30-10:30 use two units at most.
    make.booking(pool, user, at(1, 9), at(1, 10))
    make.booking(pool, user, at(1, 10), at(1, 11))
    make.booking(pool, user, at(1, 9, 30), at(1, 10, 30))
    headers = make.headers(user)
    assert book(client, headers, pool.id, at(1, 9), at(1, 11)).status_code == 201
    # Now 9:30-10:30 has three units in use; one more there is refused, elsewhere it fits.
    assert book(client, headers, pool.id, at(1, 10), at(1, 10, 15)).status_code == 409
    assert book(client, headers, pool.id, at(1, 10, 45), at(1, 11)).status_code == 201
    two_units = book(client, headers, pool.id, at(1, 8), at(1, 9), units=2)
    assert two_units.status_code == 201 and two_units.get_json()["units"] == 2


def test_more_units_than_the_pool_has_is_a_violation(client, make: Factory):
    pool = make.resource(name="Hot desks", kind="desk", quantity=3)
    response = book(client, make.headers(make.user()), pool.id, at(1, 9), at(1, 10), units=4)
    assert response.status_code == 422
    assert [v["code"] for v in response.get_json()["violations"]] == ["over_capacity"]


def test_booking_the_pool_parent_takes_every_unit(client, make: Factory):
    zone = make.resource(name="Co-working", kind="zone")
    pool = make.resource(name="Hot desks", kind="desk", quantity=3, parent_id=zone.id)
    make.booking(pool, make.user(), at(1, 9), at(1, 10))
    headers = make.headers(make.user())
    assert book(client, headers, zone.id, at(1, 9), at(1, 10)).status_code == 409
    assert book(client, headers, zone.id, at(1, 10), at(1, 11)).status_code == 201
    assert book(client, headers, pool.id, at(1, 10, 30), at(1, 11)).status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"end": "2026-12-01T09:00:00+00:00"}, "end"),  # zero length
        ({"end": "2026-12-01T08:00:00+00:00"}, "end"),  # reversed
        ({"start": "yesterday"}, "start"),
        ({"resource_id": "1"}, "resource_id"),
        ({"resource_id": 2**40}, "resource_id"),
        ({"title": ""}, "title"),
        ({"units": 0}, "units"),
        ({"surprise": 1}, "surprise"),
        ({"start": "0001-01-01T00:00:00"}, "start"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, make: Factory, lab, body, field):
    base = {
        "resource_id": lab[0].id,
        "start": "2026-12-01T09:00:00+00:00",
        "end": "2026-12-01T10:00:00+00:00",
        "title": "x",
    }
    response = client.post(
        "/api/v1/bookings", json={**base, **body}, headers=make.headers(make.user())
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_unknown_resource_is_422_for_resource_id(client, make: Factory):
    response = book(client, make.headers(make.user()), 999, at(1, 9), at(1, 10))
    assert response.status_code == 422
    assert "resource_id" in response.get_json()["errors"]


def test_malformed_body_is_400_and_books_nothing(client, make: Factory, lab):
    headers = {**make.headers(make.user()), "Content-Type": "application/json"}
    response = client.post("/api/v1/bookings", data='{"resource_id": 1,', headers=headers)
    assert response.status_code == 400
    assert response.get_json()["code"] == "malformed_body"
    assert client.get("/api/v1/bookings", headers=headers).get_json() == []


def test_not_bookable_and_in_the_past_are_reported_together(client, make: Factory):
    floor = make.resource(name="First floor", kind="floor", bookable=False)
    response = book(
        client, make.headers(make.user()), floor.id, at(20, 9, month=11), at(20, 10, month=11)
    )
    assert response.status_code == 422
    assert {v["code"] for v in response.get_json()["violations"]} == {"not_bookable", "in_the_past"}


def test_attendees_over_capacity(client, make: Factory):
    room = make.resource(name="Colne", kind="room", capacity=8)
    response = book(client, make.headers(make.user()), room.id, at(1, 9), at(1, 10), attendees=9)
    assert response.status_code == 422
    assert response.get_json()["violations"][0]["code"] == "over_capacity"


def test_patch_moves_and_rechecks_without_clashing_with_itself(client, app, make: Factory, lab):
    user = make.user()
    headers = make.headers(user)
    created = book(client, headers, lab[1].id, at(1, 9), at(1, 10)).get_json()
    make.booking(lab[0], make.user(), at(1, 12), at(1, 13))
    url = f"/api/v1/bookings/{created['id']}"
    later = client.patch(url, json={"end": iso(at(1, 11))}, headers=headers)
    assert later.status_code == 200 and later.get_json()["end"] == iso(at(1, 11))
    clash = client.patch(
        url, json={"start": iso(at(1, 12)), "end": iso(at(1, 13))}, headers=headers
    )
    assert clash.status_code == 409
    assert client.get(url, headers=headers).get_json()["end"] == iso(at(1, 11))
    renamed = client.patch(url, json={"title": "PCR run"}, headers=headers)
    assert renamed.get_json()["title"] == "PCR run"
    with app.app_context():
        events = db.session.scalars(
            select(BookingEvent)
            .where(BookingEvent.booking_id == created["id"])
            .order_by(BookingEvent.id)
        ).all()
        assert [e.action for e in events] == ["created", "updated", "updated"]
        assert events[1].changes == {"end": [iso(at(1, 10)), iso(at(1, 11))]}
        assert events[1].actor_id == user.id and events[1].at == datetime(
            2026, 11, 24, 9, tzinfo=UTC
        )


def test_patch_reversing_the_interval_is_422(client, make: Factory, lab):
    headers = make.headers(make.user())
    created = book(client, headers, lab[1].id, at(1, 9), at(1, 10)).get_json()
    response = client.patch(
        f"/api/v1/bookings/{created['id']}", json={"start": iso(at(1, 11))}, headers=headers
    )
    assert response.status_code == 422 and "end" in response.get_json()["errors"]


def test_cancel_frees_the_time_and_cannot_be_repeated(client, make: Factory, lab):
    headers = make.headers(make.user())
    created = book(client, headers, lab[1].id, at(1, 9), at(1, 10)).get_json()
    cancelled = client.post(f"/api/v1/bookings/{created['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert book(client, headers, lab[1].id, at(1, 9), at(1, 10)).status_code == 201
    again = client.post(f"/api/v1/bookings/{created['id']}/cancel", headers=headers)
    assert again.status_code == 409 and again.get_json()["code"] == "booking_closed"
    moved = client.patch(f"/api/v1/bookings/{created['id']}", json={"title": "x"}, headers=headers)
    assert moved.status_code == 409


def test_list_filters_by_resource_window_and_status(client, make: Factory, lab):
    user = make.user()
    headers = make.headers(user)
    first = book(client, headers, lab[1].id, at(1, 9), at(1, 10)).get_json()
    book(client, headers, lab[3].id, at(2, 9), at(2, 10))
    client.post(f"/api/v1/bookings/{first['id']}/cancel", headers=headers)
    by_resource = client.get(
        f"/api/v1/bookings?resource_id={lab[3].id}", headers=headers
    ).get_json()
    assert [b["resource_id"] for b in by_resource] == [lab[3].id]
    window = client.get(
        "/api/v1/bookings?start=2026-12-01T00:00&end=2026-12-02T00:00", headers=headers
    )
    assert [b["id"] for b in window.get_json()] == [first["id"]]
    confirmed = client.get("/api/v1/bookings?status=confirmed", headers=headers).get_json()
    assert [b["resource_id"] for b in confirmed] == [lab[3].id]


def test_override_rules_by_facility_manager_is_audited(client, app, make: Factory):
    floor = make.resource(name="Ground floor", kind="floor", bookable=False)
    manager = make.user("facility_manager")
    response = book(
        client, make.headers(manager), floor.id, at(1, 9), at(1, 10), override_rules=True
    )
    assert response.status_code == 201
    with app.app_context():
        event = db.session.scalar(
            select(BookingEvent).where(BookingEvent.booking_id == response.get_json()["id"])
        )
        assert event.changes["overridden"] == ["not_bookable"]


def test_override_never_bypasses_a_conflict(client, make: Factory, lab):
    make.booking(lab[1], make.user(), at(1, 9), at(1, 10))
    response = book(
        client,
        make.headers(make.user("admin")),
        lab[1].id,
        at(1, 9),
        at(1, 10),
        override_rules=True,
    )
    assert response.status_code == 409
