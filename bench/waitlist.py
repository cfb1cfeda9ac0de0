"""Benchmark cancelling a booking with 50 people waiting for its time against one with
nobody waiting.

Each run cancels one booking of a microscope (a different hour each run) through the
service layer: one transaction that frees the time and, in it, hands it to the first of
the line that it fits (a held booking, the entry offered, the outbox written). With a
line, 50 entries from 50 people wait for that very hour. Prints the time per
cancellation and the ratio, on SQLite and on PostgreSQL.

Usage: ``python bench/waitlist.py [--runs N] [--only sqlite|postgresql]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from databases import run_on_each  # noqa: E402
from flask import Flask  # noqa: E402

from booking import create_app  # noqa: E402
from booking.extensions import db  # noqa: E402
from booking.models import Resource, User, WaitlistEntry  # noqa: E402
from booking.services.catalogue.resources import add_resource  # noqa: E402
from booking.services.people.users import add_user  # noqa: E402
from booking.services.reservations import BookingDraft, cancel_booking, create_booking  # noqa: E402

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
FIRST = datetime(2026, 12, 1, 7, tzinfo=UTC)
LINE = 50


def prepare(url: str) -> tuple[Flask, int, int, list[int]]:
    import flask_migrate

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FIXED_NOW": NOW})
    with app.app_context():
        flask_migrate.upgrade()
        owner = add_user("owner@hwic.example", "Owner", "tenant_member", NOW, tenant_name="A")
        waiting = [
            add_user(f"w{n}@hwic.example", f"Waiter {n}", "tenant_member", NOW, tenant_name="B")
            for n in range(LINE)
        ]
        scope = add_resource({"name": "Confocal", "kind": "equipment"}, NOW)
        db.session.commit()
        return app, owner.id, scope.id, [w.id for w in waiting]


def one(app: Flask, owner_id: int, scope_id: int, waiters: list[int], hour: int) -> float:
    """Seconds to cancel a booking of the ``hour``-th hour with ``waiters`` waiting."""
    start = FIRST + timedelta(days=hour // 12, hours=hour % 12)
    with app.app_context():
        owner = db.session.get(User, owner_id)
        assert owner is not None
        made = create_booking(
            owner, BookingDraft(scope_id, start, start + timedelta(hours=1), "Run"), NOW
        )
        for user_id in waiters:
            db.session.add(
                WaitlistEntry(
                    resource_id=scope_id,
                    user_id=user_id,
                    booked_by_id=user_id,
                    start=start,
                    end=start + timedelta(hours=1),
                    title="Wait",
                    units=1,
                    status="waiting",
                    created_at=NOW,
                    updated_at=NOW,
                )  # fmt: skip
            )
        db.session.commit()
        began = time.perf_counter()
        cancel_booking(owner, made.id, NOW)
        took = time.perf_counter() - began
        if waiters:
            line = db.session.query(WaitlistEntry).filter_by(start=start, status="offered")
            assert line.count() == 1, "the first in the line is offered the hour"
        return took


def run(name: str, url: str, runs: int) -> None:
    app, owner_id, scope_id, waiters = prepare(url)
    with app.app_context():
        assert db.session.get(Resource, scope_id) is not None
    lines = {"nobody": [], "one": waiters[:1], f"{LINE}": waiters}
    taken: dict[str, list[float]] = {label: [] for label in lines}
    for n in range(runs * len(lines)):
        label = list(lines)[n % len(lines)]
        taken[label].append(one(app, owner_id, scope_id, lines[label], n))
    alone = statistics.median(taken["nobody"]) * 1000
    figures = "; ".join(
        f"{label} waiting p50 {statistics.median(times) * 1000:5.1f} ms "
        f"({statistics.median(times) * 1000 / alone:4.2f}x)"
        for label, times in taken.items()
    )
    print(f"{name:<11} cancel with {figures}  ({runs} runs each)")


def main() -> None:
    run_on_each(__doc__ or "", run, runs=20)


if __name__ == "__main__":
    main()
