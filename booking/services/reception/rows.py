"""Reading booking rows into reception's typed values: each person, tenant and instant
made once however many rows share it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row

from booking.services.catalogue import Layout, site_zone
from booking.services.reception.results import Named, Person


class People:
    """Each person and tenant of the rows made once (a day's bookings share a few hundred)."""

    def __init__(self) -> None:
        self.people: dict[int, Person] = {}
        self.tenants: dict[int, Named] = {}

    def person(self, row: Row[Any]) -> Person:
        found = self.people.get(row.user_id)
        if found is None:
            found = self.people[row.user_id] = Person(row.user_id, row.user_name, row.user_email)
        return found

    def tenant(self, row: Row[Any]) -> Named | None:
        if row.tenant_id is None:
            return None
        found = self.tenants.get(row.tenant_id)
        if found is None:
            found = self.tenants[row.tenant_id] = Named(row.tenant_id, row.tenant_name)
        return found


class InZone:
    """Instants moved into the site's zone, each distinct one once (a day's bookings share
    a few dozen times): the answers carry local times, which JSON writes with their
    offset."""

    def __init__(self) -> None:
        self.zone = site_zone()
        self.known: dict[datetime, datetime] = {}

    def at(self, moment: datetime) -> datetime:
        local = self.known.get(moment)
        if local is None:
            local = self.known[moment] = moment.astimezone(self.zone)
        return local

    def maybe(self, moment: datetime | None) -> datetime | None:
        return None if moment is None else self.at(moment)


def floor_named(layout: Layout, resource_id: int) -> Named | None:
    floor_id = layout.places[resource_id].floor_id
    return None if floor_id is None else Named(floor_id, layout.places[floor_id].name)
