"""The catalogue in the pages: adding a resource in the tree, changing it, moving it
(refused with the clash when bookings would overlap), retiring it."""

from __future__ import annotations

from flask import Flask

from booking.extensions import db
from booking.models import Resource
from tests.booking.test_booking_pages import flashed_after, signed_in
from tests.conftest import Factory, at


def test_a_facility_manager_adds_changes_moves_and_retires_resources(app: Flask, make: Factory):
    floor = make.resource(name="First floor", kind="floor", bookable=False)
    lab = make.resource(name="Lab", kind="lab", parent_id=floor.id)
    staff = signed_in(app, make.user("facility_manager"))
    tree = staff.get("/staff/resources").get_data(as_text=True)
    assert "Add a resource" in tree and 'class="depth-1"' in tree
    bad = staff.post("/staff/resources", data={"name": "", "kind": "desk", "quantity": "0"})
    assert bad.status_code == 422 and 'id="name-error"' in bad.get_data(as_text=True)
    added = staff.post(
        "/staff/resources",
        data={
            "name": "Bench C",
            "kind": "desk",
            "parent_id": str(lab.id),
            "capacity": "2",
            "quantity": "1",
            "features": "lab-bench, sink",
            "bookable": "yes",
        },
    )
    assert flashed_after(staff, added) == "Added Bench C."
    with app.app_context():
        bench = db.session.scalar(db.select(Resource).where(Resource.name == "Bench C"))
        assert bench.parent_id == lab.id and bench.features == ["lab-bench", "sink"]
        bench_id = bench.id
    form = staff.get(f"/staff/resources/{bench_id}/edit").get_data(as_text=True)
    assert 'value="lab-bench, sink"' in form
    whole_room = make.resource(name="Whole room", kind="room", parent_id=floor.id)
    member = make.user()
    make.booking(whole_room, member, at(2, 9), at(2, 11))
    make.booking(db_resource(app, bench_id), member, at(2, 10), at(2, 12))
    moved = staff.post(
        f"/staff/resources/{bench_id}/edit",
        data={
            "name": "Bench C",
            "parent_id": str(whole_room.id),
            "quantity": "1",
            "bookable": "yes",
        },
    )
    assert moved.status_code == 409
    said = moved.get_data(as_text=True)
    assert "Nothing was changed." in said and "Whole room is booked" in said
    retired = staff.post(
        f"/staff/resources/{bench_id}/edit",
        data={
            "name": "Bench C (old)",
            "parent_id": str(lab.id),
            "quantity": "1",
            "bookable": "no",
            "features": "lab-bench",
        },
    )
    assert flashed_after(staff, retired) == "Saved Bench C (old)."
    with app.app_context():
        bench = db.session.get(Resource, bench_id)
        assert not bench.bookable and bench.name == "Bench C (old)"
    refused = signed_in(app, member).post(
        f"/book/{bench_id}",
        data={"title": "x", "date": "2026-12-03", "start": "10:00", "end": "11:00"},
    )
    assert refused.status_code in (409, 422)
    assert staff.get("/staff/resources/999999/edit").status_code == 404
    reception = signed_in(app, make.user("reception"))
    assert "Add a resource" not in reception.get("/staff/resources").get_data(as_text=True)
    assert reception.get(f"/staff/resources/{bench_id}/edit").status_code == 403


def db_resource(app: Flask, resource_id: int) -> Resource:
    with app.app_context():
        found = db.session.get(Resource, resource_id)
        db.session.expunge(found)
        return found
