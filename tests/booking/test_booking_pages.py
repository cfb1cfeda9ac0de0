"""A booking's page and the list of one's bookings say where each booking stands: a
request is a request, a rejection gives its reason, a cancelled booking is not
"upcoming", and a closure made afterwards is a warning on the page."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from booking.models import User
from tests.conftest import Factory, at, iso


def signed_in(app: Flask, user: User) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"], session["version"] = user.id, 0
    return client


def flashed_after(client: FlaskClient, answer) -> str:
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    found = re.search(r'<div class="notice" role="status">\s*<p>([^<]*)</p>', page)
    assert found is not None
    return found.group(1)


FORM = {"title": "Open day", "date": "2026-12-01", "start": "10:00", "end": "11:00"}


def test_a_request_says_it_waits_for_approval(app: Flask, make: Factory):
    atrium = make.resource(name="Atrium", kind="event_space", rules={"requires_approval": True})
    member = make.user()
    client = signed_in(app, member)
    answer = client.post(f"/book/{atrium.id}", data=FORM)
    said = flashed_after(client, answer)
    assert said == "Requested: it waits for approval, and we e-mail you the decision."
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "This is a request: it waits for approval" in page
    room = make.resource(name="Room", kind="room")
    assert flashed_after(client, client.post(f"/book/{room.id}", data=FORM)) == (
        "Booked: it is confirmed."
    )


def test_a_rejected_booking_gives_the_approvers_reason(app: Flask, make: Factory):
    atrium = make.resource(name="Atrium", kind="event_space")
    member = make.user()
    declined = make.booking(
        atrium, member, at(2, 9), at(2, 11), status="rejected",
        status_reason="The Atrium is being repainted that day.",
    )  # fmt: skip
    page = signed_in(app, member).get(f"/bookings/{declined.id}").get_data(as_text=True)
    assert "Why it was declined" in page
    assert "The Atrium is being repainted that day." in page


def test_cancelled_and_declined_bookings_are_not_upcoming(app: Flask, make: Factory):
    room = make.resource(name="Room", kind="room")
    member = make.user()
    make.booking(room, member, at(2, 9), at(2, 10), title="Kept")
    make.booking(room, member, at(2, 11), at(2, 12), title="Called off", status="cancelled")
    page = signed_in(app, member).get("/bookings").get_data(as_text=True)
    upcoming = page.split("<caption>Upcoming</caption>")[1].split("</table>")[0]
    called_off = page.split("<caption>Cancelled or declined</caption>")[1].split("</table>")[0]
    assert "Kept" in upcoming and "Called off" not in upcoming
    assert "Called off" in called_off


def test_a_closure_made_after_booking_is_a_warning_on_the_booking(
    app: Flask, client: FlaskClient, make: Factory
):
    floor = make.resource(name="Ground floor", kind="floor", bookable=False)
    room = make.resource(name="Room", kind="room", parent_id=floor.id)
    member = make.user()
    mine = make.booking(room, member, at(3, 9), at(3, 10))
    elsewhere = make.booking(room, member, at(4, 9), at(4, 10))
    closed = client.post(
        "/api/v1/closures",
        json={"resource_id": floor.id, "start": iso(at(3, 0)), "end": iso(at(3, 23)),
              "reason": "Power cut for works"},
        headers=make.headers(make.user("facility_manager", None)),
    )  # fmt: skip
    assert closed.status_code == 201
    browser = signed_in(app, member)
    page = browser.get(f"/bookings/{mine.id}").get_data(as_text=True)
    assert "Ground floor is closed from" in page and "Power cut for works" in page
    assert "is closed from" not in browser.get(f"/bookings/{elsewhere.id}").get_data(as_text=True)


def test_cancelling_asks_first_and_only_the_booker_is_asked(app: Flask, make: Factory):
    room = make.resource(name="Room", kind="room")
    member = make.user()
    booked = make.booking(room, member, at(2, 9), at(2, 10), title="Stand-up")
    client = signed_in(app, member)
    asked = client.get(f"/bookings/{booked.id}/cancel").get_data(as_text=True)
    assert "Cancel Stand-up?" in asked and "Yes, cancel it" in asked and "No, keep it" in asked
    page = client.get(f"/bookings/{booked.id}").get_data(as_text=True)
    assert "confirmed" in page  # asking cancelled nothing
    stranger = signed_in(app, make.user(tenant="Pennine Digital Health"))
    assert stranger.get(f"/bookings/{booked.id}/cancel").status_code == 404
    done = client.post(f"/bookings/{booked.id}/cancel", data={"back": f"/bookings/{booked.id}"})
    assert flashed_after(client, done) == "Cancelled."


def test_late_in_the_day_the_timeline_offers_only_times_the_rules_accept(app: Flask, make: Factory):
    from datetime import UTC, datetime
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    app.config["FIXED_NOW"] = datetime(2026, 12, 1, 17, 47, tzinfo=UTC)  # 17:47 in London
    room = make.resource(name="Room", kind="room", rules={"slot": "PT15M"})
    member = make.user()
    client = signed_in(app, member)
    page = client.get("/find?date=2026-12-01&duration=PT1H").get_data(as_text=True)
    links = [unescape(href) for href in re.findall(rf'href="(/book/{room.id}\?[^"]+)"', page)]
    assert links
    for link in links:
        asked = parse_qs(urlsplit(link).query)
        start = datetime.fromisoformat(asked["start"][0])
        assert start.minute % 15 == 0 and start >= app.config["FIXED_NOW"]
    timeline = links[-1]
    assert parse_qs(urlsplit(timeline).query)["start"][0].startswith("2026-12-01T18:00")
    assert "Book Room, free </span>18:00–21:00" in page
    form = client.get(timeline).get_data(as_text=True)
    assert 'name="start" type="time" step="900" required value="18:00"' in form
    made = client.post(f"/book/{room.id}", data={**FORM, "start": "18:00", "end": "19:00"})
    assert flashed_after(client, made) == "Booked: it is confirmed."


def test_a_clash_says_when_and_whether_the_booking_in_the_way_is_ones_own(
    app: Flask, client: FlaskClient, make: Factory
):
    room = make.resource(name="Room", kind="room")
    member, other = make.user(), make.user(tenant="Pennine Digital Health")
    make.booking(room, member, at(1, 10), at(1, 11), title="My stand-up")
    make.booking(room, other, at(1, 11), at(1, 12), title="Their secret")
    asked = {"resource_id": room.id, "start": iso(at(1, 10)), "end": iso(at(1, 12)), "title": "x"}
    refused = client.post("/api/v1/bookings", json=asked, headers=make.headers(member))
    assert refused.status_code == 409
    busy = {c["start"][11:16]: c["yours"] for c in refused.get_json()["conflicts"]}
    assert busy == {"10:00": True, "11:00": False}
    page = signed_in(app, member).post(
        f"/book/{room.id}", data={**FORM, "start": "10:00", "end": "12:00"}
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "Room is already booked 10:00–11:00, by a booking of your own." in html
    assert "Room is already booked 11:00–12:00." in html
    assert "Their secret" not in html and other.name not in html


def test_a_repeat_with_a_taken_date_offers_to_book_the_other_dates(app: Flask, make: Factory):
    room = make.resource(name="Room", kind="room")
    member = make.user()
    make.booking(room, member, at(8, 10), at(8, 11), title="Already mine")
    client = signed_in(app, member)
    weekly = {**FORM, "repeat": "weekly", "until": "2026-12-22"}
    refused = client.post(f"/book/{room.id}", data=weekly)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "1 of the dates cannot be booked as asked, so nothing was booked:" in html
    assert "occurrence" not in html
    assert "already booked, by a booking of your own" in html
    assert "Book the other dates" in html
    rest = client.post(f"/book/{room.id}", data={**weekly, "on_conflict": "skip"})
    assert flashed_after(client, rest) == "Booked 3 dates; 1 left out."


def test_the_form_gives_the_rules_in_words_and_what_is_left_of_the_quota(app: Flask, make: Factory):
    lab = make.resource(name="Lab", kind="lab", rules={
        "buffer_after": "PT30M", "quota": [{"scope": "tenant", "period": "month", "hours": 40}],
    })  # fmt: skip
    member = make.user()
    make.booking(lab, member, at(1, 9), at(1, 11, 30))
    app.config["FIXED_NOW"] = at(1, 12)
    page = signed_in(app, member).get(f"/book/{lab.id}").get_data(as_text=True)
    assert "Before you book" in page
    assert "30 minutes kept free after each booking, for cleaning or decontamination." in page
    assert "Your organisation has 37.5 hours of its 40 hours left this month" in page
    assert "PT30M" not in page
    staff = signed_in(app, make.user("facility_manager"))
    rules_page = staff.get(f"/staff/resources/{lab.id}").get_data(as_text=True)
    assert "30 minutes kept free after each booking" in rules_page
    assert "PT30M" not in rules_page and "&#34;" not in rules_page


def test_a_resource_needing_training_says_so_and_how_to_get_it(app: Flask, make: Factory):
    cabinet = make.resource(
        name="Cabinet", kind="equipment", rules={"required_certification": "biosafety-cabinet"}
    )
    page = signed_in(app, make.user()).get(f"/book/{cabinet.id}").get_data(as_text=True)
    assert "You cannot book this yet" in page
    assert "This needs the biosafety-cabinet certification." in page
    assert "ask the centre's facilities team for the training" in page


def test_finding_offers_features_as_choices_and_names_what_needs_training(
    app: Flask, make: Factory
):
    from booking.extensions import db
    from booking.models import Certification
    from tests.conftest import NOW

    make.resource(name="Bench", kind="desk", features=["lab-bench", "sink"])
    cabinet = make.resource(
        name="Cabinet", kind="equipment", features=["biosafety-cabinet"],
        rules={"required_certification": "biosafety-cabinet"},
    )  # fmt: skip
    member = make.user()
    client = signed_in(app, member)
    page = client.get("/find?date=2026-12-01").get_data(as_text=True)
    assert '<option value="lab-bench" >Lab bench</option>' in page
    assert '<option value="desk" >Desk or lab bench</option>' in page
    assert "Not yours to book yet" in page
    assert f'<a href="/book/{cabinet.id}">Cabinet</a>: This needs the biosafety-cabinet' in page
    benches = client.get("/find?date=2026-12-01&feature=lab-bench").get_data(as_text=True)
    assert "Bench" in benches and "Not yours to book yet" not in benches
    with app.app_context():
        db.session.add(Certification(
            user_id=member.id, code="biosafety-cabinet", created_at=NOW, updated_at=NOW
        ))  # fmt: skip
        db.session.commit()
    trained = client.get("/find?date=2026-12-01&kind=equipment").get_data(as_text=True)
    assert "Not yours to book yet" not in trained
    assert f"/book/{cabinet.id}?start=" in trained


def test_a_booking_is_moved_in_the_pages_with_the_apis_checks_and_words(app: Flask, make: Factory):
    room = make.resource(name="Room", kind="room")
    other = make.resource(name="Other room", kind="room")
    member, stranger = make.user(), make.user(tenant="Holme Valley Biologics")
    booked = make.booking(room, member, at(1, 9), at(1, 10), title="Stand-up")
    make.booking(room, stranger, at(1, 14), at(1, 15))
    client = signed_in(app, member)
    form = client.get(f"/bookings/{booked.id}/change").get_data(as_text=True)
    assert 'value="09:00"' in form and 'value="Stand-up"' in form
    assert "It repeats" not in form
    assert signed_in(app, stranger).get(f"/bookings/{booked.id}/change").status_code == 404
    moved = {**FORM, "title": "Stand-up", "start": "14:30", "end": "15:30",
             "resource_id": str(room.id)}  # fmt: skip
    refused = client.post(f"/bookings/{booked.id}/change", data=moved)
    assert refused.status_code == 409
    said = refused.get_data(as_text=True)
    assert "Nothing was changed." in said and "Room is already booked 14:00–15:00." in said
    elsewhere = client.post(f"/bookings/{booked.id}/change",
                            data={**moved, "resource_id": str(other.id)})  # fmt: skip
    assert flashed_after(client, elsewhere) == "Changed."
    page = client.get(f"/bookings/{booked.id}").get_data(as_text=True)
    assert "Other room" in page and "14:30" in page
    bad = client.post(f"/bookings/{booked.id}/change", data={**moved, "end": "13:00"})
    assert bad.status_code == 422
    assert "The end must be after the start." in bad.get_data(as_text=True)


def test_a_repeating_booking_moves_this_and_the_following_dates(app: Flask, make: Factory):
    room = make.resource(name="Room", kind="room")
    member = make.user()
    client = signed_in(app, member)
    made = client.post(f"/book/{room.id}", data={
        **FORM, "date": "2026-12-07", "repeat": "weekly", "until": "2026-12-28"})  # fmt: skip
    assert made.status_code == 302
    from booking.extensions import db
    from booking.models import Booking

    with app.app_context():
        mine = db.select(Booking.id).where(Booking.user_id == member.id)
        ids = list(db.session.scalars(mine.order_by(Booking.start)))
    assert len(ids) == 4
    form = client.get(f"/bookings/{ids[1]}/change").get_data(as_text=True)
    assert "It repeats: change" in form
    answer = client.post(f"/bookings/{ids[1]}/change", data={
        **FORM, "date": "2026-12-14", "start": "11:00", "end": "12:00", "scope": "following",
        "resource_id": str(room.id)})  # fmt: skip
    assert flashed_after(client, answer) == "Changed: this and the following dates."
    with app.app_context():
        hours = [db.session.get(Booking, i).start.hour for i in ids]
    assert hours == [10, 11, 11, 11]


def test_a_tenant_admin_sees_the_team_and_books_for_a_member(app: Flask, make: Factory):
    room = make.resource(name="Room", kind="room")
    admin, member = make.user("tenant_admin"), make.user()
    outsider = make.user(tenant="Holme Valley Biologics")
    make.booking(room, member, at(2, 9), at(2, 10), title="Member's own")
    make.booking(room, outsider, at(2, 11), at(2, 12), title="Outsider's")
    client = signed_in(app, admin)
    team = client.get("/team").get_data(as_text=True)
    assert "Member&#39;s own" in team and member.email in team
    assert "Outsider" not in team and outsider.email not in team
    form = client.get(f"/book/{room.id}").get_data(as_text=True)
    assert f'<option value="{member.id}" >{member.name}</option>' in form
    assert outsider.name not in form
    made = client.post(f"/book/{room.id}", data={**FORM, "for_user": str(member.id)})
    assert made.status_code == 302
    from booking.extensions import db
    from booking.models import Booking

    with app.app_context():
        booked = db.session.get(Booking, int(made.headers["Location"].rsplit("/", 1)[1]))
        assert (booked.user_id, booked.booked_by_id) == (member.id, admin.id)
    refused = client.post(f"/book/{room.id}", data={**FORM, "start": "12:00", "end": "13:00",
                                                    "for_user": str(outsider.id)})  # fmt: skip
    assert refused.status_code == 403
    assert signed_in(app, member).get("/team").status_code == 403
    assert signed_in(app, make.user("reception")).get("/team").status_code == 403
    assert "Myself" not in signed_in(app, member).get(f"/book/{room.id}").get_data(as_text=True)
