"""Fixtures: an app on a fresh database of each kind, a client, and factories.

Every test that takes ``app`` (or anything built on it) runs twice: on SQLite and on
PostgreSQL. The schema comes from the migrations, as in production.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from booking import create_app
from booking.extensions import close_databases, db
from booking.models import Booking, Resource, User
from booking.services.catalogue.resources import add_resource
from booking.services.people.auth import digest
from booking.services.people.users import add_user
from tests.postgres import PostgresUnavailable, postgres_url

#: The pinned "now" of the suite: a Tuesday morning in late November, GMT.
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TABLES = (
    "booking_events",
    "bookings",
    "closures",
    "certifications",
    "api_tokens",
    "users",
    "tenants",
    "resources",
    "feed_states",
    "notifications",
    "outbox_events",
    "notification_preferences",
    "sign_in_failures",
)


def app_for(url: str, **settings: Any) -> Flask:
    """An application on the database at ``url`` with the suite's pinned clock."""
    config = {
        "DATABASE_URL": url,
        "FIXED_NOW": NOW,
        "TESTING": True,
        "SECRET_KEY": "test",
        "SITE_RULES": {},  # tests set the rules they exercise; config.toml's stay out
    }
    return create_app({**config, **settings})


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema through the migrations."""
    app = app_for(url)
    with app.app_context():
        flask_migrate.upgrade()
        close_databases()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    stack = ExitStack()
    try:
        url = stack.enter_context(postgres_url())
    except PostgresUnavailable as error:
        stack.close()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and is unavailable: {error}")
        pytest.skip(f"PostgreSQL is unavailable: {error}")
    with stack:
        yield url


def fresh_pg_database(server_url: str, name: str) -> str:
    """Create (or re-create) database ``name`` on the server and return its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def pg_database(pg_server: str) -> str:
    url = fresh_pg_database(pg_server, "hwic_test")
    migrate(url)
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "booking.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp_path / "booking.db")
        return f"sqlite:///{tmp_path / 'booking.db'}"
    url: str = request.getfixturevalue("pg_database")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = app_for(database_url)
    yield application
    with application.app_context():
        close_databases()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    """An instant given as UTC wall-clock parts (December 2026 is GMT, so also local)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Factory:
    """Makes rows with sensible defaults; every call commits, as a request would."""

    app: Flask
    counter: int = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def user(self, role: str = "tenant_member", tenant: str | None = "Calder Diagnostics") -> User:
        if role in ("admin", "facility_manager", "reception"):
            tenant = None
        with self.app.app_context():
            n = self._next()
            user = add_user(f"{role}{n}@example.test", f"{role} {n}", role, NOW, tenant_name=tenant)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    def token(self, user: User) -> str:
        from booking.models import ApiToken

        raw = f"test-token-{user.id}-{self._next()}"
        with self.app.app_context():
            db.session.add(ApiToken(user_id=user.id, digest=digest(raw), created_at=NOW))
            db.session.commit()
        return raw

    def headers(self, user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"}

    def resource(self, **overrides: Any) -> Resource:
        fields: dict[str, Any] = {"name": f"Resource {self._next()}", "kind": "room", **overrides}
        with self.app.app_context():
            resource = add_resource(fields, NOW)
            db.session.commit()
            db.session.refresh(resource)
            db.session.expunge(resource)
            return resource

    def booking(
        self, resource: Resource, user: User, start: datetime, end: datetime, **overrides: Any
    ) -> Booking:
        fields: dict[str, Any] = {
            "resource_id": resource.id,
            "user_id": user.id,
            "booked_by_id": user.id,
            "tenant_id": user.tenant_id,
            "title": "Existing booking",
            "units": 1,
            "start": start,
            "end": end,
            "occupied_start": start,
            "occupied_end": end,
            "exclusive": resource.quantity == 1,
            "status": "confirmed",
            "created_at": NOW,
            "updated_at": NOW,
            **overrides,
        }
        with self.app.app_context():
            booking = Booking(**fields)
            db.session.add(booking)
            db.session.commit()
            db.session.refresh(booking)
            db.session.expunge(booking)
            return booking


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory(app)


def iso(moment: datetime) -> str:
    return moment.isoformat()
