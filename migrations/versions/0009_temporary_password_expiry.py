"""temporary passwords expire: the time until which a temporary password may be used; the built-in
KPIs' Chinese names as the department says them (客户满意度（CSI）, 技师工时效率)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_expires_at', sa.DateTime(), nullable=True))
    for code, old, new in RENAMED:
        _rename(code, old, new)


def downgrade():
    for code, old, new in RENAMED:
        _rename(code, new, old)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('password_expires_at')


# Only a name nobody has changed since: a store's own wording stays.
RENAMED = [("CSI", "客户满意度指数", "客户满意度（CSI）"), ("TECH_EFFICIENCY", "技师效率", "技师工时效率")]


def _rename(code, old, new):
    op.execute(sa.text("UPDATE kpi SET name_zh = :new WHERE code = :code AND builtin AND name_zh = :old")
               .bindparams(code=code, old=old, new=new))
