"""The rules through the API: every violation code, effective rules with their sources,
closures, certifications, quotas, buffers, approval and override."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import BookingEvent, Resource, User
from rules import CODES
from tests.conftest import NOW, Factory, at, iso

WEEKDAYS_9_TO_5 = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


def book(
    client: FlaskClient,
    headers: dict[str, str],
    resource: Resource,
    start: datetime,
    end: datetime,
    **extra: Any,
) -> Any:
    body = {
        "resource_id": resource.id,
        "start": iso(start),
        "end": iso(end),
        "title": "Assay",
        **extra,
    }
    return client.post("/api/v1/bookings", json=body, headers=headers)


def violations(response: Any) -> list[str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("/rule_violation") or body["code"] == "rule_violation"
    assert all(v["message"] for v in body["violations"])
    return [v["code"] for v in body["violations"]]


# (rules of the resource, booking start, end, extra fields, expected codes). The resource
# has capacity 4 and quantity 1; 2026-12-01 is a Tuesday; "now" is 2026-11-24 09:00.
CASES = [
    ({"opening_hours": WEEKDAYS_9_TO_5}, at(1, 8, 30), at(1, 10), {}, ["outside_opening_hours"]),
    ({"opening_hours": WEEKDAYS_9_TO_5}, at(5, 10), at(5, 11), {}, ["outside_opening_hours"]),
    ({"closed_on_bank_holidays": True}, at(25, 10), at(25, 11), {}, ["closed"]),
    ({"min_duration": "PT1H"}, at(1, 10), at(1, 10, 30), {}, ["too_short"]),
    ({"max_duration": "PT2H"}, at(1, 10), at(1, 13), {}, ["too_long"]),
    ({"slot": "PT30M"}, at(1, 10, 10), at(1, 11), {}, ["misaligned"]),
    ({"min_notice": "P14D"}, at(1, 10), at(1, 11), {}, ["too_soon"]),
    ({"max_advance": "P3D"}, at(1, 10), at(1, 11), {}, ["too_far_ahead"]),
    ({}, NOW - timedelta(hours=1), NOW + timedelta(hours=1), {}, ["in_the_past"]),
    ({}, at(1, 10), at(1, 11), {"attendees": 5}, ["over_capacity"]),
    (
        {"quota": [{"scope": "user", "period": "day", "hours": 1}]},
        at(1, 10),
        at(1, 12),
        {},
        ["quota_exceeded"],
    ),
    ({"required_certification": "cl2"}, at(1, 10), at(1, 11), {}, ["certification_required"]),
    (
        {"opening_hours": WEEKDAYS_9_TO_5, "slot": "PT30M", "max_duration": "PT1H"},
        at(1, 16, 45),
        at(1, 18),
        {"attendees": 9},
        ["outside_opening_hours", "too_long", "misaligned", "over_capacity"],
    ),
]


@pytest.mark.parametrize(("rules", "start", "end", "extra", "expected"), CASES)
def test_each_refusal_has_its_code_and_a_message(
    client: FlaskClient, make: Factory, rules, start, end, extra, expected
):
    lab = make.resource(name="Lab", kind="lab", capacity=4, rules=rules)
    assert violations(book(client, make.headers(make.user()), lab, start, end, **extra)) == expected


def test_every_contract_code_is_reachable_through_the_api(client: FlaskClient, make: Factory):
    floor = make.resource(name="Floor", kind="floor", bookable=False)
    reached = set(violations(book(client, make.headers(make.user()), floor, at(1, 10), at(1, 11))))
    for _, _, _, _, expected in CASES:
        reached.update(expected)
    assert reached == set(CODES)


def test_closures_shut_a_resource_and_everything_below_it(client: FlaskClient, make: Factory):
    manager = make.headers(make.user("facility_manager"))
    member = make.user()
    headers = make.headers(member)
    lab = make.resource(name="Lab", kind="lab")
    bench = make.resource(name="Bench", kind="desk", parent_id=lab.id)
    other = make.resource(name="Other", kind="room")
    booked = make.booking(bench, member, at(2, 10), at(2, 11))
    made = client.post(
        "/api/v1/closures",
        json={
            "resource_id": lab.id,
            "start": "2026-12-02T08:00",
            "end": "2026-12-03T08:00",
            "reason": "Deep clean",
        },
        headers=manager,
    )
    assert made.status_code == 201
    assert [b["id"] for b in made.get_json()["affected_bookings"]] == [booked.id]
    refused = book(client, headers, bench, at(2, 14), at(2, 15))
    assert violations(refused) == ["closed"]
    assert "Deep clean" in refused.get_json()["violations"][0]["message"]
    assert book(client, headers, other, at(2, 14), at(2, 15)).status_code == 201
    assert book(client, headers, bench, at(3, 8), at(3, 9)).status_code == 201  # back to back
    listed = client.get(f"/api/v1/closures?resource_id={bench.id}", headers=headers).get_json()
    assert [c["reason"] for c in listed] == ["Deep clean"]
    free = client.get(
        f"/api/v1/resources/{bench.id}/availability?start=2026-12-02T00:00&end=2026-12-03T00:00",
        headers=headers,
    ).get_json()
    assert free["closed"] == [{"start": iso(at(2, 8)), "end": iso(at(3, 0))}]
    assert (
        client.delete(f"/api/v1/closures/{made.get_json()['id']}", headers=manager).status_code
        == 204
    )
    assert book(client, headers, bench, at(2, 14), at(2, 15)).status_code == 201


def test_a_site_wide_closure_shuts_everything(client: FlaskClient, make: Factory):
    manager = make.headers(make.user("facility_manager"))
    room = make.resource(name="Room", kind="room")
    client.post(
        "/api/v1/closures",
        json={
            "resource_id": None,
            "start": iso(at(24, 12)),
            "end": iso(at(29, 0)),
            "reason": "Christmas shutdown",
        },
        headers=manager,
    )
    assert violations(book(client, make.headers(make.user()), room, at(24, 13), at(24, 14))) == [
        "closed"
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2026-12-02T10:00", "end": "2026-12-02T09:00", "reason": "x"},
        {"start": "2026-12-02T10:00", "end": "2026-12-02T11:00"},
        {
            "resource_id": 99999,
            "start": "2026-12-02T10:00",
            "end": "2026-12-02T11:00",
            "reason": "x",
        },
        {"start": "2027-03-28T01:30", "end": "2027-03-28T05:00", "reason": "x"},
    ],
)
def test_bad_closures_are_422(client: FlaskClient, make: Factory, body):
    response = client.post("/api/v1/closures", json=body, headers=make.headers(make.user("admin")))
    assert response.status_code == 422


def test_effective_rules_show_where_each_came_from(app: Flask, client: FlaskClient, make: Factory):
    app.config["SITE_RULES"] = {"max_advance": "P90D", "min_duration": "PT15M"}
    building = make.resource(
        name="HWIC", kind="building", bookable=False, rules={"min_duration": "PT30M"}
    )
    lab = make.resource(
        name="Wet Lab", kind="lab", parent_id=building.id, rules={"buffer_after": "PT30M"}
    )
    bench = make.resource(
        name="Bench", kind="desk", parent_id=lab.id, rules={"max_duration": "PT4H"}
    )
    shown = client.get(
        f"/api/v1/resources/{bench.id}", headers=make.headers(make.user())
    ).get_json()
    assert shown["rules"] == {"max_duration": "PT4H"}
    assert shown["effective_rules"] == {
        "min_duration": {
            "value": "PT30M",
            "source": {"level": "ancestor", "resource_id": building.id, "name": "HWIC"},
        },
        "max_duration": {
            "value": "PT4H",
            "source": {"level": "resource", "resource_id": bench.id, "name": "Bench"},
        },
        "max_advance": {"value": "P90D", "source": {"level": "site"}},
        "buffer_after": {
            "value": "PT30M",
            "source": {"level": "ancestor", "resource_id": lab.id, "name": "Wet Lab"},
        },
    }
    headers = make.headers(make.user())
    assert violations(book(client, headers, bench, at(1, 10), at(1, 10, 20))) == ["too_short"]
    late = NOW + timedelta(days=91)
    assert violations(book(client, headers, bench, late, late + timedelta(hours=1))) == [
        "too_far_ahead"
    ]


def test_buffers_make_a_clash_inside_them_a_conflict(client: FlaskClient, make: Factory):
    headers = make.headers(make.user())
    lab = make.resource(name="Wet lab", kind="lab", rules={"buffer_after": "PT30M"})
    first = book(client, headers, lab, at(1, 9), at(1, 12))
    assert first.status_code == 201
    assert first.get_json()["end"] == iso(at(1, 12))  # the booking keeps its own times
    clash = book(client, headers, lab, at(1, 12), at(1, 13))
    assert clash.status_code == 409
    assert clash.get_json()["conflicts"] == [  # the booker's own first booking is in the way
        {"resource_id": lab.id, "start": iso(at(1, 9)), "end": iso(at(1, 12, 30)), "yours": True}
    ]
    window = "start=2026-12-01T08:00&end=2026-12-01T14:00"
    free = client.get(
        f"/api/v1/resources/{lab.id}/availability?{window}", headers=headers
    ).get_json()
    # the new booking's own turnaround must fit too: it has to end by 08:30
    assert free["busy"] == [{"start": iso(at(1, 8, 30)), "end": iso(at(1, 12, 30))}]
    assert book(client, headers, lab, at(1, 12, 30), at(1, 13)).status_code == 201


def test_quotas_count_per_tenant_in_the_period_and_subtree(client: FlaskClient, make: Factory):
    lab = make.resource(
        name="Lab", kind="lab", rules={"quota": [{"scope": "tenant", "period": "week", "hours": 4}]}
    )
    bench = make.resource(name="Bench", kind="desk", parent_id=lab.id)
    room = make.resource(name="Room", kind="room")
    alice, bob = make.user(tenant="Calder"), make.user(tenant="Calder")
    stranger = make.user(tenant="Holme")
    assert book(client, make.headers(alice), lab, at(1, 9), at(1, 12)).status_code == 201
    over = book(client, make.headers(bob), bench, at(2, 9), at(2, 11))  # same tenant, same week
    assert violations(over) == ["quota_exceeded"]
    assert "4 hours per week" in over.get_json()["violations"][0]["message"]
    assert book(client, make.headers(bob), bench, at(2, 9), at(2, 10)).status_code == 201
    assert book(client, make.headers(stranger), bench, at(3, 9), at(3, 12)).status_code == 201
    assert (
        book(client, make.headers(bob), room, at(3, 13), at(3, 18)).status_code == 201
    )  # not covered
    assert (
        book(client, make.headers(bob), bench, at(7, 9), at(7, 12)).status_code == 201
    )  # next week


def test_certifications_with_expiry_gate_equipment(client: FlaskClient, make: Factory):
    manager = make.headers(make.user("facility_manager"))
    scientist = make.user()
    headers = make.headers(scientist)
    microscope = make.resource(
        name="Microscope",
        kind="equipment",
        rules={"required_certification": "fluorescence-microscopy"},
    )
    assert violations(book(client, headers, microscope, at(1, 10), at(1, 11))) == [
        "certification_required"
    ]
    url = f"/api/v1/users/{scientist.id}/certifications"
    granted = client.post(
        url, json={"code": "fluorescence-microscopy", "expires_on": "2026-12-01"}, headers=manager
    )
    assert granted.status_code == 201
    assert book(client, headers, microscope, at(1, 10), at(1, 11)).status_code == 201
    expired = book(client, headers, microscope, at(2, 10), at(2, 11))
    assert violations(expired) == ["certification_required"]
    assert "2026-12-01" in expired.get_json()["violations"][0]["message"]
    renewed = client.post(
        url, json={"code": "fluorescence-microscopy", "expires_on": None}, headers=manager
    )
    assert renewed.status_code == 200
    assert book(client, headers, microscope, at(2, 10), at(2, 11)).status_code == 201
    assert client.get(url, headers=headers).get_json()[0]["expires_on"] is None
    assert client.delete(f"{url}/fluorescence-microscopy", headers=manager).status_code == 204
    assert client.delete(f"{url}/fluorescence-microscopy", headers=manager).status_code == 404
    assert violations(book(client, headers, microscope, at(3, 10), at(3, 11))) == [
        "certification_required"
    ]


def test_the_certification_of_whom_the_booking_is_for_counts(client: FlaskClient, make: Factory):
    reception = make.headers(make.user("reception"))
    scientist = make.user()
    microscope = make.resource(
        name="Microscope", kind="equipment", rules={"required_certification": "m"}
    )
    on_behalf = book(client, reception, microscope, at(1, 10), at(1, 11), on_behalf_of=scientist.id)
    assert violations(on_behalf) == ["certification_required"]


def _events(app: Flask, booking_id: int) -> list[BookingEvent]:
    with app.app_context():
        return list(
            db.session.scalars(select(BookingEvent).where(BookingEvent.booking_id == booking_id))
        )


def test_approval_makes_a_pending_booking_that_holds_its_time(
    app: Flask, client: FlaskClient, make: Factory
):
    manager_user = make.user("facility_manager")
    manager = make.headers(manager_user)
    member = make.headers(make.user())
    atrium = make.resource(name="Atrium", kind="event_space", rules={"requires_approval": True})
    asked = book(client, member, atrium, at(1, 10), at(1, 12))
    assert asked.status_code == 201 and asked.get_json()["status"] == "pending"
    assert book(client, member, atrium, at(1, 11), at(1, 13)).status_code == 409
    pending_id = asked.get_json()["id"]
    approved = client.post(
        f"/api/v1/bookings/{pending_id}/approve",
        json={"reason": "Catering booked"},
        headers=manager,
    )
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "confirmed"
    assert approved.get_json()["status_reason"] == "Catering booked"
    again = client.post(f"/api/v1/bookings/{pending_id}/approve", json={}, headers=manager)
    assert again.status_code == 409 and again.get_json()["code"] == "not_pending"
    second = book(client, member, atrium, at(2, 10), at(2, 12)).get_json()
    assert (
        client.post(f"/api/v1/bookings/{second['id']}/reject", json={}, headers=manager).status_code
        == 422
    )
    rejected = client.post(
        f"/api/v1/bookings/{second['id']}/reject", json={"reason": "Fire drill"}, headers=manager
    )
    assert rejected.get_json()["status"] == "rejected"
    assert book(client, member, atrium, at(2, 10), at(2, 12)).status_code == 201  # time freed
    assert [e.action for e in _events(app, second["id"])] == ["created", "rejected"]
    assert _events(app, second["id"])[1].changes == {
        "status": ["pending", "rejected"],
        "reason": "Fire drill",
    }
    own = book(client, manager, atrium, at(3, 10), at(3, 12))
    assert own.get_json()["status"] == "confirmed"  # an approver's own booking needs no approval


def test_override_bypasses_rules_but_never_conflicts_and_is_audited(
    app: Flask, client: FlaskClient, make: Factory
):
    manager = make.headers(make.user("facility_manager"))
    member = make.user()
    lab = make.resource(
        name="Lab", kind="lab", rules={"opening_hours": WEEKDAYS_9_TO_5, "max_duration": "PT1H"}
    )
    made = book(
        client, manager, lab, at(5, 10), at(5, 13), override_rules=True, on_behalf_of=member.id
    )
    assert made.status_code == 201
    [event] = _events(app, made.get_json()["id"])
    assert event.changes["overridden"] == ["outside_opening_hours", "too_long"]
    clash = book(client, manager, lab, at(5, 12), at(5, 14), override_rules=True)
    assert clash.status_code == 409


def test_moving_a_booking_is_judged_by_the_rules_again(client: FlaskClient, make: Factory):
    headers = make.headers(make.user())
    lab = make.resource(name="Lab", kind="lab", rules={"opening_hours": WEEKDAYS_9_TO_5})
    made = book(client, headers, lab, at(1, 10), at(1, 11)).get_json()
    moved = client.patch(
        f"/api/v1/bookings/{made['id']}", json={"end": iso(at(1, 18))}, headers=headers
    )
    assert violations(moved) == ["outside_opening_hours"]
    assert (
        client.patch(
            f"/api/v1/bookings/{made['id']}", json={"title": "Renamed"}, headers=headers
        ).status_code
        == 200
    )


def test_the_clock_changes_through_the_api(app: Flask, client: FlaskClient, make: Factory):
    app.config["FIXED_NOW"] = datetime.fromisoformat("2027-03-20T09:00:00+00:00")
    headers = make.headers(make.user())
    lab = make.resource(
        name="Lab",
        kind="lab",
        rules={
            "opening_hours": {d: ["08:00-18:00"] for d in ("fri", "sat", "sun", "mon")},
            "slot": "PT30M",
        },
    )
    # Sunday 28 March 2027: 08:00 BST is 07:00 UTC
    assert (
        book(
            client,
            headers,
            lab,
            datetime.fromisoformat("2027-03-28T08:00"),
            datetime.fromisoformat("2027-03-28T09:30"),
        ).status_code
        == 201
    )
    early = book(
        client,
        headers,
        lab,
        datetime.fromisoformat("2027-03-28T06:30+00:00"),
        datetime.fromisoformat("2027-03-28T07:30+00:00"),
    )
    assert violations(early) == ["outside_opening_hours"]
    free = client.get(
        f"/api/v1/resources/{lab.id}/availability?start=2027-03-28T00:00&end=2027-03-29T00:00",
        headers=headers,
    ).get_json()
    assert free["free"] == [
        {"start": "2027-03-28T09:30:00+01:00", "end": "2027-03-28T18:00:00+01:00"}
    ]
    assert free["busy"] == [
        {"start": "2027-03-28T08:00:00+01:00", "end": "2027-03-28T09:30:00+01:00"}
    ]


def test_search_applies_the_rules_and_every_fit_it_offers_books(client: FlaskClient, make: Factory):
    user = make.user()
    headers = make.headers(user)
    building = make.resource(
        name="HWIC",
        kind="building",
        bookable=False,
        rules={"opening_hours": WEEKDAYS_9_TO_5, "slot": "PT15M", "closed_on_bank_holidays": True},
    )
    labs = [
        make.resource(name=f"Lab {n}", kind="lab", parent_id=building.id, capacity=6, rules=rules)
        for n, rules in enumerate(
            [
                {"buffer_after": "PT30M"},
                {"min_notice": "P7D"},
                {"max_duration": "PT1H"},
                {"required_certification": "cl2"},
                {},
            ]
        )
    ]
    make.booking(labs[0], user, at(1, 9), at(1, 10), occupied_end=at(1, 10, 30))
    make.booking(labs[4], user, at(1, 9), at(1, 9, 45))
    url = "/api/v1/availability?start=2026-12-01T00:00&end=2026-12-05T00:00&duration=PT2H&kind=lab"
    results = client.get(url, headers=headers).get_json()["results"]
    fits = {r["resource"]["name"]: r["first_fit"] for r in results}
    assert fits == {
        "Lab 0": {"start": iso(at(1, 10, 30)), "end": iso(at(1, 12, 30))},
        "Lab 1": {"start": iso(at(1, 9)), "end": iso(at(1, 11))},
        "Lab 4": {"start": iso(at(1, 9, 45)), "end": iso(at(1, 11, 45))},
    }
    assert [r["resource"]["name"] for r in results] == ["Lab 1", "Lab 4", "Lab 0"]
    for match in results:
        body = {"resource_id": match["resource"]["id"], **match["first_fit"], "title": "fit"}
        assert client.post("/api/v1/bookings", json=body, headers=headers).status_code == 201


def test_search_over_the_demo_catalogue_offers_only_bookable_fits(
    app: Flask, client: FlaskClient, make: Factory
):
    from booking.seeding import seed_demo

    with app.app_context():
        seed_demo("test", NOW)
        user = db.session.scalar(select(User).where(User.role == "tenant_member"))
        assert user is not None
        db.session.expunge(user)
    headers = make.headers(user)
    for duration in ("PT30M", "PT2H", "PT8H"):
        window = "start=2026-12-24T00:00&end=2027-01-08T00:00"
        url = f"/api/v1/availability?{window}&duration={duration}&limit=100"
        results = client.get(url, headers=headers).get_json()["results"]
        assert results
        for match in results:
            body = {"resource_id": match["resource"]["id"], **match["first_fit"], "title": "fit"}
            response = client.post("/api/v1/bookings", json=body, headers=headers)
            assert response.status_code == 201, (match, response.get_json())
            # fits may overlap one another (a lab and its bench): free this one again
            client.post(f"/api/v1/bookings/{response.get_json()['id']}/cancel", headers=headers)


def test_the_search_document_is_what_its_schema_describes(app: Flask, make: Factory):
    from booking.schemas.availability import SearchResultSchema, dump_search_result
    from booking.services.catalogue.resources import ResourceFilter
    from booking.services.finding.availability import search_availability
    from rules import Interval

    user = make.user()
    lab = make.resource(name="Lab", kind="lab", capacity=3, features=["fume-hood"])
    make.resource(name="Desk", kind="desk", rules={"opening_hours": WEEKDAYS_9_TO_5})
    make.booking(lab, user, at(1, 9), at(1, 10))
    with app.test_request_context():
        actor = db.session.get(User, user.id)
        window = Interval(at(1, 0), at(3, 0))
        matches = search_availability(actor, window, timedelta(hours=1), ResourceFilter(), NOW)
        assert len(matches) == 2
        assert dump_search_result(matches) == SearchResultSchema().dump({"results": matches})


def test_moving_an_approved_booking_waits_for_approval_again(client: FlaskClient, make: Factory):
    manager = make.headers(make.user("facility_manager"))
    member = make.headers(make.user())
    atrium = make.resource(name="Atrium", kind="event_space", rules={"requires_approval": True})
    made = book(client, member, atrium, at(1, 10), at(1, 12)).get_json()
    client.post(f"/api/v1/bookings/{made['id']}/approve", json={}, headers=manager)
    renamed = client.patch(
        f"/api/v1/bookings/{made['id']}", json={"title": "Launch"}, headers=member
    )
    assert renamed.get_json()["status"] == "confirmed"
    moved = client.patch(
        f"/api/v1/bookings/{made['id']}", json={"end": iso(at(1, 13))}, headers=member
    )
    assert moved.get_json()["status"] == "pending"
    by_manager = client.patch(
        f"/api/v1/bookings/{made['id']}", json={"end": iso(at(1, 14))}, headers=manager
    )
    assert by_manager.get_json()["status"] == "pending"  # an approver's move keeps the status


@pytest.mark.parametrize(
    "rules",
    [
        {"opening_hours": {"mon": ["18:00-08:00"]}},
        {"opening_hours": {"mon": ["08:00"]}},
        {"slot": "P1M"},
        {"quota": [{"scope": "user", "period": "year", "hours": 5}]},
        {"check_in": {"required": True, "grace": "soon"}},
        {"colour": "blue"},
    ],
)
def test_rules_that_mean_nothing_are_refused_with_422(client: FlaskClient, make: Factory, rules):
    manager = make.headers(make.user("facility_manager"))
    room = make.resource(name="Room", kind="room")
    patched = client.patch(f"/api/v1/resources/{room.id}", json={"rules": rules}, headers=manager)
    assert patched.status_code == 422, patched.get_json()
    assert patched.get_json()["errors"]
    assert client.get(f"/api/v1/resources/{room.id}", headers=manager).status_code == 200
