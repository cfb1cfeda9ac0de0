"""Benchmark the mail path: what writing messages adds to a booking, and delivery speed.

1. Booking creation through the service, with the notification subscriber on and off
   (alternating blocks of 20 bookings of the same shape, so the database grows alike
   under both): the median time per booking and what the messages add, in percent.
2. ``send-notifications`` draining a backlog of 10,000 messages to a local SMTP server
   (aiosmtpd's sink, in a process of its own on this machine's other core): messages
   per second, and the time of each claim query from the first batch to the last, to
   show the claim does not slow as the outbox fills with sent messages.

Usage: ``python bench/notifications.py [--bookings N] [--backlog N] [--only sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from databases import add_only_option, each_database  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from booking import create_app, events  # noqa: E402
from booking.extensions import close_databases, db  # noqa: E402
from booking.models import Notification, OutboxEvent, Resource, User  # noqa: E402
from booking.services.catalogue.resources import add_resource  # noqa: E402
from booking.services.notifications import delivery, outbox  # noqa: E402
from booking.services.notifications.recording import record_event  # noqa: E402
from booking.services.people.users import add_user  # noqa: E402
from booking.services.reservations.bookings import BookingDraft, create_booking  # noqa: E402
from tests.booking.mail import free_port  # noqa: E402

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
FIRST = datetime(2026, 12, 1, 8, tzinfo=UTC)


@contextmanager
def smtp_sink() -> Iterator[int]:
    """aiosmtpd's sink (accepts and drops every message) in its own process; its port."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ]
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def prepare(url: str, port: int, rooms: int):
    import flask_migrate

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "FIXED_NOW": NOW,
            "SITE_RULES": {},
            "MAIL_BACKEND": "smtp",
            "MAIL_HOST": "127.0.0.1",
            "MAIL_PORT": port,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        admin = add_user("admin@hwic.example", "Admin", "tenant_admin", NOW, tenant_name="Bench")
        member = add_user(
            "member@hwic.example", "Member", "tenant_member", NOW, tenant_name="Bench"
        )
        floor = add_resource({"name": "First floor", "kind": "floor", "bookable": False}, NOW)
        for n in range(rooms):
            add_resource({"name": f"Room {n}", "kind": "room", "parent_id": floor.id}, NOW)
        db.session.commit()
        ids = (admin.id, member.id)
    return app, ids


def book_many(app, ids, rooms: list[int], count: int, offset: int) -> float:
    """Book ``count`` hours for the member, made by their tenant admin (two people hear
    of each); the seconds per booking."""
    with app.app_context():
        admin = db.session.get(User, ids[0])
        started = time.perf_counter()
        for n in range(count):
            slot = offset + n
            start = FIRST + timedelta(days=slot // (10 * len(rooms)), hours=slot % 10)
            room = rooms[(slot // 10) % len(rooms)]
            draft = BookingDraft(
                room, start, start + timedelta(hours=1), "Assay run", on_behalf_of=ids[1]
            )
            create_booking(admin, draft, NOW)
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed / count


def creation(app, ids, total: int) -> tuple[float, float]:
    with app.app_context():
        rooms = list(db.session.scalars(select(Resource.id).where(Resource.kind == "room")))
    block, on, off = 20, [], []
    done = 0
    book_many(app, ids, rooms, block, 10**6)  # warm up
    while done < total:
        with events.paused(record_event, events.BookingsEvent):
            off.append(book_many(app, ids, rooms, block, done))
        on.append(book_many(app, ids, rooms, block, done + total))
        done += block
    return statistics.median(off), statistics.median(on)


def sample_row(app) -> dict:
    """One message the bookings wrote, as a row to copy."""
    with app.app_context():
        sample = db.session.scalar(select(Notification).limit(1))
        assert sample is not None, "no messages were written"
        return {
            "kind": sample.kind,
            "user_id": sample.user_id,
            "to_address": sample.to_address,
            "subject": sample.subject,
            "booking_id": sample.booking_id,
            "payload": sample.payload,
            "status": "queued",
            "attempts": 0,
            "next_attempt_at": NOW,
            "created_at": NOW,
        }


def backlog(app, row: dict, count: int) -> None:
    """``count`` copies of ``row``, to 200 different people (as a real backlog is)."""
    rows = [{**row, "to_address": f"person{n % 200}@hwic.example"} for n in range(count)]
    with app.app_context():
        db.session.execute(insert(Notification), rows)
        db.session.commit()


def drain(app) -> tuple[int, float, list[float]]:
    """Deliver everything due, as ``send_notifications`` does, timing each claim."""
    claims: list[float] = []
    with app.app_context():
        started = time.perf_counter()
        claim = outbox.claim

        def timed_claim(now: datetime, size: int) -> list[Notification]:
            before = time.perf_counter()
            batch = claim(now, size)
            claims.append(time.perf_counter() - before)
            return batch

        outbox.claim = timed_claim  # the job's own loop, with each claim timed
        try:
            sent = len(delivery.send_notifications(NOW))
        finally:
            outbox.claim = claim
        elapsed = time.perf_counter() - started
        left = db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.status != "sent")
        )
        assert left == 0, f"{left} messages not sent"
    return sent, elapsed, claims[:-1]


def run(kind: str, url: str, args: argparse.Namespace) -> None:
    with smtp_sink() as port:
        app, ids = prepare(url, port, rooms=50)
        off, on = creation(app, ids, args.bookings)
        print(
            f"{kind:<10} booking creation: {off * 1000:.2f} ms off, {on * 1000:.2f} ms on "
            f"(messages add {100 * (on - off) / off:+.1f}%; median of blocks, 2 messages each)"
        )
        with app.app_context():
            started = time.perf_counter()
            recorded = db.session.scalar(select(func.count()).select_from(OutboxEvent))
            while delivery.write_messages(NOW):
                pass
            took = time.perf_counter() - started
            written = db.session.scalar(select(func.count()).select_from(Notification))
        print(
            f"{kind:<10} writing messages: {recorded} recorded events into {written} messages "
            f"in {took:.2f} s = {written / took:.0f} messages/s"
        )
        row = sample_row(app)
        with app.app_context():
            db.session.execute(Notification.__table__.delete())
            db.session.commit()
        backlog(app, row, 1)
        drain(app)  # warms the connection path
        backlog(app, row, args.backlog)
        sent, elapsed, claims = drain(app)
        ms = [c * 1000 for c in claims]
        tenth = max(1, len(ms) // 10)
        print(
            f"{kind:<10} delivery: {sent} messages in {elapsed:.1f} s = {sent / elapsed:.0f}/s; "
            f"claim per batch of {delivery.BATCH}: first tenth "
            f"{statistics.median(ms[:tenth]):.1f} ms, last tenth "
            f"{statistics.median(ms[-tenth:]):.1f} ms (median)"
        )
        with app.app_context():
            close_databases()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument("--backlog", type=int, default=10_000)
    add_only_option(parser)
    args = parser.parse_args()
    for name, url in each_database(args.only):
        run(name, url, args)


if __name__ == "__main__":
    main()
