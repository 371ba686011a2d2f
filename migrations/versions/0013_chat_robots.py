"""chat robots, the meeting notice and calendar feeds: a store's group-chat robots (WeCom, DingTalk,
Feishu); on meetings when the notice went out, its iCalendar SEQUENCE and a cancellation; each
person's secret calendar feed (its token only hashed)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 23:18:11.837000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_calendar_feed_store_id_store')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_calendar_feed_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_feed_user_id'))
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_store_id'), ['store_id'], unique=False)

    op.create_table('chat_robot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('webhook_url', sa.String(length=500), nullable=False),
    sa.Column('webhook_secret', sa.String(length=200), nullable=False),
    sa.Column('events', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_ok', sa.Boolean(), nullable=True),
    sa.Column('last_answer', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_chat_robot_created_by_id_user')),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_chat_robot_store_id_store')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_robot'))
    )
    with op.batch_alter_table('chat_robot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_robot_store_id'), ['store_id'], unique=False)

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preparation', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('notice_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('notice_first_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('notice_fingerprint', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('ical_sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_meeting_cancelled_by_id_user'), 'user', ['cancelled_by_id'], ['id'])



def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_cancelled_by_id_user'), type_='foreignkey')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('ical_sequence')
        batch_op.drop_column('notice_fingerprint')
        batch_op.drop_column('notice_first_sent_at')
        batch_op.drop_column('notice_sent_at')
        batch_op.drop_column('preparation')

    with op.batch_alter_table('chat_robot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_robot_store_id'))

    op.drop_table('chat_robot')
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feed_store_id'))

    op.drop_table('calendar_feed')
