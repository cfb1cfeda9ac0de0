"""E-mail: each change reaches the right people once, through a real SMTP server, with
an invitation calendar apps merge with the feed; a mail server that fails loses nothing."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select

from booking.extensions import close_databases, db
from booking.jobs import run_job
from booking.models import Notification, OutboxEvent, User
from booking.services.core.access import visible_booking
from booking.services.feeds import serving as feed_service
from booking.services.notifications.delivery import write_messages
from booking.services.notifications.outbox import LEASE, claim
from tests.booking.mail import (  # noqa: F401 - fixtures
    MailSink,
    app_with_mail,
    mail_sink,
    part,
    settings,
)
from tests.booking.test_feeds import fetch, links
from tests.calendars.parsers import READERS
from tests.conftest import NOW, Factory, app_for, at, iso


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    feed_service.CACHE.clear()  # feeds of earlier tests have the same ids and times
    yield
    feed_service.CACHE.clear()


@pytest.fixture
def room(make: Factory) -> Any:
    site = make.resource(name="HWIC", kind="building", bookable=False)
    floor = make.resource(name="First floor", kind="floor", bookable=False, parent_id=site.id)
    return make.resource(name="Wet Lab 1.10", kind="lab", parent_id=floor.id)


def send(app: Flask, at_: Any = NOW) -> list[int]:
    return run_job(app, "send-notifications", at_)


def book(client: FlaskClient, headers: dict[str, str], resource_id: int, **extra: Any) -> Any:
    body = {
        "resource_id": resource_id,
        "start": iso(at(1, 9)),
        "end": iso(at(1, 10)),
        "title": "Assay run",
        **extra,
    }
    made = client.post("/api/v1/bookings", json=body, headers=headers)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def calendar_of(message: Any) -> Calendar:
    return Calendar.from_ical(part(message, "text/calendar"))


def vevents(message: Any) -> list[Any]:
    return list(calendar_of(message).walk("VEVENT"))


def outbox(app: Flask) -> list[Notification]:
    with app.app_context():
        return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def test_a_confirmed_booking_is_one_message_with_an_invitation_matching_the_feed(
    app: Flask, client: FlaskClient, make: Factory, sink: MailSink, room: Any
) -> None:
    member = make.user()
    headers = make.headers(member)
    made = book(client, headers, room.id, title='Assay <b>run</b> & "tests"')
    assert sink.received == []  # the request never talks to the mail server
    assert len(send(app)) == 1
    assert send(app) == []  # at most once
    [message] = sink.to(member.email)
    assert message["Subject"] == "Confirmed: Wet Lab 1.10, Tue 1 Dec 09:00-10:00"
    text, html = part(message, "text/plain"), part(message, "text/html")
    assert "Tue 1 Dec 2026, 09:00-10:00 GMT" in text
    assert "Wet Lab 1.10, First floor" in text
    assert f"https://book.hwic.example/bookings/{made['id']}" in text
    assert "Assay &lt;b&gt;run&lt;/b&gt; &amp; &#34;tests&#34;" in html  # escaped
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    for piece in message.walk():
        if piece.get_content_type() == "text/calendar":
            assert piece.get_param("method") == "REQUEST"
    [event] = list(calendar.walk("VEVENT"))
    assert "mailto:bookings@hwic.example" in str(event["ORGANIZER"])
    assert str(event["ATTENDEE"]) == f"mailto:{member.email}"
    feed = Calendar.from_ical(fetch(client, links(client, headers)["mine"]["url"]).data)
    [in_feed] = list(feed.walk("VEVENT"))
    for name in ("UID", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY"):
        assert event.get(name).to_ical() == in_feed.get(name).to_ical(), name
    window = (at(1, 0), at(2, 0))
    for name, read in READERS.items():
        seen = read(part(message, "text/calendar"), window)
        assert len(seen) == 1 and seen == read(feed.to_ical().decode(), window), name


def test_a_sender_that_dies_mid_batch_loses_nothing(
    app: Flask, client: FlaskClient, make: Factory, sink: MailSink, room: Any
) -> None:
    member = make.user()
    book(client, make.headers(member), room.id)
    with app.app_context():
        write_messages(NOW)
        [claimed] = claim(NOW, 100)  # ...and the sender is killed before delivering it
    assert send(app, NOW + timedelta(minutes=4)) == []  # its lease still holds
    assert send(app, NOW + LEASE) == [claimed.id]
    assert [m["Subject"] for m in sink.to(member.email)] == [
        "Confirmed: Wet Lab 1.10, Tue 1 Dec 09:00-10:00"
    ]
    assert outbox(app)[0].attempts == 2


def test_request_then_cancel_share_the_uid_with_sequence_rising(
    app: Flask, client: FlaskClient, make: Factory, sink: MailSink, room: Any
) -> None:
    tenant_admin = make.user("tenant_admin")
    member = make.user()
    headers = make.headers(tenant_admin)
    made = book(client, headers, room.id, on_behalf_of=member.id)
    moved = client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"start": iso(at(1, 11)), "end": iso(at(1, 12))},
        headers=headers,
    )
    assert moved.status_code == 200
    client.post(f"/api/v1/bookings/{made['id']}/cancel", headers=headers)
    send(app)
    # the booker and the person booked for hear of it; a cancellation only the one who
    # did not make it
    assert [m["Subject"].split(":")[0] for m in sink.to(member.email)] == [
        "Confirmed",
        "Changed",
        "Cancelled",
    ]
    assert [m["Subject"].split(":")[0] for m in sink.to(tenant_admin.email)] == [
        "Confirmed",
        "Changed",
    ]
    request, change, cancel = (vevents(m)[0] for m in sink.to(member.email))
    assert str(calendar_of(sink.to(member.email)[2])["METHOD"]) == "CANCEL"
    assert request["UID"] == change["UID"] == cancel["UID"] == f"booking-{made['id']}@booking.hwic"
    assert request["SEQUENCE"] < change["SEQUENCE"] < cancel["SEQUENCE"]
    assert str(cancel["STATUS"]) == "CANCELLED"


def test_approval_requests_reach_approvers_and_a_rejection_quotes_the_reason(
    app: Flask, client: FlaskClient, make: Factory, sink: MailSink, room: Any
) -> None:
    gated = make.resource(
        name="Confocal microscope", kind="equipment", rules={"requires_approval": True}
    )
    manager, admin, reception = (
        make.user("facility_manager"),
        make.user("admin"),
        make.user("reception"),
    )
    member = make.user()
    made = book(client, make.headers(member), gated.id)
    send(app)
    assert [m["Subject"] for m in sink.to(member.email)] == [
        "Awaiting approval: Confocal microscope, Tue 1 Dec 09:00-10:00"
    ]
    for approver in (manager, admin):
        [asked] = sink.to(approver.email)
        assert asked["Subject"].startswith("Approval needed: Confocal microscope")
        assert member.name in part(asked, "text/plain")
        assert "/staff/approvals" in part(asked, "text/plain")
    assert sink.to(reception.email) == []
    rejected = client.post(
        f"/api/v1/bookings/{made['id']}/reject",
        json={"reason": "Needs the <laser> induction first"},
        headers=make.headers(manager),
    )
    assert rejected.status_code == 200, rejected.get_json()
    send(app)
    last = sink.to(member.email)[-1]
    assert last["Subject"].startswith("Rejected: Confocal microscope")
    assert '"Needs the <laser> induction first"' in part(last, "text/plain")
    assert "Needs the &lt;laser&gt; induction first" in part(last, "text/html")
    assert str(calendar_of(last)["METHOD"]) == "CANCEL"


def test_a_series_is_one_message_carrying_its_rule_and_exdates(
    app: Flask, client: FlaskClient, make: Factory, sink: MailSink, room: Any
) -> None:
    member = make.user()
    headers = make.headers(member)
    made = client.post(
        "/api/v1/series",
        json={
            "resource_id": room.id,
            "start": "2027-03-16T09:00",
            "end": "2027-03-16T10:00",
            "title": "Weekly stand-up",
            "rule": "FREQ=WEEKLY;COUNT=6",
            "exdates": ["2027-03-23"],
        },
        headers=headers,
    ).get_json()
    send(app)
    [message] = sink.to(member.email)
    assert message["Subject"] == "Confirmed: Wet Lab 1.10, 5 dates from Tue 16 Mar 09:00-10:00"
    [master] = vevents(message)
    assert "FREQ=WEEKLY" in master["RRULE"].to_ical().decode()
    window = (at(1, 0, month=3, year=2027), at(1, 0, month=6, year=2027))
    feed_text = fetch(client, links(client, headers)["mine"]["url"]).data.decode()
    for name, read in READERS.items():
        seen = read(part(message, "text/calendar"), window)
        assert seen == read(feed_text, window), name
        assert len(seen) == 5, name
    second = made["bookings"][1]["id"]
    desk = make.headers(make.user("reception"))  # someone else: the owner is told
    client.post(f"/api/v1/series/{made['id']}/cancel", json={"from": second}, headers=desk)
    send(app)
    cancelled = sink.to(member.email)[-1]
    assert cancelled["Subject"] == "Cancelled: Wet Lab 1.10, 4 dates from Tue 30 Mar 09:00-10:00"
    events = vevents(cancelled)
    assert str(calendar_of(cancelled)["METHOD"]) == "CANCEL"
    assert len(events) == 4 and all("RECURRENCE-ID" in e for e in events)
    assert len(sink.to(member.email)) == 2


def test_preferences_and_one_click_unsubscribe(
    app: Flask, client: FlaskClient, make: Factory, sink: MailSink, room: Any
) -> None:
    member = make.user()
    headers = make.headers(member)
    assert client.get("/api/v1/me/preferences", headers=headers).get_json()["reminders"] is True
    answer = client.patch("/api/v1/me/preferences", json={"confirmations": False}, headers=headers)
    assert answer.get_json() == {
        "confirmations": False,
        "changes": True,
        "reminders": True,
        "approvals": True,
        "waitlist": True,
        "visitors": True,
    }
    assert (
        client.patch("/api/v1/me/preferences", json={"sms": True}, headers=headers).status_code
        == 422
    )
    made = book(client, headers, room.id, start=iso(at(3, 9)), end=iso(at(3, 10)))
    send(app)
    assert sink.to(member.email) == []  # confirmations are off
    # the reminder falls due 24 hours before the start, once
    assert send(app, at(2, 8, 59)) == []
    assert len(send(app, at(2, 9))) == 1
    assert send(app, at(2, 9, 30)) == []
    [reminder] = sink.to(member.email)
    assert reminder["Subject"] == "Reminder: Wet Lab 1.10, Thu 3 Dec 09:00-10:00"
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = reminder["List-Unsubscribe"].strip("<>")
    path = link.split("https://book.hwic.example", 1)[1]
    assert client.get(path).status_code == 200  # a page that asks; a GET changes nothing
    assert client.get("/api/v1/me/preferences", headers=headers).get_json()["reminders"] is True
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert client.get("/api/v1/me/preferences", headers=headers).get_json()["reminders"] is False
    assert client.post(path[:-3] + "xyz").status_code == 404
    # moving re-arms the reminder; the preference now keeps it from being sent
    client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"start": iso(at(4, 9)), "end": iso(at(4, 10))},
        headers=headers,
    )
    send(app, at(3, 9))
    assert [m["Subject"].split(":")[0] for m in sink.to(member.email)] == ["Reminder", "Changed"]


def test_moving_a_booking_re_arms_its_reminder(
    app: Flask, client: FlaskClient, make: Factory, sink: MailSink, room: Any
) -> None:
    member = make.user()
    headers = make.headers(member)
    made = book(client, headers, room.id, start=iso(at(3, 9)), end=iso(at(3, 10)))
    send(app, at(2, 9))
    client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"start": iso(at(5, 9)), "end": iso(at(5, 10))},
        headers=headers,
    )
    send(app, at(4, 9))
    subjects = [m["Subject"].split(":")[0] for m in sink.to(member.email)]
    assert subjects == ["Confirmed", "Reminder", "Changed", "Reminder"]


def test_jobs_tell_people_of_no_shows_and_lapsed_requests(
    app: Flask, make: Factory, sink: MailSink, room: Any
) -> None:
    member = make.user()
    strict = make.resource(name="Bench 2", rules={"check_in": {"required": True, "grace": "PT15M"}})
    make.booking(strict, member, NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    make.booking(room, member, at(3, 9), at(3, 10), status="pending", approval_due_at=NOW)
    later = NOW + timedelta(hours=1, minutes=15)
    run_job(app, "release-no-shows", later)
    run_job(app, "expire-pending", later)
    send(app, later)
    subjects = sorted(m["Subject"] for m in sink.to(member.email))
    assert subjects == [
        "Not approved in time: Wet Lab 1.10, Thu 3 Dec 09:00-10:00",
        "Released as a no-show: Bench 2, Tue 24 Nov 10:00-11:00",
    ]
    assert all(str(calendar_of(m)["METHOD"]) == "CANCEL" for m in sink.to(member.email))


def test_a_refused_change_writes_no_message(
    app: Flask, client: FlaskClient, make: Factory, room: Any
) -> None:
    member = make.user()
    make.booking(room, member, at(1, 9), at(1, 10))
    answer = client.post(
        "/api/v1/bookings",
        json={"resource_id": room.id, "start": iso(at(1, 9)), "end": iso(at(1, 10)), "title": "x"},
        headers=make.headers(member),
    )
    assert answer.status_code == 409
    assert outbox(app) == []
    with app.app_context():
        assert db.session.scalars(select(OutboxEvent)).all() == []


def test_a_down_server_loses_nothing_and_failures_are_retried_then_marked(
    app: Flask, client: FlaskClient, make: Factory, sink: MailSink, room: Any
) -> None:
    member = make.user()
    manager = make.user("facility_manager")
    book(client, make.headers(member), room.id)
    sink.stop()
    assert send(app) == []
    [waiting] = outbox(app)
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert waiting.next_attempt_at == NOW + timedelta(minutes=1)
    assert "Connection refused" in (waiting.last_error or "")
    assert send(app, NOW + timedelta(seconds=59)) == []  # not before its backoff
    assert outbox(app)[0].attempts == 1
    moment = NOW
    for attempt in range(2, 9):
        moment += timedelta(hours=6)
        send(app, moment)
        assert outbox(app)[0].attempts == attempt
    failed = outbox(app)[0]
    assert failed.status == "failed"
    listed = client.get("/api/v1/notifications?status=failed", headers=make.headers(manager))
    assert [n["id"] for n in listed.get_json()] == [failed.id]
    assert listed.get_json()[0]["last_error"]
    sink.start()
    again = client.post(f"/api/v1/notifications/{failed.id}/retry", headers=make.headers(manager))
    assert again.status_code == 200 and again.get_json()["status"] == "queued"
    assert (
        client.post(
            f"/api/v1/notifications/{failed.id}/retry", headers=make.headers(manager)
        ).get_json()["code"]
        == "not_failed"
    )
    assert send(app, moment) == [failed.id]
    assert len(sink.to(member.email)) == 1


def test_a_refused_address_or_a_broken_message_fails_alone(
    app: Flask, client: FlaskClient, make: Factory, sink: MailSink, room: Any
) -> None:
    refused, fine = make.user(), make.user()
    sink.refuse.add(refused.email)
    book(client, make.headers(refused), room.id)
    book(client, make.headers(fine), room.id, start=iso(at(1, 11)), end=iso(at(1, 12)))
    with app.app_context():
        broken = Notification(
            kind="no_such_kind",
            user_id=fine.id,
            to_address=fine.email,
            subject="Broken",
            payload={},
            status="queued",
            attempts=0,
            next_attempt_at=NOW,
            created_at=NOW,
        )
        db.session.add(broken)
        db.session.commit()
    send(app)
    statuses = {n.to_address + "/" + n.kind: (n.status, n.last_error) for n in outbox(app)}
    status, error = statuses[f"{refused.email}/confirmed"]
    assert status == "failed" and "550" in (error or "")
    status, error = statuses[f"{fine.email}/no_such_kind"]
    assert status == "failed" and "could not render" in (error or "")
    assert statuses[f"{fine.email}/confirmed"] == ("sent", None)
    assert len(sink.to(fine.email)) == 1


def test_two_senders_at_once_send_each_message_once(
    app: Flask, make: Factory, sink: MailSink
) -> None:
    people = [make.user() for _ in range(4)]
    with app.app_context():
        db.session.add_all(
            Notification(
                kind="reminder" if i % 2 else "confirmed",
                user_id=None,
                to_address=people[i % 4].email,
                subject=f"Message {i}",
                payload={
                    "title": "t",
                    "place": "p",
                    "when": "w",
                    "status": "s",
                    "link": "l",
                    "recipient": "r",
                    "dates": [],
                },
                status="queued",
                attempts=0,
                next_attempt_at=NOW,
                created_at=NOW,
            )
            for i in range(300)
        )
        db.session.commit()
    sent: list[list[int]] = [[], []]

    def sender(slot: int) -> None:
        sent[slot] = send(app)

    threads = [threading.Thread(target=sender, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent[0] + sent[1]) == [n.id for n in outbox(app)]
    assert Counter(m["Subject"] for m in sink.received).most_common(1)[0][1] == 1
    assert len(sink.received) == 300


def test_nobody_hears_of_a_booking_they_may_not_see(
    app: Flask, client: FlaskClient, make: Factory, sink: MailSink, room: Any
) -> None:
    gated = make.resource(name="Confocal", rules={"requires_approval": True})
    make.user("facility_manager"), make.user("reception")
    a_admin, a_member = (
        make.user("tenant_admin", "Tenant A"),
        make.user("tenant_member", "Tenant A"),
    )
    b_member = make.user("tenant_member", "Tenant B")
    reception = make.user("reception")
    book(client, make.headers(a_admin), room.id, on_behalf_of=a_member.id)
    book(client, make.headers(b_member), room.id, start=iso(at(1, 11)), end=iso(at(1, 12)))
    book(client, make.headers(reception), gated.id, on_behalf_of=b_member.id)
    pending = book(
        client, make.headers(a_member), gated.id, start=iso(at(2, 9)), end=iso(at(2, 10))
    )
    client.post(f"/api/v1/bookings/{pending['id']}/cancel", headers=make.headers(a_admin))
    send(app)
    messages = outbox(app)
    assert len(messages) >= 8
    with app.app_context():
        for message in messages:
            reader = db.session.get(User, message.user_id)
            assert reader is not None and message.booking_id is not None
            visible_booking(reader, message.booking_id)  # a 404 would raise
            assert message.to_address == reader.email
        in_all = db.session.scalar(select(func.count()).select_from(Notification))
        assert in_all == len(messages)


def test_the_file_backend_writes_eml_files(database_url: str, tmp_path: Any) -> None:
    app = app_for(database_url)
    app.instance_path = str(tmp_path)
    client = app.test_client()
    make = Factory(app)
    member = make.user()
    room = make.resource(name="Room")
    book(client, make.headers(member), room.id)
    assert len(run_job(app, "send-notifications", NOW)) == 1
    [written] = list((tmp_path / "mail").glob("*.eml"))
    assert b"Subject: Confirmed: Room, Tue 1 Dec 09:00-10:00" in written.read_bytes()
    with app.app_context():
        close_databases()


def test_staff_page_and_api_show_the_outbox_only_to_managers(
    app: Flask, client: FlaskClient, make: Factory, room: Any
) -> None:
    member = make.user()
    book(client, make.headers(member), room.id)
    for role, status in (("facility_manager", 200), ("admin", 200), ("reception", 403)):
        assert (
            client.get("/api/v1/notifications", headers=make.headers(make.user(role))).status_code
            == status
        )
    assert client.get("/api/v1/notifications", headers=make.headers(member)).status_code == 403
