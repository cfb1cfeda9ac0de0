"""The building as a tree of places: each resource with its floor and building.

The whole building's is kept with the catalogue (``current_catalogue().layout``); for a
few resources, ``read_layout`` reads only them and their ancestors. Reception's views,
calendar feeds and mail use it to say where something is; a search, what blocks what.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select

from booking.extensions import db
from booking.models import Resource

#: What a place is read from.
PLACE_COLUMNS = (
    Resource.id,
    Resource.name,
    Resource.kind,
    Resource.bookable,
    Resource.quantity,
    Resource.parent_id,
)


class Place(NamedTuple):
    """A resource as the pages, feeds and mail place it: on which floor of which building.
    (A named tuple: a search reads every resource's, and it is made five times faster.)"""

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
    #: ``related`` as worked out so far, by resource (the whole building's layout is
    #: kept between requests, so each is worked out once).
    _related: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Sequence[Any]) -> Layout:
        """The layout of ``rows`` (``PLACE_COLUMNS`` of some resources and all their
        ancestors)."""
        by_id = {row.id: row for row in rows}
        within: dict[int, tuple[int | None, str | None]] = {}  # each one's floor and building

        def floor_and_building(rid: int) -> tuple[int | None, str | None]:
            """The nearest floor and building at or above ``rid`` (its parent's, unless it
            is one), each worked out once."""
            if rid not in within:
                row = by_id[rid]
                above = by_id.get(row.parent_id) if row.parent_id is not None else None
                floor, building = floor_and_building(above.id) if above else (None, None)
                if row.kind == "floor":
                    floor = rid
                elif row.kind == "building":
                    building = row.name
                within[rid] = (floor, building)
            return within[rid]

        places: dict[int, Place] = {}
        children: dict[int | None, list[int]] = defaultdict(list)
        for row in rows:
            floor, building = floor_and_building(row.id)
            places[row.id] = Place(
                row.id, row.name, row.kind, row.bookable, row.quantity, row.parent_id, floor,
                building,
            )  # fmt: skip
            children[row.parent_id].append(row.id)
        return cls(places, children)

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
        test holds it to. (Read, never changed: the list is kept.)"""
        found = self._related.get(resource_id)
        if found is None:
            shared = self.sharing_space(resource_id)
            found = [resource_id, *(other for other in shared if self.places[other].bookable)]
            self._related[resource_id] = found
        return found

    def ancestors(self, resource_id: int) -> Iterable[int]:
        parent = self.places[resource_id].parent_id
        while parent is not None:
            yield parent
            parent = self.places[parent].parent_id


def read_layout(among: Collection[int]) -> Layout:
    """``among`` and their ancestors, each with its floor (the nearest ancestor, or
    itself, of kind floor); the whole building is ``current_catalogue().layout``."""
    paths = db.session.scalars(select(Resource.path).where(Resource.id.in_(among)))
    ancestors = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    query = select(*PLACE_COLUMNS).where(Resource.id.in_(ancestors | set(among)))
    return Layout.of(db.session.connection().execute(query).all())
