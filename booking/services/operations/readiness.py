"""Whether this instance can serve: the database answers and its schema is the newest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from booking.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"  # booking/migrations


@dataclass(frozen=True)
class Readiness:
    """What ``/readyz`` says: ready or not, and why not."""

    ready: bool
    schema: str | None
    newest: str
    problem: str | None = None


def newest_revision() -> str:
    """The newest migration this code carries."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def check_readiness() -> Readiness:
    """Ask the database for its schema version (one query, no transaction kept)."""
    newest = newest_revision()
    try:
        schema = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return Readiness(
            False, None, newest, f"the database does not answer: {type(error).__name__}"
        )
    finally:
        db.session.commit()
    if schema != newest:
        return Readiness(False, schema, newest, "the schema is not at the newest migration")
    return Readiness(True, schema, newest)
