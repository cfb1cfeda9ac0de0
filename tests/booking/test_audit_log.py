"""The audit log, in the API and on its page: who changed which booking, what changed, and
the filters by booking, resource, person and period."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.booking.test_booking_pages import signed_in
from tests.conftest import Factory, at, iso


def _changes(client: FlaskClient, make: Factory):
    room, lab = make.resource(name="Room"), make.resource(name="Lab", kind="lab")
    ana, ben = make.user(), make.user()
    reception = make.user("reception")
    made = {}
    for who, resource, hour in ((ana, room, 9), (ben, lab, 11)):
        answer = client.post("/api/v1/bookings", headers=make.headers(who), json={
            "resource_id": resource.id, "start": iso(at(2, hour)), "end": iso(at(2, hour + 1)),
            "title": f"Meeting {hour}"})  # fmt: skip
        assert answer.status_code == 201
        made[who.id] = answer.get_json()["id"]
    moved = client.patch(f"/api/v1/bookings/{made[ana.id]}", headers=make.headers(reception),
                         json={"end": iso(at(2, 10, 30))})  # fmt: skip
    assert moved.status_code == 200
    return room, lab, ana, ben, reception, made


def test_the_log_says_who_changed_what_and_filters(client: FlaskClient, make: Factory):
    room, lab, ana, ben, reception, made = _changes(client, make)
    manager = make.headers(make.user("facility_manager"))
    everything = client.get("/api/v1/audit", headers=manager).get_json()
    assert [e["action"] for e in everything] == ["updated", "created", "created"]
    change = everything[0]
    assert change["actor_name"] == reception.name and change["booking_id"] == made[ana.id]
    assert change["resource_name"] == "Room"
    assert change["changes"]["end"][1].startswith("2026-12-02T10:30")
    by_resource = client.get(f"/api/v1/audit?resource_id={lab.id}", headers=manager).get_json()
    assert [e["booking_id"] for e in by_resource] == [made[ben.id]]
    by_actor = client.get(f"/api/v1/audit?actor_id={ana.id}", headers=manager).get_json()
    assert [(e["action"], e["actor_id"]) for e in by_actor] == [("created", ana.id)]
    by_booking = client.get(f"/api/v1/audit?booking_id={made[ana.id]}", headers=manager)
    assert len(by_booking.get_json()) == 2
    later = client.get("/api/v1/audit?from=2030-01-01T00:00", headers=manager).get_json()
    assert later == []
    bad = client.get("/api/v1/audit?booking_id=nope&from=yesterday", headers=manager)
    assert bad.status_code == 422 and bad.is_json


def test_the_page_shows_the_log_in_words_with_its_filters(
    app: Flask, client: FlaskClient, make: Factory
):
    room, lab, ana, ben, reception, made = _changes(client, make)
    page_client = signed_in(app, make.user("facility_manager"))
    page = page_client.get("/staff/audit").get_data(as_text=True)
    assert "Audit log" in page and reception.name in page and "Meeting 9" in page
    assert "end: " in page and "→" in page
    only_lab = page_client.get(f"/staff/audit?resource_id={lab.id}").get_data(as_text=True)
    assert "Meeting 11" in only_lab and "Meeting 9" not in only_lab
    none = page_client.get("/staff/audit?from=2030-01-01&to=2030-01-02").get_data(as_text=True)
    assert "No change matches." in none
    odd = page_client.get("/staff/audit?booking_id=x&from=nonsense&actor_id=-4")
    assert odd.status_code == 200
