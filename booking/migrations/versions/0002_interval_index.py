"""interval index on the time bookings occupy

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

PostgreSQL: a GiST index on tstzrange(occupied_start, occupied_end). SQLite: an R*Tree of
whole minutes (rounded outwards) kept in step with bookings by triggers. Both only narrow
a search; the exact half-open comparison is always applied as well.
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FIRST = "CAST(strftime('%s', NEW.occupied_start) AS INTEGER) / 60"
# strftime('%s') drops fractions of a second; adding a whole minute rounds the end outwards.
LAST = "(CAST(strftime('%s', NEW.occupied_end) AS INTEGER) + 60) / 60"


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_bookings_occupied_range ON bookings "
            "USING gist (tstzrange(occupied_start, occupied_end, '[)'))"
        )
    elif dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE booking_spans USING rtree_i32(id, first_minute, last_minute)")
        op.execute(
            "CREATE TRIGGER booking_spans_insert AFTER INSERT ON bookings BEGIN "
            f"INSERT INTO booking_spans VALUES (NEW.id, {FIRST}, {LAST}); END"
        )
        op.execute(
            "CREATE TRIGGER booking_spans_update AFTER UPDATE OF occupied_start, occupied_end "
            f"ON bookings BEGIN UPDATE booking_spans SET first_minute = {FIRST}, "
            f"last_minute = {LAST} WHERE id = NEW.id; END"
        )
        op.execute(
            "CREATE TRIGGER booking_spans_delete AFTER DELETE ON bookings BEGIN "
            "DELETE FROM booking_spans WHERE id = OLD.id; END"
        )
        op.execute(
            "INSERT INTO booking_spans SELECT id, "
            + FIRST.replace("NEW.", "") + ", " + LAST.replace("NEW.", "") + " FROM bookings"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX ix_bookings_occupied_range")
    elif dialect == "sqlite":
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER booking_spans_{trigger}")
        op.execute("DROP TABLE booking_spans")
