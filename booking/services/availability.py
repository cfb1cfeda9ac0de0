"""Free and busy time: of one resource, and a search across the catalogue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.models import Resource
from booking.models.resources import ancestors_on_path
from booking.services.claims import load_claims, related_bookings, target_of
from booking.services.resources import ResourceFilter, get_resource, list_resources
from rules import Availability, Claim, Interval, find_availability, first_fit


def resource_availability(resource_id: int, window: Interval) -> Availability:
    """Free and busy time of one resource; a resource that cannot be booked has no free time."""
    resource = get_resource(resource_id)
    claims = load_claims(related_bookings(resource), window)
    open_time = None if resource.bookable else []
    return find_availability(target_of(resource), claims, window, open_time)


@dataclass(frozen=True)
class Match:
    """A resource with free time in the searched window, and its earliest fit."""

    resource: Resource
    availability: Availability
    first_fit: Interval


def _claims_by_resource(window: Interval) -> dict[int, list[Claim]]:
    claims: dict[int, list[Claim]] = defaultdict(list)
    for claim in load_claims(None, window):
        claims[claim.resource_id].append(claim)
    return claims


def search_availability(
    window: Interval, duration: timedelta, filters: ResourceFilter, limit: int = 50
) -> list[Match]:
    """Bookable resources matching ``filters`` with a free stretch of ``duration``.

    Ordered by earliest fit, then name. One query reads the tree (ids and paths), one
    the matching resources and one the bookings of the window; the hierarchy is applied
    in memory.
    """
    bookable: set[int] = set()
    descendants: dict[int, list[int]] = defaultdict(list)
    for rid, path, is_bookable in db.session.execute(
        select(Resource.id, Resource.path, Resource.bookable)
    ):
        if is_bookable:
            bookable.add(rid)
        for ancestor in ancestors_on_path(path):
            descendants[ancestor].append(rid)
    candidates = list_resources(replace(filters, bookable=True))
    claims = _claims_by_resource(window)
    matches: list[Match] = []
    for resource in candidates:
        related: Sequence[int] = [
            *(a for a in resource.ancestor_ids if a in bookable),
            resource.id,
            *descendants[resource.id],
        ]
        mine = [claim for rid in related for claim in claims.get(rid, ())]
        availability = find_availability(target_of(resource), mine, window)
        fit = first_fit(availability, duration)
        if fit is not None:
            matches.append(Match(resource, availability, fit))
    matches.sort(key=lambda m: (m.first_fit.start, m.resource.name, m.resource.id))
    return matches[:limit]
