"""the catalogue's version, changed by triggers with every change to resources

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04

A search reads every resource, its rules and its place in the building: three queries
and 10 ms of a whole-building search, for a catalogue that changes a few times a week.
Each process now keeps what it read (``services.catalogue.snapshot``) while one row's
token stays the same; triggers on ``resources`` give it a new random token with every
insert, update or delete (and, on PostgreSQL, truncate), in the changing transaction.

"""
import sqlalchemy as sa
from alembic import op

from booking.database import CATALOGUE_TRIGGER_PG, CATALOGUE_TRIGGERS

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'catalogue_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("INSERT INTO catalogue_versions (id, token) VALUES (1, gen_random_uuid()::text)")
        for statement in CATALOGUE_TRIGGER_PG:
            op.execute(statement)
    else:
        op.execute("INSERT INTO catalogue_versions (id, token) VALUES (1, lower(hex(randomblob(16))))")
        for trigger in CATALOGUE_TRIGGERS.values():
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER catalogue_changed ON resources")
        op.execute("DROP FUNCTION catalogue_changed()")
    else:
        for name in CATALOGUE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('catalogue_versions')
