"""How cost grows with the data: 20,000, 200,000 and 2,000,000 bookings.

The building grows as a centre would: 50, 500 and 5,000 rooms, each with one booking a
day for 400 days (so a room's own history is the same at every size). At each size, in
the server's code through Flask's test client (no network), median milliseconds of:

- ``create``: ``POST /api/v1/bookings`` into a free evening (conflicts, rules, quotas);
- ``search``: ``GET /api/v1/availability`` for one hour over one week, every room (the
  API answers at most 1,000 at once, so at 5,000 rooms it is the first 1,000);
- ``day sheet``: ``GET /api/v1/occupancy/day`` for the whole building;
- ``feed``: one room's calendar feed built afresh (about 400 events);
- ``feed poll``: the same feed asked again with its ETag (a 304).

It prints the table and the growth factor from each size to the next. ``create``,
``feed`` and ``feed poll`` should stay flat (an index lookup deepens by a level at most);
``search`` and ``day sheet`` answer for every room, so they may grow with the rooms (10x
a step) but no faster: their cost per room answered is printed too.

Usage: ``python bench/scale.py [--only sqlite|postgresql] [--largest N]``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from databases import add_only_option, each_database  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from booking import create_app  # noqa: E402
from booking.extensions import close_databases, db  # noqa: E402
from booking.models import ApiToken, Booking  # noqa: E402
from booking.services.catalogue.resources import add_resource  # noqa: E402
from booking.services.core import refresh_statistics  # noqa: E402
from booking.services.feeds import serving as feeds  # noqa: E402
from booking.services.people.auth import digest  # noqa: E402
from booking.services.people.users import add_user  # noqa: E402

PER_ROOM = 400  # days, one booking a day
MOST_ANSWERED = 1_000  # the availability search's largest ``limit``
STAGES = (20_000, 200_000, 2_000_000)
START = datetime(2027, 1, 4, tzinfo=UTC)  # a Monday
NOW = datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
WEEK = (datetime(2027, 6, 7, tzinfo=UTC), datetime(2027, 6, 14, tzinfo=UTC))
DAY = "2027-06-08"
SITE = {
    "opening_hours": {day: ["07:00-21:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "closed_on_bank_holidays": True,
    "slot": "PT15M",
    "max_advance": "P365D",
}
MEMBER, MANAGER = "scale-member-token-0123456789", "scale-manager-token-0123456789"
CHUNK = 20_000


def _app(url: str) -> Any:
    logging.getLogger("booking.requests").setLevel(logging.WARNING)  # no line per request
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FIXED_NOW": NOW})


def _rows(rooms: list[int], user: Any) -> Iterator[dict[str, Any]]:
    for index, room in enumerate(rooms):
        for day in range(PER_ROOM):
            start = START + timedelta(days=day, hours=8 + index % 8)
            yield {
                "resource_id": room,
                "user_id": user.id,
                "booked_by_id": user.id,
                "tenant_id": user.tenant_id,
                "title": "Load",
                "units": 1,
                "start": start,
                "end": start + timedelta(hours=1),
                "occupied_start": start,
                "occupied_end": start + timedelta(hours=1),
                "exclusive": True,
                "status": "confirmed",
                "created_at": NOW - timedelta(days=30),
                "updated_at": NOW - timedelta(days=30),
            }


def grow(url: str, to_rooms: int, state: dict[str, Any]) -> float:
    """Add rooms (and their bookings) until there are ``to_rooms``; seconds it took."""
    import flask_migrate

    began = time.perf_counter()
    app = _app(url)
    with app.app_context():
        if not state:
            flask_migrate.upgrade()
            member = add_user("member@scale.example", "Member", "tenant_member", NOW,
                              tenant_name="Scale Ltd")  # fmt: skip
            manager = add_user("fm@scale.example", "Manager", "facility_manager", NOW)
            for user, token in ((member, MEMBER), (manager, MANAGER)):
                db.session.add(ApiToken(user_id=user.id, digest=digest(token), created_at=NOW))
            building = add_resource(
                {"name": "Scale building", "kind": "building", "bookable": False, "rules": SITE},
                NOW,
            )
            state.update(member=member, building=building.id, rooms=[])
        floor = add_resource(
            {"name": f"Floors to {to_rooms}", "kind": "floor", "bookable": False,
             "parent_id": state["building"]},
            NOW,
        )  # fmt: skip
        made = len(state["rooms"])
        new = [
            add_resource(
                {"name": f"Room {n:04d}", "kind": "room", "capacity": 6, "parent_id": floor.id},
                NOW,
            ).id
            for n in range(made, to_rooms)
        ]
        db.session.commit()
        state["rooms"].extend(new)
        batch: list[dict[str, Any]] = []
        for row in _rows(new, state["member"]):
            batch.append(row)
            if len(batch) == CHUNK:
                db.session.execute(insert(Booking), batch)
                batch = []
        if batch:
            db.session.execute(insert(Booking), batch)
        db.session.commit()
        refresh_statistics(NOW)  # SQLite's, as the refresh-statistics job keeps them
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum would after a load
        close_databases()
    return time.perf_counter() - began


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm
    spent = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent)


def measure(url: str, state: dict[str, Any], stage: int) -> dict[str, float]:
    app = _app(url)
    client = app.test_client()
    member = {"Authorization": f"Bearer {MEMBER}"}
    manager = {"Authorization": f"Bearer {MANAGER}"}
    rooms = state["rooms"]
    made = iter(range(10_000))

    def create() -> None:
        n = next(made)
        start = START + timedelta(days=150 + 42 * stage + n // len(rooms), hours=18)  # Thursdays
        answer = client.post(
            "/api/v1/bookings",
            json={"resource_id": rooms[n % len(rooms)], "title": "Scale",
                  "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()},
            headers=member,
        )  # fmt: skip
        assert answer.status_code == 201, answer.get_json()

    week = f"start={WEEK[0].isoformat()}&end={WEEK[1].isoformat()}".replace("+", "%2B")
    answered = min(len(rooms), MOST_ANSWERED)
    search = f"/api/v1/availability?{week}&duration=PT1H&limit={answered}"

    def ok(path: str, headers: dict[str, str]) -> Any:
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, (path, answer.status_code)
        return answer

    feed_url = client.get("/api/v1/feeds", headers=member).get_json()["resource"]["url"]
    feed = feed_url.split("://", 1)[1].split("/", 1)[1].replace("{resource_id}", str(rooms[7]))
    feed = "/" + feed

    def built_feed() -> None:
        feeds.CACHE.clear()
        ok(feed, {})

    def polled_feed() -> None:
        assert client.get(feed, headers={"If-None-Match": etag}).status_code == 304

    creating = median_ms(create, 40)
    etag = ok(feed, {}).headers["ETag"]
    figures = {
        "create": creating,
        "search": median_ms(lambda: ok(search, member), 5),
        "search rooms": len(ok(search, member).get_json()["results"]),
        "day sheet": median_ms(lambda: ok(f"/api/v1/occupancy/day?date={DAY}", manager), 5),
        "feed": median_ms(built_feed, 7),
        "feed poll": median_ms(polled_feed, 40),
    }
    with app.app_context():
        close_databases()
    return figures


PER_ROOM_OPS = ("search", "day sheet")


def report(name: str, sizes: list[int], table: dict[int, dict[str, float]], rooms: list[int]):
    print(f"\n== {name}: median ms ==")
    header = "".join(f"{size:>12,}" for size in sizes)
    growth = "".join(f"growth x{b // a}".rjust(14) for a, b in zip(sizes, sizes[1:], strict=False))
    print(f"{'bookings':<12}{header}{growth}")
    print(f"{'rooms':<12}" + "".join(f"{r:>12,}" for r in rooms))
    answered = [int(table[size]["search rooms"]) for size in sizes]
    print(f"{'answered':<12}" + "".join(f"{r:>12,}" for r in answered))
    for op in (op for op in table[sizes[0]] if op != "search rooms"):
        values = [table[size][op] for size in sizes]
        factors = "".join(f"{b / a:14.2f}" for a, b in zip(values, values[1:], strict=False))
        print(f"{op:<12}" + "".join(f"{v:12.2f}" for v in values) + factors)
        if op in PER_ROOM_OPS:
            counts = [table[size]["search rooms"] for size in sizes] if op == "search" else rooms
            per = [v / r * 100 for v, r in zip(values, counts, strict=True)]
            factors = "".join(f"{b / a:14.2f}" for a, b in zip(per, per[1:], strict=False))
            print(f"{' per 100':<12}" + "".join(f"{v:12.2f}" for v in per) + factors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_only_option(parser)
    parser.add_argument("--largest", type=int, default=STAGES[-1])
    args = parser.parse_args()
    sizes = [size for size in STAGES if size <= args.largest]
    for name, url in each_database(args.only):
        state: dict[str, Any] = {}
        table, rooms = {}, []
        for stage, size in enumerate(sizes):
            seconds = grow(url, size // PER_ROOM, state)
            print(f"{name}: {size:,} bookings in {len(state['rooms']):,} rooms, loaded "
                  f"in {seconds:.0f} s", flush=True)  # fmt: skip
            table[size] = measure(url, state, stage)
            rooms.append(len(state["rooms"]))
        report(name, sizes, table, rooms)


if __name__ == "__main__":
    main()
