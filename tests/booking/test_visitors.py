"""Visitors: pre-registered by their hosts, signed in and out at reception, the host told
by e-mail, on the roll-call and the day sheet, and erased after ``keep_days``."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.jobs import run_job
from booking.models import Notification, Visitor
from tests.booking.mail import MailSink, app_with_mail, mail_sink  # noqa: F401 - fixtures
from tests.booking.test_displays import csrf_off, moment, signed_in
from tests.conftest import Factory, at, iso


@pytest.fixture
def cast(make: Factory) -> dict[str, Any]:
    """A host and a colleague of tenant A, someone of tenant B, and reception."""
    people = {
        "host": make.user("tenant_member", "Calder Diagnostics"),
        "colleague": make.user("tenant_admin", "Calder Diagnostics"),
        "stranger": make.user("tenant_member", "Pennine Digital Health"),
        "desk": make.user("reception", None),
    }
    return {name: (user, make.headers(user)) for name, user in people.items()}


def expect(client: FlaskClient, headers: dict[str, str], **extra: Any) -> Any:
    body = {"name": "Dr Amira Shah", "organisation": "Leeds Teaching Hospitals",
            "expected_at": iso(at(1, 10)), **extra}  # fmt: skip
    return client.post("/api/v1/visitors", json=body, headers=headers)


def test_a_host_tells_reception_and_only_their_tenant_sees_it(
    client: FlaskClient, cast: dict[str, Any]
) -> None:
    host, mine = cast["host"]
    made = expect(client, mine)
    assert made.status_code == 201, made.get_json()
    shown = made.get_json()
    assert (shown["status"], shown["host_id"], shown["name"]) == (
        "expected",
        host.id,
        "Dr Amira Shah",
    )
    assert made.headers["Location"].endswith(f"/api/v1/visitors/{shown['id']}")
    _, colleague = cast["colleague"]
    _, stranger = cast["stranger"]
    _, desk = cast["desk"]
    for who, sees in ((mine, True), (colleague, True), (desk, True), (stranger, False)):
        listed = client.get("/api/v1/visitors", headers=who).get_json()
        assert (shown["id"] in [v["id"] for v in listed]) is sees
        one = client.get(f"/api/v1/visitors/{shown['id']}", headers=who)
        assert one.status_code == (200 if sees else 404)


def test_whom_one_may_register_visitors_for(client: FlaskClient, cast: dict[str, Any]) -> None:
    host, mine = cast["host"]
    colleague, _ = cast["colleague"]
    stranger, strangers = cast["stranger"]
    _, desk = cast["desk"]
    assert expect(client, mine, host_id=colleague.id).status_code == 201
    refused = expect(client, mine, host_id=stranger.id)
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    assert expect(client, mine, host_id=999_999).status_code == 403  # no leak of who exists
    assert expect(client, desk, host_id=stranger.id).status_code == 201
    unknown = expect(client, desk, host_id=999_999)
    assert unknown.status_code == 422 and "host_id" in unknown.get_json()["errors"]
    walk_in = expect(client, strangers, arrive=True)
    assert walk_in.status_code == 403
    late = expect(client, mine, leaves_at=iso(at(1, 9)))
    assert late.status_code == 422 and "leaves_at" in late.get_json()["errors"]


def test_arrival_tells_the_host_by_email(
    app: Flask, client: FlaskClient, cast: dict[str, Any], sink: MailSink
) -> None:
    host, mine = cast["host"]
    _, desk = cast["desk"]
    visitor = expect(client, mine).get_json()
    assert client.post(f"/api/v1/visitors/{visitor['id']}/arrive", headers=mine).status_code == 403
    moment(app, at(1, 9, 55))
    arrived = client.post(f"/api/v1/visitors/{visitor['id']}/arrive", headers=desk)
    assert arrived.status_code == 200, arrived.get_json()
    assert arrived.get_json()["status"] == "arrived"
    assert arrived.get_json()["arrived_at"].startswith("2026-12-01T09:55")
    run_job(app, "send-notifications", at(1, 9, 56))
    told = [m for m in sink.received if m["To"].endswith(host.email)]
    assert len(told) == 1
    assert told[0]["Subject"] == "Your visitor is here: Dr Amira Shah (Leeds Teaching Hospitals)"
    text = told[0].get_body(("plain",)).get_content()
    assert "Your visitor has signed in at reception." in text
    assert "https://book.hwic.example/visitors" in text
    again = client.post(f"/api/v1/visitors/{visitor['id']}/arrive", headers=desk)
    assert again.status_code == 409 and again.get_json()["code"] == "visitor_arrived"


def test_a_host_who_hears_nothing_of_visitors_is_not_written_to(
    app: Flask, client: FlaskClient, cast: dict[str, Any]
) -> None:
    _, mine = cast["host"]
    _, desk = cast["desk"]
    off = client.patch("/api/v1/me/preferences", json={"visitors": False}, headers=mine)
    assert off.status_code == 200, off.get_json()
    visitor = expect(client, mine).get_json()
    client.post(f"/api/v1/visitors/{visitor['id']}/arrive", headers=desk)
    with app.app_context():
        kinds = db.session.scalars(select(Notification.kind)).all()
    assert "visitor_arrived" not in kinds


def test_signing_out_and_cancelling_follow_the_visit(
    client: FlaskClient, cast: dict[str, Any]
) -> None:
    _, mine = cast["host"]
    _, desk = cast["desk"]
    first = expect(client, mine).get_json()
    second = expect(client, mine, name="Mr Tom Reid").get_json()
    gone = client.post(f"/api/v1/visitors/{first['id']}/leave", headers=desk)
    assert gone.status_code == 409 and gone.get_json()["code"] == "visitor_not_in"
    client.post(f"/api/v1/visitors/{first['id']}/arrive", headers=desk)
    left = client.post(f"/api/v1/visitors/{first['id']}/leave", headers=desk)
    assert left.status_code == 200 and left.get_json()["status"] == "left"
    late = client.post(f"/api/v1/visitors/{first['id']}/cancel", headers=mine)
    assert late.status_code == 409 and late.get_json()["code"] == "visitor_left"
    off = client.post(f"/api/v1/visitors/{second['id']}/cancel", headers=mine)
    assert off.status_code == 200 and off.get_json()["status"] == "cancelled"
    assert client.post(f"/api/v1/visitors/{second['id']}/arrive", headers=desk).status_code == 409


def test_a_lab_that_asks_for_a_briefing_gets_one_before_sign_in(
    client: FlaskClient, make: Factory, cast: dict[str, Any]
) -> None:
    host, mine = cast["host"]
    _, desk = cast["desk"]
    lab = make.resource(name="Wet Lab 1.10", kind="lab", rules={"visitor_briefing": True})
    booking = make.booking(lab, host, at(1, 10), at(1, 12))
    visitor = expect(client, mine, booking_id=booking.id).get_json()
    refused = client.post(f"/api/v1/visitors/{visitor['id']}/arrive", headers=desk)
    assert refused.status_code == 409 and refused.get_json()["code"] == "briefing_required"
    assert "Wet Lab 1.10" in refused.get_json()["detail"]
    briefed = client.post(f"/api/v1/visitors/{visitor['id']}/arrive", json={"briefed": True},
                          headers=desk)  # fmt: skip
    assert briefed.status_code == 200 and briefed.get_json()["briefed_at"] is not None
    rules = client.get(f"/api/v1/resources/{lab.id}", headers=desk).get_json()
    assert rules["effective_rules"]["visitor_briefing"]["value"] is True


def test_someone_elses_booking_cannot_be_named(
    client: FlaskClient, make: Factory, cast: dict[str, Any]
) -> None:
    stranger, _ = cast["stranger"]
    _, mine = cast["host"]
    theirs = make.booking(make.resource(), stranger, at(1, 10), at(1, 11))
    refused = expect(client, mine, booking_id=theirs.id)
    assert refused.status_code == 422 and "booking_id" in refused.get_json()["errors"]


def test_visitors_present_are_on_the_roll_call_with_their_host(
    app: Flask, client: FlaskClient, cast: dict[str, Any]
) -> None:
    host, mine = cast["host"]
    _, desk = cast["desk"]
    visitor = expect(client, mine, leaves_at=iso(at(1, 12))).get_json()
    expect(client, mine, name="Not yet here")
    client.post(f"/api/v1/visitors/{visitor['id']}/arrive", headers=desk)
    moment(app, at(1, 10, 30))
    roll = client.get("/api/v1/occupancy/roll-call", headers=desk).get_json()
    entries = [e for e in roll["entries"] if e["visitor"]]
    assert [e["user"]["name"] for e in entries] == ["Dr Amira Shah"]
    assert entries[0]["host"]["name"] == host.name and entries[0]["until"].startswith(
        "2026-12-01T12:00"
    )
    assert roll["people_present"] == 1
    as_csv = client.get("/api/v1/occupancy/roll-call", headers={**desk, "Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert rows[0]["visitor"] == "yes" and rows[0]["host"] == host.name
    assert rows[0]["organisation"] == "Leeds Teaching Hospitals"
    sheet = client.get("/api/v1/occupancy/day?date=2026-12-01", headers=desk).get_json()
    assert {v["name"] for v in sheet["visitors"]} == {"Dr Amira Shah", "Not yet here"}


def test_a_walk_in_is_signed_in_at_once(
    app: Flask, client: FlaskClient, cast: dict[str, Any]
) -> None:
    host, _ = cast["host"]
    _, desk = cast["desk"]
    moment(app, at(1, 11, 7))
    made = expect(client, desk, host_id=host.id, arrive=True, expected_at=iso(at(1, 11, 7)))
    assert made.status_code == 201 and made.get_json()["status"] == "arrived"
    with app.app_context():
        told = db.session.scalars(select(Notification).where(Notification.user_id == host.id))
        assert [n.kind for n in told] == ["visitor_arrived"]


def test_personal_details_are_erased_after_keep_days_and_the_visit_still_counts(
    app: Flask, client: FlaskClient, cast: dict[str, Any]
) -> None:
    _, mine = cast["host"]
    _, desk = cast["desk"]
    visitor = expect(client, mine, email="amira@example.test").get_json()
    recent = expect(client, mine, name="Recent", expected_at=iso(at(20, 10))).get_json()
    moment(app, at(1, 10))
    client.post(f"/api/v1/visitors/{visitor['id']}/arrive", headers=desk)
    moment(app, at(1, 11))
    client.post(f"/api/v1/visitors/{visitor['id']}/leave", headers=desk)
    assert run_job(app, "purge-visitors", at(1, 11) + timedelta(days=30)) == []
    erased = run_job(app, "purge-visitors", at(1, 11) + timedelta(days=30, minutes=1))
    assert erased == [visitor["id"]]
    with app.app_context():
        row = db.session.get(Visitor, visitor["id"])
        assert (row.name, row.email, row.organisation) == ("(erased)", None, None)
        assert db.session.get(Visitor, recent["id"]).name == "Recent"
    assert run_job(app, "purge-visitors", at(1, 12) + timedelta(days=31)) == []  # once
    counts = client.get("/api/v1/visitors/counts?from=2026-12-01&to=2026-12-31", headers=desk)
    assert counts.get_json() == [{"tenant": "Calder Diagnostics", "month": "2026-12", "visits": 1}]


def test_keep_days_is_a_setting(tmp_path: Any) -> None:
    from booking.config import ConfigError, read_file

    good = tmp_path / "good.toml"
    good.write_text("[visitors]\nkeep_days = 7\n")
    assert read_file(good)["VISITORS_KEEP_DAYS"] == 7
    bad = tmp_path / "bad.toml"
    bad.write_text('[visitors]\nkeep_days = "a week"\n')
    with pytest.raises(ConfigError):
        read_file(bad)


# --- pages --------------------------------------------------------------------------------


def test_a_tenant_tells_reception_of_several_visitors_from_a_booking(
    app: Flask, make: Factory, cast: dict[str, Any]
) -> None:
    csrf_off(app)
    host, _ = cast["host"]
    room = make.resource(name="Meeting room 2")
    booking = make.booking(room, host, at(1, 14), at(1, 15), title="Investor meeting")
    page = signed_in(app, host)
    form = page.get(f"/visitors?booking_id={booking.id}").get_data(as_text=True)
    assert "Investor meeting" in form and 'value="14:00"' in form
    sent = page.post("/visitors", data={
        "names": "Dr Amira Shah, Leeds Teaching Hospitals\n\nTom Reid\n",
        "date": "2026-12-01", "time": "14:00", "until": "15:00", "booking_id": str(booking.id),
    }, follow_redirects=True)  # fmt: skip
    body = sent.get_data(as_text=True)
    assert "Reception expects 2 visitors" in body
    with app.app_context():
        made = db.session.scalars(select(Visitor).order_by(Visitor.id)).all()
        assert [(v.name, v.organisation, v.booking_id) for v in made] == [
            ("Dr Amira Shah", "Leeds Teaching Hospitals", booking.id),
            ("Tom Reid", None, booking.id),
        ]
    assert re.search(r"V\d+-[A-Z2-7]{6}", body)  # each visitor's code, to send them
    shown = page.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "Dr Amira Shah" in shown and "Tom Reid" in shown


def test_the_visitor_form_keeps_what_was_typed_when_it_refuses(
    app: Flask, cast: dict[str, Any]
) -> None:
    csrf_off(app)
    host, _ = cast["host"]
    page = signed_in(app, host)
    refused = page.post("/visitors", data={"names": "Ann\nBen", "email": "ann@example.test",
                                           "date": "2026-12-01", "time": "10:00"})  # fmt: skip
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "goes with one visitor" in body
    assert "Ann\nBen" in body and 'aria-invalid="true"' in body
    skipped = page.post("/visitors", data={"names": "Ann", "date": "2027-03-28", "time": "01:30"})
    assert skipped.status_code == 422  # 01:30 does not happen that night


def test_reception_signs_visitors_in_and_out_and_prints_a_badge(
    app: Flask, client: FlaskClient, make: Factory, cast: dict[str, Any]
) -> None:
    csrf_off(app)
    host, mine = cast["host"]
    desk_user, _ = cast["desk"]
    lab = make.resource(name="Wet Lab 1.10", kind="lab", rules={"visitor_briefing": True})
    booking = make.booking(lab, host, at(1, 10), at(1, 12))
    visitor = expect(client, mine, booking_id=booking.id).get_json()
    moment(app, at(1, 9, 50))
    desk = signed_in(app, desk_user)
    listed = desk.get("/reception/visitors?q=amira").get_data(as_text=True)
    assert "Dr Amira Shah" in listed and "Briefed on Wet Lab 1.10" in listed
    refused = desk.post(f"/reception/visitors/{visitor['id']}/arrive", follow_redirects=True)
    assert "safety briefing" in refused.get_data(as_text=True)
    done = desk.post(f"/reception/visitors/{visitor['id']}/arrive", data={"briefed": "yes"},
                     follow_redirects=True)  # fmt: skip
    assert "signed in; their host has been told" in done.get_data(as_text=True)
    badge = desk.get(f"/reception/visitors/{visitor['id']}/badge").get_data(as_text=True)
    for shown in (
        "Dr Amira Shah",
        "Leeds Teaching Hospitals",
        host.name,
        "Tuesday 1 December 2026",
    ):
        assert shown in badge
    board = desk.get("/reception").get_data(as_text=True)
    assert "Visitors: 1 in the building, 0 still expected today" in board
    desk.post(f"/reception/visitors/{visitor['id']}/leave")
    with app.app_context():
        assert db.session.get(Visitor, visitor["id"]).status == "left"


def test_a_walk_in_visitor_takes_two_clicks(app: Flask, cast: dict[str, Any]) -> None:
    csrf_off(app)
    host, _ = cast["host"]
    desk_user, _ = cast["desk"]
    desk = signed_in(app, desk_user)
    walk_in = {"name": "Sam Patel", "organisation": "NHS England", "host_id": host.id}
    done = desk.post("/reception/visitors/walk-in", data=walk_in)
    assert done.status_code == 302 and "/badge" in done.headers["Location"]
    with app.app_context():
        made = db.session.scalars(select(Visitor)).one()
        assert (made.status, made.host_id, made.organisation) == ("arrived", host.id, "NHS England")


def test_the_kiosk_signs_a_visitor_in_by_their_code(
    app: Flask, client: FlaskClient, cast: dict[str, Any]
) -> None:
    csrf_off(app)
    _, mine = cast["host"]
    desk_user, _ = cast["desk"]
    visitor = expect(client, mine).get_json()
    from booking.services import displays

    with app.app_context():
        code = displays.visitor_code(visitor["id"])
        assert displays.read_code(code) == ("V", visitor["id"])
    done = signed_in(app, desk_user).post("/reception/kiosk", data={"code": code})
    assert done.status_code == 200 and "Signed in:" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Visitor, visitor["id"]).status == "arrived"


ROLES = ("admin", "facility_manager", "reception", "tenant_admin", "tenant_member")
PAGES: dict[str, dict[str, int]] = {
    "/visitors": dict.fromkeys(ROLES, 200),
    "/reception/visitors": {**dict.fromkeys(ROLES, 200), "tenant_admin": 403, "tenant_member": 403},
}
PAGE_CASES = [(page, role) for page in PAGES for role in ROLES]


@pytest.mark.parametrize(("page", "role"), PAGE_CASES, ids=[f"{p}-{r}" for p, r in PAGE_CASES])
def test_who_may_open_each_visitor_page(app: Flask, make: Factory, page: str, role: str) -> None:
    tenant = None if role in ("admin", "facility_manager", "reception") else "Calder Diagnostics"
    assert signed_in(app, make.user(role, tenant)).get(page).status_code == PAGES[page][role]


def test_a_tenants_visitor_list_holds_no_one_elses_visitors(
    app: Flask, client: FlaskClient, cast: dict[str, Any]
) -> None:
    _, mine = cast["host"]
    stranger, _ = cast["stranger"]
    expect(client, mine, name="Secret Guest")
    page = signed_in(app, stranger).get("/visitors").get_data(as_text=True)
    assert "Secret Guest" not in page
