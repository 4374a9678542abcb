"""Index for the unmet-needs statistics (per week, MRC and category).

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_need_log_day_mrc_category", "need_log", ["day", "mrc_id", "category_id"])


def downgrade() -> None:
    op.drop_index("ix_need_log_day_mrc_category", table_name="need_log")
