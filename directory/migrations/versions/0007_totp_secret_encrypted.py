"""The second-factor (TOTP) secrets of staff are encrypted at rest (directory.secret_box, key PHARE_TOTP_KEY).

The secrets move from app_user.totp_secret (base32, in clear) to
app_user.totp_secret_encrypted (a Fernet token); the old column is dropped.
A new column rather than a wider one: SQLite cannot change a column's type
without rebuilding the table, which its foreign keys would cascade into.
Without PHARE_TOTP_KEY while secrets exist, the migration stops with a
French message and changes nothing.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

from directory import secret_box

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FIRST_KEY = (
    f"Des secrets de vérification en deux étapes sont enregistrés en clair : définissez {secret_box.KEY_VARIABLE} "
    f"(au moins {secret_box.MIN_KEY_LENGTH} caractères, ex. `openssl rand -base64 32`) dans /etc/phare/phare.env "
    "ou le fichier .env de docker compose, puis relancez Phare : ils seront chiffrés avec cette clé. Gardez-la : "
    "sans elle, ces secrets ne peuvent plus être lus."
)


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("app_user")}


def upgrade() -> None:
    bind = op.get_bind()
    columns = _columns()
    plain = []
    if "totp_secret" in columns:
        plain = bind.execute(sa.text("SELECT id, totp_secret FROM app_user WHERE totp_secret IS NOT NULL")).all()
    if plain and not secret_box.available():
        raise secret_box.SecretKeyError(FIRST_KEY if not secret_box.configured_key() else secret_box.SHORT_KEY)
    # A schema made by create_all from these models (adopted by directory.migrate) already has the new column.
    if "totp_secret_encrypted" not in columns:
        op.add_column("app_user", sa.Column("totp_secret_encrypted", sa.String(secret_box.TOKEN_LENGTH)))
    for user_id, secret in plain:
        bind.execute(sa.text("UPDATE app_user SET totp_secret_encrypted = :token WHERE id = :id"),
                     {"token": secret_box.encrypt(secret), "id": user_id})
    if "totp_secret" in columns:
        op.drop_column("app_user", "totp_secret")  # SQLite 3.35+ drops a plain column in place


def downgrade() -> None:
    bind = op.get_bind()
    op.add_column("app_user", sa.Column("totp_secret", sa.String(64)))
    rows = bind.execute(sa.text("SELECT id, totp_secret_encrypted FROM app_user "
                                "WHERE totp_secret_encrypted IS NOT NULL")).all()
    for user_id, token in rows:
        bind.execute(sa.text("UPDATE app_user SET totp_secret = :secret WHERE id = :id"),
                     {"secret": secret_box.decrypt(token), "id": user_id})
    op.drop_column("app_user", "totp_secret_encrypted")
