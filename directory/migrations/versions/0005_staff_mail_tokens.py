"""Staff workflows: outbox, account links, organisation confirmation links, TOTP, service creation date, need_log.kind.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A schema made by create_all from these models (adopted by directory.migrate) already has all of it.
    inspector = sa.inspect(op.get_bind())
    if "totp_secret" not in {c["name"] for c in inspector.get_columns("app_user")}:
        op.add_column("app_user", sa.Column("totp_secret", sa.String(64)))
    if "created_at" not in {c["name"] for c in inspector.get_columns("service")}:
        op.add_column("service", sa.Column("created_at", sa.DateTime()))
    if "kind" not in {c["name"] for c in inspector.get_columns("need_log")}:
        op.add_column("need_log", sa.Column("kind", sa.String(12), nullable=False, server_default="search"))
    if inspector.has_table("outbox"):
        return
    op.create_table(
        "account_token",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime()),
    )
    op.create_index("ix_account_token_user_id", "account_token", ["user_id"])
    op.create_table(
        "listing_request",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("organization_id", sa.String(36), sa.ForeignKey("organization.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime()),
        sa.Column("answer", sa.String(12)),
        sa.Column("escalated_at", sa.DateTime()),
    )
    op.create_index("ix_listing_request_organization_id", "listing_request", ["organization_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("to_address", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("sent_by", sa.String(200)),
    )
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])
    op.create_index("ix_outbox_status", "outbox", ["status"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("listing_request")
    op.drop_table("account_token")
    with op.batch_alter_table("need_log") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("service") as batch:
        batch.drop_column("created_at")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("totp_secret")
