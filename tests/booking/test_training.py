"""Training: a member refused for want of a certification asks for it from the booking
form, the facility managers are told and see it, and recording the certification answers
it; certifications running out within 30 days are listed."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from booking.extensions import db
from booking.models import Notification
from tests.booking.test_booking_pages import flashed_after, signed_in
from tests.conftest import Factory


def _told(app: Flask) -> list[str]:
    with app.app_context():
        sent = db.session.scalars(
            select(Notification).where(Notification.kind == "training_requested")
        )
        return sorted(message.to_address for message in sent)


def test_asking_for_training_reaches_the_managers_and_a_grant_answers_it(app: Flask, make: Factory):
    cabinet = make.resource(
        name="Cabinet", kind="equipment", rules={"required_certification": "biosafety-cabinet"}
    )
    room = make.resource(name="Room")
    manager, admin = make.user("facility_manager"), make.user("admin")
    make.user("reception")
    member = make.user()
    client = signed_in(app, member)
    asked = client.post(f"/book/{cabinet.id}/request-training")
    assert flashed_after(client, asked).startswith("Asked: the facilities team")
    assert _told(app) == sorted([manager.email, admin.email])
    again = client.post(f"/book/{cabinet.id}/request-training")
    assert flashed_after(client, again).startswith("You have asked already")
    assert len(_told(app)) == 2
    nothing = client.post(f"/book/{room.id}/request-training")
    assert flashed_after(client, nothing) == "Room needs no training."
    staff = signed_in(app, manager)
    page = staff.get("/staff/training").get_data(as_text=True)
    assert "Asked for" in page and member.name in page and "Cabinet" in page
    done = staff.post(
        "/staff/training",
        data={"user_id": str(member.id), "code": "biosafety-cabinet", "expires_on": ""},
    )
    assert flashed_after(staff, done) == "Recorded: biosafety-cabinet."
    assert "Nobody is waiting for training." in staff.get("/staff/training").get_data(as_text=True)
    form = client.get(f"/book/{cabinet.id}").get_data(as_text=True)
    assert "You cannot book this yet" not in form
    held = client.post(f"/book/{cabinet.id}/request-training")
    assert flashed_after(client, held) == "You hold the biosafety-cabinet certification already."


def test_certifications_running_out_within_30_days_are_listed(app: Flask, make: Factory):
    soon, later = make.user(), make.user()
    staff = signed_in(app, make.user("facility_manager"))
    for person, until in ((soon, "2026-12-10"), (later, "2027-03-01")):
        staff.post(
            "/staff/training", data={"user_id": str(person.id), "code": "pcr", "expires_on": until}
        )
    page = staff.get("/staff/training").get_data(as_text=True)
    due = page[page.index("Running out within 30 days") : page.index("Record a certification")]
    assert soon.name in due and "runs out on 10 December 2026" in due
    assert later.name not in due
    bad = staff.post(
        "/staff/training", data={"user_id": str(soon.id), "code": "pcr", "expires_on": "soon"}
    )
    assert flashed_after(staff, bad).startswith("Give the date it runs out")
