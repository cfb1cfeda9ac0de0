"""Benchmark displays polling: 100 displays in a building of 500 rooms holding 200,000
bookings, on SQLite and PostgreSQL.

Each display asks for its day every 15 s (``[displays] poll``). Its version holds the
minute, so of a display's four polls a minute one finds a change (the fragment built
and sent, 200) and three do not (304). Prints, per database, the server time of each
kind of poll (in-process through the whole Flask stack, median and p95 over every
display, timed inside the WSGI application: the server's own time) and what 100
displays cost one core: 100 × (t200 + 3 × t304) each minute.

Aims: an unchanged poll ≤ 2 ms of server time; 100 displays < 5% of one core.

Usage: ``python bench/displays.py [--runs N] [--only sqlite|postgresql]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from databases import run_on_each  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from booking import create_app  # noqa: E402
from booking.extensions import db  # noqa: E402
from booking.models import Booking  # noqa: E402
from booking.services.catalogue.resources import add_resource  # noqa: E402
from booking.services.displays import register_display  # noqa: E402
from booking.services.people.users import add_user  # noqa: E402

NOW = datetime(2026, 12, 1, 10, 7, tzinfo=UTC)
ROOMS, BOOKINGS, DISPLAYS = 500, 200_000, 100


def prepare(url: str) -> tuple[object, list[str]]:
    """Migrate; a building of 5 floors and 500 rooms, a year of bookings; 100 displays."""
    import flask_migrate

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FIXED_NOW": NOW})
    with app.app_context():
        flask_migrate.upgrade()
        start = NOW - timedelta(days=300)
        manager = add_user("fm@hwic.example", "FM", "facility_manager", start)
        people = [
            add_user(f"u{n}@hwic.example", f"U {n}", "tenant_member", start, tenant_name=f"T{n}")
            for n in range(20)
        ]
        floors = [add_resource({"name": f"Floor {n}", "kind": "floor"}, start) for n in range(5)]
        rooms = [
            add_resource(
                {"name": f"Room {n}", "kind": "room", "parent_id": floors[n % 5].id}, start
            )
            for n in range(ROOMS)
        ]
        rows = []
        for n in range(BOOKINGS):
            room, k = rooms[n % ROOMS], n // ROOMS  # 400 a room over a year, a quarter ahead
            day, hour = k * 365 // 400 - 270, 8 + k % 9
            begins = (NOW + timedelta(days=day)).replace(hour=hour, minute=0)
            person = people[n % len(people)]
            rows.append(
                {
                    "resource_id": room.id,
                    "user_id": person.id,
                    "booked_by_id": person.id,
                    "tenant_id": person.tenant_id,
                    "title": f"Meeting {n}",
                    "units": 1,
                    "start": begins,
                    "end": begins + timedelta(minutes=50),
                    "occupied_start": begins,
                    "occupied_end": begins + timedelta(minutes=50),
                    "exclusive": True,
                    "status": "confirmed",
                    "created_at": start,
                    "updated_at": start + timedelta(minutes=n % 10_000),
                }
            )
        for at in range(0, len(rows), 20_000):
            db.session.execute(insert(Booking), rows[at : at + 20_000])
        db.session.commit()
        secrets = [
            register_display(manager, rooms[n * (ROOMS // DISPLAYS)].id, f"D{n}", NOW).secret
            for n in range(DISPLAYS)
        ]
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum would after a load
    return app, secrets


class ServerTime:
    """WSGI middleware that times the application alone: from the call until its body
    has been produced, without the client's side of the exchange."""

    def __init__(self, app: Any) -> None:
        self.app, self.last = app, 0.0

    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        began = time.perf_counter()
        body = list(self.app(environ, start_response))
        self.last = (time.perf_counter() - began) * 1000
        return body


def timed(client: Any, clock: ServerTime, path: str, etag: str | None, expect: int) -> Any:
    answer = client.get(path, headers={"If-None-Match": etag} if etag else {})
    assert answer.status_code == expect, answer.status_code
    return answer


def run(name: str, url: str, runs: int) -> None:
    app, secrets = prepare(url)
    clock = ServerTime(app.wsgi_app)  # type: ignore[attr-defined]
    app.wsgi_app = clock  # type: ignore[attr-defined]
    client = app.test_client()  # type: ignore[attr-defined]
    changed, unchanged = [], []
    for _ in range(runs):
        for secret in secrets:  # a display's minute: one poll finds a change, three do not
            path = f"/d/{secret}/live"
            etag = timed(client, clock, path, None, 200).headers["ETag"]
            changed.append(clock.last)
            for _ in range(3):
                timed(client, clock, path, etag, 304)
                unchanged.append(clock.last)

    def figures(times: list[float]) -> str:
        p95 = statistics.quantiles(times, n=20)[-1]
        return f"p50 {statistics.median(times):5.2f} ms, p95 {p95:5.2f} ms"

    share = DISPLAYS * (statistics.mean(changed) + 3 * statistics.mean(unchanged)) / 60_000
    print(
        f"{name:<11} unchanged (304) {figures(unchanged)}; changed (200) {figures(changed)}; "
        f"100 displays every 15 s: {share * 100:4.2f}% of one core"
    )


def main() -> None:
    run_on_each(__doc__ or "", run, runs=5)


if __name__ == "__main__":
    main()
