"""The command line: seed, users, tokens."""

from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Booking, Resource, Tenant, User


def test_seed_is_idempotent_and_prints_working_tokens(app, runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        counts = (
            db.session.scalar(select(func.count(Resource.id))),
            db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Booking.id))),
        )
    second = runner.invoke(args=["seed"])
    with app.app_context():
        again = (
            db.session.scalar(select(func.count(Resource.id))),
            db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Booking.id))),
        )
        sectors = {t.name: t.sector for t in db.session.scalars(select(Tenant))}
        fates = set(db.session.scalars(select(Booking.status)))
        kinds = set(db.session.scalars(select(Resource.kind)))
        pool = db.session.scalar(select(Resource).where(Resource.name == "Hot desks"))
    assert counts == again and counts[0] > 30 and counts[2] > 1000
    assert first.output.startswith(f"Wrote {counts[2]} past bookings of the last 13 weeks")
    assert first.output.split("\n", 1)[1] == second.output  # nothing written twice
    assert sectors["Pennine Digital Health"] == "nhs"
    assert {"completed", "no_show", "cancelled"} == fates
    assert {"building", "floor", "zone", "room", "lab", "desk", "equipment", "event_space"} <= kinds
    assert pool.quantity > 1
    token = first.output.strip().splitlines()[-1].split()[-1]
    assert (
        app.test_client()
        .get("/api/v1/bookings", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 200
    )


def test_users_create_makes_the_tenant_and_tokens_create_prints_the_token_last(app, runner):
    made = runner.invoke(
        args=[
            "users",
            "create",
            "Zoe@Example.test",
            "--name",
            "Zoe",
            "--role",
            "tenant_admin",
            "--tenant",
            "New Co",
        ]
    )
    assert made.exit_code == 0, made.output
    issued = runner.invoke(args=["tokens", "create", "zoe@example.test"])
    assert issued.exit_code == 0
    token = issued.output.strip().splitlines()[-1]
    response = app.test_client().get(
        "/api/v1/tenants", headers={"Authorization": f"Bearer {token}"}
    )
    assert [t["name"] for t in response.get_json()] == ["New Co"]


def test_cli_refusals_are_messages_not_tracebacks(runner):
    assert (
        runner.invoke(
            args=["users", "create", "a@x.test", "--name", "A", "--role", "tenant_member"]
        ).exit_code
        == 1
    )
    duplicate = runner.invoke(
        args=["users", "create", "r@x.test", "--name", "R", "--role", "reception"]
    )
    assert duplicate.exit_code == 0
    again = runner.invoke(
        args=["users", "create", "r@x.test", "--name", "R", "--role", "reception"]
    )
    assert again.exit_code == 1 and "exists already" in again.output
    unknown = runner.invoke(args=["tokens", "create", "nobody@x.test"])
    assert unknown.exit_code == 1 and "No user" in unknown.output
