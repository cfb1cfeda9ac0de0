"""The building as a tree of places: each resource with its floor and building.

Read in one query (or, for a few resources, only them and their ancestors) and used by
reception's views, calendar feeds and mail to say where something is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from booking.extensions import db
from booking.models import Resource


@dataclass(frozen=True, slots=True)
class Place:
    """A resource as the pages, feeds and mail place it: on which floor of which building."""

    id: int
    name: str
    kind: str
    bookable: bool
    quantity: int
    parent_id: int | None
    floor_id: int | None
    building: str | None


@dataclass(frozen=True, slots=True)
class Layout:
    """The catalogue, arranged by floor."""

    places: dict[int, Place]
    children: dict[int | None, list[int]]

    def floor_name(self, floor_id: int | None) -> str | None:
        return None if floor_id is None else self.places[floor_id].name

    def floor_of(self, resource_id: int) -> dict[str, Any] | None:
        floor_id = self.places[resource_id].floor_id
        return None if floor_id is None else {"id": floor_id, "name": self.floor_name(floor_id)}

    def descendants(self, resource_id: int) -> Iterable[int]:
        stack = list(self.children.get(resource_id, ()))
        while stack:
            child = stack.pop()
            yield child
            stack.extend(self.children.get(child, ()))

    def sharing_space(self, resource_id: int) -> Iterator[int]:
        """Everything above and below ``resource_id``: a booking of one takes the other."""
        yield from self.ancestors(resource_id)
        yield from self.descendants(resource_id)

    def related(self, resource_id: int) -> list[int]:
        """The resources whose bookings block ``resource_id``: itself and the bookable
        ones sharing its space. The in-memory twin of ``core.related_bookings``, which a
        test holds it to."""
        shared = self.sharing_space(resource_id)
        return [resource_id, *(other for other in shared if self.places[other].bookable)]

    def ancestors(self, resource_id: int) -> Iterable[int]:
        parent = self.places[resource_id].parent_id
        while parent is not None:
            yield parent
            parent = self.places[parent].parent_id


def read_layout(among: Collection[int] | None = None) -> Layout:
    """Every resource with its floor (the nearest ancestor, or itself, of kind floor);
    with ``among``, only those resources and their ancestors."""
    query = select(
        Resource.id,
        Resource.name,
        Resource.kind,
        Resource.bookable,
        Resource.quantity,
        Resource.parent_id,
        Resource.path,
    )
    if among is not None:
        paths = db.session.scalars(select(Resource.path).where(Resource.id.in_(among)))
        ancestors = {int(part) for path in paths for part in path.strip("/").split("/") if part}
        query = query.where(Resource.id.in_(ancestors | set(among)))
    rows = db.session.execute(query).all()
    kinds = {row.id: (row.kind, row.name) for row in rows}
    places: dict[int, Place] = {}
    children: dict[int | None, list[int]] = defaultdict(list)
    for row in rows:
        chain = [int(part) for part in row.path.strip("/").split("/") if part] or [row.id]
        floors = [i for i in chain if kinds.get(i, ("", ""))[0] == "floor"]
        buildings = [kinds[i][1] for i in chain if kinds.get(i, ("", ""))[0] == "building"]
        places[row.id] = Place(
            row.id,
            row.name,
            row.kind,
            row.bookable,
            row.quantity,
            row.parent_id,
            floors[-1] if floors else None,
            buildings[-1] if buildings else None,
        )
        children[row.parent_id].append(row.id)
    return Layout(places, children)
