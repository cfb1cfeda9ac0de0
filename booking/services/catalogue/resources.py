"""The catalogue: listing, reading, creating and changing resources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from booking.access import require
from booking.errors import (
    InvalidFieldsError,
    MoveConflictError,
    NotFoundError,
    StateConflictError,
)
from booking.extensions import db
from booking.models import Booking, Resource, User
from booking.models.resources import tree_order
from booking.services.catalogue.rulebook import describe_rules
from booking.services.catalogue.snapshot import Catalogue, ResourceSummary, current_catalogue
from booking.services.core import (
    load_claims,
    lock_blocking_path_ids,
    occupying,
    spans_overlap,
    target_of,
    transactional,
)
from rules import Interval, usage_profile


@dataclass(frozen=True)
class ResourceFilter:
    """Filters of the resource list; ``None`` means no filter."""

    kind: str | None = None
    parent_id: int | None = None
    q: str | None = None
    min_capacity: int | None = None
    feature: Sequence[str] = ()
    bookable: bool | None = None


def _matching(filters: ResourceFilter, *columns: Any) -> Any:
    query = select(*columns)
    if filters.kind is not None:
        query = query.where(Resource.kind == filters.kind)
    if filters.parent_id is not None:
        query = query.where(Resource.parent_id == filters.parent_id)
    if filters.q:
        query = query.where(func.lower(Resource.name).contains(filters.q.lower(), autoescape=True))
    if filters.min_capacity is not None:
        query = query.where(Resource.capacity >= filters.min_capacity)
    if filters.bookable is not None:
        query = query.where(Resource.bookable.is_(filters.bookable))
    return query


def _with_features(found: Sequence[Any], filters: ResourceFilter) -> list[Any]:
    # Features are a JSON list; matching them in Python keeps one query for both databases.
    wanted = set(filters.feature)
    return [r for r in found if wanted <= set(r.features or [])]


def list_resources(actor: User, filters: ResourceFilter) -> list[Resource]:
    """Resources matching every filter, in the catalogue's order (``tree_order``)."""
    require(actor, "see_catalogue")
    found = _with_features(db.session.scalars(_matching(filters, Resource)).all(), filters)
    return sorted(found, key=lambda resource: tree_order(resource.path))


def list_resource_summaries(
    filters: ResourceFilter, catalogue: Catalogue | None = None
) -> list[ResourceSummary]:
    """As ``list_resources``, as light summaries (a search may read hundreds): those of
    ``catalogue`` (by default the current one) that the filters match. Whether each can
    be booked is read from the catalogue, so a search of everything bookable asks the
    database nothing more."""
    catalogue = catalogue or current_catalogue()
    found = catalogue.summaries
    if filters.bookable is not None:
        places = catalogue.layout.places
        found = [s for s in found if places[s.id].bookable == filters.bookable]
    in_sql = replace(filters, bookable=None, feature=())
    if in_sql != ResourceFilter():
        matching = set(db.session.scalars(_matching(in_sql, Resource.id)))
        found = [s for s in found if s.id in matching]
    return _with_features(found, filters) if filters.feature else list(found)


def feature_names() -> list[str]:
    """Every feature some bookable resource has, in alphabetical order: what a search
    offers to filter by."""
    summaries = list_resource_summaries(ResourceFilter(bookable=True))
    return sorted({feature for summary in summaries for feature in summary.features})


def resource_names() -> dict[int, str]:
    """Every resource's name by id, read in one query (for pages that list bookings)."""
    return {rid: name for rid, name in db.session.execute(select(Resource.id, Resource.name))}


def get_resource(resource_id: int) -> Resource:
    """The resource with ``resource_id`` or a 404."""
    resource = db.session.get(Resource, resource_id)
    if resource is None:
        raise NotFoundError("No such resource.")
    return resource


def get_resource_with_rules(actor: User, resource_id: int) -> Resource:
    """One resource with ``effective_rules`` worked out: each rule and where it came from."""
    require(actor, "see_catalogue")
    resource = get_resource(resource_id)
    resource.effective_rules = describe_rules(resource)
    return resource


#: A refused move lists at most this many clashing stretches.
MAX_CLASHES_SHOWN = 20


def _parent(parent_id: int | None) -> Resource | None:
    if parent_id is None:
        return None
    parent = db.session.get(Resource, parent_id)
    if parent is None:
        raise InvalidFieldsError({"parent_id": ["No such resource."]})
    return parent


def _set_path(resource: Resource, parent: Resource | None) -> None:
    resource.path = f"{parent.path if parent else '/'}{resource.id}/"


def add_resource(fields: dict[str, Any], now: datetime) -> Resource:
    """Insert a resource in the current transaction."""
    parent = _parent(fields.get("parent_id"))
    resource = Resource(**fields, created_at=now, updated_at=now)
    db.session.add(resource)
    db.session.flush()
    _set_path(resource, parent)
    return resource


@transactional
def create_resource(actor: User, fields: dict[str, Any], now: datetime) -> Resource:
    """A new resource (facility managers and admins)."""
    require(actor, "manage_catalogue")
    return add_resource(fields, now)


def _move(resource: Resource, parent_id: int | None, now: datetime) -> None:
    parent = _parent(parent_id)
    if parent is not None and parent.path.startswith(resource.path):
        raise InvalidFieldsError({"parent_id": ["A resource cannot sit inside itself."]})
    if parent is not None:
        clashes = _clashes_below(parent, resource.path, now)
        if clashes:
            raise MoveConflictError(clashes)
    old = resource.path
    subtree = db.session.scalars(select(Resource).where(Resource.path.startswith(old))).all()
    resource.parent_id = parent_id
    _set_path(resource, parent)
    for node in subtree:
        if node.id != resource.id:
            node.path = resource.path + node.path[len(old) :]


def _clashes_below(parent: Resource, subtree_path: str, now: datetime) -> list[dict[str, Any]]:
    """Busy time of ``parent`` and its bookable ancestors that bookings from now on in the
    subtree at ``subtree_path`` overlap: under them, those would be double bookings.
    On PostgreSQL those resources stay locked, so no such booking can slip in meanwhile."""
    above_ids = lock_blocking_path_ids(parent)
    above, moved = aliased(Booking), aliased(Booking)
    subtree = select(Resource.id).where(Resource.path.startswith(subtree_path))
    query = (
        select(above.resource_id, above.occupied_start, above.occupied_end)
        .join(
            moved,
            spans_overlap(
                moved.occupied_start, moved.occupied_end, above.occupied_start, above.occupied_end
            ),
        )
        .where(
            above.resource_id.in_(above_ids),
            occupying(now, above),
            above.occupied_end > now,
            moved.resource_id.in_(subtree),
            occupying(now, moved),
        )
        .distinct()
        .order_by(above.occupied_start)
        .limit(MAX_CLASHES_SHOWN)
    )
    return [
        {"resource_id": rid, "start": start, "end": end}
        for rid, start, end in db.session.execute(query)
    ]


#: The end of time, as an instant: the far edge of "from now on".
END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def _peak_units_from(resource: Resource, now: datetime) -> int:
    horizon = Interval(now, END_OF_TIME)
    claims = load_claims(Booking.resource_id == resource.id, horizon, now)
    return max((u.units for u in usage_profile(target_of(resource), claims, horizon)), default=0)


@transactional
def update_resource(
    actor: User, resource_id: int, changes: dict[str, Any], now: datetime
) -> Resource:
    """Change a resource; moving it re-parents its subtree (refused with the clashes when
    its bookings would overlap those of a resource it moves under), shrinking a pool is
    checked against the units booked at once."""
    require(actor, "manage_catalogue")
    # Locked on PostgreSQL, as bookings of it lock it, so the checks below and any booking
    # of it run one after the other.
    resource = db.session.get(Resource, resource_id, with_for_update=True, populate_existing=True)
    if resource is None:
        raise NotFoundError("No such resource.")
    if "parent_id" in changes and changes["parent_id"] != resource.parent_id:
        _move(resource, changes.pop("parent_id"), now)
    changes.pop("parent_id", None)
    new_quantity = changes.get("quantity")
    if new_quantity is not None and new_quantity < resource.quantity:
        peak = _peak_units_from(resource, now)
        if peak > new_quantity:
            raise StateConflictError(
                f"{peak} units are booked at once in the future; quantity cannot go below that.",
                code="quantity_in_use",
            )
    for key, value in changes.items():
        setattr(resource, key, value)
    resource.updated_at = now
    return resource
