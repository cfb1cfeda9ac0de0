"""the audit log keeps what is done to accounts

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

A person's data exported or erased is recorded with who did it and when, beside the
changes to bookings.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'account_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_account_events_user_id', 'account_events', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_account_events_user_id', table_name='account_events')
    op.drop_table('account_events')
