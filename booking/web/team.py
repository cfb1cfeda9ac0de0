"""A tenant admin's team page: the team's people and their bookings to come, and booking
on a member's behalf (the booking form's "For" choice)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from flask import abort, render_template

from booking.access import can
from booking.clock import now
from booking.models import OCCUPYING, User
from booking.services import reservations
from booking.services.catalogue import resource_names
from booking.services.people import list_users
from booking.services.reservations import BookingQuery
from booking.web.blueprint import blp
from booking.web.session import for_those_who_can, me


def team_of(user: User) -> Sequence[User]:
    """Whom ``user`` may book for from the pages besides themselves: their tenant's people."""
    if user.tenant_id is None or not can(user, "book_for_tenant"):
        return ()
    return [person for person in list_users(user) if person.id != user.id]


@blp.get("/team")
@for_those_who_can("see_tenant")
def team() -> str:
    """The team and its bookings in the next 60 days (the API's tenant view)."""
    user = me()
    if user.tenant_id is None:
        abort(403)  # the centre's staff have the reception board and the reports
    moment = now()
    query = BookingQuery(start=moment, end=moment + timedelta(days=60), status=OCCUPYING)
    bookings = reservations.list_bookings(user, query)
    people = list_users(user) if can(user, "list_users") else []
    return render_template(
        "team.html",
        people=people,
        bookings=bookings,
        by_id={person.id: person for person in people},
        names=resource_names(),
        may_book_for=bool(team_of(user)),
    )
