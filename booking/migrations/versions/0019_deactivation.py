"""people can be deactivated

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

Someone who has left is deactivated rather than deleted: they can no longer sign in or
use the API, and their bookings and history stay.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('deactivated_at')
