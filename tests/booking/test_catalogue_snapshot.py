"""The catalogue each process keeps between requests (``services.catalogue.snapshot``): its
version changes with every change to a resource, however made, and with nothing else; what
is kept serves until then; a transaction sees its own changes, and a change rolled back is
never taken for a later one. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from booking.database import CATALOGUE_TRIGGERS, restore_triggers
from booking.extensions import close_databases, db
from booking.models import CatalogueVersion
from booking.services.catalogue import current_catalogue
from tests.conftest import Factory, app_for, at, iso

SEARCH = "/api/v1/availability?start=2026-12-01T08:00&end=2026-12-01T18:00&duration=PT1H"


def version() -> str:
    return db.session.scalar(select(CatalogueVersion.token))


def names() -> dict[int, str]:
    return {summary.id: summary.name for summary in current_catalogue().summaries}


def test_every_change_to_a_resource_gives_a_new_version_and_bookings_do_not(
    app, client, make: Factory
):
    member = make.user()
    room = make.resource(name="Calder Room")
    seen = []
    with app.app_context():
        seen.append(version())
    staff = make.headers(make.user("facility_manager"))
    renamed = client.patch(f"/api/v1/resources/{room.id}", json={"name": "Colne"}, headers=staff)
    assert renamed.status_code == 200
    rules = {"rules": {"max_duration": "PT2H"}}
    assert (
        client.patch(f"/api/v1/resources/{room.id}", json=rules, headers=staff).status_code == 200
    )
    with app.app_context():
        seen.append(version())
        db.session.execute(
            text("UPDATE resources SET capacity = 9 WHERE id = :id"), {"id": room.id}
        )
        db.session.commit()
        seen.append(version())
    spare = make.resource(name="Spare")
    with app.app_context():
        seen.append(version())
        db.session.execute(text("DELETE FROM resources WHERE id = :id"), {"id": spare.id})
        db.session.commit()
        seen.append(version())
    assert len(set(seen)) == len(seen)  # each change its own token
    body = {
        "resource_id": room.id,
        "title": "Stand-up",
        "start": iso(at(1, 9)),
        "end": iso(at(1, 10)),
    }
    booked = client.post("/api/v1/bookings", json=body, headers=make.headers(member))
    assert booked.status_code == 201
    assert client.get(SEARCH, headers=make.headers(member)).status_code == 200
    with app.app_context():
        assert version() == seen[-1]  # bookings and searches leave the catalogue alone


def test_a_kept_catalogue_serves_until_another_process_changes_it(app, client, make: Factory):
    room = make.resource(name="Calder Room")
    member = make.headers(make.user())
    with app.app_context():
        kept = current_catalogue()
        assert current_catalogue() is kept  # nothing changed: nothing read again
        assert kept.layout.related(room.id) is current_catalogue().layout.related(room.id)
    other = app_for(app.config["DATABASE_URL"])  # another process on the same database
    with other.app_context():
        db.session.execute(
            text("UPDATE resources SET name = 'Holme' WHERE id = :id"), {"id": room.id}
        )
        db.session.commit()
        close_databases()
    with app.app_context():
        assert current_catalogue() is not kept and names()[room.id] == "Holme"
    found = client.get(SEARCH, headers=member).get_json()["results"]
    assert [result["resource"]["name"] for result in found] == ["Holme"]


def test_a_transaction_sees_its_own_changes_and_a_rollback_is_never_taken_for_later(
    app, make: Factory
):
    room = make.resource(name="Calder Room")
    with app.app_context():
        before = version()
        db.session.execute(
            text("UPDATE resources SET name = 'Draft' WHERE id = :id"), {"id": room.id}
        )
        assert names()[room.id] == "Draft"  # its own change, not yet committed
        db.session.rollback()
        assert names()[room.id] == "Calder Room"
        assert version() == before  # the version rolled back with the change
        db.session.execute(
            text("UPDATE resources SET name = 'Holme' WHERE id = :id"), {"id": room.id}
        )
        db.session.commit()
        assert names()[room.id] == "Holme"  # not the rolled-back draft kept under a reused token


def test_an_unsaved_change_to_a_resource_is_flushed_before_the_version_is_read(app, make: Factory):
    from booking.models import Resource

    room = make.resource(name="Calder Room")
    with app.app_context():
        current_catalogue()
        db.session.get(Resource, room.id).name = "Holme"  # changed in the session only
        assert names()[room.id] == "Holme"
        db.session.rollback()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_triggers_a_table_rebuild_dropped_are_put_back(app, make: Factory):
    """SQLite changes a table by building a new one, which loses its triggers; after
    every migration they are put back (``restore_triggers``)."""
    make.resource()
    with app.app_context():
        connection = db.session.connection()
        for name in CATALOGUE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        assert restore_triggers(connection) == list(CATALOGUE_TRIGGERS)
        before = version()
        connection.exec_driver_sql("UPDATE resources SET name = 'Holme'")
        assert version() != before
        assert restore_triggers(connection) == []
