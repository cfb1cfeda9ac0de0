"""Importing closure days from an .ics file: expanded, idempotent, and telling who is hit."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import Factory, at

UNIVERSITY = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//University of Huddersfield//Closures//EN",
        "BEGIN:VEVENT",
        "UID:christmas-2026@hud.example",
        "DTSTAMP:20260901T000000Z",
        "DTSTART;VALUE=DATE:20261224",
        "DTEND;VALUE=DATE:20270102",
        "SUMMARY:Christmas closure\\, all buildings",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:fire-drill@hud.example",
        "DTSTAMP:20260901T000000Z",
        "DTSTART;TZID=Europe/London:20261202T140000",
        "DTEND;TZID=Europe/London:20261202T150000",
        "RRULE:FREQ=MONTHLY;BYDAY=1WE;COUNT=8",
        "EXDATE;TZID=Europe/London:20270106T140000",
        "SUMMARY:Fire drill",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:called-off@hud.example",
        "DTSTAMP:20260901T000000Z",
        "DTSTART;VALUE=DATE:20261210",
        "STATUS:CANCELLED",
        "SUMMARY:Called off",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)


def post(client, headers, calendar: str, resource_id: int | None = None):
    return client.post(
        "/api/v1/closures/import",
        json={"calendar": calendar, "resource_id": resource_id},
        headers=headers,
    )


def test_import_expands_recurrences_and_lists_bookings_inside(app, client, make: Factory):
    room = make.resource(kind="room")
    user = make.user()
    hit = make.booking(room, user, at(2, 14, 30), at(2, 15))  # during the first fire drill
    make.booking(room, user, at(2, 15), at(2, 16))  # just after: not hit
    staff = make.headers(make.user("facility_manager"))
    answer = post(client, staff, UNIVERSITY)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    created = sorted((datetime.fromisoformat(c["start"]), c["reason"]) for c in body["created"])
    assert created[0] == (at(2, 14), "Fire drill")
    christmas = [c for c in body["created"] if c["reason"] == "Christmas closure, all buildings"]
    assert [
        (datetime.fromisoformat(c["start"]), datetime.fromisoformat(c["end"])) for c in christmas
    ] == [(at(24, 0), at(2, 0, month=1, year=2027))]
    drills = [start for start, reason in created if reason == "Fire drill"]
    assert len(drills) == 7  # eight first Wednesdays, less the excluded one
    # local 14:00 on each: BST from April, so 13:00 UTC
    assert datetime(2027, 4, 7, 13, tzinfo=drills[0].tzinfo) in drills
    assert all(c["resource_id"] is None for c in body["created"])
    assert [b["id"] for b in body["affected_bookings"]] == [hit.id]
    # the closures are in force: a booking on a drill is refused
    member = make.headers(user)
    refused = client.post(
        "/api/v1/bookings",
        json={
            "resource_id": room.id,
            "start": "2027-02-03T14:00",
            "end": "2027-02-03T14:30",
            "title": "T",
        },
        headers=member,
    )
    assert refused.status_code == 422
    assert [v["code"] for v in refused.get_json()["violations"]] == ["closed"]


def test_importing_the_same_file_again_changes_nothing(app, client, make: Factory):
    staff = make.headers(make.user("facility_manager"))
    first = post(client, staff, UNIVERSITY).get_json()
    again = post(client, staff, UNIVERSITY).get_json()
    assert again["created"] == [] and again["updated"] == []
    assert sorted(c["id"] for c in again["unchanged"]) == sorted(c["id"] for c in first["created"])
    listed = client.get("/api/v1/closures", headers=staff).get_json()
    assert len(listed) == len(first["created"])
    moved = UNIVERSITY.replace("DTEND;VALUE=DATE:20270102", "DTEND;VALUE=DATE:20270104")
    third = post(client, staff, moved).get_json()
    assert [c["reason"] for c in third["updated"]] == ["Christmas closure, all buildings"]
    assert len(client.get("/api/v1/closures", headers=staff).get_json()) == len(listed)


def test_import_for_one_resource_is_kept_apart_from_the_site(app, client, make: Factory):
    lab = make.resource(kind="lab")
    staff = make.headers(make.user("admin"))
    site = post(client, staff, UNIVERSITY).get_json()
    for_lab = post(client, staff, UNIVERSITY, lab.id).get_json()
    assert len(for_lab["created"]) == len(site["created"])
    assert {c["resource_id"] for c in for_lab["created"]} == {lab.id}


@pytest.mark.parametrize(
    "calendar",
    ["not a calendar", "BEGIN:VEVENT\r\nEND:VEVENT\r\n", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"],
)
def test_a_file_that_cannot_be_read_is_a_422_on_calendar(client, make: Factory, calendar):
    staff = make.headers(make.user("facility_manager"))
    answer = post(client, staff, calendar)
    assert answer.status_code == 422
    assert "calendar" in answer.get_json()["errors"]


def test_only_facility_managers_and_admins_import(client, make: Factory):
    for role in ("reception", "tenant_admin"):
        answer = post(client, make.headers(make.user(role)), UNIVERSITY)
        assert answer.status_code == 403
    missing = post(client, make.headers(make.user("admin")), UNIVERSITY, 999_999)
    assert missing.status_code == 422 and "resource_id" in missing.get_json()["errors"]


def one_event(*lines: str) -> str:
    return "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", "BEGIN:VEVENT",
         "UID:x@t", "DTSTAMP:20260901T000000Z", "SUMMARY:Drill", *lines,
         "END:VEVENT", "END:VCALENDAR", ""]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        (["DTEND:20261202T150000Z"], "no start"),
        (
            ["DTSTART:20200101T000000Z", "DTEND:20200101T000001Z", "RRULE:FREQ=SECONDLY"],
            "repeats too often",
        ),
        (
            ["DTSTART:20200101T000000Z", "DTEND:20200101T000100Z", "RRULE:FREQ=MINUTELY"],
            "repeats too often",
        ),
        (
            ["DTSTART:20261202T140000Z", "DTEND:20261202T150000Z", "RRULE:FREQ=DAILY;INTERVAL=0"],
            "INTERVAL",
        ),
        (
            ["DTSTART:20261202T140000Z", "DTEND:20261202T150000Z", "RRULE:FREQ=YEARLY;BYMONTH=13"],
            "BYMONTH",
        ),
    ],  # fmt: skip
    ids=["no-dtstart", "secondly", "minutely", "interval-0", "bymonth-13"],
)
def test_a_file_whose_events_cannot_be_expanded_safely_is_a_422_at_once(
    client, make: Factory, lines, said
):
    staff = make.headers(make.user("facility_manager"))
    answer = post(client, staff, one_event(*lines))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert said in " ".join(answer.get_json()["errors"]["calendar"])
