"""The background jobs and the scheduler process that runs them.

Each job calls one service with the current instant. Every service is a conditional
update, so a job run twice, or in two processes at once, changes nothing more than one
run. ``flask --app booking scheduler`` runs them all, every ``scheduler.every`` (or a
job's own ``every``), in its own process (never inside web workers): runs that fall
behind are coalesced into one, a job never overlaps itself, and a run missed by up to
one interval still happens.
``flask --app booking jobs run NAME`` runs one job once, for cron and operators.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from booking import metrics
from booking.clock import now as current_instant
from booking.extensions import db
from booking.logs import FIELDS
from booking.services import notifications, reservations, visitors
from booking.services.core import refresh_statistics
from rules.durations import parse_duration

log = logging.getLogger("booking.jobs")


@dataclass(frozen=True)
class Job:
    """A background job: the service it calls and what that does to each booking."""

    service: Callable[[datetime], list[int]]
    done: str
    things: str = "booking(s)"
    #: How often it runs (ISO 8601), when not every ``scheduler.every``.
    every: str | None = None


JOBS: dict[str, Job] = {
    "release-no-shows": Job(reservations.release_no_shows, "released as no-shows"),
    "expire-holds": Job(reservations.expire_holds, "held and not confirmed in time: expired"),
    "expire-pending": Job(reservations.expire_pending, "not approved in time: expired"),
    "complete-checked-in": Job(reservations.complete_checked_in, "ended checked in: completed"),
    "send-notifications": Job(notifications.send_notifications, "sent", "message(s)"),
    "purge-visitors": Job(
        visitors.purge_visitors, "erased (name, e-mail, organisation)", "visitor(s)"
    ),
    "refresh-statistics": Job(
        refresh_statistics, "the database's planner statistics refreshed", "", every="PT6H"
    ),
}


def run_job(app: Flask, name: str, at: datetime | None = None) -> list[int]:
    """Run job ``name`` once, at ``at`` or now; the ids of the bookings it changed."""
    with app.app_context():
        try:
            moment = current_instant() if at is None else at
            changed = JOBS[name].service(moment)
        finally:
            db.session.remove()
    return changed


def describe(name: str, changed: list[int]) -> str:
    """One line saying what a run of job ``name`` did."""
    if not JOBS[name].things:
        return f"{name}: {JOBS[name].done}"
    ids = f" ({', '.join(map(str, changed))})" if changed else ""
    return f"{name}: {len(changed)} {JOBS[name].things} {JOBS[name].done}{ids}"


def _scheduled_run(app: Flask, name: str) -> None:
    began = time.perf_counter()
    changed = run_job(app, name)
    seconds = time.perf_counter() - began
    metrics.observe_job(name, len(changed), seconds)
    fields = {"job": name, "changed": len(changed), "duration_ms": round(seconds * 1000, 2)}
    log.info(describe(name, changed), extra={FIELDS: fields})


def build_scheduler(app: Flask, scheduler: BaseScheduler | None = None) -> BaseScheduler:
    """A scheduler running every job every ``scheduler.every`` (or its own ``every``),
    starting at once."""
    scheduler = scheduler or BackgroundScheduler(timezone=UTC)
    for name, job in JOBS.items():
        every = parse_duration(job.every or app.config["SCHEDULER_EVERY"]).total_seconds()
        scheduler.add_job(
            _scheduled_run,
            "interval",
            args=(app, name),
            id=name,
            name=name,
            seconds=every,
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(every)),
        )
    return scheduler


def run_scheduler(app: Flask, stopping: threading.Event | None = None) -> None:
    """Run the jobs until SIGINT or SIGTERM (or ``stopping`` is set), then stop cleanly.

    The jobs run on the scheduler's own threads. The signal handler only sets an event:
    it never logs or takes a lock, so a signal that lands while a thread is writing a
    log line cannot deadlock or lose the stop. The main thread then shuts the scheduler
    down and waits for a run in progress to finish (each run is one short transaction).
    """
    stopping = stopping or threading.Event()
    scheduler = build_scheduler(app)

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    own = ", ".join(f"{name} every {job.every}" for name, job in JOBS.items() if job.every)
    log.info(
        "scheduler: running %s every %s (%s)", ", ".join(JOBS), app.config["SCHEDULER_EVERY"], own
    )
    scheduler.start()
    while not stopping.wait(timeout=1):
        pass
    log.info("scheduler: stopping")
    scheduler.shutdown(wait=True)
