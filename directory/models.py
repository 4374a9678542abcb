"""The directory's tables, aligned on Open Referral HSDS 3.0.

HSDS names are kept where HSDS has the concept (organization, service,
location, service_at_location, phone, schedule, service_area, metadata) so
the data can be exchanged with 211 and others; the geography of the
Bas-Saint-Laurent (MRC, municipality, postal prefixes), the French category
taxonomy, campaigns, staff accounts and the anonymous need log are Phare's own.
"""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
)
from sqlalchemy.orm import declarative_base, relationship

from .geography import TIMEZONE
from .secret_box import EncryptedText

Base = declarative_base()


SERVICE_STATUSES = ("active", "inactive", "temporarily closed", "archived")


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


# --- Geography -------------------------------------------------------------


class Mrc(Base):
    __tablename__ = "mrc"

    id = Column(String(40), primary_key=True)  # slug, e.g. "la-mitis"
    name = Column(String(80), nullable=False, unique=True)  # "La Mitis"
    code = Column(String(3), nullable=False, unique=True)  # MAMH code, "090"
    seat = Column(String(80), nullable=False)  # chef-lieu
    aliases = Column(Text, nullable=False, default="")  # "|"-separated

    municipalities = relationship("Municipality", back_populates="mrc", order_by="Municipality.name")


class Municipality(Base):
    __tablename__ = "municipality"

    id = Column(String(60), primary_key=True)  # slug of the official name
    name = Column(String(120), nullable=False)
    type = Column(String(40), nullable=False)  # Ville, Municipalité, Paroisse, TNO, Réserve…
    geo_code = Column(String(5))  # MAMH geographic code; unknown for TNO and reserves
    mrc_id = Column(String(40), ForeignKey("mrc.id"), nullable=False, index=True)
    aliases = Column(Text, nullable=False, default="")

    mrc = relationship("Mrc", back_populates="municipalities")


class PostalPrefix(Base):
    """A forward sortation area (G5L) or a full rural code (G0L 4K0)."""

    __tablename__ = "postal_prefix"

    prefix = Column(String(7), primary_key=True)
    mrc_id = Column(String(40), ForeignKey("mrc.id"))
    municipality_id = Column(String(60), ForeignKey("municipality.id"))
    needs_full_code = Column(Boolean, nullable=False, default=False)


# --- Taxonomy --------------------------------------------------------------


class Category(Base):
    __tablename__ = "category"

    id = Column(String(40), primary_key=True)  # slug, e.g. "aide-alimentaire"
    label = Column(String(120), nullable=False)
    description = Column(Text, nullable=False, default="")
    synonyms = Column(Text, nullable=False, default="")  # "|"-separated, French
    resident_facing = Column(Boolean, nullable=False, default=True)
    position = Column(Integer, nullable=False, default=0)


service_category = Table(
    "service_category",
    Base.metadata,
    Column("service_id", String(36), ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", String(40), ForeignKey("category.id"), primary_key=True),
    Index("ix_service_category_category", "category_id", "service_id"),
)


# --- HSDS core -------------------------------------------------------------


class Organization(Base):
    __tablename__ = "organization"

    id = Column(String(36), primary_key=True, default=new_id)
    name = Column(String(200), nullable=False)
    alternate_name = Column(String(200))
    description = Column(Text, nullable=False, default="")
    email = Column(String(200))
    website = Column(String(300))
    source = Column(Text, nullable=False, default="")
    seed_key = Column(String(80), unique=True)  # stable key of a seed entry

    services = relationship("Service", back_populates="organization", order_by="Service.name")
    locations = relationship("Location", back_populates="organization", cascade="all, delete-orphan")
    phones = relationship(
        "Phone",
        primaryjoin="and_(Phone.organization_id == Organization.id, Phone.service_id.is_(None))",
        viewonly=True,
    )


class Service(Base):
    __tablename__ = "service"

    id = Column(String(36), primary_key=True, default=new_id)
    organization_id = Column(String(36), ForeignKey("organization.id"), nullable=False, index=True)
    name = Column(String(200), nullable=False)
    alternate_name = Column(String(200))
    description = Column(Text, nullable=False, default="")
    url = Column(String(300))
    email = Column(String(200))
    status = Column(String(20), nullable=False, default="active", index=True)
    eligibility_description = Column(Text)
    fees_description = Column(Text)
    application_process = Column(Text)
    # "Vérifié le": the day someone confirmed the entry is current.
    assured_date = Column(Date)
    last_modified = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    source = Column(Text, nullable=False, default="")
    seed_key = Column(String(80), unique=True)
    # Crisis and information lines come first whatever the place.
    priority = Column(Integer, nullable=False, default=0)
    # When staff created the service in the admin or by CSV import (NULL for seeded rows and rows older
    # than migration 0005): a service created recently and never verified is "nouveau", not "à vérifier".
    created_at = Column(DateTime)

    organization = relationship("Organization", back_populates="services")
    categories = relationship("Category", secondary=service_category, order_by="Category.position")
    phones = relationship("Phone", back_populates="service", cascade="all, delete-orphan", order_by="Phone.position")
    schedules = relationship("Schedule", back_populates="service", cascade="all, delete-orphan")
    service_areas = relationship("ServiceArea", back_populates="service", cascade="all, delete-orphan")
    locations = relationship("ServiceAtLocation", back_populates="service", cascade="all, delete-orphan")


class Location(Base):
    __tablename__ = "location"

    id = Column(String(36), primary_key=True, default=new_id)
    organization_id = Column(String(36), ForeignKey("organization.id"), nullable=False)
    name = Column(String(200))
    address_1 = Column(String(200))
    city = Column(String(120))
    postal_code = Column(String(7))
    municipality_id = Column(String(60), ForeignKey("municipality.id"))
    latitude = Column(Float)
    longitude = Column(Float)

    organization = relationship("Organization", back_populates="locations")
    municipality = relationship("Municipality")


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"

    id = Column(String(36), primary_key=True, default=new_id)
    service_id = Column(String(36), ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True)
    location_id = Column(String(36), ForeignKey("location.id"), nullable=False)

    service = relationship("Service", back_populates="locations")
    location = relationship("Location")


class Phone(Base):
    __tablename__ = "phone"

    id = Column(String(36), primary_key=True, default=new_id)
    service_id = Column(String(36), ForeignKey("service.id", ondelete="CASCADE"), index=True)
    organization_id = Column(String(36), ForeignKey("organization.id"))
    number = Column(String(40), nullable=False)
    extension = Column(String(10))
    type = Column(String(10), nullable=False, default="voice")  # voice, text
    description = Column(String(200))
    position = Column(Integer, nullable=False, default=0)

    service = relationship("Service", back_populates="phones")


class Schedule(Base):
    """HSDS schedule: an iCalendar-like recurrence in local wall time."""

    __tablename__ = "schedule"

    id = Column(String(36), primary_key=True, default=new_id)
    service_id = Column(String(36), ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True)
    freq = Column(String(10))  # WEEKLY, MONTHLY, DAILY; empty for "24/7" or free text only
    interval = Column(Integer, nullable=False, default=1)
    byday = Column(String(40))  # "MO,TU" or "2TU" (2nd Tuesday) or "-1FR"
    bymonthday = Column(String(40))  # "1,15"
    opens_at = Column(Time)
    closes_at = Column(Time)
    valid_from = Column(Date)
    valid_to = Column(Date)
    dtstart = Column(Date)  # anchor for interval > 1
    timezone = Column(String(40), nullable=False, default=TIMEZONE)
    open_24_7 = Column(Boolean, nullable=False, default=False)
    closed_on_holidays = Column(Boolean, nullable=False, default=False)
    description = Column(Text)

    service = relationship("Service", back_populates="schedules")


class ServiceArea(Base):
    """Where a service is offered: the whole region, a whole MRC or one municipality."""

    __tablename__ = "service_area"

    id = Column(String(36), primary_key=True, default=new_id)
    service_id = Column(String(36), ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True)
    scope = Column(String(12), nullable=False)  # region, mrc, municipality
    mrc_id = Column(String(40), ForeignKey("mrc.id"))
    municipality_id = Column(String(60), ForeignKey("municipality.id"))
    description = Column(String(200))

    service = relationship("Service", back_populates="service_areas")
    mrc = relationship("Mrc")
    municipality = relationship("Municipality")

    __table_args__ = (
        Index("ix_service_area_mrc", "mrc_id", "service_id"),
        Index("ix_service_area_municipality", "municipality_id", "service_id"),
        Index("ix_service_area_scope", "scope", "service_id"),
    )


class Metadata(Base):
    """HSDS metadata: one row per changed field, who and when."""

    __tablename__ = "metadata"

    id = Column(String(36), primary_key=True, default=new_id)
    resource_id = Column(String(36), nullable=False, index=True)
    resource_type = Column(String(40), nullable=False)
    last_action_date = Column(DateTime, nullable=False, default=utcnow)
    last_action_type = Column(String(20), nullable=False)  # create, update, delete, restore, verify
    field_name = Column(String(80), nullable=False, default="")
    previous_value = Column(Text, nullable=False, default="")
    replacement_value = Column(Text, nullable=False, default="")
    updated_by = Column(String(120), nullable=False, default="")
    # Full JSON snapshot of the service after the change, for restore.
    snapshot = Column(Text)


class FactSource(Base):
    """Where one fact of an organisation or a service comes from: the public page, its words, its date.

    One row per (source, fact it supports): a page that gives a phone number
    and the territory is two rows, so the admin can show each field's source
    beside it and the answers can say "Selon un article de mars 2024".
    """

    __tablename__ = "fact_source"

    id = Column(Integer, primary_key=True, autoincrement=True)
    resource_type = Column(String(20), nullable=False)  # organization, service
    resource_id = Column(String(36), nullable=False)
    # phone, address, website, email, hours, territory, eligibility, fees, application, description
    field = Column(String(20), nullable=False)
    url = Column(Text, nullable=False)
    title = Column(Text)
    quote = Column(Text, nullable=False, default="")
    source_date = Column(String(10), nullable=False, default="")  # as the page gives it: 2024, 2024-03, 2024-03-12
    sort_date = Column(Date)  # the first day the date can mean, for sorting and freshness
    kind = Column(String(20), nullable=False)  # organisme, journal, repertoire, municipal, gouvernement
    position = Column(Integer, nullable=False, default=0)

    __table_args__ = (Index("ix_fact_source_resource", "resource_type", "resource_id", "field"),)


# --- Phare's own -----------------------------------------------------------


class Campaign(Base):
    """A campaign of an MRC (booklet, magnet, radio spots) that Phare echoes."""

    __tablename__ = "campaign"

    id = Column(String(36), primary_key=True, default=new_id)
    mrc_id = Column(String(40), ForeignKey("mrc.id"))  # NULL: region-wide
    title = Column(String(200), nullable=False)
    text = Column(Text, nullable=False)
    starts_on = Column(Date)
    ends_on = Column(Date)
    source = Column(Text, nullable=False, default="")
    seed_key = Column(String(80), unique=True)

    mrc = relationship("Mrc")


class User(Base):
    __tablename__ = "app_user"

    id = Column(String(36), primary_key=True, default=new_id)
    email = Column(String(200), nullable=False, unique=True)
    name = Column(String(120), nullable=False, default="")
    password_hash = Column(String(300), nullable=False)
    role = Column(String(20), nullable=False)  # admin, mrc, organization
    mrc_id = Column(String(40), ForeignKey("mrc.id"))
    organization_id = Column(String(36), ForeignKey("organization.id"))
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # TOTP secret of the optional second factor (regional administrators); NULL: off. Python reads it in
    # clear; the column holds its Fernet token (directory.secret_box), never the secret itself.
    totp_secret = Column("totp_secret_encrypted", EncryptedText())


class AccountToken(Base):
    """A single-use link for an account: invitation (set a first password) or password reset.

    Only the SHA-256 of the token is stored; the token itself is only in the email.
    """

    __tablename__ = "account_token"

    id = Column(String(36), primary_key=True, default=new_id)
    user_id = Column(String(36), ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose = Column(String(10), nullable=False)  # invite, reset
    token_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime)


class ListingRequest(Base):
    """A link sent to an organisation to confirm or correct its listing (signed id, single use, 30 days)."""

    __tablename__ = "listing_request"

    id = Column(String(36), primary_key=True, default=new_id)
    organization_id = Column(String(36), ForeignKey("organization.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(12), nullable=False, default="reminder")  # reminder, manual
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime)
    answer = Column(String(12))  # confirmed, corrected
    escalated_at = Column(DateTime)  # MRC staff told after unanswered reminders


class OutboxMessage(Base):
    """An email to send: by SMTP when configured, else by hand from the admin."""

    __tablename__ = "outbox"

    id = Column(String(36), primary_key=True, default=new_id)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    to_address = Column(String(200), nullable=False)
    subject = Column(String(300), nullable=False)
    body = Column(Text, nullable=False)
    kind = Column(String(20), nullable=False, default="")  # invite, reset, reminder, escalation
    status = Column(String(10), nullable=False, default="pending", index=True)  # pending, sent, failed
    attempts = Column(Integer, nullable=False, default=0)
    error = Column(Text)
    sent_at = Column(DateTime)
    sent_by = Column(String(200))  # "smtp" or the staff member who sent it by hand


class RevokedSession(Base):
    """A staff session ended by "Se déconnecter" before its cookie expires (kept until it would have)."""

    __tablename__ = "revoked_session"

    sid_hash = Column(String(64), primary_key=True)  # SHA-256 of the session id, not the id itself
    expires_at = Column(DateTime, nullable=False, index=True)


class NeedLog(Base):
    """Anonymous record of one search: no text, no phone number, no sender id."""

    __tablename__ = "need_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    day = Column(Date, nullable=False, index=True)
    category_id = Column(String(40))
    mrc_id = Column(String(40))
    result_count = Column(Integer, nullable=False)
    channel = Column(String(20), nullable=False, default="")
    # search (a search with its results), fallback (not understood), outside (a place outside the region),
    # crisis (counts only: no category), language (asked in another language). See web.admin.dashboard.
    kind = Column(String(12), nullable=False, default="search", server_default="search")
    # Crisis rows only: which line Phare gave (directory.crisis_levels), never the message.
    crisis_level = Column(String(12))

    __table_args__ = (Index("ix_need_log_day_mrc_category", "day", "mrc_id", "category_id"),)


__all__ = [
    "AccountToken",
    "Base",
    "Campaign",
    "Category",
    "FactSource",
    "ListingRequest",
    "Location",
    "Metadata",
    "Mrc",
    "Municipality",
    "NeedLog",
    "Organization",
    "OutboxMessage",
    "Phone",
    "PostalPrefix",
    "SERVICE_STATUSES",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "TIMEZONE",
    "User",
    "service_category",
]
