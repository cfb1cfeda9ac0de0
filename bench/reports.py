"""Benchmark the usage and charges reports: a year of use of 500 resources holding
200,000 bookings (20 tenants of every sector, every status, check-ins, late
cancellations and no-shows), on SQLite and PostgreSQL.

Times, in the server's code through Flask's test client (median ms of ``--runs``):

- ``usage, a year by resource``: ``GET /api/v1/reports/usage`` for the year (aim ≤ 300 ms);
- ``usage, a year by month``: the same grouped by month;
- ``charges, a month``: ``GET /api/v1/reports/charges`` for one month, every tenant,
  about 16,700 lines (aim ≤ 300 ms), and the same as CSV;
- ``reports page``: ``GET /staff/reports`` with its four charts (aim ≤ 500 ms), for the
  default three months and for a year, with the charts drawn afresh each time and, as a
  page shown again, from the kept drawings;
- ``statement page``: a tenant's month, ``GET /statement``.

Usage: ``python bench/reports.py [--runs N] [--only sqlite|postgresql]``.
"""

from __future__ import annotations

import gc
import logging
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from databases import run_on_each  # noqa: E402
from scale import median_ms  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from booking import create_app  # noqa: E402
from booking.extensions import close_databases, db  # noqa: E402
from booking.models import ApiToken, Booking, Tenant  # noqa: E402
from booking.services.catalogue.resources import add_resource  # noqa: E402
from booking.services.core import refresh_statistics  # noqa: E402
from booking.services.people.auth import digest  # noqa: E402
from booking.services.people.users import add_user  # noqa: E402

NOW = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
YEAR = datetime(2026, 1, 1, tzinfo=UTC)
ROOMS, BOOKINGS, TENANTS = 500, 200_000, 20
SECTORS = ("nhs", "university", "private", "public", "third_sector")
RULES = {
    "opening_hours": {day: ["08:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "closed_on_bank_holidays": True,
    "rates": {"standard": 2500, "nhs": 1500, "university": 1800},
    "late_cancel_within": "P1D",
    "late_cancel_percent": 50,
}
MANAGER = "reports-manager-token-0123456789"
STATUSES = ["completed"] * 6 + ["confirmed", "no_show", "cancelled", "cancelled"]


def load(url: str) -> None:
    import flask_migrate

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FIXED_NOW": NOW})
    pick = random.Random(5)
    with app.app_context():
        flask_migrate.upgrade()
        people = []
        for n in range(TENANTS):
            person = add_user(f"m{n}@r.example", f"M{n}", "tenant_member", NOW,
                              tenant_name=f"Tenant {n:02d}")  # fmt: skip
            tenant = db.session.get(Tenant, person.tenant_id)
            tenant.sector = SECTORS[n % len(SECTORS)]
            tenant.rate_tier = tenant.sector if tenant.sector in RULES["rates"] else "standard"
            people.append(person)
        manager = add_user("fm@r.example", "FM", "facility_manager", NOW)
        db.session.add(ApiToken(user_id=manager.id, digest=digest(MANAGER), created_at=NOW))
        building = add_resource({"name": "B", "kind": "building", "bookable": False,
                                 "rules": RULES}, NOW)  # fmt: skip
        kinds = ("lab", "room", "desk", "equipment")
        rooms = [
            add_resource(
                {"name": f"R{n:03d}", "kind": kinds[n % 4], "parent_id": building.id}, NOW
            ).id  # fmt: skip
            for n in range(ROOMS)
        ]
        rows: list[dict[str, Any]] = []
        for n in range(BOOKINGS):
            person = people[n % TENANTS]
            room, k = divmod(n, BOOKINGS // ROOMS)  # a room's bookings never overlap
            day = YEAR + timedelta(days=(k * 7 + room) % 365)
            start = day + timedelta(hours=8 + 3 * (k // 365))
            end = start + timedelta(minutes=pick.choice([30, 60, 90, 120]))
            status = pick.choice(STATUSES)
            came = start + timedelta(minutes=5) if status == "completed" else None
            rows.append({
                "resource_id": rooms[room], "user_id": person.id,
                "booked_by_id": person.id, "tenant_id": person.tenant_id, "title": "x",
                "units": 1, "start": start, "end": end, "occupied_start": start,
                "occupied_end": end, "exclusive": True, "status": status,
                "checked_in_at": came, "checked_out_at": came and end,
                "cancelled_at": start - timedelta(hours=pick.choice([3, 40]))
                if status == "cancelled" else None,
                "late_cancellation": status == "cancelled" and pick.random() < 0.5,
                "created_at": YEAR, "updated_at": YEAR,
            })  # fmt: skip
            if len(rows) == 20_000:
                db.session.execute(insert(Booking), rows)
                rows = []
        db.session.commit()
        refresh_statistics(NOW)  # SQLite's, as the refresh-statistics job keeps them
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum would after a load
        close_databases()


def run(name: str, url: str, runs: int) -> None:
    load(url)
    logging.getLogger("booking.requests").setLevel(logging.WARNING)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FIXED_NOW": NOW})
    gc.freeze()  # as each gunicorn worker does once the app is loaded (gunicorn.conf.py)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {MANAGER}"}
    year = "from=2026-01-01&to=2026-12-31"
    month = "from=2026-06-01&to=2026-06-30"

    def get(path: str, **more: str) -> Any:
        answer = client.get(path, headers={**headers, **more})
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        return answer

    lines = len(get(f"/api/v1/reports/charges?{month}").get_json()["lines"])
    figures = {
        "usage, a year by resource": f"/api/v1/reports/usage?{year}&group_by=resource",
        "usage, a year by month": f"/api/v1/reports/usage?{year}&group_by=month",
        f"charges, a month ({lines:,} lines)": f"/api/v1/reports/charges?{month}",
    }
    print(f"\n== {name}: {BOOKINGS:,} bookings, {ROOMS} resources ==")
    for label, path in figures.items():
        print(f"{label:<40}{median_ms(lambda p=path: get(p), runs):9.1f} ms")
    csv_path = f"/api/v1/reports/charges?{month}"
    spent = median_ms(lambda: get(csv_path, Accept="text/csv"), runs)
    print(f"{'charges, a month as CSV':<40}{spent:9.1f} ms", flush=True)
    pages(app, runs)
    with app.app_context():
        close_databases()


def pages(app: Any, runs: int) -> None:
    """The report pages as the facility manager and a tenant's member see them."""
    from booking.models import User
    from booking.web import charts

    with app.app_context():
        ids = {u.email: u.id for u in db.session.scalars(db.select(User))}
    browsers = {}
    for email in ("fm@r.example", "m1@r.example"):
        browsers[email] = app.test_client()
        with browsers[email].session_transaction() as session:
            session["user_id"], session["version"] = ids[email], 0

    def page(path: str, who: str = "fm@r.example", fresh: bool = False) -> None:
        if fresh:
            charts.heatmap.cache_clear()
            charts.bars.cache_clear()
        answer = browsers[who].get(path)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]

    quarter = "/staff/reports?from=2026-10-01&to=2026-12-31"
    year = "/staff/reports?from=2026-01-01&to=2026-12-31"
    page(year)  # matplotlib imported, fonts found: once per process
    for label, path in (("three months", quarter), ("a year", year)):
        drawn = median_ms(lambda p=path: page(p, fresh=True), runs)
        kept = median_ms(lambda p=path: page(p), runs)
        print(f"{'reports page, ' + label + ', drawn':<40}{drawn:9.1f} ms")
        print(f"{'reports page, ' + label + ', shown again':<40}{kept:9.1f} ms", flush=True)
    spent = median_ms(lambda: page("/statement?month=2026-06", "m1@r.example"), runs)
    print(f"{'statement page, a member, a month':<40}{spent:9.1f} ms", flush=True)


if __name__ == "__main__":
    run_on_each(__doc__, run, runs=7)
