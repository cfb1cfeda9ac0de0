"""Closures: stretches when a resource, with everything below it, or the whole site is shut."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import or_, select

from booking.access import require
from booking.errors import InvalidFieldsError, NotFoundError
from booking.extensions import db
from booking.models import Booking, Closure, Resource, User
from booking.services.catalogue.rulebook import rules_of, site_rules, site_zone
from booking.services.catalogue.snapshot import ResourceSummary
from booking.services.core import occupying, overlapping, transactional
from calendars.importing import CalendarFileError, ImportedEvent, imported_events
from rules import Closure as ClosedTime
from rules import Interval
from rules.localtime import from_wall_clock, shift


def closures_during(window: Interval) -> dict[int | None, list[ClosedTime]]:
    """Every closure touching ``window`` by the resource it shuts (``None``: the site)."""
    found: dict[int | None, list[ClosedTime]] = defaultdict(list)
    query = select(Closure.resource_id, Closure.start, Closure.end, Closure.reason).where(
        overlapping(Closure.start, Closure.end, window)
    )
    for rid, start, end, reason in db.session.execute(query):
        found[rid].append(ClosedTime(Interval(start, end), reason))
    return found


def closures_in_force(
    window: Interval, lineages: Mapping[int, Sequence[int]]
) -> Callable[[ResourceSummary], tuple[ClosedTime, ...]]:
    """What gives each resource its closures touching ``window``: the site's, its
    ancestors' (``lineages``: each resource's, from the root) and its own.

    Resources shut alike get the very same tuple, so a caller that works something out
    once per set of closures can key it by identity, without hashing the closures again;
    what is above a resource is worked out once per parent."""
    closures = closures_during(window)
    alike: dict[tuple[ClosedTime, ...], tuple[ClosedTime, ...]] = {}
    above: dict[int | None, tuple[ClosedTime, ...]] = {}

    def shutting(resource: ResourceSummary) -> tuple[ClosedTime, ...]:
        parent = resource.parent_id
        if parent not in above:
            found = tuple(
                c for rid in (None, *lineages[resource.id]) for c in closures.get(rid, ())
            )
            above[parent] = alike.setdefault(found, found)
        own = closures.get(resource.id)
        if not own:
            return above[parent]
        whole = above[parent] + tuple(own)
        return alike.setdefault(whole, whole)

    return shutting


def list_closures(
    actor: User, resource_id: int | None, start: datetime | None, end: datetime | None
) -> list[Closure]:
    """Closures by start; ``resource_id`` selects those that close that resource (its own,
    its ancestors' and the site's)."""
    require(actor, "see_catalogue")
    query = select(Closure).order_by(Closure.start, Closure.id)
    if resource_id is not None:
        resource = db.session.get(Resource, resource_id)
        if resource is None:
            return []
        query = query.where(
            or_(
                Closure.resource_id.is_(None),
                Closure.resource_id.in_([*resource.ancestor_ids, resource.id]),
            )
        )
    if start is not None:
        query = query.where(Closure.end > start)
    if end is not None:
        query = query.where(Closure.start < end)
    return list(db.session.scalars(query))


def bookings_inside(closure: Closure, now: datetime) -> list[Booking]:
    """Open bookings that overlap ``closure`` on the resources it shuts."""
    query = select(Booking).where(
        occupying(now),
        overlapping(Booking.start, Booking.end, Interval(closure.start, closure.end)),
    )
    if closure.resource_id is not None:
        resource = db.session.get(Resource, closure.resource_id)
        assert resource is not None  # a foreign key
        below = select(Resource.id).where(Resource.path.startswith(resource.path))
        query = query.where(Booking.resource_id.in_(below))
    return list(db.session.scalars(query.order_by(Booking.start, Booking.id)))


@transactional
def create_closure(
    actor: User,
    resource_id: int | None,
    start: datetime,
    end: datetime,
    reason: str,
    now: datetime,
) -> Closure:
    """Shut a resource (or the site) for ``[start, end)``; ``affected_bookings`` lists the
    open bookings now inside it, for staff to contact (they are not cancelled)."""
    require(actor, "manage_catalogue", "manage closures")
    if resource_id is not None and db.session.get(Resource, resource_id) is None:
        raise InvalidFieldsError({"resource_id": ["No such resource."]})
    closure = Closure(
        resource_id=resource_id,
        start=start,
        end=end,
        reason=reason.strip(),
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(closure)
    db.session.flush()
    closure.affected_bookings = bookings_inside(closure, now)
    return closure


@transactional
def delete_closure(actor: User, closure_id: int) -> None:
    """Lift a closure."""
    require(actor, "manage_catalogue", "manage closures")
    closure = db.session.get(Closure, closure_id)
    if closure is None:
        raise NotFoundError("No such closure.")
    db.session.delete(closure)


#: Most closures one import may create: a file expanding to more is refused.
IMPORT_LIMIT = 2000


@dataclass
class ImportResult:
    """What an import did: the closures it made, changed or found as they were, and the
    open bookings now inside any of them."""

    created: list[Closure] = field(default_factory=list)
    updated: list[Closure] = field(default_factory=list)
    unchanged: list[Closure] = field(default_factory=list)
    affected_bookings: list[Booking] = field(default_factory=list)


def _import_horizon(resource: Resource | None, now: datetime) -> datetime:
    """How far ahead bookings can be made, so how far closures matter: the rule's
    ``max_advance`` (of the resource, or of the site) or two years."""
    rules = rules_of(resource) if resource is not None else site_rules()
    if rules.max_advance is not None:
        return shift(now, rules.max_advance, site_zone())
    return now + timedelta(days=731)


def _known(resource_id: int | None, keys: list[str]) -> dict[str, Closure]:
    """The closures imported before for the same resource (or the site), by key."""
    if not keys:
        return {}
    scope = (
        Closure.resource_id.is_(None) if resource_id is None else Closure.resource_id == resource_id
    )
    query = select(Closure).where(scope, Closure.import_uid.in_(keys))
    return {str(closure.import_uid): closure for closure in db.session.scalars(query)}


def _merge(
    found: list[ImportedEvent],
    known: dict[str, Closure],
    resource_id: int | None,
    actor: User,
    now: datetime,
) -> ImportResult:
    """Each event made a closure of the resource (or the site), or the known closure
    brought up to date."""
    result = ImportResult()
    for event in found:
        reason = event.summary.strip()[:500] or "Closed"
        closure = known.get(event.key)
        if closure is None:
            closure = Closure(
                resource_id=resource_id,
                start=event.start,
                end=event.end,
                reason=reason,
                created_by_id=actor.id,
                created_at=now,
                import_uid=event.key,
            )
            db.session.add(closure)
            result.created.append(closure)
        elif (closure.start, closure.end, closure.reason) != (event.start, event.end, reason):
            closure.start, closure.end, closure.reason = event.start, event.end, reason
            result.updated.append(closure)
        else:
            result.unchanged.append(closure)
    return result


@transactional
def import_closures(actor: User, text: str, resource_id: int | None, now: datetime) -> ImportResult:
    """Closures from the iCalendar ``text`` for a resource or (``None``) the whole site,
    from today to the booking horizon; recurring events are expanded. Importing the
    same file again changes nothing: each occurrence is known by its UID and start."""
    require(actor, "manage_catalogue", "manage closures")
    resource = None
    if resource_id is not None:
        resource = db.session.get(Resource, resource_id)
        if resource is None:
            raise InvalidFieldsError({"resource_id": ["No such resource."]})
    zone = site_zone()
    today = from_wall_clock(datetime.combine(now.astimezone(zone).date(), time()), zone)
    try:
        found = imported_events(text, zone, (today, _import_horizon(resource, now)), IMPORT_LIMIT)
    except CalendarFileError as error:
        raise InvalidFieldsError({"calendar": [str(error)]}) from error
    known = _known(resource_id, [event.key for event in found])
    result = _merge(found, known, resource_id, actor, now)
    db.session.flush()
    affected: dict[int, Booking] = {}
    for closure in [*result.created, *result.updated, *result.unchanged]:
        affected.update((b.id, b) for b in bookings_inside(closure, now))
    result.affected_bookings = sorted(affected.values(), key=lambda b: (b.start, b.id))
    return result
