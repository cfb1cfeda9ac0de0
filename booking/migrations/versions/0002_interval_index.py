"""interval index on the time bookings occupy

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

PostgreSQL: a GiST index on tstzrange(occupied_start, occupied_end). SQLite: an R*Tree of
whole minutes (rounded outwards) kept in step with bookings by triggers. Both only narrow
a search; the exact half-open comparison is always applied as well.
"""
from alembic import op

from booking.database import SPAN_TRIGGERS, SPANS_FILL

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_bookings_occupied_range ON bookings "
            "USING gist (tstzrange(occupied_start, occupied_end, '[)'))"
        )
    elif dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE booking_spans USING rtree_i32(id, first_minute, last_minute)")
        for trigger in SPAN_TRIGGERS.values():
            op.execute(trigger)
        op.execute(SPANS_FILL)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX ix_bookings_occupied_range")
    elif dialect == "sqlite":
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS booking_spans_{trigger}")
        op.execute("DROP TABLE booking_spans")
