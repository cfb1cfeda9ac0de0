"""Calendar feeds: the secret URLs, what each feed holds, and answering polls cheaply.

Three feeds per user: **mine** (bookings for them), **tenant** (their tenant's bookings)
and **resource** (one resource's bookings). A feed shows a booking in full only where
its owner may see it through the API; any other is "Booked", with no title, booker or
tenant. Feeds hold bookings from ``feeds.days_back`` days before today to
``feeds.days_ahead`` after; a cancelled (or rejected, expired, no-show) booking stays
as cancelled for ``feeds.keep_cancelled_days`` after the change, so apps remove it.

Polls are answered from a per-process cache keyed by the feed's *content version*: the
number and latest change of the bookings it draws on, the catalogue's latest change,
the owner's rights and today's date. An unchanged feed is never built again; a 304
costs two small queries. The ETag is a digest of the bytes, so it changes exactly when
the content does; ``Last-Modified`` is when the service first served that content
(kept in ``feed_states``, the same for every worker).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, update

from booking.errors import NotFoundError
from booking.extensions import db
from booking.models import Booking, FeedKey, FeedState, Resource, Series, Tenant, User
from booking.services.access import visible_to
from booking.services.claims import overlapping
from booking.services.occupancy import Layout, local_day, read_layout
from booking.services.rulebook import site_zone
from booking.services.series import stored_expansion
from booking.services.transactions import transactional
from calendars.feed import (
    CANCELLED,
    CONFIRMED,
    TENTATIVE,
    FeedCalendar,
    FeedEvent,
    FeedSeries,
    build_calendar,
)
from rules import Interval
from rules.durations import parse_duration

KINDS = ("mine", "tenant", "resource")
UID_DOMAIN = "booking.hwic"
CLOSED = ("cancelled", "rejected", "expired", "no_show")
CACHE_SIZE = 512


# --- secrets -------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


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
        db.session.add(FeedKey(user_id=user.id, salt=salt, digest=_digest(secret), created_at=now))
    else:
        key.salt, key.digest, key.created_at = salt, _digest(secret), now
    return secret


@transactional
def feed_secret(user: User, now: datetime) -> str:
    """The user's feed secret, made on first use."""
    key = db.session.scalar(select(FeedKey).where(FeedKey.user_id == user.id))
    return _new_key(user, now) if key is None else _secret(user.id, key.salt)


@transactional
def rotate_feed_secret(user: User, now: datetime) -> str:
    """A new feed secret for the user; the old URLs stop working at once."""
    return _new_key(user, now)


@dataclass(frozen=True, slots=True)
class FeedOwner:
    """Whose feed a URL opens, with what they may see."""

    id: int
    name: str
    role: str
    tenant_id: int | None
    tenant_name: str | None


# --- what a feed draws on -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedScope:
    """One feed of one owner."""

    owner: FeedOwner
    kind: str
    resource_id: int | None = None

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.owner.id}" + (
            f":{self.resource_id}" if self.resource_id is not None else ""
        )

    def condition(self) -> ColumnElement[bool]:
        if self.kind == "mine":
            return Booking.user_id == self.owner.id  # type: ignore[no-any-return]
        if self.kind == "tenant":
            return Booking.tenant_id == self.owner.tenant_id  # type: ignore[no-any-return]
        return Booking.resource_id == self.resource_id  # type: ignore[no-any-return]


def _poll_statement(kind: str) -> Select[Any]:
    """One query for a poll of feed ``kind``: the secret's owner and what the feed's
    content version is made of, each from an index.

    The bookings it draws on are summed up by their latest change (a booking never
    leaves its user's or tenant's feed; for a resource's, where a booking can move
    away, by their number too); the catalogue by its latest change. For a resource
    feed, whether the resource exists.
    """
    mine = {
        "mine": Booking.user_id == User.id,
        "tenant": Booking.tenant_id == User.tenant_id,
        "resource": Booking.resource_id == bindparam("resource_id"),
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
    wanted = _digest(secret)
    # one read, outside any transaction: no BEGIN and no ROLLBACK round trips
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        row = connection.execute(
            POLLS[kind], {"digest": wanted, "resource_id": resource_id}
        ).first()
    if row is None or not hmac.compare_digest(row[0], wanted):
        raise NotFoundError("No such feed: the address is wrong or has been replaced.")
    owner = FeedOwner(*row[1:6])
    if kind == "tenant" and owner.tenant_id is None:
        raise NotFoundError("This user belongs to no tenant, so has no tenant feed.")
    if kind == "resource" and row[-1] is None:
        raise NotFoundError("No such resource.")
    scope = FeedScope(owner, kind, resource_id)
    refresh = parse_duration(current_app.config["FEEDS_REFRESH"]).total_seconds()
    today = now.astimezone(site_zone()).date()
    turn = int(now.timestamp() // refresh)
    version = (scope.name, owner.role, owner.tenant_id, today, turn, *row[6:])
    return scope, version


# --- building -------------------------------------------------------------------------


def _location(layout: Layout, resource_id: int) -> str:
    floor = layout.floor_of(resource_id)
    name = layout.places[resource_id].name
    return name if floor is None else f"{name}, {floor['name']}"


def _event_status(booking: Booking) -> str:
    if booking.status in CLOSED:
        return CANCELLED
    return TENTATIVE if booking.status in ("held", "pending") else CONFIRMED


def _summary(booking: Booking | Series, shown: bool) -> str:
    return booking.title if shown else "Booked"


def _event(
    booking: Booking, layout: Layout, shown: bool, *, uid: str, recurrence: bool = False
) -> FeedEvent:
    description = None
    if shown:
        description = f"Status: {booking.status.replace('_', ' ')}."
        if booking.notes:
            description += f"\n\n{booking.notes}"
    return FeedEvent(
        uid=uid,
        start=booking.start,
        end=booking.end,
        summary=_summary(booking, shown),
        status=_event_status(booking),
        changed=booking.updated_at,
        created=booking.created_at,
        sequence=booking.sequence,
        location=_location(layout, booking.resource_id),
        description=description,
        recurrence_id=booking.recurrence_id if recurrence else None,
    )


def _window(today: date) -> Interval:
    config = current_app.config
    first = local_day(today - timedelta(days=config["FEEDS_DAYS_BACK"])).start
    last = local_day(today + timedelta(days=config["FEEDS_DAYS_AHEAD"])).end
    return Interval(first, last)


def _series_event(
    series: Series,
    occurrences: list[Booking],
    layout: Layout,
    shown: bool,
    shown_bookings: set[int],
) -> FeedSeries | None:
    """The series as a master event, with EXDATEs for the dates not held here and an
    override for each occurrence that differs from its rule."""
    expansion = stored_expansion(series)
    slots = {slot.start: slot for slot in [*expansion.occurrences, *expansion.excluded]}
    present = {b.recurrence_id: b for b in occurrences if b.status not in CLOSED}
    if not present:
        return None
    uid = f"series-{series.id}@{UID_DOMAIN}"
    open_ones = list(present.values())
    master_status = (
        TENTATIVE if all(b.status in ("held", "pending") for b in open_ones) else CONFIRMED
    )
    master = FeedEvent(
        uid=uid,
        start=series.start,
        end=series.end,
        summary=_summary(series, shown),
        status=master_status,
        changed=max([series.updated_at, *(b.updated_at for b in occurrences)]),
        created=series.created_at,
        sequence=max(b.sequence for b in occurrences),
        location=_location(layout, series.resource_id),
    )
    exdates = tuple(start for start in slots if start not in present)
    overrides = []
    for recurrence_id, booking in sorted(
        present.items(), key=lambda item: item[0] or item[1].start
    ):
        slot = slots.get(recurrence_id) if recurrence_id is not None else None
        same = (
            slot is not None
            and (booking.start, booking.end) == (slot.start, slot.end)
            and booking.resource_id == series.resource_id
            and _summary(booking, booking.id in shown_bookings) == master.summary
            and _event_status(booking) == master_status
        )
        if not same and recurrence_id is not None:
            overrides.append(
                _event(booking, layout, booking.id in shown_bookings, uid=uid, recurrence=True)
            )
    return FeedSeries(master=master, rule=series.rule, exdates=exdates, overrides=tuple(overrides))


def _title(scope: FeedScope, layout: Layout) -> str:
    site = current_app.config["SITE_NAME"]
    if scope.kind == "mine":
        return f"{site}: {scope.owner.name}'s bookings"
    if scope.kind == "tenant":
        return f"{site}: {scope.owner.tenant_name}"
    assert scope.resource_id is not None
    return f"{site}: {_location(layout, scope.resource_id)}"


def build_feed(scope: FeedScope, today: date) -> bytes:
    """The feed's calendar as of ``today`` (a local date)."""
    owner = db.session.get(User, scope.owner.id)
    assert owner is not None
    layout = read_layout()
    window = _window(today)
    keep_from = local_day(
        today - timedelta(days=current_app.config["FEEDS_KEEP_CANCELLED_DAYS"])
    ).start
    in_window = and_(scope.condition(), overlapping(Booking.start, Booking.end, window))
    # whether the owner may see each booking in full, asked of the database alongside
    shown_column = visible_to(owner, Booking).label("shown")
    single = select(Booking, shown_column).where(
        in_window,
        Booking.series_id.is_(None),
        or_(Booking.status.not_in(CLOSED), Booking.updated_at >= keep_from),
    )
    rows = db.session.execute(single.order_by(Booking.start, Booking.id)).all()
    events = [
        _event(b, layout, bool(shown), uid=f"booking-{b.id}@{UID_DOMAIN}") for b, shown in rows
    ]
    series_here = select(Booking.series_id).where(in_window, Booking.series_id.is_not(None))
    in_series: dict[int, list[Booking]] = defaultdict(list)
    shown_bookings: set[int] = set()
    query = select(Booking, shown_column).where(
        scope.condition(), Booking.series_id.in_(series_here)
    )
    for booking, shown in db.session.execute(query.order_by(Booking.recurrence_id)):
        in_series[booking.series_id].append(booking)
        if shown:
            shown_bookings.add(booking.id)
    series_rows = db.session.execute(
        select(Series, visible_to(owner, Series).label("shown"))
        .where(Series.id.in_(series_here))
        .order_by(Series.id)
    ).all()
    recurring = [
        made
        for series, shown in series_rows
        if (
            made := _series_event(series, in_series[series.id], layout, bool(shown), shown_bookings)
        )
        is not None
    ]
    calendar = FeedCalendar(
        name=_title(scope, layout),
        zone=site_zone(),
        refresh=parse_duration(current_app.config["FEEDS_REFRESH"]),
        events=events,
        series=recurring,
        span=(window.start.year, window.end.year),
    )
    return build_calendar(calendar)


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
