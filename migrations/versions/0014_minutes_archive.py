"""minutes archive: the PDF of a closed meeting's minutes as first rendered, per language

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 23:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('minutes_archive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rendered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_minutes_archive_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_archive')),
    sa.UniqueConstraint('meeting_id', 'locale', name=op.f('uq_minutes_archive_meeting_id'))
    )
    with op.batch_alter_table('minutes_archive', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_archive_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('minutes_archive', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_archive_meeting_id'))
    op.drop_table('minutes_archive')
