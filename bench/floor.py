"""The floor under booking creation on this stack: how fast can any booking endpoint be?

Builds the SQLite database of ``bench/run.py`` (500 rooms, 200,000 bookings), serves it
with gunicorn (2 sync workers) and sends 2,000 bookings from 16 clients to each of these,
printing each next to the same server's ``GET /healthz`` as a ratio:

- ``/floor/sqlite3``: Flask with ``sqlite3`` by hand: look for a clash on the resource,
  insert the booking and its audit event, commit;
- ``/floor/core``: the same on this stack: the request checked by a schema
  (flask-smorest), the token's owner, the resource, the booking's prebuilt claims query,
  Core inserts and the session's commit;
- ``/floor/orm``: the same with the ORM's unit of work inserting the two rows;
- ``POST /api/v1/bookings``: the service: rules, closures, quotas, the hierarchy, holds,
  approval and everything above.

None of the floor endpoints applies a rule; they are here only to show what the
frameworks cost on their own. Every writer takes the same turn (``writer_turn``).

Usage: ``python bench/floor.py [--requests N]``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402
from flask import Flask, request  # noqa: E402
from flask_smorest import Blueprint  # noqa: E402
from marshmallow import Schema, fields  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from booking import create_app  # noqa: E402
from booking.database import IMMEDIATE, writer_turn  # noqa: E402
from booking.extensions import api, db  # noqa: E402
from booking.models import Booking, BookingEvent, Resource, User  # noqa: E402
from booking.services.core.claims import claims_and_lapsed_holds  # noqa: E402
from booking.services.people.auth import authenticate  # noqa: E402
from rules import Interval  # noqa: E402

PORT = 8703


class Asked(Schema):
    resource_id = fields.Integer(required=True)
    title = fields.String(required=True)
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)


class Booked(Asked):
    id = fields.Integer()


floor = Blueprint("floor", __name__, url_prefix="/floor")


def _caller() -> User:
    user = authenticate(request.headers["Authorization"].removeprefix("Bearer "))
    assert user is not None
    return user


def _row(user: User, asked: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "resource_id": asked["resource_id"],
        "user_id": user.id,
        "booked_by_id": user.id,
        "tenant_id": user.tenant_id,
        "title": asked["title"],
        "units": 1,
        "start": asked["start"],
        "end": asked["end"],
        "occupied_start": asked["start"],
        "occupied_end": asked["end"],
        "exclusive": True,
        "status": "confirmed",
        "created_at": now,
        "updated_at": now,
    }


def _book(asked: dict[str, Any], *, orm: bool) -> tuple[dict[str, Any], int]:
    user, now = _caller(), datetime.now(UTC)
    resource = db.session.get(Resource, asked["resource_id"])
    assert resource is not None
    db.session.commit()
    with writer_turn(db.engine):
        connection = db.session.connection(execution_options={IMMEDIATE: True})
        claims, _ = claims_and_lapsed_holds(resource, Interval(asked["start"], asked["end"]), now)
        if claims:
            db.session.rollback()
            return {"code": "booking_conflict"}, 409
        row = _row(user, asked, now)
        event = {"actor_id": user.id, "at": now, "action": "created", "changes": {}}
        if orm:
            booking = Booking(**row)
            db.session.add(booking)
            db.session.flush()
            db.session.add(BookingEvent(booking_id=booking.id, **event))
            booking_id = booking.id
        else:
            row["start_at"], row["end_at"], row["sequence"] = row.pop("start"), row.pop("end"), 0
            table = Booking.__table__
            booking_id = connection.execute(insert(table).returning(table.c.id), row).scalar_one()
            connection.execute(insert(BookingEvent.__table__), {"booking_id": booking_id, **event})
        db.session.commit()
    return {**asked, "id": booking_id}, 201


@floor.post("/core")
@floor.arguments(Asked())
@floor.response(201, Booked())
def book_with_core(asked: dict[str, Any]) -> tuple[dict[str, Any], int]:
    return _book(asked, orm=False)


@floor.post("/orm")
@floor.arguments(Asked())
@floor.response(201, Booked())
def book_with_orm(asked: dict[str, Any]) -> tuple[dict[str, Any], int]:
    return _book(asked, orm=True)


def _by_hand(app: Flask) -> Any:
    path = db.engine.url.database
    connections: list[sqlite3.Connection] = []  # one per worker, opened on first use

    @app.post("/floor/sqlite3")
    def book_by_hand() -> tuple[dict[str, Any], int]:
        asked = request.get_json()
        start, end = (datetime.fromisoformat(asked[k]).astimezone(UTC) for k in ("start", "end"))
        at = [moment.strftime("%Y-%m-%d %H:%M:%S.%f") for moment in (start, end)]
        if not connections:
            connections.append(sqlite3.connect(path, isolation_level=None))
        link = connections[0]
        with writer_turn(db.engine):
            link.execute("BEGIN IMMEDIATE")
            clash = link.execute(
                "SELECT 1 FROM bookings WHERE resource_id = ? AND status = 'confirmed'"
                " AND occupied_start < ? AND occupied_end > ?",
                (asked["resource_id"], at[1], at[0]),
            ).fetchone()
            if clash:
                link.execute("ROLLBACK")
                return {"code": "booking_conflict"}, 409
            booking_id = link.execute(
                "INSERT INTO bookings (resource_id, user_id, booked_by_id, tenant_id, title,"
                " units, start_at, end_at, occupied_start, occupied_end, exclusive, status,"
                " sequence, created_at, updated_at) VALUES (?, 1, 1, 1, ?, 1, ?, ?, ?, ?, 1,"
                " 'confirmed', 0, ?, ?)",
                (asked["resource_id"], asked["title"], *at, *at, at[0], at[0]),
            ).lastrowid
            link.execute(
                "INSERT INTO booking_events (booking_id, actor_id, at, action, changes)"
                " VALUES (?, 1, ?, 'created', '{}')",
                (booking_id, at[0]),
            )
            link.execute("COMMIT")
        return {**asked, "id": booking_id}, 201

    return book_by_hand


def floor_app() -> Flask:
    """The service with the floor endpoints added (for gunicorn)."""
    from booking.web import csrf

    app = create_app()
    api.register_blueprint(floor)
    csrf.exempt(floor)
    with app.app_context():
        csrf.exempt(_by_hand(app))
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    count = parser.parse_args().requests
    paths = ["/floor/sqlite3", "/floor/core", "/floor/orm", "/api/v1/bookings"]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        rooms = run.prepare(url)

        def bookings(path: str, week: int) -> list[tuple[str, str, bytes | None]]:
            sent = []
            for n in range(count):  # free evenings, Monday to Thursday of their own week
                start = run.START + timedelta(weeks=week, days=n // len(rooms) % 4, hours=18)
                start += timedelta(hours=n // (4 * len(rooms)))
                body = {
                    "resource_id": rooms[n % len(rooms)],
                    "title": "Bench",
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(),
                }
                sent.append(("POST", path, json.dumps(body).encode()))
            return sent

        health = [("GET", "/healthz", None)] * count
        with run.gunicorn(url, PORT, "floor:floor_app()"):
            run.load(PORT, health[: count // 4])  # warm up both workers
            ceiling, _, _ = run.load(PORT, health)
            print(f"\n== SQLite (gunicorn, 2 workers, {run.CLIENTS} clients) ==")
            print(f"GET /healthz               {ceiling:8.0f} req/s")
            for week, path in enumerate(paths, start=1):
                rate, latencies, statuses = run.load(PORT, bookings(path, week))
                print(
                    f"POST {path:22s}{rate:8.0f} req/s  {run.spread(latencies)}"
                    f"  {rate / ceiling:4.0%} of /healthz  statuses {statuses}"
                )


if __name__ == "__main__":
    main()
