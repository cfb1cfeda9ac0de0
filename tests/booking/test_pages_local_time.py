"""Times typed into the pages go through the same local-time check as the API: a time
the clocks skip is refused in plain words, never read as another time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from booking.extensions import close_databases, db
from booking.models import Booking
from tests.conftest import Factory, app_for

#: 00:40 on 28 March 2027, GMT: at 01:00 the clocks go forward to 02:00.
SPRING_NIGHT = datetime(2027, 3, 28, 0, 40, tzinfo=UTC)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = app_for(database_url, FIXED_NOW=SPRING_NIGHT, WTF_CSRF_ENABLED=False)
    yield application
    with application.app_context():
        close_databases()


def walk_in(app: Flask, make: Factory, until: str) -> tuple[str, list[Booking]]:
    desk = make.resource(name="Hot desk", kind="desk")
    guest = make.user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"], session["version"] = make.user("reception").id, 0
    answer = client.post(
        "/reception/walk-in",
        data={"resource_id": desk.id, "user_id": guest.id, "until": until},
        follow_redirects=True,
    )
    with app.app_context():
        made = list(db.session.scalars(select(Booking).where(Booking.resource_id == desk.id)))
    return answer.get_data(as_text=True), made


def test_a_walk_in_until_a_time_the_clocks_skip_is_refused(app: Flask, make: Factory) -> None:
    page, made = walk_in(app, make, "01:30")
    assert "01:30 does not happen once today, as the clocks change" in page
    assert made == []


def test_a_walk_in_until_a_real_time_that_night_is_booked(app: Flask, make: Factory) -> None:
    page, made = walk_in(app, make, "02:30")  # BST: 01:30 UTC
    assert "Walk-in booked and checked in." in page
    [booking] = made
    assert booking.end == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def board_page(app: Flask, make: Factory) -> str:
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"], session["version"] = make.user("reception").id, 0
    return client.get("/reception").get_data(as_text=True)


@pytest.mark.parametrize(
    ("now", "offered"),
    [
        (datetime(2026, 12, 7, 10, tzinfo=UTC), "18:30"),  # GMT: the desks' hours end
        (datetime(2027, 3, 29, 10, tzinfo=UTC), "18:30"),  # BST, the day after the change
        (datetime(2026, 12, 7, 18, tzinfo=UTC), "18:30"),  # half an hour left: still closing
    ],
)
def test_the_board_offers_a_walk_in_until_the_desks_close(
    app: Flask, make: Factory, now: datetime, offered: str
) -> None:
    """The walk-in's default end comes from the desks' opening hours, not a constant."""
    app.config["FIXED_NOW"] = now
    hours = {day: ["08:00-18:30"] for day in ("mon", "tue", "wed", "thu", "fri")}
    floor = make.resource(name="Ground floor", kind="floor", bookable=False)
    make.resource(name="Hot desk", kind="desk", parent_id=floor.id, rules={"opening_hours": hours})
    late = {day: ["08:00-21:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    make.resource(name="Late desk", kind="desk", parent_id=floor.id, rules={"opening_hours": late})
    page = board_page(app, make)
    # a time both desks accept: the first closing
    assert f'name="until" type="time" step="900" value="{offered}"' in page


def test_where_no_desk_keeps_hours_a_walk_in_is_offered_about_an_hour(
    app: Flask, make: Factory
) -> None:
    app.config["FIXED_NOW"] = datetime(2026, 12, 7, 10, 7, tzinfo=UTC)
    make.resource(name="Hot desk", kind="desk")
    assert 'name="until" type="time" step="900" value="11:00"' in board_page(app, make)
