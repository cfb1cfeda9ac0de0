"""Displays by the rooms: registered with a secret URL, and the day each one shows.

A display needs no sign-in: its URL carries a secret of 192 bits and only the secret's
SHA-256 digest is stored (as feed secrets are). What it shows is private enough for a
corridor: who has the room (the booking's tenant, or the centre for staff bookings) and
when, never titles or people.

A display asks every ``[displays] poll`` whether its day changed. The answer's version
(its ETag) is read in one query from indexes, outside any transaction: the bookings that
block the resource and are not over before today began (their latest change and their
number: a booking moved away changes the number), the catalogue's latest change, the
local date and the minute, since what is "now" and "next" moves with the clock. Bookings
that ended before today are never read, so a poll costs the same after years of them.
An unchanged version is a 304 with nothing built; the version is the same in every worker
and after a restart, so a display never notices one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    any_,
    bindparam,
    func,
    or_,
    select,
)

from booking.access import require
from booking.database import UTCDateTime
from booking.errors import NotFoundError
from booking.extensions import db
from booking.models import Booking, Display, Resource, User
from booking.services.catalogue import local_day, site_zone
from booking.services.core import read_alone, read_row, transactional
from booking.services.people import digest as stored_form

#: Bytes of a display's secret: 192 bits, 32 URL-safe characters.
SECRET_BYTES = 24


@dataclass(frozen=True, slots=True)
class NewDisplay:
    """A display just registered, with the secret its URL carries (shown this once)."""

    display: Display
    secret: str


@transactional
def register_display(actor: User, resource_id: int, name: str, now: datetime) -> NewDisplay:
    """Register a display by ``resource_id``; its secret is returned once, never kept."""
    require(actor, "manage_displays")
    if db.session.get(Resource, resource_id) is None:
        raise NotFoundError("No such resource.")
    secret = secrets.token_urlsafe(SECRET_BYTES)
    display = Display(
        resource_id=resource_id,
        name=name,
        digest=stored_form(secret),
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(display)
    db.session.flush()
    return NewDisplay(display, secret)


def list_displays(actor: User) -> list[Display]:
    """Every display, in service first, newest first."""
    require(actor, "manage_displays")
    query = select(Display).order_by(Display.revoked_at.is_not(None), Display.id.desc())
    return list(db.session.scalars(query))


@transactional
def revoke_display(actor: User, display_id: int, now: datetime) -> Display:
    """Close a display's URL for good (revoking it again changes nothing)."""
    require(actor, "manage_displays")
    display = db.session.get(Display, display_id)
    if display is None:
        raise NotFoundError("No such display.")
    if display.revoked_at is None:
        display.revoked_at = now
    return display


# --- polls ---------------------------------------------------------------------------

_CATALOGUE = select(func.max(Resource.updated_at)).scalar_subquery()
#: The display, where its resource sits (its path) and the catalogue's latest change.
_DISPLAY = (
    select(Display.id, Display.resource_id, Resource.path, _CATALOGUE)
    .join(Resource, Resource.id == Display.resource_id)
    .where(Display.digest == bindparam("digest"), Display.revoked_at.is_(None))
)
#: What blocks a resource: it and everything below it (their paths begin with its
#: ``path``) and its ancestors (its path begins with theirs).
_PATH = bindparam("path", type_=String())
_FAMILY = select(Resource.id).where(
    or_(Resource.path.startswith(_PATH), _PATH.startswith(Resource.path))
)


def _poll_query(dialect: str) -> Select[*tuple[Any, ...]]:
    """A poll: whether the display is still in service, the catalogue's latest change and
    the bookings that block its resource (their latest change and their number). On
    PostgreSQL the resources are one array parameter (``= ANY``), so the statement's text
    never changes and stays prepared; elsewhere an ``IN`` list."""
    among: ColumnElement[bool]
    if dialect == "postgresql":
        among = Booking.resource_id == any_(bindparam("family", type_=ARRAY(Integer)))
    else:
        among = Booking.resource_id.in_(bindparam("family", expanding=True))
    blocking = (
        select(func.max(Booking.updated_at).label("changed"), func.count().label("number"))
        .where(among, Booking.occupied_end > bindparam("since", type_=UTCDateTime()))
        .subquery()
    )  # one pass over ix_bookings_resource_ends for both
    return select(
        select(Display.id)
        .where(Display.id == bindparam("display_id"), Display.revoked_at.is_(None))
        .scalar_subquery(),
        _CATALOGUE,
        blocking.c.changed,
        blocking.c.number,
    )


_POLLS = {dialect: _poll_query(dialect) for dialect in ("postgresql", "sqlite")}


@dataclass(frozen=True, slots=True)
class _Known:
    """A display as this process last read it: valid while the catalogue is unchanged."""

    display_id: int
    resource_id: int
    family: tuple[int, ...]
    catalogue: datetime | None


#: Displays by the digest of their secret, as this process knows them.
_KNOWN: dict[str, _Known] = {}
_KNOWN_AT_MOST = 4096


def _look_up(connection: Connection, digest: str) -> _Known:
    row = connection.execute(_DISPLAY, {"digest": digest}).first()
    if row is None:
        _KNOWN.pop(digest, None)
        raise NotFoundError("No such display: the address is wrong or has been revoked.")
    display_id, resource_id, path, catalogue = row
    family = tuple(connection.execute(_FAMILY, {"path": path}).scalars())
    if len(_KNOWN) >= _KNOWN_AT_MOST:
        _KNOWN.clear()
    known = _KNOWN[digest] = _Known(display_id, resource_id, family, catalogue)
    return known


@dataclass(frozen=True, slots=True)
class Poll:
    """A display opened by its secret, and the version of what it shows now."""

    display_id: int
    resource_id: int
    etag: str


def open_display(secret: str, now: datetime) -> Poll:
    """The display ``secret`` opens and its version now, or a 404 (unknown or revoked).

    A display this process has seen costs one query: that it is still in service, and
    the version's parts. Its resource's place (which bookings block it) is read again
    only when the catalogue has changed since."""
    digest = stored_form(secret)
    local = now.astimezone(site_zone())
    since = local_day(local.date()).start
    with read_alone() as connection:
        known = _KNOWN.get(digest) or _look_up(connection, digest)
        values = {"display_id": known.display_id, "family": list(known.family), "since": since}
        poll = _POLLS[connection.dialect.name]
        row = read_row(connection, poll, values)
        if row is None or row[0] is None:
            _KNOWN.pop(digest, None)
            raise NotFoundError("No such display: the address is wrong or has been revoked.")
        if row[1] != known.catalogue:  # moved, resized or renamed: read its place again
            known = _look_up(connection, digest)
            row = read_row(connection, poll, {**values, "family": list(known.family)})
            assert row is not None  # one row, always
    minute: tuple[date, int, int] = (local.date(), local.hour, local.minute)
    version = repr((known.display_id, known.resource_id, tuple(row[1:]), minute)).encode()
    return Poll(
        known.display_id, known.resource_id, hashlib.blake2b(version, digest_size=12).hexdigest()
    )
