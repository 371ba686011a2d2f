"""people administration: phone, e-mail and a forced password change on users; stores can close

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Existing stores stay open and existing people keep their passwords (the server defaults fill them in).
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('email')
        batch_op.drop_column('phone')
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.drop_column('active')
