"""Benchmark creating a weekly series of 52 occurrences on a resource with 10,000 bookings.

Each run books a year of Wednesdays (a different hour each run) on one lab bench that
already holds 10,000 bookings in that year (other people's, on the other weekdays), and
whose lab's rules apply (opening hours, slots, buffers, advance), through the whole
application stack in-process (test client: routing, auth, schema, service, one
transaction); prints the time per series on SQLite and on PostgreSQL.

Usage: ``python bench/series.py [--runs N] [--only sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from databases import add_only_option, each_database  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from booking import create_app  # noqa: E402
from booking.extensions import db  # noqa: E402
from booking.models import ApiToken, Booking  # noqa: E402
from booking.services.catalogue.resources import add_resource  # noqa: E402
from booking.services.people.auth import digest  # noqa: E402
from booking.services.people.users import add_user  # noqa: E402

TOKEN = "bench-series-token-0123456789"
EXISTING = 10_000
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
FIRST_MONDAY = datetime(2027, 1, 4, tzinfo=UTC)
RULES = {
    "max_advance": "P800D",
    "slot": "PT15M",
    "opening_hours": {d: ["07:00-21:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    "buffer_after": "PT15M",
}


def prepare(url: str):
    import flask_migrate

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FIXED_NOW": NOW})
    with app.app_context():
        flask_migrate.upgrade()
        user = add_user("series@hwic.example", "Bench", "tenant_member", NOW, tenant_name="Bench")
        other = add_user("other@hwic.example", "Other", "tenant_member", NOW, tenant_name="Other")
        db.session.add(ApiToken(user_id=user.id, digest=digest(TOKEN), created_at=NOW))
        lab = add_resource({"name": "Lab", "kind": "lab", "rules": RULES}, NOW)
        bench = add_resource({"name": "Bench", "kind": "desk", "parent_id": lab.id}, NOW)
        rows = []
        # Mondays, Tuesdays, Thursdays and Fridays 07:00-19:00 in quarter hours: the
        # 10,000 bookings fill the year the series spans
        day, made = FIRST_MONDAY, 0
        while made < EXISTING:
            if day.weekday() in (0, 1, 3, 4):
                for quarter in range(48):
                    start = day + timedelta(hours=7, minutes=15 * quarter)
                    rows.append(
                        {
                            "resource_id": bench.id,
                            "user_id": other.id,
                            "booked_by_id": other.id,
                            "tenant_id": other.tenant_id,
                            "title": "Existing",
                            "units": 1,
                            "start": start,
                            "end": start + timedelta(minutes=15),
                            "occupied_start": start,
                            "occupied_end": start + timedelta(minutes=15),
                            "exclusive": True,
                            "status": "confirmed",
                            "created_at": NOW,
                            "updated_at": NOW,
                        }
                    )
                    made += 1
            day += timedelta(days=1)
        db.session.execute(insert(Booking), rows[:EXISTING])
        db.session.commit()
        bench_id = bench.id
    return app, bench_id


def measure(app, bench_id: int, runs: int) -> list[float]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    timings = []
    for run in range(runs):
        # each run a different hour of the Wednesdays, so every series books all 52
        start = datetime(2027, 1, 6, 7 + run % 13, 0)
        body = {
            "resource_id": bench_id,
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=45)).isoformat(),
            "title": f"Weekly {run}",
            "rule": "FREQ=WEEKLY;COUNT=52",
        }
        began = time.perf_counter()
        response = client.post("/api/v1/series", json=body, headers=headers)
        timings.append(time.perf_counter() - began)
        if response.status_code != 201 or len(response.get_json()["bookings"]) != 52:
            raise SystemExit(f"series not booked: {response.status_code} {response.get_json()}")
    return timings


def report(name: str, timings: list[float]) -> None:
    ms = sorted(t * 1000 for t in timings)
    print(
        f"{name:<11} weekly series of 52 on a resource with {EXISTING:,} bookings: "
        f"p50 {statistics.median(ms):6.1f} ms  min {ms[0]:6.1f} ms  max {ms[-1]:6.1f} ms  "
        f"({len(ms)} series)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=13)
    add_only_option(parser)
    args = parser.parse_args()
    for name, url in each_database(args.only):
        app, bench_id = prepare(url)
        with app.app_context():
            report(name, measure(app, bench_id, args.runs))


if __name__ == "__main__":
    main()
