"""The extension objects, created unbound and initialised by ``create_app``."""

from typing import TYPE_CHECKING

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from booking.openapi import ProblemApi

# Named constraints keep migrations stable across SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Services commit and then return what they wrote; expiring it on commit would only make
# the response (and the caller's own user row) be read back from the database again.
db = SQLAlchemy(
    metadata=MetaData(naming_convention=NAMING), session_options={"expire_on_commit": False}
)
migrate = Migrate()
api = ProblemApi()

if TYPE_CHECKING:

    class Model(DeclarativeBase):
        """What the type checker is told of ``db.Model``: a declarative base whose
        ``Mapped`` columns it reads. (Flask-SQLAlchemy builds the real one at run time.)"""

else:
    Model = db.Model


def close_databases() -> None:
    """Close the pooled connections of every engine of the app: its database's and, on
    PostgreSQL, the polls' (``booking.database.polls_binds``)."""
    for engine in db.engines.values():
        engine.dispose()
