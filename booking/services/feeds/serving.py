"""Calendar feeds: the secret URLs, which feed a URL opens, and answering polls cheaply.

Each user has one feed secret; their feed URLs (mine, tenant, resource) carry it. What
a feed holds is ``booking.services.feed_content``.

Polls are answered from a per-process cache keyed by the feed's *content version*: the
latest change of the bookings it draws on (and their number, for a resource's feed),
the catalogue's latest change, the owner's rights and today's date. An unchanged feed is
never built again; a 304 costs one indexed query. The ETag is a digest of the bytes, so
it changes exactly when the content does; ``Last-Modified`` is when the service first
served that content (kept in ``feed_states``, the same for every worker).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, bindparam, func, select, update

from booking.database import UTCDateTime
from booking.errors import NotFoundError
from booking.extensions import db
from booking.models import Booking, FeedKey, FeedState, Resource, Tenant, User
from booking.services.catalogue import site_zone
from booking.services.core import read_alone, read_row, transactional
from booking.services.feeds.content import FeedOwner, FeedScope, build_feed, feed_window
from booking.services.people import digest as stored_form
from rules.durations import parse_duration

log = logging.getLogger("booking.feeds")

KINDS = ("mine", "tenant", "resource")
CACHE_SIZE = 512


# --- secrets -------------------------------------------------------------------------


def _secret(user_id: int, salt: str) -> str:
    """The feed secret of a user's current key: 192 bits, URL-safe, 32 characters."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    mac = hmac.new(key, f"feed:{user_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode()


def _new_key(user: User, now: datetime) -> str:
    salt = secrets.token_hex(16)
    secret = _secret(user.id, salt)
    key = db.session.scalar(select(FeedKey).where(FeedKey.user_id == user.id))
    if key is None:
        db.session.add(
            FeedKey(user_id=user.id, salt=salt, digest=stored_form(secret), created_at=now)
        )
    else:
        key.salt, key.digest, key.created_at = salt, stored_form(secret), now
    return secret


@transactional
def feed_secret(user: User, now: datetime) -> str:
    """The user's feed secret, made on first use.

    The secret is made with the application's ``SECRET_KEY``. Where the stored digest no
    longer matches, the key was changed: the old URLs cannot be made to work again, so
    the user's URLs are made anew (logged), and ``GET /feeds`` shows ones that work."""
    key = db.session.scalar(select(FeedKey).where(FeedKey.user_id == user.id))
    if key is None:
        return _new_key(user, now)
    secret = _secret(user.id, key.salt)
    if not hmac.compare_digest(stored_form(secret), key.digest):
        log.warning("feed URLs of user %s were made anew: SECRET_KEY has changed", user.id)
        return _new_key(user, now)
    return secret


@transactional
def rotate_feed_secret(user: User, now: datetime) -> str:
    """A new feed secret for the user; the old URLs stop working at once."""
    return _new_key(user, now)


# --- which feed a URL opens ------------------------------------------------------------


def _poll_statement(kind: str) -> Select[*tuple[Any, ...]]:
    """One query for a poll of feed ``kind``: the secret's owner and what the feed's
    content version is made of, each from an index.

    The bookings it draws on are summed up by their latest change (a booking never
    leaves its user's or tenant's feed; for a resource's, where a booking can move
    away, by their number too); the catalogue by its latest change. For a resource
    feed, whether the resource exists.

    A resource's bookings are read only from those not over before the feed's window
    (``since``), from ``ix_bookings_resource_ends``, so a poll costs the same after
    years of bookings. (A change to an occurrence before the window of a series that
    reaches into it shows at the next refresh turn, which is part of the version.)
    """
    mine = {
        "mine": Booking.user_id == User.id,
        "tenant": Booking.tenant_id == User.tenant_id,
        "resource": and_(
            Booking.resource_id == bindparam("resource_id"),
            Booking.occupied_end > bindparam("since", type_=UTCDateTime()),
        ),
    }[kind]
    changed = select(func.max(Booking.updated_at)).where(mine).scalar_subquery()
    catalogue = select(func.max(Resource.updated_at)).scalar_subquery()
    extra = []
    if kind == "resource":
        extra = [
            select(func.count()).where(mine).scalar_subquery(),
            select(Resource.id).where(Resource.id == bindparam("resource_id")).scalar_subquery(),
        ]
    return (
        select(
            FeedKey.digest,
            User.id,
            User.name,
            User.role,
            User.tenant_id,
            Tenant.name,
            changed,
            catalogue,
            *extra,
        )
        .join(User, User.id == FeedKey.user_id)
        .outerjoin(Tenant, Tenant.id == User.tenant_id)
        .where(FeedKey.digest == bindparam("digest"))
    )


POLLS = {kind: _poll_statement(kind) for kind in KINDS}


def open_feed(
    secret: str, kind: str, now: datetime, resource_id: int | None = None
) -> tuple[FeedScope, tuple[Any, ...]]:
    """The feed ``kind`` that ``secret`` opens and its content version (equal versions
    make equal bytes), or a 404: an unknown or rotated secret, a tenant feed of someone
    in no tenant, a resource that does not exist.

    Besides the bookings and the catalogue, the version holds the owner's rights, the
    local date (it moves the window) and the refresh interval's turn: a change stamped
    earlier than one already seen (a slow request committing late) shows by then.
    """
    wanted = stored_form(secret)
    today = now.astimezone(site_zone()).date()
    values = {"digest": wanted, "resource_id": resource_id, "since": feed_window(today).start}
    with read_alone() as connection:
        row = read_row(connection, POLLS[kind], values)
    if row is None or not hmac.compare_digest(row[0], wanted):
        raise NotFoundError("No such feed: the address is wrong or has been replaced.")
    owner = FeedOwner(*row[1:6])
    if kind == "tenant" and owner.tenant_id is None:
        raise NotFoundError("This user belongs to no tenant, so has no tenant feed.")
    if kind == "resource" and row[-1] is None:
        raise NotFoundError("No such resource.")
    scope = FeedScope(owner, kind, resource_id)
    refresh = parse_duration(current_app.config["FEEDS_REFRESH"]).total_seconds()
    turn = int(now.timestamp() // refresh)
    version = (scope.name, owner.role, owner.tenant_id, today, turn, *row[6:])
    return scope, version


# --- answering polls --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedBody:
    """A built feed and its validators."""

    body: bytes
    etag: str  # unquoted
    last_modified: datetime


class FeedCache:
    """Built feeds by content version, least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[Any, ...], FeedBody] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, version: tuple[Any, ...]) -> FeedBody | None:
        with self.lock:
            found = self.entries.get(version)
            if found is not None:
                self.entries.move_to_end(version)
            return found

    def put(self, version: tuple[Any, ...], feed: FeedBody) -> None:
        with self.lock:
            self.entries[version] = feed
            self.entries.move_to_end(version)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


CACHE = FeedCache()


@transactional
def _last_modified(scope: FeedScope, etag: str, now: datetime) -> datetime:
    """Since when the feed has had the content ``etag``: now, if it just changed."""
    state = db.session.scalar(select(FeedState).where(FeedState.feed == scope.name))
    if state is None:
        db.session.add(FeedState(feed=scope.name, etag=etag, modified_at=now))
        return now
    if state.etag != etag:
        # a conditional update: of two workers building the same new content, one wins
        changed = db.session.execute(
            update(FeedState)
            .where(FeedState.id == state.id, FeedState.etag == state.etag)
            .values(etag=etag, modified_at=now)
        )
        if changed.rowcount:  # type: ignore[attr-defined]
            return now
        db.session.refresh(state)
    return state.modified_at


def feed_body(secret: str, kind: str, now: datetime, resource_id: int | None = None) -> FeedBody:
    """The feed's bytes and validators, built only when its content version is new."""
    scope, version = open_feed(secret, kind, now, resource_id)
    today = now.astimezone(site_zone()).date()
    cached = CACHE.get(version)
    if cached is not None:
        return cached
    body = build_feed(scope, today)
    etag = hashlib.sha256(body).hexdigest()[:32]
    built = FeedBody(body, etag, _last_modified(scope, etag, now))
    CACHE.put(version, built)
    return built
