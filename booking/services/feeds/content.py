"""What a calendar feed holds: its owner's bookings, a tenant's or a resource's, as events.

A feed shows a booking in full only where its owner may see it through the API; any
other is "Booked", with no title, booker or tenant. It holds bookings from
``feeds.days_back`` days before the day to ``feeds.days_ahead`` after; a cancelled (or
rejected, expired, no-show) booking stays, as cancelled, for
``feeds.keep_cancelled_days`` after the change, so apps remove it. A series is one
master event with EXDATEs for the dates not held in this feed and an override for each
occurrence that differs from its rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select

from booking.extensions import db
from booking.models import Booking, Series, User
from booking.services.catalogue import Layout, local_day, read_layout, site_zone
from booking.services.core import overlapping, visible_to
from booking.services.reservations import stored_expansion
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

UID_DOMAIN = "booking.hwic"
CLOSED = ("cancelled", "rejected", "expired", "no_show")


@dataclass(frozen=True, slots=True)
class FeedOwner:
    """Whose feed a URL opens, with what they may see."""

    id: int
    name: str
    role: str
    tenant_id: int | None
    tenant_name: str | None


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
            return Booking.user_id == self.owner.id
        if self.kind == "tenant":
            return Booking.tenant_id == self.owner.tenant_id
        return Booking.resource_id == self.resource_id


def location_of(layout: Layout, resource_id: int) -> str:
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
        location=location_of(layout, booking.resource_id),
        description=description,
        recurrence_id=booking.recurrence_id if recurrence else None,
    )


def feed_window(today: date) -> Interval:
    """The stretch a feed holds as of ``today``: whole local days, from days_back before
    to days_ahead after."""
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
        location=location_of(layout, series.resource_id),
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


def uid_of(booking: Booking) -> str:
    """The UID a booking has in every feed: its series' UID for an occurrence."""
    if booking.series_id is not None:
        return f"series-{booking.series_id}@{UID_DOMAIN}"
    return f"booking-{booking.id}@{UID_DOMAIN}"


def booking_event(booking: Booking, layout: Layout) -> FeedEvent:
    """``booking`` as its owner's feed shows it in full; an occurrence of a series as
    that series' override for its date (``RECURRENCE-ID``)."""
    recurrence = booking.series_id is not None and booking.recurrence_id is not None
    return _event(booking, layout, True, uid=uid_of(booking), recurrence=recurrence)


def series_feed_event(series: Series, layout: Layout) -> FeedSeries | None:
    """``series`` as its owner's feed shows it in full (``None`` once no date is open)."""
    query = select(Booking).where(Booking.series_id == series.id)
    occurrences = list(db.session.scalars(query.order_by(Booking.recurrence_id)))
    shown = {b.id for b in occurrences}
    return _series_event(series, occurrences, layout, True, shown)


def ended_series_event(series: Series, layout: Layout) -> FeedEvent:
    """The master event of a series none of whose dates is left, as cancelled: the
    SEQUENCE is above every version a feed has shown of it."""
    query = select(Booking.sequence, Booking.updated_at).where(Booking.series_id == series.id)
    rows = db.session.execute(query).all()
    return FeedEvent(
        uid=f"series-{series.id}@{UID_DOMAIN}",
        start=series.start,
        end=series.end,
        summary=series.title,
        status=CANCELLED,
        changed=max([series.updated_at, *(row.updated_at for row in rows)]),
        created=series.created_at,
        sequence=max([0, *(row.sequence for row in rows)]),
        location=location_of(layout, series.resource_id),
    )


def _title(scope: FeedScope, layout: Layout) -> str:
    site = current_app.config["SITE_NAME"]
    if scope.kind == "mine":
        return f"{site}: {scope.owner.name}'s bookings"
    if scope.kind == "tenant":
        return f"{site}: {scope.owner.tenant_name}"
    assert scope.resource_id is not None
    return f"{site}: {location_of(layout, scope.resource_id)}"


SeriesRows = tuple[list[Any], dict[int, list[Booking]], set[int]]


def _series_rows(scope: FeedScope, owner: User, in_window: ColumnElement[bool]) -> SeriesRows:
    """The series with a date in the window (and whether the owner sees each in full),
    each with all its bookings in the scope, and the bookings the owner sees in full."""
    shown_column = visible_to(owner, Booking).label("shown")
    series_here = select(Booking.series_id).where(in_window, Booking.series_id.is_not(None))
    in_series: dict[int, list[Booking]] = defaultdict(list)
    shown_bookings: set[int] = set()
    query = select(Booking, shown_column).where(
        scope.condition(), Booking.series_id.in_(series_here)
    )
    for booking, shown in db.session.execute(query.order_by(Booking.recurrence_id)):
        if booking.series_id is not None:  # as the query asks; said for the type checker
            in_series[booking.series_id].append(booking)
        if shown:
            shown_bookings.add(booking.id)
    series_rows = db.session.execute(
        select(Series, visible_to(owner, Series).label("shown"))
        .where(Series.id.in_(series_here))
        .order_by(Series.id)
    ).all()
    return list(series_rows), in_series, shown_bookings


def build_feed(scope: FeedScope, today: date) -> bytes:
    """The feed's calendar as of ``today`` (a local date)."""
    owner = db.session.get(User, scope.owner.id)
    assert owner is not None
    window = feed_window(today)
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
    series_rows, in_series, shown_rows = _series_rows(scope, owner, in_window)
    # Only the places the feed names: its cost stays the same however large the building.
    places = {b.resource_id for b, _ in rows} | {s.resource_id for s, _ in series_rows}
    places |= {b.resource_id for held in in_series.values() for b in held}
    layout = read_layout(places | ({scope.resource_id} if scope.resource_id else set()))
    events = [
        _event(b, layout, bool(shown), uid=f"booking-{b.id}@{UID_DOMAIN}") for b, shown in rows
    ]
    recurring = [
        made
        for series, shown in series_rows
        if (made := _series_event(series, in_series[series.id], layout, bool(shown), shown_rows))
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
