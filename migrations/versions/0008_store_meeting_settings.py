"""store meeting settings: each store's usual weekly meeting day, time and place

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # A table of the meetings package keyed by store, so auth's Store stays as it is.
    op.create_table('store_meeting_settings',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_store_meeting_settings_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', name=op.f('pk_store_meeting_settings'))
    )


def downgrade():
    op.drop_table('store_meeting_settings')
