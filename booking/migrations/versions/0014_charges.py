"""charges: tenants' sector and rate tier, cost codes, cancellations, closed months

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

Tenants gain the sector the funder counts and the rate tier they pay. Bookings, series
and waitlist entries gain a cost code; bookings also when they were cancelled, whether
that was late, and an index on their start (reports and charges take the bookings that
start in a period). Closed months keep their charge lines frozen. A booking cancelled
before this migration was cancelled when it was last changed, and is not counted late.

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

SECTORS = ('nhs', 'university', 'private', 'public', 'third_sector')


def upgrade() -> None:
    # Columns added in place: rebuilding ``bookings`` on SQLite would drop the triggers
    # that keep its interval index (migration 0002).
    op.add_column('tenants', sa.Column('sector', sa.Enum(*SECTORS, name='sector', native_enum=False), server_default=sa.text("'private'"), nullable=False))
    op.add_column('tenants', sa.Column('rate_tier', sa.String(length=40), server_default=sa.text("'standard'"), nullable=False))
    op.add_column('bookings', sa.Column('cost_code', sa.String(length=100), nullable=True))
    op.add_column('bookings', sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('bookings', sa.Column('late_cancellation', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index('ix_bookings_starts', 'bookings', ['start_at'], unique=False)
    op.add_column('series', sa.Column('cost_code', sa.String(length=100), nullable=True))
    op.add_column('waitlist_entries', sa.Column('cost_code', sa.String(length=100), nullable=True))
    op.execute("UPDATE bookings SET cancelled_at = updated_at WHERE status = 'cancelled'")
    op.create_table(
        'billing_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['closed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('month'),
    )
    op.create_table(
        'charge_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('booking_id', sa.Integer(), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=True),
        sa.Column('cost_code', sa.String(length=100), nullable=True),
        sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('seconds', sa.Integer(), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.Column('rate', sa.Integer(), nullable=False),
        sa.Column('percent', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('adjustment', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['booking_id'], ['bookings.id']),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id']),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_charge_lines_month', 'charge_lines', ['month', 'tenant_id'], unique=False)
    op.create_index('ix_charge_lines_booking', 'charge_lines', ['booking_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_charge_lines_booking', table_name='charge_lines')
    op.drop_index('ix_charge_lines_month', table_name='charge_lines')
    op.drop_table('charge_lines')
    op.drop_table('billing_periods')
    op.drop_index('ix_bookings_starts', table_name='bookings')
    for column in ('late_cancellation', 'cancelled_at', 'cost_code'):
        op.drop_column('bookings', column)
    op.drop_column('series', 'cost_code')
    op.drop_column('waitlist_entries', 'cost_code')
    for column in ('rate_tier', 'sector'):
        op.drop_column('tenants', column)
