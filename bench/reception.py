"""Benchmark reception's views on the seeded building with 5,000 bookings in one day.

The demo catalogue is seeded, then 240 desks are added across its three floors; the day
holds 5,000 bookings (half-hour bookings from 08:00 on every desk, plus the seeded rooms'
and the hot-desk pool's), in a mix of statuses as at mid-morning, and the 60 days around
it hold 100,000 more. Each endpoint is called through the whole application stack
in-process (test client: routing, auth, query, service, JSON or CSV), as reception; the
time per call is printed, on SQLite and on PostgreSQL. The aim is 50 ms or less.

Usage: ``python bench/reception.py [--runs N] [--only sqlite|postgresql]``.
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
from sqlalchemy import insert, select  # noqa: E402

from booking import create_app  # noqa: E402
from booking.extensions import db  # noqa: E402
from booking.models import Booking, Resource, User  # noqa: E402
from booking.seeding import seed_demo  # noqa: E402
from booking.services.catalogue.resources import add_resource  # noqa: E402

DAY = datetime(2027, 3, 3, tzinfo=UTC)  # a Wednesday, GMT
AT = DAY + timedelta(hours=10, minutes=40)
NOW = AT
ON_THE_DAY = 5_000
AROUND = 100_000
EXTRA_DESKS = 240
SLOT = timedelta(minutes=30)


def status_at(start: datetime, n: int) -> tuple[str, datetime | None]:
    """A status as mid-morning would show it: past ones done or missed, current ones
    mostly checked in, later ones confirmed."""
    if start + SLOT <= AT:
        return ("completed", start) if n % 5 else ("no_show", None)
    if start <= AT:
        return ("checked_in", start) if n % 4 else ("confirmed", None)
    return ("confirmed", None) if n % 7 else ("pending", None)


def prepare(url: str):
    import flask_migrate

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FIXED_NOW": NOW})
    with app.app_context():
        flask_migrate.upgrade()
        demo = seed_demo("bench", NOW)
        token = next(u.token for u in demo if u.role == "reception")
        floors = list(db.session.scalars(select(Resource).where(Resource.kind == "floor")))
        for n in range(EXTRA_DESKS):
            floor = floors[n % len(floors)]
            add_resource(
                {"name": f"Bench desk {n:03d}", "kind": "desk", "parent_id": floor.id}, NOW
            )
        db.session.commit()
        people = list(db.session.scalars(select(User).where(User.tenant_id.is_not(None))))
        bookable = list(db.session.scalars(select(Resource).where(Resource.bookable)))
        rows = []

        def add(resource: Resource, start: datetime, n: int, *, on_the_day: bool) -> None:
            person = people[n % len(people)]
            status, checked_in_at = status_at(start, n) if on_the_day else ("confirmed", None)
            rows.append(
                {
                    "resource_id": resource.id,
                    "user_id": person.id,
                    "booked_by_id": person.id,
                    "tenant_id": person.tenant_id,
                    "title": f"Booking {n}",
                    "units": 1,
                    "start": start,
                    "end": start + SLOT,
                    "occupied_start": start,
                    "occupied_end": start + SLOT,
                    "exclusive": resource.quantity == 1,
                    "status": status,
                    "checked_in_at": checked_in_at,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )

        # the day: every bookable resource in turn, half-hour slots from 08:00
        slot = 0
        while len(rows) < ON_THE_DAY:
            for resource in bookable:
                if len(rows) == ON_THE_DAY:
                    break
                add(resource, DAY + timedelta(hours=8) + slot * SLOT, len(rows), on_the_day=True)
            slot += 1
        # the days around it, 30 either side
        n = 0
        while n < AROUND:
            day = DAY + timedelta(days=(n % 60) - 30 or 31)
            resource = bookable[(n // 60) % len(bookable)]
            hour = (n // (60 * len(bookable))) % 20
            add(resource, day + timedelta(hours=2) + hour * SLOT, n, on_the_day=False)
            n += 1
        db.session.execute(insert(Booking), rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum would after a load
    return app, token


def measure(app, token: str, path: str, runs: int, accept: str = "application/json"):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Accept": accept}
    timings, size = [], 0
    for _ in range(runs + 3):
        began = time.perf_counter()
        response = client.get(path, headers=headers)
        timings.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.get_data(as_text=True)}")
        size = len(response.get_data())
    return timings[3:], size


def report(name: str, label: str, timings: list[float], size: int) -> None:
    ms = sorted(t * 1000 for t in timings)
    print(
        f"{name:<11} {label:<34} p50 {statistics.median(ms):6.1f} ms  "
        f"max {ms[-1]:6.1f} ms  ({size / 1024:,.0f} KiB)"
    )


CALLS = [
    ("occupancy at 10:40", f"/api/v1/occupancy?at={AT.isoformat()}", "application/json"),
    ("day sheet, JSON", f"/api/v1/occupancy/day?date={DAY.date()}", "application/json"),
    ("day sheet, CSV", f"/api/v1/occupancy/day?date={DAY.date()}", "text/csv"),
    ("roll-call, JSON", "/api/v1/occupancy/roll-call", "application/json"),
    ("roll-call, CSV", "/api/v1/occupancy/roll-call", "text/csv"),
]


def run(name: str, url: str, runs: int) -> None:
    app, token = prepare(url)
    with app.app_context():
        count = db.session.query(Booking).count()
    print(f"{name}: {count:,} bookings, {ON_THE_DAY:,} of them on {DAY.date()}")
    for label, path, accept in CALLS:
        report(name, label, *measure(app, token, path.replace("+", "%2B"), runs, accept))


def main() -> None:
    run_on_each(__doc__ or "", run, runs=30)


if __name__ == "__main__":
    main()
