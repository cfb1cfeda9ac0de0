"""display versions from indexes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

A display's version is read from the bookings of its resource that are not over yet
(their latest change and number), whatever the resource's history, and from the
catalogue's latest change: two indexes answer both without reading a table.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_resource_ends', ['resource_id', 'occupied_end', 'updated_at'], unique=False)
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index('ix_resources_changed', ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index('ix_resources_changed')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_resource_ends')
