"""Displays by the rooms, the page a resource's QR code opens, labels and the kiosk."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from booking.errors import InvalidFieldsError
from booking.extensions import close_databases, db
from booking.models import Booking, Display, User
from booking.services import displays
from tests.conftest import Factory, at, iso


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"], session["version"] = user.id, 0
    return client


def csrf_off(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = False


def register(client: FlaskClient, make: Factory, resource_id: int) -> dict[str, Any]:
    manager = make.headers(make.user("facility_manager", None))
    made = client.post(
        "/api/v1/displays", json={"resource_id": resource_id, "name": "Door"}, headers=manager
    )
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


QUARTERS = {"slot": "PT15M"}


def moment(app: Flask, when: datetime) -> None:
    app.config["FIXED_NOW"] = when


# --- displays -------------------------------------------------------------------------


def test_a_display_shows_holders_and_times_never_titles_or_people(
    app: Flask, client: FlaskClient, make: Factory
) -> None:
    room = make.resource(name="Meeting room 2")
    owner = make.user("tenant_member", "Calder Diagnostics")
    make.booking(room, owner, at(1, 10), at(1, 11), title="Secret merger talks")
    staff = make.user("reception", None)
    make.booking(room, staff, at(1, 14), at(1, 15), title="Fire drill briefing")
    shown = register(client, make, room.id)
    assert shown["url"].startswith("http") and "/d/" in shown["url"]
    moment(app, at(1, 10, 20))
    page = app.test_client().get(path_of(shown["url"]))  # no sign-in
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Calder Diagnostics" in body and "IN USE" in body and "until 11:00" in body
    assert "Health and Wellbeing Innovation Centre" in body  # the staff booking's holder
    assert "14:00–15:00" in body
    for private in ("Secret merger", "Fire drill", owner.name, owner.email, staff.name):
        assert private not in body


def test_the_secret_is_kept_only_as_a_digest(app: Flask, client: FlaskClient, make: Factory):
    room = make.resource()
    shown = register(client, make, room.id)
    secret = shown["url"].rsplit("/", 1)[1]
    assert len(secret) >= 32  # 192 bits, URL-safe
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM displays")).all()
    assert secret not in repr(rows)


def test_an_unchanged_day_is_a_304_and_any_change_a_new_etag(
    app: Flask, client: FlaskClient, make: Factory
) -> None:
    room = make.resource()
    owner = make.user()
    live = path_of(register(client, make, room.id)["url"]) + "/live"
    moment(app, at(1, 9))
    first = client.get(live)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "FREE" in first.get_data(as_text=True)
    again = client.get(live, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    make.booking(room, owner, at(1, 9), at(1, 10), updated_at=at(1, 9))
    changed = client.get(live, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "IN USE" in changed.get_data(as_text=True)
    etag = changed.headers["ETag"]
    moment(app, at(1, 9, 1))  # the clock moves: what is "now" may have
    assert client.get(live, headers={"If-None-Match": etag}).status_code == 200


def test_a_booking_elsewhere_leaves_a_display_as_it_is(
    app: Flask, client: FlaskClient, make: Factory
) -> None:
    floor = make.resource(name="Floor", kind="floor", bookable=False)
    room = make.resource(parent_id=floor.id)
    next_door = make.resource(parent_id=floor.id)
    live = path_of(register(client, make, room.id)["url"]) + "/live"
    etag = client.get(live).headers["ETag"]
    make.booking(next_door, make.user(), at(1, 9), at(1, 10), updated_at=at(1, 9))
    assert client.get(live, headers={"If-None-Match": etag}).status_code == 304
    make.booking(floor, make.user(), at(2, 9), at(2, 10), updated_at=at(1, 9))  # all of it
    assert client.get(live, headers={"If-None-Match": etag}).status_code == 200


def test_bookings_over_before_today_are_not_read_for_a_poll(
    app: Flask, client: FlaskClient, make: Factory
) -> None:
    room = make.resource()
    owner = make.user()
    yesterday = make.booking(room, owner, at(1, 9), at(1, 10), updated_at=at(1, 9))
    live = path_of(register(client, make, room.id)["url"]) + "/live"
    moment(app, at(2, 9))
    etag = client.get(live).headers["ETag"]
    with app.app_context():  # a late change to what is over leaves the display as it is
        db.session.execute(
            update(Booking).where(Booking.id == yesterday.id).values(updated_at=at(2, 9))
        )
        db.session.commit()
    assert client.get(live, headers={"If-None-Match": etag}).status_code == 304
    make.booking(room, owner, at(3, 9), at(3, 10), updated_at=at(2, 9))  # tomorrow's counts
    assert client.get(live, headers={"If-None-Match": etag}).status_code == 200


def test_a_booking_moved_to_another_room_changes_the_display(
    app: Flask, client: FlaskClient, make: Factory
) -> None:
    room, other = make.resource(), make.resource()
    moved = make.booking(room, make.user(), at(1, 11), at(1, 12), updated_at=at(1, 8))
    make.booking(room, make.user(), at(1, 14), at(1, 15), updated_at=at(1, 8, 30))  # stays
    live = path_of(register(client, make, room.id)["url"]) + "/live"
    moment(app, at(1, 9))
    etag = client.get(live).headers["ETag"]
    with app.app_context():  # its stamp no later than before: only the number shows it
        db.session.execute(
            update(Booking).where(Booking.id == moved.id).values(resource_id=other.id)
        )
        db.session.commit()
    assert client.get(live, headers={"If-None-Match": etag}).status_code == 200


def test_polls_read_alone_and_on_postgresql_plan_once(app: Flask) -> None:
    from booking.database import POLLS
    from booking.services.core import read_alone

    with app.app_context():
        with read_alone() as connection:
            assert connection.engine.url == db.engine.url
            assert connection.exec_driver_sql("SELECT count(*) FROM displays").scalar() == 0
            driver: Any = connection.connection.driver_connection
            if connection.dialect.name == "sqlite":
                assert not driver.in_transaction  # no BEGIN was sent
            else:
                assert driver.info.transaction_status.name == "IDLE"
                mode = connection.exec_driver_sql("SHOW plan_cache_mode").scalar()
                assert mode == "force_generic_plan"
        if db.engine.dialect.name == "postgresql":  # nothing else is held to one plan
            assert POLLS in db.engines
            assert db.session.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
        else:
            assert POLLS not in db.engines  # SQLite: one engine (a memory one is unshared)


def test_a_display_follows_its_resource_when_it_moves(
    app: Flask, client: FlaskClient, make: Factory
) -> None:
    first, second = make.resource(kind="lab"), make.resource(kind="lab")
    bench = make.resource(kind="desk", parent_id=first.id)
    live = path_of(register(client, make, bench.id)["url"]) + "/live"
    client.get(live)  # its place is known to this process now
    manager = make.headers(make.user("facility_manager", None))
    moment(app, at(1, 8))  # later than the catalogue was made
    moved = client.patch(f"/api/v1/resources/{bench.id}", json={"parent_id": second.id},
                         headers=manager)  # fmt: skip
    assert moved.status_code == 200, moved.get_json()
    etag = client.get(live).headers["ETag"]
    make.booking(second, make.user(), at(1, 9), at(1, 10), updated_at=at(1, 9))  # its new lab
    assert client.get(live, headers={"If-None-Match": etag}).status_code == 200


def test_the_etag_is_the_same_after_a_restart(app: Flask, client: FlaskClient, make: Factory):
    room = make.resource()
    live = path_of(register(client, make, room.id)["url"]) + "/live"
    etag = client.get(live).headers["ETag"]
    from tests.conftest import app_for

    restarted = app_for(app.config["DATABASE_URL"])
    with restarted.test_client() as other:
        assert other.get(live, headers={"If-None-Match": etag}).status_code == 304
    with restarted.app_context():
        close_databases()


def test_a_revoked_display_is_closed_for_good(app: Flask, client: FlaskClient, make: Factory):
    room = make.resource()
    shown = register(client, make, room.id)
    manager = make.headers(make.user("facility_manager", None))
    listed = client.get("/api/v1/displays", headers=manager).get_json()
    assert [d["id"] for d in listed] == [shown["id"]] and "url" not in listed[0]
    assert client.get(path_of(shown["url"]) + "/live").status_code == 200  # known now
    assert client.delete(f"/api/v1/displays/{shown['id']}", headers=manager).status_code == 204
    assert client.delete(f"/api/v1/displays/{shown['id']}", headers=manager).status_code == 204
    assert client.get(path_of(shown["url"])).status_code == 404
    assert client.get(path_of(shown["url"]) + "/live").status_code == 404
    assert client.get("/d/not-a-secret").status_code == 404
    listed = client.get("/api/v1/displays", headers=manager).get_json()
    assert listed[0]["revoked_at"] is not None


def policy(answer) -> dict[str, str]:
    """The Content-Security-Policy's directives: name -> sources."""
    directives = answer.headers["Content-Security-Policy"].split(";")
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in directives if part.strip())


def test_only_display_pages_may_be_framed(app: Flask, client: FlaskClient, make: Factory):
    room = make.resource()
    display = path_of(register(client, make, room.id)["url"])
    framed = client.get(display)
    assert policy(framed)["frame-ancestors"] == "*"
    assert policy(framed)["script-src"] == "'self'"  # the display's script is a file too
    assert framed.headers["Referrer-Policy"] == "no-referrer"
    app.config["DISPLAYS_FRAME_ANCESTORS"] = "https://signage.example"
    live = client.get(display + "/live")
    assert policy(live)["frame-ancestors"] == "https://signage.example"
    for elsewhere in ("/sign-in", "/healthz", "/api/v1/resources", f"/r/{room.id}"):
        answer = client.get(elsewhere)
        assert policy(answer)["frame-ancestors"] == "'none'", elsewhere
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_display_counts_a_whole_lab_booked_and_names_the_part_booked(
    app: Flask, client: FlaskClient, make: Factory
) -> None:
    lab = make.resource(name="Wet lab 1", kind="lab")
    bench = make.resource(name="Bench 3", kind="desk", parent_id=lab.id)
    owner = make.user("tenant_member", "Calder Diagnostics")
    make.booking(lab, owner, at(1, 9), at(1, 10))
    make.booking(bench, owner, at(1, 11), at(1, 12))
    moment(app, at(1, 9, 30))
    with app.app_context():
        bench_day = displays.day_of(bench.id, at(1, 9, 30))
        lab_day = displays.day_of(lab.id, at(1, 11, 30))
    assert bench_day.state == "busy" and bench_day.busy_until is not None
    assert bench_day.busy_until.hour == 10
    assert [s.part for s in bench_day.slots] == [None, None]  # its lab's and its own
    assert lab_day.state == "partly" and lab_day.current[0].part == "Bench 3"


def test_a_pool_is_busy_only_when_every_unit_is_taken(app: Flask, make: Factory) -> None:
    desks = make.resource(name="Hot desks", kind="desk", quantity=2)
    owner = make.user()
    make.booking(desks, owner, at(1, 9), at(1, 12), exclusive=False)
    with app.app_context():
        assert displays.day_of(desks.id, at(1, 10)).state == "partly"
    make.booking(desks, owner, at(1, 9), at(1, 11), exclusive=False)
    with app.app_context():
        day = displays.day_of(desks.id, at(1, 10))
        assert day.state == "busy" and day.busy_until == at(1, 11)


def test_a_display_day_is_the_local_day_on_the_clock_change(app: Flask, make: Factory) -> None:
    room = make.resource()
    owner = make.user()
    # Sunday 28 March 2027: the clocks go forward at 01:00 GMT; 23:30 GMT on the 27th is
    # still the 27th, 23:30 UTC on the 28th is 00:30 BST on the 29th
    make.booking(room, owner, at(27, 23, 30, month=3, year=2027), at(28, 0, 0, month=3, year=2027))
    make.booking(room, owner, at(28, 9, month=3, year=2027), at(28, 10, month=3, year=2027))
    make.booking(room, owner, at(28, 23, 30, month=3, year=2027), at(29, 0, month=3, year=2027))
    with app.app_context():
        day = displays.day_of(room.id, at(28, 8, month=3, year=2027))
    assert [(s.start.strftime("%H:%M"), s.end.strftime("%H:%M")) for s in day.slots] == [
        ("10:00", "11:00")
    ]


# --- the resource's own page (its QR code) ------------------------------------------------


def test_not_signed_in_the_code_leads_to_sign_in_and_back(app: Flask, make: Factory):
    room = make.resource()
    answer = app.test_client().get(f"/r/{room.id}")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/sign-in?next=/r/{room.id}")


def test_ones_booking_due_there_is_checked_in_from_the_page(app: Flask, make: Factory):
    csrf_off(app)
    room = make.resource(name="Meeting room 2")
    owner = make.user()
    mine = make.booking(room, owner, at(1, 10), at(1, 11), title="Stand-up")
    moment(app, at(1, 9, 50))
    client = signed_in(app, owner)
    page = client.get(f"/r/{room.id}").get_data(as_text=True)
    assert "Your booking" in page and "Check in" in page and "Book it now" not in page
    done = client.post(f"/r/{room.id}/check-in", data={"booking_id": mine.id})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Booking, mine.id).status == "checked_in"
    page = client.get(f"/r/{room.id}").get_data(as_text=True)
    assert "You are checked in" in page and "Check out now" in page


def offered(client: FlaskClient, resource_id: int) -> list[str]:
    page = client.get(f"/r/{resource_id}").get_data(as_text=True)
    return re.findall(r'name="end" value="[^"]+"[^>]*>([^<]+)<', page)


def test_the_times_offered_stop_at_the_next_booking(app: Flask, make: Factory):
    room = make.resource(rules=QUARTERS)
    owner, other = make.user(), make.user()
    make.booking(room, other, at(1, 10), at(1, 11))
    moment(app, at(1, 9, 20))  # the slot under way began at 09:15
    client = signed_in(app, owner)
    assert offered(client, room.id) == [
        "15 minutes, until 09:30",
        "30 minutes, until 09:45",
        "Until 10:00, its next booking",
    ]


def test_late_in_the_day_only_what_the_opening_hours_allow_is_offered(
    app: Flask, make: Factory
) -> None:
    hours = {"opening_hours": {day: ["08:00-17:00"] for day in ("mon", "tue", "wed")}}
    room = make.resource(rules={**hours, **QUARTERS})
    owner = make.user()
    moment(app, at(1, 16, 50))  # Tuesday, 16:50 GMT
    client = signed_in(app, owner)
    assert offered(client, room.id) == ["15 minutes, until 17:00"]
    moment(app, at(1, 17, 5))
    page = client.get(f"/r/{room.id}").get_data(as_text=True)
    why = re.search(r'class="problem">([^<]+)<', page)
    assert "Not bookable now" in page and why is not None
    assert "17:00" in why.group(1) and not re.search(r"\bPT\d", why.group(1)), why.group(1)


def test_booking_at_the_door_is_checked_in_at_once(app: Flask, make: Factory) -> None:
    csrf_off(app)
    room = make.resource(rules=QUARTERS)
    owner = make.user()
    moment(app, at(1, 9, 20))
    client = signed_in(app, owner)
    end = iso(at(1, 9, 45))
    assert client.post(f"/r/{room.id}/book", data={"end": end}).status_code == 302
    with app.app_context():
        made = db.session.scalars(select(Booking).where(Booking.resource_id == room.id)).one()
        assert (made.status, made.start, made.end) == ("checked_in", at(1, 9, 15), at(1, 9, 45))
        assert made.user_id == owner.id
    # the same time again is refused in words, nothing lost
    again = client.post(f"/r/{room.id}/book", data={"end": end}, follow_redirects=True)
    assert "Not booked:" in again.get_data(as_text=True)
    nonsense = client.post(f"/r/{room.id}/book", data={"end": "soon"}, follow_redirects=True)
    assert "Choose how long for." in nonsense.get_data(as_text=True)


def test_the_api_walk_in_stays_receptions(app: Flask, client: FlaskClient, make: Factory):
    room = make.resource()
    member = make.headers(make.user())
    moment(app, at(1, 9, 20))
    walk_in = {"resource_id": room.id, "end": iso(at(1, 10)), "title": "x", "check_in": True}
    assert client.post("/api/v1/bookings", json=walk_in, headers=member).status_code == 403


def test_a_resource_needing_training_says_so_at_the_door(app: Flask, make: Factory) -> None:
    needs = {"required_certification": "confocal"}
    scope = make.resource(name="Confocal", kind="equipment", rules=needs)
    moment(app, at(1, 9, 20))
    page = signed_in(app, make.user()).get(f"/r/{scope.id}").get_data(as_text=True)
    assert "Not bookable now" in page and "confocal" in page.lower()


def test_a_resource_needing_approval_is_not_booked_at_the_door(app: Flask, make: Factory):
    lab = make.resource(kind="lab", rules={"requires_approval": True})
    moment(app, at(1, 9, 20))
    page = signed_in(app, make.user()).get(f"/r/{lab.id}").get_data(as_text=True)
    assert "need approval" in page


def test_the_times_offered_read_right_on_the_clock_change(app: Flask, make: Factory) -> None:
    room = make.resource(rules=QUARTERS)
    moment(app, at(28, 0, 50, month=3, year=2027))  # 00:50 GMT; at 01:00 it is 02:00 BST
    assert offered(signed_in(app, make.user()), room.id) == [
        "15 minutes, until 02:00",  # 01:00 GMT is 02:00 BST
        "30 minutes, until 02:15",
        "60 minutes, until 02:45",
    ]


def test_an_unknown_resource_is_a_404_page(app: Flask, make: Factory) -> None:
    answer = signed_in(app, make.user()).get("/r/999999")
    assert answer.status_code == 404 and answer.content_type.startswith("text/html")


# --- codes --------------------------------------------------------------------------------


def test_a_check_in_code_is_hard_to_guess_and_easy_to_type(app: Flask) -> None:
    with app.app_context():
        code = displays.check_in_code(42)
        assert re.fullmatch(r"B42-[A-Z2-7]{6}", code)
        assert displays.booking_of_code(f"  {code.lower()} ") == 42
        assert displays.booking_of_code(f"https://x/k?c={code}") == 42
        for wrong in ("B43" + code[3:], "B42-AAAAAA", "", "\x00", "B" + "9" * 40 + "-AAAAAA"):
            with pytest.raises(InvalidFieldsError) as refused:
                displays.booking_of_code(wrong)
            assert "not a check-in code" in refused.value.extra["errors"]["code"][0]


def test_the_kiosk_checks_a_booking_in_by_its_code(app: Flask, make: Factory) -> None:
    csrf_off(app)
    room = make.resource()
    owner = make.user()
    booking = make.booking(room, owner, at(1, 10), at(1, 11), title="Investor visit")
    with app.app_context():
        code = displays.check_in_code(booking.id)
    desk = signed_in(app, make.user("reception", None))
    moment(app, at(1, 9))
    early = desk.post("/reception/kiosk", data={"code": code})
    assert early.status_code == 409 and "Check-in opens at" in early.get_data(as_text=True)
    moment(app, at(1, 9, 55))
    wrong = desk.post("/reception/kiosk", data={"code": "B1-AAAAAA"})
    assert wrong.status_code == 422 and "not a check-in code" in wrong.get_data(as_text=True)
    done = desk.post("/reception/kiosk", data={"code": code})
    assert done.status_code == 200 and "Checked in:" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Booking, booking.id).status == "checked_in"


def test_the_booking_page_shows_its_check_in_code(app: Flask, make: Factory) -> None:
    room = make.resource()
    owner = make.user()
    booking = make.booking(room, owner, at(1, 10), at(1, 11))
    page = signed_in(app, owner).get(f"/bookings/{booking.id}").get_data(as_text=True)
    with app.app_context():
        assert displays.check_in_code(booking.id) in page
    assert "<svg" in page


def test_a_resource_qr_code_is_svg_of_its_page(app: Flask, client: FlaskClient, make: Factory):
    room = make.resource()
    desk = make.headers(make.user("reception", None))
    answer = client.get(f"/api/v1/resources/{room.id}/qr.svg", headers=desk)
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.get_data(as_text=True).lstrip().startswith("<?xml")
    assert client.get("/api/v1/resources/999999/qr.svg", headers=desk).status_code == 404


def test_the_label_sheet_holds_each_bookable_resource_under_a_floor(app: Flask, make: Factory):
    floor = make.resource(name="First floor", kind="floor", bookable=False)
    rooms = [make.resource(name=f"Room 1.0{n}", parent_id=floor.id) for n in range(3)]
    make.resource(name="Elsewhere")
    page = signed_in(app, make.user("reception", None)).get(f"/staff/labels?under={floor.id}")
    body = page.get_data(as_text=True).split('<ul class="labels">', 1)[1]
    assert page.status_code == 200 and body.count('class="qr"') == 3
    assert all(room.name in body for room in rooms) and "Elsewhere" not in body
    assert f"/r/{rooms[0].id}" in body


# --- who may do what ----------------------------------------------------------------------

ROLES = ("admin", "facility_manager", "reception", "tenant_admin", "tenant_member")
PAGES: dict[str, dict[str, int]] = {
    "/r/{room}": dict.fromkeys(ROLES, 200),
    "/staff/displays": {**dict.fromkeys(ROLES, 403), "admin": 200, "facility_manager": 200},
    "/staff/labels": {
        **dict.fromkeys(ROLES, 200),
        "tenant_admin": 403,
        "tenant_member": 403,
    },  # fmt: skip
    "/reception/kiosk": {
        **dict.fromkeys(ROLES, 200),
        "tenant_admin": 403,
        "tenant_member": 403,
    },  # fmt: skip
}
PAGE_CASES = [(page, role) for page in PAGES for role in ROLES]


@pytest.mark.parametrize(("page", "role"), PAGE_CASES, ids=[f"{p}-{r}" for p, r in PAGE_CASES])
def test_who_may_open_each_page(app: Flask, make: Factory, page: str, role: str) -> None:
    room = make.resource()
    tenant = None if role in ("admin", "facility_manager", "reception") else "Calder Diagnostics"
    client = signed_in(app, make.user(role, tenant))
    assert client.get(page.format(room=room.id)).status_code == PAGES[page][role]


def test_a_display_is_registered_and_switched_off_from_its_page(app: Flask, make: Factory):
    csrf_off(app)
    room = make.resource(name="Meeting room 2")
    client = signed_in(app, make.user("facility_manager", None))
    made = client.post("/staff/displays", data={"name": "By the door", "resource_id": room.id})
    body = made.get_data(as_text=True)
    url = re.search(r'id="display-url"[^>]*value="([^"]+)"', body)
    assert made.status_code == 200 and url is not None
    assert app.test_client().get(path_of(url.group(1))).status_code == 200
    with app.app_context():
        display_id = db.session.scalars(select(Display.id)).one()
    client.post(f"/staff/displays/{display_id}/revoke")
    assert app.test_client().get(path_of(url.group(1))).status_code == 404
    nameless = client.post("/staff/displays", data={"name": "", "resource_id": room.id})
    assert nameless.status_code == 302
