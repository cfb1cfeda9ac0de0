"""requests for training

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

Someone refused a resource for want of a certification asks for the training from its
booking form; the facility managers see the request until the certification is granted.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'training_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=100), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_training_requests_user_id', 'training_requests', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_training_requests_user_id', table_name='training_requests')
    op.drop_table('training_requests')
