"""Single-use links: account invitations and password resets, organisation confirmation links.

Account links carry a random token; only its SHA-256 is stored (a copy of
the database gives no working link). An invitation lasts 72 hours, a reset
1 hour; a link works once, and a new link of the same kind ends the older
ones.

Organisation links carry the id of a ListingRequest row signed with
itsdangerous (salt of their own): valid 30 days, once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from directory.models import AccountToken, ListingRequest, User, utcnow

from . import auth

LIFETIMES = {"invite": dt.timedelta(hours=72), "reset": dt.timedelta(hours=1)}
LISTING_LIFETIME = dt.timedelta(days=30)
# An account made by invitation has no password until the person chooses one:
# this is not an argon2 hash, so no password ever matches it.
NO_PASSWORD = "!invitation"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_account_token(db: Session, user: User, purpose: str, now: dt.datetime | None = None) -> str:
    """A new link token for `user` (the older unused ones of this purpose stop working)."""
    now = now or utcnow()
    db.execute(update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
                                          AccountToken.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=hash_token(token), created_at=now,
                        expires_at=now + LIFETIMES[purpose]))
    db.flush()
    return token


def find_account_token(db: Session, token: str, now: dt.datetime | None = None) -> tuple[AccountToken | None, str | None]:
    """(row, None) for a usable token, else (None, French reason)."""
    now = now or utcnow()
    if not token or len(token) > 100:
        return None, "Ce lien n'est pas valide."
    row = db.execute(select(AccountToken).where(AccountToken.token_hash == hash_token(token))).scalar_one_or_none()
    if row is None:
        return None, "Ce lien n'est pas valide."
    if row.used_at is not None:
        return None, "Ce lien a déjà servi. Demandez-en un nouveau."
    if row.expires_at < now:
        return None, "Ce lien a expiré. Demandez-en un nouveau."
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None, "Ce compte n'est plus actif. Écrivez à l'administration régionale."
    return row, None


def use_account_token(db: Session, row: AccountToken, password: str, now: dt.datetime | None = None) -> User:
    """Set the password chosen through the link; the link stops working."""
    user = db.get(User, row.user_id)
    user.password_hash = auth.hash_password(password)
    row.used_at = now or utcnow()
    return user


def has_password(user: User) -> bool:
    return bool(user.password_hash) and user.password_hash != NO_PASSWORD


# --- Organisation confirmation links --------------------------------------------------------


def _listing_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(auth.secret_key(), salt="phare-listing-confirmation")


def new_listing_request(db: Session, organization_id: str, kind: str = "reminder",
                        now: dt.datetime | None = None) -> tuple[ListingRequest, str]:
    now = now or utcnow()
    row = ListingRequest(organization_id=organization_id, kind=kind, created_at=now, expires_at=now + LISTING_LIFETIME)
    db.add(row)
    db.flush()
    return row, _listing_serializer().dumps(row.id)


def find_listing_request(db: Session, token: str, now: dt.datetime | None = None) -> tuple[ListingRequest | None, str | None]:
    now = now or utcnow()
    try:
        request_id = _listing_serializer().loads(token, max_age=int(LISTING_LIFETIME.total_seconds()))
    except SignatureExpired:
        return None, "Ce lien a expiré (il vaut 30 jours). Écrivez-nous : nous vous en enverrons un nouveau."
    except BadSignature:
        return None, "Ce lien n'est pas valide. Vérifiez qu'il est complet (copiez-le au besoin en entier)."
    row = db.get(ListingRequest, request_id) if isinstance(request_id, str) else None
    if row is None:
        return None, "Ce lien n'est pas valide."
    if row.used_at is not None:
        return None, "Merci, cette fiche a déjà été confirmée avec ce lien. Pour un autre changement, écrivez-nous."
    if row.expires_at < now:
        return None, "Ce lien a expiré (il vaut 30 jours). Écrivez-nous : nous vous en enverrons un nouveau."
    return row, None
