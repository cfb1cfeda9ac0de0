"""The reception board: who is in now, who is due, today's no-shows, and what a walk-in
may book, gathered in one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.access import require
from booking.models import Booking, User
from booking.services import people, reservations, visitors
from booking.services.catalogue import local_day, resource_names, rules_of_every_resource, site_zone
from booking.services.reception.presence import occupancy
from booking.services.reception.results import Occupancy, ResourceState
from booking.services.reservations import BookingQuery
from rules import closing_time
from rules.localtime import align_down

#: How far ahead the board lists arrivals, and the shortest walk-in it suggests.
AHEAD = timedelta(hours=1)
QUARTER = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Board:
    at: datetime
    occupancy: Occupancy
    arrivals: list[Booking]
    no_shows: list[Booking]
    names: dict[int, str]
    people: list[User]
    #: Who each booking is for, as reception says it: "Ben Okafor, Calder Diagnostics".
    booked_for: dict[int, str]
    desks: list[ResourceState]
    walk_in_until: datetime
    visitors_in: int  # signed in at reception, not yet out
    visitors_due: int  # expected today, not yet come


def walk_in_until(desks: list[ResourceState], at: datetime) -> datetime:
    """The end a walk-in is offered by default, one every free desk accepts: when the
    first of their opening hours ends; where none keeps hours, about an hour on (on a
    quarter hour)."""
    rules, zone = rules_of_every_resource(), site_zone()
    closes = [closing_time(rules[desk.id], at, zone) for desk in desks]
    known = [close for close in closes if close is not None]
    return min(known) if known else align_down(at + AHEAD, QUARTER, zone)


def board(actor: User, at: datetime) -> Board:
    """Everything the board shows at ``at``."""
    require(actor, "run_reception", "see the board")
    today = local_day(at.astimezone(site_zone()).date())
    soon = reservations.list_bookings(
        actor, BookingQuery(start=at, end=at + AHEAD, status=("confirmed",))
    )
    due_from = at - reservations.check_in_from()
    missed = reservations.list_bookings(
        actor, BookingQuery(start=today.start, end=today.end, status=("no_show",))
    )
    state = occupancy(actor, at)
    desks = [
        resource
        for floor in state.floors
        for resource in floor.resources
        if resource.kind == "desk" and resource.units_free > 0
    ]
    everyone = people.list_users(actor)
    return Board(
        at=at,
        occupancy=state,
        arrivals=[booking for booking in soon if booking.start >= due_from],
        no_shows=missed,
        names=resource_names(),
        people=[person for person in everyone if person.tenant_id is not None],
        booked_for={
            person.id: f"{person.name}, {person.tenant.name}" if person.tenant else person.name
            for person in everyone
        },
        desks=desks,
        walk_in_until=walk_in_until(desks, at),
        visitors_in=len(visitors.present(actor)),
        visitors_due=len(
            visitors.list_visitors(actor, at.astimezone(site_zone()).date(), status="expected")
        ),
    )
