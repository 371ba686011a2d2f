"""kpi value version: grid cells save only over the version they showed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:39:26.189797

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Existing values start at version 1, as new ones do (the server default fills them in).
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.drop_column('version')
