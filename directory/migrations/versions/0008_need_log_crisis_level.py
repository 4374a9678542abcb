"""need_log.crisis_level: which crisis line Phare gave (directory.crisis_levels), counts only.

Crisis rows written before this revision all came from the violence action
(the other crises were not counted), so they get the level "violence".

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A schema made by create_all from these models (adopted by directory.migrate) already has it.
    if "crisis_level" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("need_log")}:
        op.add_column("need_log", sa.Column("crisis_level", sa.String(12)))
    op.execute("UPDATE need_log SET crisis_level = 'violence' WHERE kind = 'crisis' AND crisis_level IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("need_log") as batch:
        batch.drop_column("crisis_level")
