"""Recurring bookings through the API: create, skip or fail on clashes, edit, cancel, add back."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import BookingEvent
from tests.conftest import Factory

LONDON = ZoneInfo("Europe/London")
#: Tuesdays at 09:00-12:00 local time from 16 March 2027, across the change to BST on 28 March.
FIRST = {"start": "2027-03-16T09:00", "end": "2027-03-16T12:00"}
TUESDAYS = ["2027-03-16", "2027-03-23", "2027-03-30", "2027-04-06", "2027-04-13", "2027-04-20"]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(LONDON)


@pytest.fixture
def lab(make: Factory):
    return make.resource(name="Wet Lab 1.10", kind="lab", capacity=8)


@pytest.fixture
def member(make: Factory):
    return make.user()


def create(client: FlaskClient, headers, resource_id: int, **extra):
    body = {
        "resource_id": resource_id,
        **FIRST,
        "title": "Cell culture",
        "rule": "FREQ=WEEKLY;COUNT=6",
        **extra,
    }
    return client.post("/api/v1/series", json=body, headers=headers)


def test_weekly_series_keeps_local_time_across_the_clock_change(client, make, lab, member):
    response = create(
        client, make.headers(member), lab.id, rule="RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=6"
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/series/{body['id']}")
    assert body["rule"] == "FREQ=WEEKLY;BYDAY=TU;COUNT=6"
    assert body["skipped"] == []
    starts = [local(b["start"]) for b in body["bookings"]]
    assert [s.date().isoformat() for s in starts] == TUESDAYS
    assert all((s.hour, s.minute) == (9, 0) for s in starts)
    assert [local(b["end"]).hour for b in body["bookings"]] == [12] * 6
    # the instants move by an hour when the clocks do
    utc_hours = [datetime.fromisoformat(b["start"]).astimezone(UTC).hour for b in body["bookings"]]
    assert utc_hours == [9, 9, 8, 8, 8, 8]
    assert {b["series_id"] for b in body["bookings"]} == {body["id"]}
    assert all(b["recurrence_id"] == b["start"] for b in body["bookings"])


def test_fail_refuses_the_whole_series_listing_every_clash(client, make, lab, member):
    other = make.user(tenant="Pennine Digital Health")
    taken = [datetime(2027, 3, 23, 10, tzinfo=UTC), datetime(2027, 4, 13, 8, tzinfo=UTC)]
    for start in taken:
        make.booking(lab, other, start, start.replace(hour=start.hour + 1))
    response = create(client, make.headers(member), lab.id)
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["code"] == "series_conflict"
    refused = [local(o["start"]).date().isoformat() for o in problem["occurrences"]]
    assert refused == ["2027-03-23", "2027-04-13"]
    assert all(o["conflicts"] for o in problem["occurrences"])
    # busy time only: nothing about whose booking it is (another's is never one's own)
    assert set(problem["conflicts"][0]) == {"resource_id", "start", "end", "yours"}
    assert not any(c["yours"] for c in problem["conflicts"])
    listed = client.get("/api/v1/bookings", headers=make.headers(member)).get_json()
    assert listed == []


def test_skip_books_the_free_dates_and_says_why_each_other_was_skipped(client, make, lab, member):
    make.booking(
        lab, make.user(), datetime(2027, 3, 30, 8, tzinfo=UTC), datetime(2027, 3, 30, 9, tzinfo=UTC)
    )
    headers = make.headers(member)
    response = create(client, headers, lab.id, on_conflict="skip")
    assert response.status_code == 201
    body = response.get_json()
    assert len(body["bookings"]) == 5
    assert [local(s["start"]).date().isoformat() for s in body["skipped"]] == ["2027-03-30"]
    assert body["skipped"][0]["conflicts"]
    shown = client.get(f"/api/v1/series/{body['id']}", headers=headers).get_json()
    assert [(local(m["start"]).date().isoformat(), m["reason"]) for m in shown["missing"]] == [
        ("2027-03-30", "skipped")
    ]


def test_occurrences_the_rules_refuse_are_listed_with_their_violations(client, make, member):
    lab = make.resource(name="Lab", kind="lab", rules={"opening_hours": {"tue": ["08:00-18:00"]}})
    staff = make.headers(make.user("facility_manager"))
    closure = {
        "resource_id": lab.id,
        "start": "2027-04-06T00:00",
        "end": "2027-04-07T00:00",
        "reason": "Deep clean",
    }
    assert client.post("/api/v1/closures", json=closure, headers=staff).status_code == 201
    headers = make.headers(member)
    refused = create(client, headers, lab.id)
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["code"] == "series_rule_violation"
    assert [v["code"] for v in problem["occurrences"][0]["violations"]] == ["closed"]
    assert "Deep clean" in problem["occurrences"][0]["violations"][0]["message"]
    skipped = create(client, headers, lab.id, on_conflict="skip").get_json()
    assert [v["code"] for v in skipped["skipped"][0]["violations"]] == ["closed"]
    assert len(skipped["bookings"]) == 5


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=WEEKLY", "COUNT or UNTIL"),
        ("FREQ=WEEKLY;COUNT=100000", "COUNT must be"),
        ("FREQ=SECONDLY;COUNT=3", "FREQ must be"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=3", "not a valid RRULE"),
        ("FREQ=WEEKLY;BYDAY=WE;COUNT=3", "first occurrence"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", "no occurrence"),
        ("FREQ=WEEKLY;COUNT=40", "latest start"),
        ("FREQ=WEEKLY;UNTIL=20280101T000000Z", "latest start"),
        ("NOT A RULE", "not a part"),
    ],
)
def test_unbounded_huge_or_malformed_rules_are_422_naming_the_bound(
    client, make, member, rule, message
):
    lab = make.resource(name="Lab", kind="lab", rules={"max_advance": "P180D"})
    response = create(client, make.headers(member), lab.id, rule=rule)
    assert response.status_code == 422
    assert message in response.get_json()["errors"]["rule"][0]


def test_exdates_leave_dates_out_and_a_left_out_date_can_be_added_back(client, make, lab, member):
    headers = make.headers(member)
    response = create(client, headers, lab.id, exdates=["2027-03-23", "2027-04-06T09:00"])
    body = response.get_json()
    assert response.status_code == 201
    assert [local(b["start"]).date().isoformat() for b in body["bookings"]] == [
        "2027-03-16",
        "2027-03-30",
        "2027-04-13",
        "2027-04-20",
    ]
    missing = [(local(m["start"]).date().isoformat(), m["reason"]) for m in body["missing"]]
    assert missing == [("2027-03-23", "excluded"), ("2027-04-06", "excluded")]
    added = client.post(
        f"/api/v1/series/{body['id']}/occurrences",
        json={"start": "2027-04-06T09:00"},
        headers=headers,
    )
    assert added.status_code == 201
    assert added.get_json()["series_id"] == body["id"]
    assert local(added.get_json()["recurrence_id"]).hour == 9
    shown = client.get(f"/api/v1/series/{body['id']}", headers=headers).get_json()
    assert [local(m["start"]).date().isoformat() for m in shown["missing"]] == ["2027-03-23"]
    assert len(shown["exdates"]) == 1


def test_one_occurrence_moved_stays_an_exception_of_the_series(client, make, lab, member):
    headers = make.headers(member)
    body = create(client, headers, lab.id).get_json()
    third = body["bookings"][2]
    moved = client.patch(
        f"/api/v1/bookings/{third['id']}",
        json={"start": "2027-03-31T13:00", "end": "2027-03-31T16:00"},
        headers=headers,
    )
    assert moved.status_code == 200
    assert moved.get_json()["series_id"] == body["id"]
    assert moved.get_json()["recurrence_id"] == third["recurrence_id"]
    cancelled = client.post(f"/api/v1/bookings/{body['bookings'][4]['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200
    shown = client.get(f"/api/v1/series/{body['id']}", headers=headers).get_json()
    assert [(local(m["start"]).date().isoformat(), m["reason"]) for m in shown["missing"]] == [
        ("2027-04-13", "cancelled")
    ]


def test_edit_following_moves_only_those_keeping_local_time(client, make, lab, member):
    headers = make.headers(member)
    body = create(client, headers, lab.id).get_json()
    anchor = body["bookings"][1]  # 23 March, GMT
    response = client.patch(
        f"/api/v1/series/{body['id']}",
        json={
            "scope": "following",
            "from": anchor["id"],
            "start": "2027-03-23T10:00",
            "end": "2027-03-23T12:30",
            "title": "Later culture",
        },
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    bookings = response.get_json()["bookings"]
    times = [
        (local(b["start"]).strftime("%H:%M"), local(b["end"]).strftime("%H:%M")) for b in bookings
    ]
    assert times == [("09:00", "12:00")] + [("10:00", "12:30")] * 5
    assert [b["title"] for b in bookings] == ["Cell culture"] + ["Later culture"] * 5
    with client.application.app_context():
        events = db.session.scalars(
            select(BookingEvent).where(BookingEvent.action == "updated")
        ).all()
    assert len(events) == 5 and all(e.changes["scope"] == "following" for e in events)


def test_edit_all_that_would_clash_changes_nothing_and_lists_the_clashes(client, make, lab, member):
    headers = make.headers(member)
    body = create(client, headers, lab.id).get_json()
    other = make.user(tenant="Pennine Digital Health")
    theirs = make.booking(
        lab, other, datetime(2027, 4, 6, 12, tzinfo=UTC), datetime(2027, 4, 6, 13, tzinfo=UTC)
    )
    response = client.patch(
        f"/api/v1/series/{body['id']}",
        json={"scope": "all", "start": "2027-03-16T11:00", "end": "2027-03-16T14:00"},
        headers=headers,
    )
    assert response.status_code == 409
    problem = response.get_json()
    assert [local(o["start"]).date().isoformat() for o in problem["occurrences"]] == ["2027-04-06"]
    shown = client.get(f"/api/v1/series/{body['id']}", headers=headers).get_json()
    assert [local(b["start"]).hour for b in shown["bookings"]] == [9] * 6
    staff = make.headers(make.user("reception"))
    untouched = client.get(f"/api/v1/bookings/{theirs.id}", headers=staff).get_json()
    assert untouched["status"] == "confirmed" and local(untouched["start"]).hour == 13


def test_cancel_following_then_add_a_cancelled_date_back(client, make, lab, member):
    headers = make.headers(member)
    body = create(client, headers, lab.id).get_json()
    response = client.post(
        f"/api/v1/series/{body['id']}/cancel",
        json={"from": body["bookings"][3]["id"]},
        headers=headers,
    )
    assert response.status_code == 200
    statuses = [b["status"] for b in response.get_json()["bookings"]]
    assert statuses == ["confirmed"] * 3 + ["cancelled"] * 3
    again = client.post(
        f"/api/v1/series/{body['id']}/occurrences",
        json={"start": "2027-04-13T09:00"},
        headers=headers,
    )
    assert again.status_code == 201
    twice = client.post(
        f"/api/v1/series/{body['id']}/occurrences",
        json={"start": "2027-04-13T09:00"},
        headers=headers,
    )
    assert twice.status_code == 422
    assert "booked already" in twice.get_json()["errors"]["start"][0]
    not_a_date = client.post(
        f"/api/v1/series/{body['id']}/occurrences",
        json={"start": "2027-04-14T09:00"},
        headers=headers,
    )
    assert not_a_date.status_code == 422
    everything = client.post(f"/api/v1/series/{body['id']}/cancel", json={}, headers=headers)
    assert {b["status"] for b in everything.get_json()["bookings"]} == {"cancelled"}


def test_adding_back_a_date_someone_else_took_is_a_409(client, make, lab, member):
    headers = make.headers(member)
    body = create(client, headers, lab.id).get_json()
    client.post(f"/api/v1/bookings/{body['bookings'][0]['id']}/cancel", headers=headers)
    make.booking(
        lab,
        make.user(),
        datetime(2027, 3, 16, 11, tzinfo=UTC),
        datetime(2027, 3, 16, 12, tzinfo=UTC),
    )
    response = client.post(
        f"/api/v1/series/{body['id']}/occurrences",
        json={"start": "2027-03-16T09:00"},
        headers=headers,
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "booking_conflict"


def test_another_tenant_cannot_see_or_change_a_series(client, make, lab, member):
    body = create(client, make.headers(member), lab.id).get_json()
    stranger = make.headers(make.user(tenant="Pennine Digital Health"))
    assert client.get(f"/api/v1/series/{body['id']}", headers=stranger).status_code == 404
    assert (
        client.post(f"/api/v1/series/{body['id']}/cancel", json={}, headers=stranger).status_code
        == 404
    )
    admin = make.headers(make.user("tenant_admin"))  # same tenant as the member
    assert client.get(f"/api/v1/series/{body['id']}", headers=admin).status_code == 200


def test_following_needs_from_and_all_refuses_it(client, make, lab, member):
    headers = make.headers(member)
    body = create(client, headers, lab.id).get_json()
    url = f"/api/v1/series/{body['id']}"
    assert (
        client.patch(url, json={"scope": "following", "title": "x"}, headers=headers).status_code
        == 422
    )
    wrong = {"scope": "all", "from": body["bookings"][1]["id"], "title": "x"}
    assert client.patch(url, json=wrong, headers=headers).status_code == 422
    assert client.patch(url, json={"scope": "sometimes"}, headers=headers).status_code == 422


def test_edit_all_moves_every_occurrence_still_to_come_and_renames_the_series(
    client, make, lab, member
):
    headers = make.headers(member)
    body = create(client, headers, lab.id).get_json()
    response = client.patch(
        f"/api/v1/series/{body['id']}",
        json={
            "scope": "all",
            "start": "2027-03-16T13:00",
            "end": "2027-03-16T15:00",
            "title": "PM",
        },
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert shown["title"] == "PM"
    times = {(local(b["start"]).hour, local(b["end"]).hour) for b in shown["bookings"]}
    assert times == {(13, 15)}
    assert [b["recurrence_id"] for b in shown["bookings"]] == [
        b["recurrence_id"] for b in body["bookings"]
    ]
