"""Benchmark calendar feeds of 1,000 and of 10,000 events, on SQLite and PostgreSQL.

Prints, per database and feed size:
- the time to build the feed from the database (in-process, cache bypassed: the query,
  the events and the iCalendar text), median of several builds;
- over HTTP, through gunicorn with 2 workers and 16 keep-alive clients: the requests/s
  of a poll answered 304 (``If-None-Match`` with the feed's ETag) next to ``GET
  /healthz`` on the same server, as a ratio.

Aims: a 1,000-event feed built in 200 ms or less; the 304 path at 50% or more of healthz.

Usage: ``python bench/feeds.py [--requests N] [--only sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from databases import add_only_option, each_database  # noqa: E402
from run import gunicorn  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from booking import create_app  # noqa: E402
from booking.extensions import db  # noqa: E402
from booking.models import ApiToken, Booking  # noqa: E402
from booking.services.catalogue.resources import add_resource  # noqa: E402
from booking.services.catalogue.rulebook import site_zone  # noqa: E402
from booking.services.feeds import content as feed_content  # noqa: E402
from booking.services.feeds import serving as feeds  # noqa: E402
from booking.services.people.auth import digest  # noqa: E402
from booking.services.people.users import add_user  # noqa: E402

SIZES = (1_000, 10_000)
CLIENTS = 16


def prepare(url: str) -> dict[int, str]:
    """Migrate, then give one user per size that many bookings; return their tokens."""
    import flask_migrate

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    tokens = {}
    with app.app_context():
        flask_migrate.upgrade()
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        floor = add_resource({"name": "Floor", "kind": "floor", "bookable": False}, now)
        rooms = [
            add_resource({"name": f"Room {n}", "kind": "room", "parent_id": floor.id}, now)
            for n in range(50)
        ]
        for size in SIZES:
            user = add_user(
                f"feed{size}@hwic.example",
                f"Feed {size}",
                "tenant_member",
                now,
                tenant_name="Bench",
            )
            token = f"bench-feed-token-{size}-0123456789"
            db.session.add(ApiToken(user_id=user.id, digest=digest(token), created_at=now))
            tokens[size] = token
            rows = []
            for n in range(size):
                # spread over 20 months from 80 days back, every room in turn
                start = now - timedelta(days=80) + timedelta(hours=(n * 13) % (600 * 24))
                start = start.replace(hour=8 + n % 10)
                room = rooms[(n + size) % len(rooms)]
                rows.append(
                    {
                        "resource_id": room.id,
                        "user_id": user.id,
                        "booked_by_id": user.id,
                        "tenant_id": user.tenant_id,
                        "title": f"Booking {n}, with a comma; and a semicolon",
                        "units": 1,
                        "start": start,
                        "end": start + timedelta(minutes=30 + 15 * (n % 4)),
                        "occupied_start": start,
                        "occupied_end": start + timedelta(minutes=30 + 15 * (n % 4)),
                        "exclusive": False,  # the bench spreads them; overlaps do not matter
                        "status": "confirmed",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            db.session.execute(insert(Booking), rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum would after a load
    return tokens


def build_ms(url: str, token: str, runs: int = 7) -> tuple[float, int]:
    """Median time to build the feed (cache bypassed) and its size in bytes."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.test_request_context():
        user = db.session.scalar(db.select(ApiToken).where(ApiToken.digest == digest(token))).user
        secret = feeds.feed_secret(user, datetime.now(UTC))
        scope, _ = feeds.open_feed(secret, "mine", datetime.now(UTC))
        today = datetime.now(site_zone()).date()
        spent, size = [], 0
        for _ in range(runs):
            began = time.perf_counter()
            size = len(feed_content.build_feed(scope, today))
            spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent), size


def hammer(port: int, path: str, headers: dict[str, str], count: int) -> tuple[float, dict]:
    """``count`` GETs of ``path`` from 16 keep-alive clients: (requests/s, status counts)."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(share: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(share):
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1

    threads = [threading.Thread(target=client, args=(count // CLIENTS,)) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (count // CLIENTS * CLIENTS) / (time.perf_counter() - began), statuses


def get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    return response


def bench(name: str, url: str, port: int, count: int) -> None:
    import json

    tokens = prepare(url)
    for size, token in tokens.items():
        ms, length = build_ms(url, token)
        kib = length / 1024
        print(f"{name:<11} feed of {size:>6,} events: built in {ms:7.1f} ms ({kib:,.0f} KiB)")
    with gunicorn(url, port):
        healthz, _ = hammer(port, "/healthz", {}, count)
        for size, token in tokens.items():
            links = get(port, "/api/v1/feeds", {"Authorization": f"Bearer {token}"})
            feed_url = json.loads(links.body)["mine"]["url"]  # type: ignore[attr-defined]
            path = "/" + feed_url.split("://", 1)[1].split("/", 1)[1]
            first = get(port, path, {})
            etag = first.getheader("ETag") or ""
            get(port, path, {"If-None-Match": etag})  # the other worker builds it too
            get(port, path, {"If-None-Match": etag})
            rate, statuses = hammer(port, path, {"If-None-Match": etag}, count)
            print(
                f"{name:<11} feed of {size:>6,} events: 304 path {rate:7.0f} req/s, healthz "
                f"{healthz:7.0f} req/s: {100 * rate / healthz:4.0f}%  {statuses}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    add_only_option(parser)
    args = parser.parse_args()
    for port, (name, url) in enumerate(each_database(args.only), start=8765):
        bench(name, url, port, args.requests)


if __name__ == "__main__":
    main()
