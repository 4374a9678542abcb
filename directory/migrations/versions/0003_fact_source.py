"""Sources stored per fact (fact_source): URL, quoted words, date and kind of each public page.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact_source",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resource_type", sa.String(length=20), nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("source_date", sa.String(length=10), nullable=False),
        sa.Column("sort_date", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fact_source_resource", "fact_source", ["resource_type", "resource_id", "field"])


def downgrade() -> None:
    op.drop_index("ix_fact_source_resource", table_name="fact_source")
    op.drop_table("fact_source")
