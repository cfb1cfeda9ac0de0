"""Reception's views: occupancy per floor, the day sheet and the roll-call, JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from booking.extensions import db
from tests.conftest import Factory, at, iso


@pytest.fixture
def building(make: Factory):
    """Two floors: a lab with a bench, a meeting room; a pool of 10 hot desks and a desk."""
    site = make.resource(name="HWIC", kind="building", bookable=False)
    ground = make.resource(name="Ground floor", kind="floor", bookable=False, parent_id=site.id)
    first = make.resource(name="First floor", kind="floor", bookable=False, parent_id=site.id)
    lab = make.resource(name="Wet lab", kind="lab", parent_id=ground.id)
    bench = make.resource(name="Bench 1", kind="desk", parent_id=lab.id)
    room = make.resource(name="Meeting room", kind="room", parent_id=ground.id)
    pool = make.resource(name="Hot desks", kind="desk", quantity=10, parent_id=first.id)
    desk = make.resource(name="Desk 1.01", kind="desk", parent_id=first.id)
    return {
        "ground": ground,
        "first": first,
        "lab": lab,
        "bench": bench,
        "room": room,
        "pool": pool,
        "desk": desk,
    }


def floors_of(body: dict) -> dict[str, dict]:
    return {floor["name"]: floor for floor in body["floors"]}


def resources_of(floor: dict) -> dict[str, dict]:
    return {resource["name"]: resource for resource in floor["resources"]}


def test_occupancy_per_floor_and_resource_with_people_present(app, client, make: Factory, building):
    ana = make.user(tenant="Calder Diagnostics")
    ben = make.user(tenant="Pennine Digital Health")
    cara = make.user(tenant="Pennine Digital Health")
    staff = make.headers(make.user("reception"))
    b = building
    make.booking(b["bench"], ana, at(1, 9), at(1, 12), status="checked_in", checked_in_at=at(1, 9))
    make.booking(b["room"], ben, at(1, 10), at(1, 11), attendees=6)  # booked, not yet in
    make.booking(b["room"], ben, at(1, 8), at(1, 9, 30), status="completed")  # gone
    make.booking(
        b["pool"], ana, at(1, 9), at(1, 17), units=1, status="checked_in", checked_in_at=at(1, 9)
    )
    make.booking(
        b["pool"],
        cara,
        at(1, 9),
        at(1, 17),
        units=3,
        attendees=3,
        status="checked_in",
        checked_in_at=at(1, 9),
    )
    make.booking(b["pool"], ben, at(1, 9), at(1, 17), units=2)
    # checked in early, ten minutes before the start: present already
    make.booking(
        b["desk"], ben, at(1, 10, 40), at(1, 12), status="checked_in", checked_in_at=at(1, 10, 30)
    )
    answer = client.get("/api/v1/occupancy", query_string={"at": iso(at(1, 10, 30))}, headers=staff)
    assert answer.status_code == 200
    body = answer.get_json()
    assert datetime.fromisoformat(body["at"]) == at(1, 10, 30)
    floors = floors_of(body)
    assert list(floors) == ["Ground floor", "First floor"]
    ground, first = resources_of(floors["Ground floor"]), resources_of(floors["First floor"])
    assert ground["Bench 1"]["state"] == "checked_in"
    assert ground["Wet lab"]["state"] == "blocked"  # its bench is in use
    assert ground["Wet lab"]["units_free"] == 0
    assert ground["Meeting room"]["state"] == "booked"
    [meeting] = ground["Meeting room"]["bookings"]
    assert meeting["user"]["name"] == ben.name
    assert meeting["tenant"]["name"] == "Pennine Digital Health"
    assert first["Hot desks"]["state"] == "checked_in"
    assert first["Hot desks"]["units_free"] == 4
    assert first["Desk 1.01"]["state"] == "checked_in"
    assert floors["Ground floor"]["counts"] == {"checked_in": 1, "blocked": 1, "booked": 1}
    assert floors["Ground floor"]["people_present"] == 1  # ana at her bench
    assert floors["First floor"]["people_present"] == 1 + 3 + 1  # ana, cara and 2 guests, ben
    assert body["people_present"] == 5  # ana counts once, though in on both floors


def test_occupancy_defaults_to_now_and_shows_a_free_building(app, client, make: Factory, building):
    staff = make.headers(make.user("facility_manager"))
    app.config["FIXED_NOW"] = at(1, 10)
    body = client.get("/api/v1/occupancy", headers=staff).get_json()
    assert datetime.fromisoformat(body["at"]) == at(1, 10)
    assert body["people_present"] == 0
    every = [r for floor in body["floors"] for r in floor["resources"]]
    assert {r["state"] for r in every} == {"free"}
    assert {r["name"]: r["units_free"] for r in every}["Hot desks"] == 10


@pytest.mark.parametrize(
    "path", ["/api/v1/occupancy", "/api/v1/occupancy/day", "/api/v1/occupancy/roll-call"]
)
@pytest.mark.parametrize("role", ["tenant_member", "tenant_admin"])
def test_only_reception_facility_managers_and_admins_see_occupancy(
    client, make: Factory, path, role
):
    answer = client.get(path, headers=make.headers(make.user(role)))
    assert answer.status_code == 403
    assert answer.get_json()["code"] == "forbidden"
    assert client.get(path).status_code == 401


def test_the_day_sheet_groups_the_days_bookings_by_resource(app, client, make: Factory, building):
    ana, ben = make.user(), make.user(tenant="Pennine Digital Health")
    staff = make.headers(make.user("reception"))
    b = building
    made = {
        "lab": make.booking(b["lab"], ana, at(1, 9), at(1, 12), title="Assay run"),
        "room": make.booking(b["room"], ben, at(1, 14), at(1, 15), status="no_show"),
        "pool": make.booking(b["pool"], ben, at(1, 8), at(1, 17), status="checked_in"),
        "overnight": make.booking(b["desk"], ana, at(1, 22), at(2, 2)),
    }
    make.booking(b["room"], ana, at(1, 10), at(1, 11), status="cancelled")
    make.booking(b["room"], ana, at(2, 10), at(2, 11))  # another day
    answer = client.get("/api/v1/occupancy/day", query_string={"date": "2026-12-01"}, headers=staff)
    assert answer.status_code == 200
    sheet = answer.get_json()
    assert sheet["date"] == "2026-12-01"
    names = [r["name"] for r in sheet["resources"]]
    assert names == [
        "Meeting room",
        "Wet lab",
        "Desk 1.01",
        "Hot desks",
    ]  # floors in the catalogue's order (Ground, then First, as on the board), then name
    by_name = {r["name"]: r for r in sheet["resources"]}
    assert [x["id"] for x in by_name["Meeting room"]["bookings"]] == [made["room"].id]
    assert by_name["Wet lab"]["bookings"][0]["title"] == "Assay run"
    assert by_name["Wet lab"]["bookings"][0]["user"]["email"] == ana.email
    assert by_name["Wet lab"]["floor"]["name"] == "Ground floor"
    assert sheet["counts"] == {"confirmed": 2, "no_show": 1, "checked_in": 1}
    cancelled = client.get(
        "/api/v1/occupancy/day",
        query_string={"date": "2026-12-01", "status": "cancelled"},
        headers=staff,
    ).get_json()
    assert cancelled["counts"] == {"cancelled": 1}


def test_the_day_sheet_as_csv_parses_with_the_csv_module(app, client, make: Factory, building):
    ana = make.user()
    staff = make.headers(make.user("reception"))
    b = building
    first = make.booking(b["lab"], ana, at(1, 9), at(1, 12), title='Assay, "run" 2')
    second = make.booking(b["room"], ana, at(1, 14), at(1, 15))
    answer = client.get(
        "/api/v1/occupancy/day",
        query_string={"date": "2026-12-01"},
        headers={**staff, "Accept": "text/csv"},
    )
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert "day-sheet-2026-12-01.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [int(row["booking_id"]) for row in rows] == [
        second.id,
        first.id,
    ]  # Meeting room < Wet lab
    lab_row = rows[1]
    assert lab_row["title"] == 'Assay, "run" 2'
    assert lab_row["floor"] == "Ground floor"
    assert lab_row["resource"] == "Wet lab"
    assert lab_row["email"] == ana.email
    assert lab_row["tenant"] == "Calder Diagnostics"
    assert datetime.fromisoformat(lab_row["start"]) == at(1, 9)
    assert lab_row["status"] == "confirmed"


def test_the_day_is_the_local_day_across_the_clock_change(app, client, make: Factory, building):
    ana = make.user()
    staff = make.headers(make.user("reception"))
    # 29 March 2026: the clocks go forward; the local day is 23 hours, 00:00 GMT to 23:00 UTC
    early = make.booking(building["room"], ana, at(29, 0, 0, month=3), at(29, 0, 30, month=3))
    late = make.booking(building["room"], ana, at(29, 22, 30, month=3), at(29, 23, month=3))
    make.booking(
        building["room"], ana, at(29, 23, month=3), at(29, 23, 30, month=3)
    )  # 30 March 00:00 BST
    sheet = client.get(
        "/api/v1/occupancy/day", query_string={"date": "2026-03-29"}, headers=staff
    ).get_json()
    assert [x["id"] for x in sheet["resources"][0]["bookings"]] == [early.id, late.id]
    assert sheet["start"] == "2026-03-29T00:00:00+00:00"
    assert sheet["end"] == "2026-03-30T00:00:00+01:00"


def test_the_day_sheet_defaults_to_today(app, client, make: Factory, building):
    ana = make.user()
    staff = make.headers(make.user("reception"))
    today = make.booking(building["room"], ana, at(1, 14), at(1, 15))
    app.config["FIXED_NOW"] = at(1, 8)
    sheet = client.get("/api/v1/occupancy/day", headers=staff).get_json()
    assert sheet["date"] == "2026-12-01"
    assert sheet["resources"][0]["bookings"][0]["id"] == today.id


@pytest.mark.parametrize(
    "query", [{"date": "tomorrow"}, {"date": "9999-12-31"}, {"status": "lost"}]
)
def test_bad_day_sheet_queries_are_422(client, make: Factory, query):
    staff = make.headers(make.user("reception"))
    answer = client.get("/api/v1/occupancy/day", query_string=query, headers=staff)
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == set(query)


def test_an_unacceptable_format_is_406(client, make: Factory):
    staff = make.headers(make.user("reception"))
    answer = client.get(
        "/api/v1/occupancy/roll-call", headers={**staff, "Accept": "application/xml"}
    )
    assert answer.status_code == 406
    assert answer.get_json()["code"] == "not_acceptable"
    assert (
        client.get("/api/v1/occupancy", headers={**staff, "Accept": "text/csv"}).status_code == 406
    )


def roll_call(client: FlaskClient, headers, accept: str = "application/json"):
    return client.get("/api/v1/occupancy/roll-call", headers={**headers, "Accept": accept})


def test_the_roll_call_lists_everyone_checked_in_now(app, client, make: Factory, building):
    ana = make.user(tenant="Calder Diagnostics")
    ben = make.user(tenant="Pennine Digital Health")
    cara = make.user(tenant="Pennine Digital Health")
    staff = make.headers(make.user("reception"))
    b = building
    in_lab = make.booking(
        b["bench"], ana, at(1, 9), at(1, 12), status="checked_in", checked_in_at=at(1, 9, 5)
    )
    on_desks = make.booking(
        b["pool"],
        ben,
        at(1, 9),
        at(1, 17),
        attendees=2,
        status="checked_in",
        checked_in_at=at(1, 9),
    )
    make.booking(b["room"], cara, at(1, 10), at(1, 11))  # booked, not checked in
    make.booking(b["desk"], cara, at(1, 8), at(1, 10), status="completed")  # checked out
    app.config["FIXED_NOW"] = at(1, 10, 30)
    body = roll_call(client, staff).get_json()
    assert body["people_present"] == 3
    entries = body["entries"]
    assert [e["booking_id"] for e in entries] == [
        on_desks.id,
        in_lab.id,
    ]  # First floor < Ground floor
    lab = entries[1]
    assert lab["user"] == {"id": ana.id, "name": ana.name, "email": ana.email}
    assert lab["tenant"]["name"] == "Calder Diagnostics"
    assert lab["floor"]["name"] == "Ground floor"
    assert lab["resource"] == {"id": b["bench"].id, "name": "Bench 1"}
    assert datetime.fromisoformat(lab["checked_in_at"]) == at(1, 9, 5)
    assert datetime.fromisoformat(lab["until"]) == at(1, 12)
    text = roll_call(client, staff, "text/csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["name"], r["floor"], r["resource"], r["attendees"]) for r in rows] == [
        (ben.name, "First floor", "Hot desks", "2"),
        (ana.name, "Ground floor", "Bench 1", "1"),
    ]
    # after the lab booking ends only the desks are left, whether or not a job has run
    app.config["FIXED_NOW"] = at(1, 12)
    assert [e["booking_id"] for e in roll_call(client, staff).get_json()["entries"]] == [
        on_desks.id
    ]


@pytest.mark.parametrize(
    "title", ['=HYPERLINK("https://evil.example","Click")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]
)
def test_csv_cells_that_would_be_formulas_are_written_as_text(
    app, client, make: Factory, building, title
):
    ana = make.user()
    make.booking(building["lab"], ana, at(1, 9), at(1, 12), title=title)
    staff = make.headers(make.user("reception"))
    for path in ("/api/v1/occupancy/day?date=2026-12-01", "/api/v1/occupancy/roll-call"):
        answer = client.get(path, headers={**staff, "Accept": "text/csv"})
        body = answer.get_data(as_text=True)
        for row in csv.reader(io.StringIO(body)):
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    day = client.get(
        "/api/v1/occupancy/day?date=2026-12-01", headers={**staff, "Accept": "text/csv"}
    )
    [row] = list(csv.DictReader(io.StringIO(day.get_data(as_text=True))))
    assert row["title"] == "'" + title


def test_what_blocks_a_resource_is_the_same_in_memory_and_in_sql(app, make: Factory) -> None:
    """``Layout.related`` (searches, the board) and ``related_bookings`` (booking, the
    free time of one resource) agree on whose bookings block each resource."""
    from sqlalchemy import select

    from booking.extensions import db
    from booking.models import Booking, Resource
    from booking.services.catalogue import current_catalogue
    from booking.services.core import related_bookings

    floor = make.resource(name="Floor 1", kind="floor", bookable=False)
    lab = make.resource(name="Lab", kind="lab", parent_id=floor.id)
    bench = make.resource(name="Bench A", kind="desk", parent_id=lab.id)
    make.resource(name="Bench B", kind="desk", parent_id=lab.id)
    make.resource(name="Cabinet on A", kind="equipment", parent_id=bench.id)
    bay = make.resource(name="Bay", kind="zone", parent_id=floor.id, bookable=False)
    make.resource(name="Desk in the bay", kind="desk", parent_id=bay.id)
    someone = make.user()
    with app.app_context():
        resources = list(db.session.scalars(select(Resource)))
    for resource in resources:
        if resource.bookable:
            make.booking(resource, someone, at(3, 10), at(3, 11))
    with app.app_context():
        layout = current_catalogue().layout
        for resource in db.session.scalars(select(Resource)):
            in_sql = set(
                db.session.scalars(select(Booking.resource_id).where(related_bookings(resource)))
            )
            booked = {rid for rid in layout.related(resource.id) if layout.places[rid].bookable}
            assert in_sql == booked, resource.name


def test_the_answers_are_what_their_declared_schemas_dump(app, make: Factory, building):
    """The reception answers are written straight from the services' values (orjson, for
    speed); each is what its documented schema makes of the same value, nulls and all."""
    import orjson

    from booking.models import User
    from booking.schemas.occupancy import DaySheetSchema, OccupancySchema, RollCallSchema
    from booking.services import reception

    ana = make.user(tenant="Calder Diagnostics")
    staff = make.user("reception")  # no tenant: a null tenant in the answers
    b = building
    make.booking(b["bench"], ana, at(1, 9), at(1, 12), status="checked_in", checked_in_at=at(1, 9))
    make.booking(b["room"], staff, at(1, 10), at(1, 11), attendees=6)
    make.booking(b["pool"], ana, at(1, 8), at(1, 9, 30), status="completed",
                 checked_in_at=at(1, 8), checked_out_at=at(1, 9, 30))  # fmt: skip
    summer = make.booking(
        b["desk"], ana, at(1, 9, month=6, year=2027), at(1, 10, month=6, year=2027)
    )
    with app.app_context():
        caller = db.session.get(User, staff.id)
        seen = reception.occupancy(caller, at(1, 10, 30))
        assert orjson.loads(orjson.dumps(seen)) == OccupancySchema().dump(seen)
        sheet = reception.day_sheet(caller, at(1, 0).date())
        assert sum(len(r.bookings) for r in sheet.resources) == 3
        assert orjson.loads(orjson.dumps(sheet)) == DaySheetSchema().dump(sheet)
        roll = reception.roll_call(caller, at(1, 10, 30))
        assert len(roll.entries) == 1
        assert orjson.loads(orjson.dumps(roll)) == RollCallSchema().dump(roll)
        june = reception.day_sheet(caller, summer.start.date())  # BST: +01:00
        [desk] = orjson.loads(orjson.dumps(june))["resources"]
        assert desk["bookings"][0]["start"] == "2027-06-01T10:00:00+01:00"
