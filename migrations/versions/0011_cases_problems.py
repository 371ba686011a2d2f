"""the typical-case archive and the problem register: typical cases with the meetings that discussed
them and their improvements; problems and comebacks with their measures, meetings and events

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:17:41.975525

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=120), nullable=False),
    sa.Column('urgency', sa.String(length=20), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('original_ro', sa.String(length=40), nullable=False),
    sa.Column('return_ro', sa.String(length=40), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('vehicle_model', sa.String(length=80), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=True),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('cause', sa.String(length=20), nullable=True),
    sa.Column('cause_origin', sa.String(length=20), nullable=True),
    sa.Column('cause_analysis', sa.Text(), nullable=False),
    sa.Column('check_days', sa.Integer(), nullable=False),
    sa.Column('triaged_at', sa.DateTime(), nullable=True),
    sa.Column('triaged_by_id', sa.Integer(), nullable=True),
    sa.Column('check_result', sa.String(length=20), nullable=True),
    sa.Column('check_note', sa.Text(), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('reported_at', sa.DateTime(), nullable=True),
    sa.Column('result_seen_at', sa.DateTime(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checked_by_id'], ['user.id'], name=op.f('fk_problem_checked_by_id_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_problem_owner_id_user')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user.id'], name=op.f('fk_problem_raised_by_id_user')),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_problem_store_id_store')),
    sa.ForeignKeyConstraint(['technician_id'], ['user.id'], name=op.f('fk_problem_technician_id_user')),
    sa.ForeignKeyConstraint(['triaged_by_id'], ['user.id'], name=op.f('fk_problem_triaged_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem'))
    )
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_cause'), ['cause'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_raised_at'), ['raised_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_raised_by_id'), ['raised_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_store_id'), ['store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_technician_id'), ['technician_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_type'), ['type'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_urgency'), ['urgency'], unique=False)

    op.create_table('problem_settings',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('delegate_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['delegate_id'], ['user.id'], name=op.f('fk_problem_settings_delegate_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_problem_settings_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', name=op.f('pk_problem_settings'))
    )
    op.create_table('problem_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_problem_event_author_id_user')),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problem_event_problem_id_problem'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_event'))
    )
    with op.batch_alter_table('problem_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_event_problem_id'), ['problem_id'], unique=False)

    op.create_table('typical_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('customer_problem', sa.Text(), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('vehicle_model', sa.String(length=80), nullable=False),
    sa.Column('mileage', sa.Integer(), nullable=True),
    sa.Column('repair_order', sa.String(length=40), nullable=False),
    sa.Column('advisor_id', sa.Integer(), nullable=True),
    sa.Column('technician_id', sa.Integer(), nullable=True),
    sa.Column('case_date', sa.Date(), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('handling', sa.Text(), nullable=False),
    sa.Column('satisfaction', sa.String(length=20), nullable=False),
    sa.Column('example', sa.String(length=10), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('tags', sa.String(length=302), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('training', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('search_title', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['advisor_id'], ['user.id'], name=op.f('fk_typical_case_advisor_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_typical_case_created_by_id_user')),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_typical_case_problem_id_problem'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_typical_case_published_by_id_user')),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_typical_case_store_id_store')),
    sa.ForeignKeyConstraint(['technician_id'], ['user.id'], name=op.f('fk_typical_case_technician_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_typical_case'))
    )
    with op.batch_alter_table('typical_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typical_case_advisor_id'), ['advisor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_case_date'), ['case_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_example'), ['example'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_problem_id'), ['problem_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_satisfaction'), ['satisfaction'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_store_id'), ['store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_technician_id'), ['technician_id'], unique=False)

    op.create_table('case_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_case_meeting_added_by_id_user')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_case_meeting_agenda_item_id_agenda_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['typical_case.id'], name=op.f('fk_case_meeting_case_id_typical_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_case_meeting_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_meeting')),
    sa.UniqueConstraint('case_id', 'meeting_id', name=op.f('uq_case_meeting_case_id'))
    )
    with op.batch_alter_table('case_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_meeting_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_meeting_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('problem_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_problem_meeting_added_by_id_user')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_problem_meeting_agenda_item_id_agenda_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_problem_meeting_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problem_meeting_problem_id_problem'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_meeting')),
    sa.UniqueConstraint('problem_id', 'meeting_id', name=op.f('uq_problem_meeting_problem_id'))
    )
    with op.batch_alter_table('problem_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_meeting_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_meeting_problem_id'), ['problem_id'], unique=False)

    op.create_table('case_improvement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action_item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_item_id'], ['action_item.id'], name=op.f('fk_case_improvement_action_item_id_action_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['typical_case.id'], name=op.f('fk_case_improvement_case_id_typical_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_improvement')),
    sa.UniqueConstraint('action_item_id', name=op.f('uq_case_improvement_action_item_id'))
    )
    with op.batch_alter_table('case_improvement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_improvement_case_id'), ['case_id'], unique=False)

    op.create_table('problem_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('action_item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['action_item_id'], ['action_item.id'], name=op.f('fk_problem_measure_action_item_id_action_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problem_measure_problem_id_problem'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_measure')),
    sa.UniqueConstraint('action_item_id', name=op.f('uq_problem_measure_action_item_id'))
    )
    with op.batch_alter_table('problem_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_measure_problem_id'), ['problem_id'], unique=False)



def downgrade():
    with op.batch_alter_table('problem_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_measure_problem_id'))

    op.drop_table('problem_measure')
    with op.batch_alter_table('case_improvement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_improvement_case_id'))

    op.drop_table('case_improvement')
    with op.batch_alter_table('problem_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_meeting_problem_id'))
        batch_op.drop_index(batch_op.f('ix_problem_meeting_meeting_id'))

    op.drop_table('problem_meeting')
    with op.batch_alter_table('case_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_meeting_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_case_meeting_case_id'))

    op.drop_table('case_meeting')
    with op.batch_alter_table('typical_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_typical_case_technician_id'))
        batch_op.drop_index(batch_op.f('ix_typical_case_store_id'))
        batch_op.drop_index(batch_op.f('ix_typical_case_status'))
        batch_op.drop_index(batch_op.f('ix_typical_case_satisfaction'))
        batch_op.drop_index(batch_op.f('ix_typical_case_problem_id'))
        batch_op.drop_index(batch_op.f('ix_typical_case_example'))
        batch_op.drop_index(batch_op.f('ix_typical_case_created_at'))
        batch_op.drop_index(batch_op.f('ix_typical_case_category'))
        batch_op.drop_index(batch_op.f('ix_typical_case_case_date'))
        batch_op.drop_index(batch_op.f('ix_typical_case_advisor_id'))

    op.drop_table('typical_case')
    with op.batch_alter_table('problem_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_event_problem_id'))

    op.drop_table('problem_event')
    op.drop_table('problem_settings')
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_urgency'))
        batch_op.drop_index(batch_op.f('ix_problem_type'))
        batch_op.drop_index(batch_op.f('ix_problem_technician_id'))
        batch_op.drop_index(batch_op.f('ix_problem_store_id'))
        batch_op.drop_index(batch_op.f('ix_problem_status'))
        batch_op.drop_index(batch_op.f('ix_problem_raised_by_id'))
        batch_op.drop_index(batch_op.f('ix_problem_raised_at'))
        batch_op.drop_index(batch_op.f('ix_problem_owner_id'))
        batch_op.drop_index(batch_op.f('ix_problem_kind'))
        batch_op.drop_index(batch_op.f('ix_problem_deadline'))
        batch_op.drop_index(batch_op.f('ix_problem_closed_at'))
        batch_op.drop_index(batch_op.f('ix_problem_cause'))

    op.drop_table('problem')
