"""reports by resource read an index led by the resource

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04

A year's usage report grouped by resource read 200,000 bookings in the order of their
start and then sorted them by resource (SQLite: a temporary b-tree, 60 ms of a 300 ms
query). This index holds the same columns as ``ix_bookings_report`` led by the resource,
so the bookings arrive grouped and the report is answered from the index alone.

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

COLUMNS = [
    'resource_id', 'start_at', 'status', 'tenant_id', 'user_id', 'units', 'end_at', 'booked_end', 'checked_in_at', 'checked_out_at', 'late_cancellation',
]


def upgrade() -> None:
    op.create_index('ix_bookings_usage', 'bookings', COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index('ix_bookings_usage', table_name='bookings')
