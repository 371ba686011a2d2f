"""speed: indexes the dashboards' queries need, and the stamps of cached figures (app/freshness.py)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 00:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("figure_stamp",
                    sa.Column("scope", sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column("stamp", sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint("scope", name=op.f("pk_figure_stamp")))
    op.create_index("ix_kpi_value_store_subject_month", "kpi_value", ["store_id", "subject_key", "month"])
    op.create_index("ix_action_item_store_status_deadline", "action_item", ["store_id", "status", "deadline"])
    op.create_index("ix_action_item_owner_status", "action_item", ["owner_id", "status"])
    op.create_index("ix_meeting_store_date", "meeting", ["store_id", "meeting_date"])
    op.create_index("ix_coaching_session_store_held", "coaching_session", ["store_id", "held_on"])
    op.create_index(op.f("ix_plan_step_action_item_id"), "plan_step", ["action_item_id"])
    op.create_index(op.f("ix_coaching_measure_action_item_id"), "coaching_measure", ["action_item_id"])


def downgrade():
    op.drop_index(op.f("ix_coaching_measure_action_item_id"), table_name="coaching_measure")
    op.drop_index(op.f("ix_plan_step_action_item_id"), table_name="plan_step")
    op.drop_index("ix_coaching_session_store_held", table_name="coaching_session")
    op.drop_index("ix_meeting_store_date", table_name="meeting")
    op.drop_index("ix_action_item_owner_status", table_name="action_item")
    op.drop_index("ix_action_item_store_status_deadline", table_name="action_item")
    op.drop_index("ix_kpi_value_store_subject_month", table_name="kpi_value")
    op.drop_table("figure_stamp")
