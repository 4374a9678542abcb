"""Form values -> the service "snapshot" dict, with French error messages.

A service is edited, imported and restored through one shape, the snapshot
(see web.admin.history): plain JSON-able dicts and lists. This module
turns submitted forms into that shape and validates values; it never touches
the database (the reference data come in a `Reference`).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from directory.formatting import MONTHS, WEEKDAYS, format_date, format_phone, format_time
from directory.geography import TIMEZONE
from directory.models import SERVICE_STATUSES
from directory.schedules import ScheduleError, ScheduleRule, validate
from directory.text import fold, fold_place

from . import policy

STATUS_LABELS = {
    "active": "Actif",
    "temporarily closed": "Fermé temporairement",
    "inactive": "Inactif",
    "archived": "Archivé",
}
STATUS_WORDS = {fold(v): k for k, v in STATUS_LABELS.items()}
STATUS_WORDS.update({fold(k): k for k in SERVICE_STATUSES})
STATUS_WORDS.update({"ferme": "temporarily closed", "fermee temporairement": "temporarily closed", "archive": "archived",
                     "actif": "active", "active": "active", "inactive": "inactive"})

DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_LABELS = dict(zip(DAY_CODES, WEEKDAYS, strict=False))
WEEK_RANKS = {"1": "1re", "2": "2e", "3": "3e", "4": "4e", "-1": "dernière"}
DAY_RANKS = {"1": "1er", "2": "2e", "3": "3e", "4": "4e", "5": "5e", "-1": "dernier"}
PHONE_TYPES = {"voice": "Voix", "text": "Texto"}
SCHEDULE_KINDS = {
    "weekly": "Chaque semaine (ou aux N semaines)",
    "monthly": "Certaines semaines du mois (ex. 2e mardi)",
    "daily": "Tous les jours",
    "always": "24 h sur 24, 7 jours sur 7",
    "text": "Texte seulement (heures à confirmer)",
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DIGITS = re.compile(r"\D+")
_POSTAL = re.compile(r"^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$")
SHORT_CODES = {"211", "811", "911", "311"}


@dataclass
class Reference:
    """What values may refer to: categories, MRCs, municipalities, organisations."""

    categories: dict[str, str] = field(default_factory=dict)  # id -> label
    mrcs: dict[str, str] = field(default_factory=dict)  # id -> name
    municipalities: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, mrc id)
    organizations: dict[str, str] = field(default_factory=dict)  # id -> name
    mrc_aliases: dict[str, str] = field(default_factory=dict)  # folded alias ("mrc de matane") -> MRC id
    # Fallback for municipality names (aliases, abbreviations): text -> municipality id or None.
    resolve_place: Callable[[str], str | None] | None = None

    @property
    def municipality_mrc(self) -> dict[str, str]:
        return {k: v[1] for k, v in self.municipalities.items()}

    def category_id(self, text: str) -> str | None:
        text = text.strip()
        if text in self.categories:
            return text
        key = fold(text)
        for cid, label in self.categories.items():
            if key in (fold(cid), fold(label)):
                return cid
        return None

    def mrc_id(self, text: str) -> str | None:
        text = text.strip()
        if text in self.mrcs:
            return text
        key = fold_place(text)
        for prefix in ("mrc de la ", "mrc des ", "mrc du ", "mrc de ", "mrc "):
            if key.startswith(prefix):
                key = key[len(prefix):]
                if prefix in ("mrc de la ",):
                    key = "la " + key
                elif prefix == "mrc des ":
                    key = "les " + key
                break
        for mid, name in self.mrcs.items():
            if key in (fold_place(mid), fold_place(name)):
                return mid
        return self.mrc_aliases.get(fold_place(text)) or self.mrc_aliases.get(key)

    def municipality_id(self, text: str) -> str | None:
        text = text.strip()
        if text in self.municipalities:
            return text
        key = fold_place(text)
        matches = [mid for mid, (name, _) in self.municipalities.items() if key in (fold_place(mid), fold_place(name))]
        if len(matches) == 1:
            return matches[0]
        if self.resolve_place is not None:
            found = self.resolve_place(text)
            if found in self.municipalities:
                return found
        return None

    def organization_id(self, text: str) -> str | None:
        text = text.strip()
        if text in self.organizations:
            return text
        key = fold(text)
        matches = [oid for oid, name in self.organizations.items() if fold(name) == key]
        return matches[0] if len(matches) == 1 else None


# --- Single values ---------------------------------------------------------------


def clean(value) -> str:
    return (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def normalize_phone(text: str, phone_type: str = "voice") -> tuple[str | None, str | None]:
    """(stored number, None) or (None, French error). Texting lines may be SMS short codes (535353)."""
    raw = clean(text)
    digits = _DIGITS.sub("", raw)
    if digits in SHORT_CODES:
        return digits, None
    if phone_type == "text" and 5 <= len(digits) <= 6 and digits == raw.replace(" ", ""):
        return digits, None
    if len(digits) == 10 and digits[0] not in "01":
        return format_phone(digits), None
    if len(digits) == 11 and digits.startswith("1") and digits[1] not in "01":
        return format_phone(digits), None
    return None, f"numéro de téléphone invalide « {raw} » : il faut 10 chiffres (ex. 418 555-0123), 1 + 10 chiffres ou 211"


def normalize_extension(text: str) -> tuple[str | None, str | None]:
    raw = clean(text)
    if not raw:
        return None, None
    digits = _DIGITS.sub("", raw)
    if not digits or len(digits) > 8:
        return None, f"poste invalide « {raw} » : seulement des chiffres"
    return digits, None


def normalize_email(text: str) -> tuple[str | None, str | None]:
    raw = clean(text)
    if not raw:
        return None, None
    if not _EMAIL.match(raw) or len(raw) > 200:
        return None, f"courriel invalide « {raw} »"
    return raw, None


def normalize_url(text: str) -> tuple[str | None, str | None]:
    raw = clean(text)
    if not raw:
        return None, None
    if not re.match(r"^https?://", raw, re.I):
        raw = "https://" + raw
    if " " in raw or "." not in raw or len(raw) > 300:
        return None, f"adresse web invalide « {raw} »"
    return raw, None


def parse_date(text: str) -> tuple[dt.date | None, str | None]:
    """2025-03-14, 14/03/2025 or 14-03-2025 (how Excel in French may save it)."""
    raw = clean(text)
    if not raw:
        return None, None
    raw = raw.split(" ")[0].split("T")[0]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date(), None
        except ValueError:
            continue
    return None, f"date invalide « {raw} » : écrivez AAAA-MM-JJ (ex. 2025-03-14)"


def parse_time(text: str) -> tuple[dt.time | None, str | None]:
    """9:00, 09:00, 9 h, 9h30, 16 h 30."""
    raw = clean(text)
    if not raw:
        return None, None
    m = re.match(r"^(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?$", raw)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if hour <= 24 and minute < 60 and not (hour == 24 and minute):
            return (dt.time(0, 0) if hour == 24 else dt.time(hour, minute)), None
    return None, f"heure invalide « {raw} » : écrivez 9:00 ou 16 h 30"


def parse_status(text: str) -> tuple[str | None, str | None]:
    raw = clean(text)
    if not raw:
        return "active", None
    status = STATUS_WORDS.get(fold(raw))
    if status is None:
        return None, f"statut inconnu « {raw} » : actif, fermé temporairement, inactif ou archivé"
    return status, None


# --- Schedules ---------------------------------------------------------------------


def schedule_rule(item: dict) -> ScheduleRule:
    def t(v):
        return dt.time.fromisoformat(v) if v else None

    def d(v):
        return dt.date.fromisoformat(v) if v else None

    return ScheduleRule(
        freq=item.get("freq"), interval=item.get("interval") or 1, byday=item.get("byday"),
        bymonthday=item.get("bymonthday"), opens_at=t(item.get("opens_at")), closes_at=t(item.get("closes_at")),
        valid_from=d(item.get("valid_from")), valid_to=d(item.get("valid_to")), dtstart=d(item.get("dtstart")),
        timezone=item.get("timezone") or TIMEZONE, open_24_7=bool(item.get("open_24_7")),
        closed_on_holidays=bool(item.get("closed_on_holidays")), description=item.get("description"),
    )


def split_byday(byday: str | None) -> tuple[list[str], list[str], bool]:
    """"2TU,2TH" -> (weeks ["2"], days ["TU","TH"], True); False when not a weeks × days product."""
    if not byday:
        return [], [], True
    pairs = []
    for part in byday.replace(" ", "").upper().split(","):
        if not part:
            continue
        pairs.append((part[:-2], part[-2:]))
    weeks = sorted({w for w, _ in pairs if w}, key=lambda w: (w == "-1", w))
    days = [d for d in DAY_CODES if any(code == d for _, code in pairs)]
    product = {(w, d) for w in (weeks or [""]) for d in days}
    return weeks, days, product == set(pairs)


def join_byday(weeks: list[str], days: list[str]) -> str | None:
    days = [d for d in DAY_CODES if d in days]
    if not days:
        return None
    if not weeks:
        return ",".join(days)
    return ",".join(f"{w}{d}" for w in weeks for d in days)


def schedule_kind(item: dict) -> str:
    if item.get("open_24_7"):
        return "always"
    freq = (item.get("freq") or "").upper()
    if not freq:
        return "text"
    if freq == "DAILY":
        return "daily"
    if freq == "MONTHLY":
        return "monthly"
    return "weekly"


def _join_fr(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def _short_date(day: dt.date, with_year: bool) -> str:
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]}" + (f" {day.year}" if with_year else "")


def describe_schedule(item: dict) -> str:
    """One schedule in plain French: "2e mardi du mois, de 13 h à 16 h"."""
    kind = schedule_kind(item)
    parts: list[str] = []
    if kind == "always":
        parts.append("24 h sur 24, 7 jours sur 7")
    elif kind == "text":
        parts.append(item.get("description") or "heures à confirmer")
    else:
        weeks, days, product = split_byday(item.get("byday"))
        interval = item.get("interval") or 1
        if kind == "daily":
            when = "tous les jours" if interval == 1 else f"un jour sur {interval}"
        elif kind == "monthly":
            if item.get("byday") and product and weeks:
                ranks = _join_fr([DAY_RANKS.get(w, w) for w in weeks])
                names = _join_fr([DAY_LABELS[d] for d in days])
                when = f"{ranks} {names} du mois"
            elif item.get("bymonthday"):
                numbers = ["1er" if n.strip() == "1" else n.strip() for n in str(item["bymonthday"]).split(",") if n.strip()]
                when = f"le {_join_fr(numbers)} du mois"
            else:
                when = f"chaque mois ({item.get('byday') or ''})".replace(" ()", "")
        else:
            names = _join_fr([DAY_LABELS[d] for d in days]) if days else "chaque semaine"
            when = names if interval == 1 else f"{names}, aux {interval} semaines"
        opens, closes = item.get("opens_at"), item.get("closes_at")
        if opens and closes:
            when += f", de {format_time(dt.time.fromisoformat(opens))} à {format_time(dt.time.fromisoformat(closes))}"
        parts.append(when[0].upper() + when[1:])
        if item.get("description"):
            parts.append(f"({item['description']})")
    valid_from, valid_to = item.get("valid_from"), item.get("valid_to")
    if valid_from or valid_to:
        start = dt.date.fromisoformat(valid_from) if valid_from else None
        end = dt.date.fromisoformat(valid_to) if valid_to else None
        if start and end:
            parts.append(f"du {_short_date(start, start.year != end.year)} au {format_date(end)}")
        elif start:
            parts.append(f"à partir du {format_date(start)}")
        else:
            parts.append(f"jusqu'au {format_date(end)}")
    if item.get("closed_on_holidays"):
        parts.append("fermé les jours fériés")
    text = " — ".join(p for p in parts if p)
    return text[0].upper() + text[1:] if text else text


def parse_schedule_fields(get: Callable[[str], str], getlist: Callable[[str], list[str]], prefix: str) -> tuple[dict | None, list[str]]:
    """One schedule block of the service form -> (schedule dict or None to drop it, errors)."""
    errors: list[str] = []
    kind = clean(get(prefix + "kind"))
    if not kind or get(prefix + "delete"):
        return None, errors
    if kind not in SCHEDULE_KINDS:
        return None, [f"type d'horaire inconnu « {kind} »"]
    opens, e1 = parse_time(get(prefix + "opens_at"))
    closes, e2 = parse_time(get(prefix + "closes_at"))
    valid_from, e3 = parse_date(get(prefix + "valid_from"))
    valid_to, e4 = parse_date(get(prefix + "valid_to"))
    dtstart, e5 = parse_date(get(prefix + "dtstart"))
    errors.extend(e for e in (e1, e2, e3, e4, e5) if e)
    interval_text = clean(get(prefix + "interval")) or "1"
    if not interval_text.isdigit() or not 1 <= int(interval_text) <= 12:
        errors.append(f"intervalle invalide « {interval_text} » (1 à 12)")
        interval_text = "1"
    days = [d for d in getlist(prefix + "days") if d in DAY_CODES]
    weeks = [w for w in getlist(prefix + "weeks") if w in WEEK_RANKS]
    raw_byday = clean(get(prefix + "byday_raw")).upper() or None
    bymonthday = clean(get(prefix + "bymonthday")) or None
    description = clean(get(prefix + "description")) or None
    item = {
        "freq": None, "interval": int(interval_text), "byday": None, "bymonthday": None,
        "opens_at": opens.strftime("%H:%M") if opens else None,
        "closes_at": closes.strftime("%H:%M") if closes else None,
        "valid_from": valid_from.isoformat() if valid_from else None,
        "valid_to": valid_to.isoformat() if valid_to else None,
        "dtstart": dtstart.isoformat() if dtstart else None,
        "timezone": clean(get(prefix + "timezone")) or TIMEZONE,
        "open_24_7": kind == "always",
        "closed_on_holidays": bool(get(prefix + "closed_on_holidays")),
        "description": description,
    }
    if kind == "weekly":
        item["freq"] = "WEEKLY"
        item["byday"] = raw_byday or join_byday([], days)
        if not item["byday"]:
            errors.append("choisissez au moins un jour de la semaine")
    elif kind == "monthly":
        item["freq"] = "MONTHLY"
        item["byday"] = raw_byday or join_byday(weeks, days)
        item["bymonthday"] = bymonthday
        if not item["byday"] and not bymonthday:
            errors.append("choisissez la semaine du mois et le jour (ex. 2e mardi), ou des jours du mois (ex. 1,15)")
        elif item["byday"] and not weeks and not raw_byday:
            errors.append("choisissez la semaine du mois (1re, 2e, 3e, 4e ou dernière)")
    elif kind == "daily":
        item["freq"] = "DAILY"
    elif kind == "always":
        item.update(opens_at=None, closes_at=None, interval=1)
    elif kind == "text":
        item.update(opens_at=None, closes_at=None, interval=1)
        if not description:
            errors.append("écrivez les heures dans la description (ex. « Appelez pour un rendez-vous »)")
    if kind in ("weekly", "monthly", "daily") and (not item["opens_at"] or not item["closes_at"]):
        errors.append("il faut une heure d'ouverture et une heure de fermeture")
    if not errors:
        try:
            validate(schedule_rule(item))
        except ScheduleError as exc:
            errors.append(str(exc))
    return item, errors


# --- The service form ---------------------------------------------------------------

MAX_ROWS = 40
SERVICE_TEXT_FIELDS = ("name", "alternate_name", "description", "eligibility_description", "fees_description",
                       "application_process")


class MultiDict:
    """Minimal form mapping (get / getlist), for tests and CSV rows."""

    def __init__(self, pairs=()):
        self._data: dict[str, list[str]] = {}
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        for key, value in items:
            values = value if isinstance(value, (list, tuple)) else [value]
            self._data.setdefault(key, []).extend(str(v) for v in values)

    def get(self, key, default=None):
        values = self._data.get(key)
        return values[0] if values else default

    def getlist(self, key):
        return list(self._data.get(key, []))


def area_key(area: dict) -> tuple:
    return (area.get("scope"), area.get("mrc_id") if area.get("scope") != "region" else None,
            area.get("municipality_id") if area.get("scope") == "municipality" else None)


def _row_count(form, name: str) -> int:
    text = clean(form.get(name))
    return min(int(text), MAX_ROWS) if text.isdigit() else 0


def parse_service_form(form, current: dict | None, ref: Reference, actor) -> tuple[dict, list[str]]:
    """The submitted service form -> (proposed snapshot, French errors).

    `current` is the service's snapshot before the change (None for a new
    service). Child ids are kept only when they belong to `current`, so a
    forged id can never reach another service's rows.
    """
    current = current or {}
    errors: list[str] = []
    get = lambda k: form.get(k) or ""  # noqa: E731
    getlist = lambda k: form.getlist(k) or []  # noqa: E731 (Sanic gives None for a missing key)
    snap: dict = {}
    for name in SERVICE_TEXT_FIELDS:
        snap[name] = clean(get(name)) or None
    snap["description"] = snap["description"] or ""
    if not snap["name"]:
        errors.append("Le nom du service est obligatoire.")
    elif len(snap["name"]) > 200:
        errors.append("Le nom du service est trop long (200 caractères au plus).")
    snap["url"], e = normalize_url(get("url"))
    errors.extend([e] if e else [])
    snap["email"], e = normalize_email(get("email"))
    errors.extend([e] if e else [])
    status = clean(get("status")) or current.get("status") or "active"
    if status not in SERVICE_STATUSES:
        errors.append(f"Statut inconnu « {status} ».")
    snap["status"] = status
    snap["assured_date"] = current.get("assured_date")
    priority_text = clean(get("priority"))
    if policy.can_set_priority(actor) and priority_text:
        if re.fullmatch(r"-?\d{1,3}", priority_text):
            snap["priority"] = int(priority_text)
        else:
            errors.append("La priorité doit être un nombre entier (0 par défaut).")
            snap["priority"] = current.get("priority", 0)
    else:
        snap["priority"] = current.get("priority", 0)

    # Organisation: an existing one, or a new one by name.
    org_id = clean(get("organization_id"))
    new_org = clean(get("new_organization_name"))
    org_id = org_id or policy.own_organization(actor) or ""
    if org_id == "__new__" or (not org_id and new_org):
        if not new_org:
            errors.append("Écrivez le nom du nouvel organisme.")
        snap["organization_id"] = None
        snap["new_organization_name"] = new_org
    elif org_id in ref.organizations:
        snap["organization_id"] = org_id
    else:
        errors.append("Choisissez l'organisme qui offre ce service.")
        snap["organization_id"] = current.get("organization_id")

    # Categories.
    categories = []
    for cid in getlist("category"):
        if cid not in ref.categories:
            errors.append(f"Catégorie inconnue « {cid} ».")
        elif cid not in categories:
            categories.append(cid)
    snap["categories"] = categories
    if not categories:
        errors.append("Choisissez au moins une catégorie.")

    # Phones: a blank number removes the row.
    own_phones = {p["id"] for p in current.get("phones", []) if p.get("id")}
    phones = []
    for i in range(_row_count(form, "phone_rows")):
        p = f"phone-{i}-"
        number_text = clean(get(p + "number"))
        if not number_text or get(p + "delete"):
            continue
        phone_type = clean(get(p + "type")) or "voice"
        if phone_type not in PHONE_TYPES:
            phone_type = "voice"
        pid = clean(get(p + "id"))
        unchanged = next((x["number"] for x in current.get("phones", []) if x.get("id") == pid and pid
                          and _DIGITS.sub("", x["number"]) == _DIGITS.sub("", number_text)), None)
        if unchanged is not None:
            number, e = unchanged, None  # as stored: never refuse a number nobody touched
        else:
            number, e = normalize_phone(number_text, phone_type)
        if e:
            errors.append(f"Téléphone {i + 1} : {e}.")
        extension, e = normalize_extension(get(p + "extension"))
        if e:
            errors.append(f"Téléphone {i + 1} : {e}.")
        phones.append({"id": pid if pid in own_phones else None, "number": number or number_text,
                       "extension": extension, "type": phone_type,
                       "description": clean(get(p + "description")) or None})
    snap["phones"] = phones

    # Schedules.
    own_schedules = {s["id"] for s in current.get("schedules", []) if s.get("id")}
    schedules = []
    for i in range(_row_count(form, "schedule_rows")):
        p = f"sched-{i}-"
        if form.get(p + "repeat") is not None:  # the plain-French editor (web.admin.schedule_form)
            from directory.geography import TZ

            from .schedule_form import parse_editor_row

            item, errs = parse_editor_row(get, getlist, p, dt.datetime.now(TZ).date())
        else:
            item, errs = parse_schedule_fields(get, getlist, p)
        errors.extend(f"Horaire {i + 1} : {e}." for e in errs)
        if item is not None:
            sid = clean(get(p + "id"))
            item["id"] = sid if sid in own_schedules else None
            schedules.append(item)
    snap["schedules"] = schedules

    # Service areas: what the form shows, plus (for MRC staff) the areas of
    # other MRCs that the form does not show and that stay as they are.
    current_areas = {area_key(a): a for a in current.get("service_areas", [])}
    chosen: list[dict] = []
    if get("area_region"):
        chosen.append({"scope": "region", "mrc_id": None, "municipality_id": None, "description": "Tout le Bas-Saint-Laurent"})
    for mid in getlist("area_mrc"):
        if mid not in ref.mrcs:
            errors.append(f"MRC inconnue « {mid} ».")
            continue
        chosen.append({"scope": "mrc", "mrc_id": mid, "municipality_id": None, "description": None})
    for mun in getlist("area_municipality"):
        if mun not in ref.municipalities:
            errors.append(f"Municipalité inconnue « {mun} ».")
            continue
        chosen.append({"scope": "municipality", "mrc_id": ref.municipalities[mun][1], "municipality_id": mun, "description": None})
    if policy.own_mrc(actor):
        # MRC staff never see the areas of other MRCs in the form: those stay as they were.
        for key, area in current_areas.items():
            if not policy.area_in_actor_mrc(actor, key, ref.municipality_mrc):
                chosen.append(area)
    areas, seen = [], set()
    for area in chosen:
        key = area_key(area)
        if key in seen:
            continue
        seen.add(key)
        kept = current_areas.get(key)
        areas.append(dict(kept) if kept else {"id": None, **area})
    snap["service_areas"] = areas
    if not areas:
        errors.append("Choisissez au moins une zone de service (une MRC entière ou des municipalités).")

    # Address: the first location is editable, the others are kept.
    own_locations = [dict(x) for x in current.get("locations", [])]
    loc = {k: clean(get("loc_" + k)) or None for k in ("name", "address_1", "city", "postal_code", "municipality_id")}
    if loc["postal_code"]:
        if not _POSTAL.match(loc["postal_code"]):
            errors.append(f"Code postal invalide « {loc['postal_code']} » (ex. G5L 1A1).")
        else:
            pc = loc["postal_code"].upper().replace(" ", "")
            loc["postal_code"] = f"{pc[:3]} {pc[3:]}"
    if loc["municipality_id"] and loc["municipality_id"] not in ref.municipalities:
        errors.append(f"Municipalité de l'adresse inconnue « {loc['municipality_id']} ».")
    if loc["municipality_id"] and not loc["city"]:
        loc["city"] = ref.municipalities.get(loc["municipality_id"], ("", ""))[0] or None
    first = own_locations[0] if own_locations else None
    rest = own_locations[1:]
    if any(loc.values()):
        loc["id"] = first["id"] if first else None
        snap["locations"] = [loc] + rest
    else:
        snap["locations"] = rest
    return snap, errors
