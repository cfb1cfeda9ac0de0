"""The background jobs: each at exactly its instant, idempotent, and safe run twice at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client import CollectorRegistry, multiprocess
from sqlalchemy import select

from booking.extensions import db
from booking.jobs import JOBS, build_scheduler, run_job
from booking.models import Booking, BookingEvent
from tests.conftest import Factory, at, iso

SECOND = timedelta(seconds=1)
CHECK_IN = {"check_in": {"required": True, "grace": "PT15M"}}
PROJECT = Path(__file__).resolve().parents[2]


def status_of(app: Flask, booking_id: int) -> str:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking is not None
        return booking.status


def events_of(app: Flask, booking_id: int) -> list[tuple[str, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(BookingEvent.action, BookingEvent.actor_id)
            .where(BookingEvent.booking_id == booking_id)
            .order_by(BookingEvent.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_no_show_is_released_at_start_plus_grace_and_not_a_second_earlier(app, make: Factory):
    desk = make.resource(kind="desk", rules=CHECK_IN)
    user = make.user()
    booking = make.booking(desk, user, at(1, 10), at(1, 12))
    assert run_job(app, "release-no-shows", at(1, 10, 15) - SECOND) == []
    assert status_of(app, booking.id) == "confirmed"
    assert run_job(app, "release-no-shows", at(1, 10, 15)) == [booking.id]
    assert status_of(app, booking.id) == "no_show"
    assert events_of(app, booking.id) == [("no_show", None)]
    with app.app_context():
        assert db.session.get(Booking, booking.id).sequence == 1  # calendars see a new version
    # idempotent: nothing more happens on a second run
    assert run_job(app, "release-no-shows", at(1, 10, 16)) == []
    assert events_of(app, booking.id) == [("no_show", None)]


def test_a_released_no_show_frees_its_time(app, client, make: Factory):
    desk = make.resource(kind="desk", rules=CHECK_IN)
    user, walk_in = make.user(), make.user()
    booking = make.booking(desk, user, at(1, 10), at(1, 12))
    body = {"resource_id": desk.id, "start": iso(at(1, 10, 30)), "end": iso(at(1, 12))}
    app.config["FIXED_NOW"] = at(1, 10, 20)
    headers = make.headers(walk_in)
    assert (
        client.post("/api/v1/bookings", json={**body, "title": "Mine"}, headers=headers).status_code
        == 409
    )
    run_job(app, "release-no-shows")  # at the pinned now
    assert status_of(app, booking.id) == "no_show"
    assert (
        client.post("/api/v1/bookings", json={**body, "title": "Mine"}, headers=headers).status_code
        == 201
    )


def test_release_uses_each_resources_own_grace_and_spares_the_rest(app, make: Factory):
    site = make.resource(kind="building", bookable=False)
    floor = make.resource(kind="floor", bookable=False, parent_id=site.id, rules=CHECK_IN)
    inherits = make.resource(kind="desk", parent_id=floor.id)
    longer = make.resource(
        kind="desk", parent_id=floor.id, rules={"check_in": {"required": True, "grace": "PT1H"}}
    )
    optional = make.resource(
        kind="room", parent_id=floor.id, rules={"check_in": {"required": False}}
    )
    elsewhere = make.resource(kind="room")
    user = make.user()
    first = make.booking(inherits, user, at(1, 10), at(1, 12))
    second = make.booking(longer, user, at(1, 10), at(1, 12))
    spared = [make.booking(r, user, at(1, 10), at(1, 12)) for r in (optional, elsewhere)]
    checked_in = make.booking(inherits, user, at(1, 12), at(1, 13), status="checked_in")
    cancelled = make.booking(longer, user, at(1, 8), at(1, 9), status="cancelled")
    assert run_job(app, "release-no-shows", at(1, 10, 15)) == [first.id]
    assert run_job(app, "release-no-shows", at(1, 11)) == [second.id]
    assert run_job(app, "release-no-shows", at(2, 0)) == []
    for booking in spared:
        assert status_of(app, booking.id) == "confirmed"
    assert status_of(app, checked_in.id) == "checked_in"
    assert status_of(app, cancelled.id) == "cancelled"


def test_a_checked_in_booking_is_never_released(app, client, make: Factory):
    desk = make.resource(kind="desk", rules=CHECK_IN)
    user = make.user()
    booking = make.booking(desk, user, at(1, 10), at(1, 12))
    app.config["FIXED_NOW"] = at(1, 10, 14)
    checked = client.post(f"/api/v1/bookings/{booking.id}/check-in", headers=make.headers(user))
    assert checked.status_code == 200
    assert run_job(app, "release-no-shows", at(1, 11)) == []
    assert status_of(app, booking.id) == "checked_in"


def test_expire_holds_job(app, client, make: Factory):
    room = make.resource(kind="room")
    user = make.user()
    held = make.booking(room, user, at(1, 9), at(1, 10), status="held", hold_expires_at=at(1, 8))
    assert run_job(app, "expire-holds", at(1, 8) - SECOND) == []
    assert run_job(app, "expire-holds", at(1, 8)) == [held.id]
    assert run_job(app, "expire-holds", at(1, 9)) == []
    assert status_of(app, held.id) == "expired"
    assert events_of(app, held.id) == [("expired", None)]


def test_pending_expires_after_the_approval_window_or_at_its_start(app, client, make: Factory):
    lab = make.resource(kind="lab", rules={"requires_approval": True})
    headers = make.headers(make.user())
    manager = make.headers(make.user("facility_manager"))

    def book(day: int) -> dict:
        body = {
            "resource_id": lab.id,
            "start": iso(at(day, 9)),
            "end": iso(at(day, 10)),
            "title": "X",
        }
        made = client.post("/api/v1/bookings", json=body, headers=headers)
        assert made.status_code == 201 and made.get_json()["status"] == "pending"
        return made.get_json()

    app.config["FIXED_NOW"] = at(1, 12)
    soon, later = book(2), book(20)  # approve_within is P3D by default
    assert datetime.fromisoformat(soon["approval_due_at"]) == at(2, 9)
    assert datetime.fromisoformat(later["approval_due_at"]) == at(4, 12)
    assert run_job(app, "expire-pending", at(2, 9) - SECOND) == []
    assert run_job(app, "expire-pending", at(2, 9)) == [soon["id"]]
    assert run_job(app, "expire-pending", at(4, 12) - SECOND) == []
    app.config["FIXED_NOW"] = at(4, 12)
    late = client.post(f"/api/v1/bookings/{later['id']}/approve", json={}, headers=manager)
    assert late.status_code == 409 and late.get_json()["code"] == "approval_expired"
    assert run_job(app, "expire-pending", at(4, 12)) == [later["id"]]
    assert status_of(app, later["id"]) == "expired"
    assert events_of(app, later["id"])[-1] == ("expired", None)


def test_the_approval_window_is_a_setting(database_url):
    from tests.conftest import app_for

    app = app_for(database_url, BOOKINGS_APPROVE_WITHIN="PT1H")
    make = Factory(app)
    lab = make.resource(kind="lab", rules={"requires_approval": True})
    client = app.test_client()
    app.config["FIXED_NOW"] = at(1, 12)
    body = {"resource_id": lab.id, "start": iso(at(5, 9)), "end": iso(at(5, 10)), "title": "X"}
    made = client.post("/api/v1/bookings", json=body, headers=make.headers(make.user())).get_json()
    assert datetime.fromisoformat(made["approval_due_at"]) == at(1, 13)


def test_checked_in_bookings_complete_at_their_end(app, make: Factory):
    room = make.resource(kind="room")
    user = make.user()
    booking = make.booking(room, user, at(1, 9), at(1, 10), status="checked_in")
    assert run_job(app, "complete-checked-in", at(1, 10) - SECOND) == []
    assert run_job(app, "complete-checked-in", at(1, 10)) == [booking.id]
    assert status_of(app, booking.id) == "completed"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("name", ["release-no-shows", "expire-holds", "expire-pending"])
def test_two_schedulers_running_a_job_at_once_change_each_booking_once(app, make: Factory, name):
    """On PostgreSQL, where writers really run side by side (SQLite has one writer)."""
    desk = make.resource(kind="desk", rules=CHECK_IN)
    user = make.user()
    extra = {
        "release-no-shows": {},
        "expire-holds": {"status": "held", "hold_expires_at": at(1, 9)},
        "expire-pending": {"status": "pending", "approval_due_at": at(1, 9)},
    }[name]
    ids = {
        make.booking(
            desk, user, at(1, 9) + timedelta(hours=n), at(1, 9, 30) + timedelta(hours=n), **extra
        ).id
        for n in range(40)
    }
    barrier = threading.Barrier(2)

    def run() -> list[int]:
        barrier.wait()
        return run_job(app, name, at(5, 0))

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda _: run(), range(2))
    assert sorted(first + second) == sorted(ids)  # each booking changed exactly once
    assert run_job(app, name, at(5, 0)) == []
    with app.app_context():
        events = db.session.scalars(select(BookingEvent.booking_id)).all()
    assert sorted(events) == sorted(ids)


def test_jobs_run_from_the_command_line(app, runner, make: Factory):
    desk = make.resource(kind="desk", rules=CHECK_IN)
    user = make.user()
    booking = make.booking(desk, user, at(1, 10), at(1, 12))
    app.config["FIXED_NOW"] = at(1, 11)
    result = runner.invoke(args=["jobs", "run", "release-no-shows"])
    assert result.exit_code == 0, result.output
    assert (
        result.output.strip()
        == f"release-no-shows: 1 booking(s) released as no-shows ({booking.id})"
    )
    assert status_of(app, booking.id) == "no_show"
    unknown = runner.invoke(args=["jobs", "run", "tidy-up"])
    assert unknown.exit_code == 2 and "tidy-up" in unknown.output


def test_the_scheduler_runs_every_job_coalesced_one_at_a_time(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(app, BackgroundScheduler(timezone=UTC))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS)
    for name, job in jobs.items():
        every = timedelta(hours=6) if name == "refresh-statistics" else timedelta(minutes=1)
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == every.total_seconds()
        assert job.trigger.interval == every


def test_the_scheduler_process_releases_a_no_show(database_url, tmp_path):
    """Starts ``flask --app booking scheduler`` for real and watches it release a no-show
    that is due now by the wall clock."""
    from tests.conftest import app_for

    app = app_for(database_url, FIXED_NOW=None)
    make = Factory(app)
    desk = make.resource(kind="desk", rules=CHECK_IN)
    user = make.user()
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    booking = make.booking(desk, user, start, start + timedelta(hours=3))
    counts = tmp_path / "metrics"
    counts.mkdir()
    environment = {
        **os.environ,
        "BOOKING_DATABASE_URL": database_url,
        "BOOKING_CONFIG": str(tmp_path / "none.toml"),
        "BOOKING_SCHEDULER_EVERY": "PT1H",
        "PYTHONFAULTHANDLER": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(counts),
    }
    (tmp_path / "none.toml").write_text("")
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "booking", "scheduler"],
        cwd=PROJECT,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, process.kill)  # a hung process fails, never blocks
    watchdog.start()
    seen: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:  # ends when the process does
            seen.append(line)
            if "release-no-shows:" in line:
                break
        assert f"release-no-shows: 1 booking(s) released as no-shows ({booking.id})" in seen[-1], (
            seen
        )
        # Keep reading, so a full pipe can never be what holds the process up.
        rest = threading.Thread(target=lambda: seen.extend(process.stderr or ()), daemon=True)
        rest.start()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # faulthandler writes every thread's stack
            process.wait(timeout=30)
            rest.join(timeout=10)
            raise AssertionError(
                "the scheduler did not stop on SIGTERM:\n" + "".join(seen)
            ) from None
        rest.join(timeout=10)
    finally:
        process.kill()
        process.wait()
        watchdog.cancel()
    assert process.returncode == 0, "".join(seen)
    assert "scheduler: stopping" in "".join(seen)
    # Its runs are in the folder a web server's /metrics adds up.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(counts))
    labels = {"job": "release-no-shows"}
    assert registry.get_sample_value("booking_job_runs_total", labels) == 1
    assert registry.get_sample_value("booking_job_changed_total", labels) == 1
    assert status_of(app, booking.id) == "no_show"
