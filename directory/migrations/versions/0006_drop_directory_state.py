"""Drop directory_state: its version counter was bumped by every write and read by nothing.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A schema made by create_all from the current models (adopted by directory.migrate) never had it.
    if "directory_state" in sa.inspect(op.get_bind()).get_table_names():
        op.drop_table("directory_state")


def downgrade() -> None:
    op.create_table(
        "directory_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
