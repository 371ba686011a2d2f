"""notifications: in-app notifications, the outbox, e-mail preferences, message language, store
notification settings, daily runs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('dedup_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_notification_store_id_store'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_notification_dedup_key'))
    )
    op.create_index('ix_notification_user_created', 'notification', ['user_id', 'created_at'], unique=False)
    op.create_index('ix_notification_user_read', 'notification', ['user_id', 'read_at'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claim', sa.String(length=40), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('dedup_key', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_outbox_message_store_id_store'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_outbox_message_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_outbox_message_dedup_key'))
    )
    op.create_index('ix_outbox_message_due', 'outbox_message', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outbox_message_claim'), 'outbox_message', ['claim'], unique=False)
    op.create_index(op.f('ix_outbox_message_user_id'), 'outbox_message', ['user_id'], unique=False)

    op.create_table('email_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_email_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_email_preference'))
    )
    op.create_table('message_language',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_message_language_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_message_language'))
    )
    op.create_table('store_notification_settings',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('escalation_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_store_notification_settings_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', name=op.f('pk_store_notification_settings'))
    )
    op.create_table('daily_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=60), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('ran_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_daily_run_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_run')),
    sa.UniqueConstraint('job', 'store_id', 'day', name=op.f('uq_daily_run_job'))
    )


def downgrade():
    op.drop_table('daily_run')
    op.drop_table('store_notification_settings')
    op.drop_table('message_language')
    op.drop_table('email_preference')
    op.drop_index(op.f('ix_outbox_message_user_id'), table_name='outbox_message')
    op.drop_index(op.f('ix_outbox_message_claim'), table_name='outbox_message')
    op.drop_index('ix_outbox_message_due', table_name='outbox_message')
    op.drop_table('outbox_message')
    op.drop_index('ix_notification_user_read', table_name='notification')
    op.drop_index('ix_notification_user_created', table_name='notification')
    op.drop_table('notification')
