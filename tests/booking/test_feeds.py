"""Calendar feeds through the URLs the API hands out, read back by three parsers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from booking.services.feeds import serving as feed_service
from tests.calendars.parsers import READERS
from tests.conftest import NOW, Factory, app_for, at, iso

WINDOW = (NOW - timedelta(days=90), NOW + timedelta(days=548))
TRICKY = 'Assay, run; "A"\nsecond line — café ☕ naïve'


@pytest.fixture(autouse=True)
def fresh_cache():
    feed_service.CACHE.clear()
    yield
    feed_service.CACHE.clear()


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def links(client: FlaskClient, headers) -> dict[str, Any]:
    answer = client.get("/api/v1/feeds", headers=headers)
    assert answer.status_code == 200
    return answer.get_json()


def fetch(client: FlaskClient, url: str, **headers: str):
    return client.get(path_of(url), headers=headers)


def book(client: FlaskClient, headers, resource_id: int, start: str, end: str, **extra) -> dict:
    body = {"resource_id": resource_id, "start": start, "end": end, "title": "Work", **extra}
    made = client.post("/api/v1/bookings", json=body, headers=headers)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


@pytest.fixture
def place(make: Factory):
    site = make.resource(name="HWIC", kind="building", bookable=False)
    floor = make.resource(name="First floor", kind="floor", bookable=False, parent_id=site.id)
    room = make.resource(name="1.40 Calder meeting room", kind="room", parent_id=floor.id)
    return room


def test_every_reader_sees_exactly_the_bookings_the_api_lists(app, client, make: Factory, place):
    """Singles on both clock-change days, a weekly series across the spring change with
    an excluded date, a moved and a cancelled occurrence, a cancelled booking and a hold."""
    user = make.user()
    headers = make.headers(user)
    book(client, headers, place.id, "2026-12-01T09:00", "2026-12-01T10:00", title=TRICKY)
    book(client, headers, place.id, "2027-03-28T09:00", "2027-03-28T10:30")  # spring forward
    book(client, headers, place.id, "2027-10-31T09:00", "2027-10-31T10:30")  # fall back
    held = book(client, headers, place.id, "2026-12-03T14:00", "2026-12-03T15:00", hold=True)
    gone = book(client, headers, place.id, "2026-12-02T09:00", "2026-12-02T10:00")
    assert client.post(f"/api/v1/bookings/{gone['id']}/cancel", headers=headers).status_code == 200
    series = client.post(
        "/api/v1/series",
        json={
            "resource_id": place.id,
            "start": "2027-03-16T09:00",
            "end": "2027-03-16T10:00",
            "title": "Weekly stand-up",
            "rule": "FREQ=WEEKLY;COUNT=6",
            "exdates": ["2027-03-23"],
        },
        headers=headers,
    ).get_json()
    occurrences = {b["start"][:10]: b for b in series["bookings"]}
    moved = occurrences["2027-04-06"]
    patched = client.patch(
        f"/api/v1/bookings/{moved['id']}",
        json={"start": "2027-04-06T11:00", "end": "2027-04-06T12:00", "title": "Moved stand-up"},
        headers=headers,
    )
    assert patched.status_code == 200
    cancelled = occurrences["2027-04-13"]
    client.post(f"/api/v1/bookings/{cancelled['id']}/cancel", headers=headers)

    listed = client.get("/api/v1/bookings?mine=true", headers=headers).get_json()
    expected_open = sorted(
        (datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"]), b["title"])
        for b in listed
        if b["status"] in ("held", "pending", "confirmed", "checked_in")
    )
    assert len(expected_open) == 4 + 4  # 4 singles (one held) and 4 occurrences
    text = fetch(client, links(client, headers)["mine"]["url"]).get_data(as_text=True)
    for name, read in READERS.items():
        seen = read(text, WINDOW)
        open_seen = sorted((s.start, s.end, s.summary) for s in seen if s.status != "CANCELLED")
        assert open_seen == expected_open, name
        cancelled_seen = [(s.start, s.summary) for s in seen if s.status == "CANCELLED"]
        assert cancelled_seen == [(at(2, 9), "Work")], name
        statuses = {s.start: s.status for s in seen}
        assert statuses[datetime.fromisoformat(held["start"])] == "TENTATIVE", name
        # 09:00 local on both sides of the change: GMT in March before it, BST after
        assert datetime(2027, 3, 16, 9, tzinfo=UTC) in statuses, name
        assert datetime(2027, 3, 30, 8, tzinfo=UTC) in statuses, name
        assert datetime(2027, 3, 28, 8, tzinfo=UTC) in statuses, name
        assert datetime(2027, 10, 31, 9, tzinfo=UTC) in statuses, name
        assert not any(s.start.date().isoformat() == "2027-03-23" for s in seen), name


def test_feed_text_is_well_formed(app, client, make: Factory, place):
    user = make.user()
    headers = make.headers(user)
    book(client, headers, place.id, "2026-12-01T09:00", "2026-12-01T10:00", title=TRICKY * 3)
    answer = fetch(client, links(client, headers)["mine"]["url"])
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Disposition" not in answer.headers
    raw = answer.get_data()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    text = raw.decode("utf-8")
    for line in (
        "METHOD:PUBLISH",
        "PRODID:-//Health and Wellbeing Innovation Centre//Booking service//EN",
        "X-WR-TIMEZONE:Europe/London",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "DTSTART;TZID=Europe/London:20261201T090000",
        "LOCATION:1.40 Calder meeting room\\, First floor",
    ):
        assert f"\r\n{line}\r\n" in text, line
    assert "RDATE" not in text
    calendar = Calendar.from_ical(text)
    assert str(calendar.get("NAME")) == str(calendar.get("X-WR-CALNAME"))
    assert str(calendar.get("NAME")).endswith(f"{user.name}'s bookings")
    for name, read in READERS.items():
        [seen] = read(text, WINDOW)
        assert seen.summary == TRICKY * 3, name


def test_uids_stamps_and_sequence_follow_the_booking(app, client, make: Factory, place):
    user = make.user()
    headers = make.headers(user)
    made = book(client, headers, place.id, "2026-12-01T09:00", "2026-12-01T10:00")
    url = links(client, headers)["mine"]["url"]

    def event() -> Any:
        [vevent] = Calendar.from_ical(fetch(client, url).get_data()).walk("VEVENT")
        return vevent

    first = event()
    assert str(first["UID"]) == f"booking-{made['id']}@booking.hwic"
    assert first["SEQUENCE"] == 0
    assert first["DTSTAMP"].dt == NOW == first["LAST-MODIFIED"].dt
    app.config["FIXED_NOW"] = NOW + timedelta(hours=1)
    assert str(event()["UID"]) == str(first["UID"])  # a later poll: the same event
    assert event()["DTSTAMP"].dt == NOW  # the last change, not the time of the poll
    client.patch(f"/api/v1/bookings/{made['id']}", json={"title": "Renamed"}, headers=headers)
    renamed = event()
    assert renamed["SEQUENCE"] == 0 and str(renamed["SUMMARY"]) == "Renamed"
    assert renamed["LAST-MODIFIED"].dt == NOW + timedelta(hours=1)
    app.config["FIXED_NOW"] = NOW + timedelta(hours=2)
    client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"start": iso(at(1, 11)), "end": iso(at(1, 12))},
        headers=headers,
    )
    assert event()["SEQUENCE"] == 1
    app.config["FIXED_NOW"] = NOW + timedelta(hours=3)
    client.post(f"/api/v1/bookings/{made['id']}/cancel", headers=headers)
    cancelled = event()
    assert cancelled["SEQUENCE"] == 2 and str(cancelled["STATUS"]) == "CANCELLED"


def test_cancelled_bookings_stay_thirty_days(app, client, make: Factory, place):
    user = make.user()
    headers = make.headers(user)
    made = book(client, headers, place.id, "2026-12-01T09:00", "2026-12-01T10:00")
    client.post(f"/api/v1/bookings/{made['id']}/cancel", headers=headers)
    url = links(client, headers)["mine"]["url"]
    app.config["FIXED_NOW"] = NOW + timedelta(days=29)
    assert len(Calendar.from_ical(fetch(client, url).get_data()).walk("VEVENT")) == 1
    app.config["FIXED_NOW"] = NOW + timedelta(days=31)
    assert Calendar.from_ical(fetch(client, url).get_data()).walk("VEVENT") == []


def test_the_window_runs_from_90_days_back_to_18_months_ahead(app, client, make: Factory, place):
    user = make.user()
    headers = make.headers(user)
    inside = [
        make.booking(place, user, NOW - timedelta(days=89), NOW - timedelta(days=89, hours=-1)),
        make.booking(place, user, NOW + timedelta(days=547), NOW + timedelta(days=547, hours=1)),
    ]
    make.booking(place, user, NOW - timedelta(days=92), NOW - timedelta(days=92, hours=-1))
    make.booking(place, user, NOW + timedelta(days=550), NOW + timedelta(days=550, hours=1))
    text = fetch(client, links(client, headers)["mine"]["url"]).get_data()
    uids = {str(e["UID"]) for e in Calendar.from_ical(text).walk("VEVENT")}
    assert uids == {f"booking-{b.id}@booking.hwic" for b in inside}


def test_resource_and_tenant_feeds_hide_what_the_owner_may_not_see(
    app, client, make: Factory, place
):
    ana = make.user("tenant_member", "Calder Diagnostics")
    colleague = make.user("tenant_member", "Calder Diagnostics")
    stranger = make.user("tenant_member", "Pennine Digital Health")
    mine = make.booking(place, ana, at(1, 9), at(1, 10), title="Ana's assay", notes="secret")
    theirs = make.booking(place, stranger, at(1, 11), at(1, 12), title="Pennine board")
    ours = make.booking(place, colleague, at(1, 13), at(1, 14), title="Colleague's talk")
    feeds = links(client, make.headers(ana))
    resource_url = feeds["resource"]["url"].replace("{resource_id}", str(place.id))

    def summaries(url: str) -> dict[str, tuple[str, str | None]]:
        events = Calendar.from_ical(fetch(client, url).get_data()).walk("VEVENT")
        return {
            str(e["UID"]): (str(e["SUMMARY"]), e.get("DESCRIPTION") and str(e["DESCRIPTION"]))
            for e in events
        }

    seen = summaries(resource_url)
    assert seen[f"booking-{mine.id}@booking.hwic"][0] == "Ana's assay"
    assert "secret" in seen[f"booking-{mine.id}@booking.hwic"][1]
    assert seen[f"booking-{theirs.id}@booking.hwic"] == ("Booked", None)
    assert seen[f"booking-{ours.id}@booking.hwic"] == ("Booked", None)
    tenant = summaries(feeds["tenant"]["url"])
    assert set(tenant) == {f"booking-{mine.id}@booking.hwic", f"booking-{ours.id}@booking.hwic"}
    assert tenant[f"booking-{ours.id}@booking.hwic"] == ("Booked", None)
    admin_feeds = links(client, make.headers(make.user("tenant_admin", "Calder Diagnostics")))
    as_admin = summaries(admin_feeds["tenant"]["url"])
    assert as_admin[f"booking-{ours.id}@booking.hwic"][0] == "Colleague's talk"
    staff = links(client, make.headers(make.user("reception")))
    assert staff["tenant"] is None
    staff_resource = staff["resource"]["url"].replace("{resource_id}", str(place.id))
    assert summaries(staff_resource)[f"booking-{theirs.id}@booking.hwic"][0] == "Pennine board"
    no_tenant = staff["mine"]["url"].replace("mine.ics", "tenant.ics")
    assert fetch(client, no_tenant).status_code == 404
    unknown = feeds["resource"]["url"].replace("{resource_id}", "999999")
    assert fetch(client, unknown).status_code == 404


def test_etag_and_last_modified_change_exactly_with_the_content(
    app, client, make: Factory, place, monkeypatch
):
    user = make.user()
    headers = make.headers(user)
    made = book(client, headers, place.id, "2026-12-01T09:00", "2026-12-01T10:00")
    url = links(client, headers)["mine"]["url"]
    builds = []
    real_build = feed_service.build_feed
    monkeypatch.setattr(feed_service, "build_feed", lambda *a: builds.append(a) or real_build(*a))
    first = fetch(client, url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status_code == 200 and len(builds) == 1
    again = fetch(client, url, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert fetch(client, url, **{"If-Modified-Since": modified}).status_code == 304
    assert fetch(client, url).get_data() == first.get_data()
    assert len(builds) == 1  # polls of an unchanged feed never build it again
    # the next day the feed is built again, and as nothing changed, the validators hold
    app.config["FIXED_NOW"] = NOW + timedelta(days=1)
    next_day = fetch(client, url, **{"If-None-Match": etag})
    assert next_day.status_code == 304 and len(builds) == 2
    assert fetch(client, url).headers["Last-Modified"] == modified
    # a change: new ETag and Last-Modified, and the old validators no longer match
    app.config["FIXED_NOW"] = NOW + timedelta(days=1, hours=2)
    client.patch(f"/api/v1/bookings/{made['id']}", json={"title": "Changed"}, headers=headers)
    changed = fetch(client, url, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.headers["Last-Modified"] != modified
    assert fetch(client, url, **{"If-Modified-Since": modified}).status_code == 200


def test_rotating_the_secret_retires_the_old_urls_at_once(app, client, make: Factory, place):
    user = make.user()
    headers = make.headers(user)
    old = links(client, headers)
    assert links(client, headers) == old  # the same URLs each time until rotated
    assert fetch(client, old["mine"]["url"]).status_code == 200
    rotated = client.post("/api/v1/feeds/rotate", headers=headers)
    assert rotated.status_code == 200
    new = rotated.get_json()
    assert new["mine"]["url"] != old["mine"]["url"]
    for kind in ("mine", "tenant"):
        gone = fetch(client, old[kind]["url"])
        assert gone.status_code == 404 and gone.get_json()["code"] == "not_found"
        assert fetch(client, new[kind]["url"]).status_code == 200
    assert links(client, headers) == new


def test_feed_urls_are_short_secret_and_need_no_token(app, client, make: Factory):
    headers = make.headers(make.user())
    feeds = links(client, headers)
    for link in (feeds["mine"], feeds["tenant"], feeds["resource"]):
        assert len(link["url"]) < 256
        assert link["webcal"] == "webcal://" + link["url"].split("://", 1)[1]
    secret = feeds["mine"]["url"].split("/feeds/")[1].split("/")[0]
    assert len(secret) >= 22  # at least 128 bits in URL-safe base64
    assert client.get("/api/v1/feeds").status_code == 401
    forged = feeds["mine"]["url"].replace(secret, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert fetch(client, forged).status_code == 404


def test_the_site_url_setting_builds_the_feed_urls(database_url):
    from tests.conftest import app_for

    app = app_for(database_url, SITE_URL="https://booking.hwic.example/")
    make = Factory(app)
    feeds = links(app.test_client(), make.headers(make.user()))
    assert feeds["mine"]["url"].startswith("https://booking.hwic.example/api/v1/feeds/")
    assert feeds["mine"]["webcal"].startswith("webcal://booking.hwic.example/api/v1/feeds/")


def test_a_series_in_a_resource_feed_keeps_only_the_occurrences_held_there(
    app: Flask, client, make: Factory, place
):
    other = make.resource(name="G.01 Colne", kind="room")
    user = make.user()
    headers = make.headers(user)
    series = client.post(
        "/api/v1/series",
        json={
            "resource_id": place.id,
            "start": "2026-12-01T09:00",
            "end": "2026-12-01T10:00",
            "title": "Weekly",
            "rule": "FREQ=WEEKLY;COUNT=3",
        },
        headers=headers,
    ).get_json()
    second = series["bookings"][1]
    client.patch(
        f"/api/v1/bookings/{second['id']}", json={"resource_id": other.id}, headers=headers
    )
    feeds = links(client, headers)
    here = feeds["resource"]["url"].replace("{resource_id}", str(place.id))
    there = feeds["resource"]["url"].replace("{resource_id}", str(other.id))
    for name, read in READERS.items():
        assert [s.start for s in read(fetch(client, here).get_data(as_text=True), WINDOW)] == [
            at(1, 9),
            at(15, 9),
        ], name
        assert [s.start for s in read(fetch(client, there).get_data(as_text=True), WINDOW)] == [
            at(8, 9)
        ], name


def test_a_host_header_off_the_allow_list_is_refused(app, client, make: Factory):
    headers = make.headers(make.user())
    refused = client.get("/api/v1/feeds", headers={**headers, "Host": "evil.example"})
    assert refused.status_code == 400
    assert refused.content_type == "application/problem+json"
    assert "not trusted" in refused.get_json()["detail"]
    allowed = client.get("/api/v1/feeds", headers={**headers, "Host": "127.0.0.1:5000"})
    assert allowed.get_json()["mine"]["url"].startswith("http://127.0.0.1:5000/")


def test_the_site_url_s_host_is_allowed_with_the_listed_ones(database_url):
    app = app_for(database_url, SITE_URL="https://booking.hwic.example", SITE_HOSTS=[])
    make = Factory(app)
    headers = make.headers(make.user())
    client = app.test_client()
    listed = client.get("/api/v1/feeds", headers={**headers, "Host": "booking.hwic.example"})
    assert listed.status_code == 200
    assert client.get("/api/v1/feeds", headers={**headers, "Host": "localhost"}).status_code == 400


def test_a_changed_secret_key_gives_feed_urls_that_work(database_url):
    first = app_for(database_url)
    make = Factory(first)
    user = make.user()
    headers = make.headers(user)
    old = links(first.test_client(), headers)["mine"]["url"]
    second = app_for(database_url, SECRET_KEY="a new key")
    client = second.test_client()
    new = links(client, headers)["mine"]["url"]
    assert new != old
    assert fetch(client, new).status_code == 200
    assert fetch(client, old).status_code == 404


def test_a_resource_feed_poll_reads_only_bookings_not_over_before_its_window(
    app, client, make: Factory, place, monkeypatch
):
    from booking.extensions import db
    from booking.models import Booking

    user = make.user()
    old = make.booking(place, user, NOW - timedelta(days=200), NOW - timedelta(days=200, hours=-1))
    kept = make.booking(place, user, at(1, 9), at(1, 10))
    other = make.resource(name="Other room", kind="room")
    url = links(client, make.headers(user))["resource"]["url"].replace(
        "{resource_id}", str(place.id)
    )
    builds = []
    real_build = feed_service.build_feed
    monkeypatch.setattr(feed_service, "build_feed", lambda *a: builds.append(a) or real_build(*a))
    etag = fetch(client, url).headers["ETag"]

    def touch(booking_id: int, **values) -> None:
        with app.app_context():
            row = db.session.get(Booking, booking_id)
            for name, value in values.items():
                setattr(row, name, value)
            db.session.commit()

    # A change to a booking long over, before the feed's 90 days: not read, not rebuilt.
    touch(old.id, title="Renamed", updated_at=NOW + timedelta(minutes=5))
    assert fetch(client, url, **{"If-None-Match": etag}).status_code == 304
    assert len(builds) == 1
    # A booking in the window moved to another room, stamped no later than what was seen:
    # only the number of the room's bookings shows it.
    touch(kept.id, resource_id=other.id, updated_at=NOW - timedelta(days=1))
    moved = fetch(client, url, **{"If-None-Match": etag})
    assert moved.status_code == 200 and len(builds) == 2
    assert f"booking-{kept.id}@" not in moved.get_data(as_text=True)
