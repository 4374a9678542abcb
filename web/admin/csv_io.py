"""CSV import and export of services, the way Excel in French reads and writes it.

Export: UTF-8 with a byte-order mark, ';' between columns, CRLF line ends,
one row per service. Import: UTF-8 (with or without BOM) or Windows-1252
(what Excel's plain "CSV (séparateur : point-virgule)" saves), ';' or ','
between columns (sniffed from the header line).

Columns (header names are matched without case or accents):

    id               the service's id; empty for a new service
    organisme        organisation name (a new name creates the organisation)
    service          service name (required)
    description
    catégories       category ids or labels, separated by |
    statut           actif, fermé temporairement, inactif, archivé
    mrc              MRC names or ids separated by | ("Tout le Bas-Saint-Laurent" for region-wide)
    municipalités    municipality names or ids separated by |
    téléphone        main phone: 10 digits, 1 + 10 digits, or 211/811/911
    poste            extension of the main phone
    site web
    courriel
    adresse          street address of the main location
    ville
    code postal
    horaires         schedules in words; if changed, replaced by this text
                     (detailed hours are edited in the admin)
    vérifié le       AAAA-MM-JJ (or JJ/MM/AAAA)

On a row with an id, a cell equal to what the export would write leaves that
field as it is, so exporting and importing the same file changes nothing.
Everything is validated first; errors are reported by line (as numbered in
Excel, the header being line 1) and column; nothing is written unless the
whole file is valid. This module is pure: the database work is the caller's.
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from directory.formatting import format_phone
from directory.geography import TIMEZONE
from directory.text import fold, fold_place

from .forms import (
    STATUS_LABELS,
    Reference,
    area_key,
    describe_schedule,
    normalize_email,
    normalize_extension,
    normalize_phone,
    normalize_url,
    parse_date,
    parse_status,
)

COLUMNS = [
    ("id", "id"),
    ("organization", "organisme"),
    ("name", "service"),
    ("description", "description"),
    ("categories", "catégories"),
    ("status", "statut"),
    ("mrc", "mrc"),
    ("municipalities", "municipalités"),
    ("phone", "téléphone"),
    ("extension", "poste"),
    ("url", "site web"),
    ("email", "courriel"),
    ("address", "adresse"),
    ("city", "ville"),
    ("postal_code", "code postal"),
    ("schedules", "horaires"),
    ("assured_date", "vérifié le"),
]
HEADERS = {key: header for key, header in COLUMNS}
REQUIRED = ("organization", "name")
REGION_WORDS = {"tout le bas saint laurent", "bas saint laurent", "region", "toute la region", "bsl"}
REGION_LABEL = "Tout le Bas-Saint-Laurent"
_SPLIT = re.compile(r"\s*\|\s*")
_POSTAL = re.compile(r"^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$")
MAX_ROWS = 5000


@dataclass(frozen=True)
class CsvError:
    line: int
    column: str  # header as staff see it; "" for the whole line or file
    message: str

    def __str__(self) -> str:
        if self.line and self.column:
            return f"ligne {self.line}, colonne « {self.column} » : {self.message}"
        if self.line:
            return f"ligne {self.line} : {self.message}"
        return self.message


@dataclass
class ImportRow:
    line: int
    service_id: str | None  # None: a new service
    snapshot: dict  # proposed state (history.snapshot shape)
    new_organization_name: str | None = None
    changed: bool = True


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[CsvError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Export ----------------------------------------------------------------------


def export_row(snap: dict, ref: Reference) -> dict[str, str]:
    """A service snapshot -> {column key: cell text}."""
    areas = snap.get("service_areas") or []
    mrcs = [REGION_LABEL for a in areas if a["scope"] == "region"]
    mrcs += [ref.mrcs.get(a["mrc_id"], a["mrc_id"]) for a in areas if a["scope"] == "mrc"]
    municipalities = [ref.municipalities.get(a["municipality_id"], (a["municipality_id"], ""))[0]
                      for a in areas if a["scope"] == "municipality"]
    phones = snap.get("phones") or []
    locations = snap.get("locations") or []
    first_loc = locations[0] if locations else {}
    return {
        "id": snap.get("id") or "",
        "organization": ref.organizations.get(snap.get("organization_id"), "") if snap.get("organization_id") else "",
        "name": snap.get("name") or "",
        "description": snap.get("description") or "",
        "categories": " | ".join(snap.get("categories") or []),
        "status": STATUS_LABELS.get(snap.get("status"), snap.get("status") or ""),
        "mrc": " | ".join(mrcs),
        "municipalities": " | ".join(municipalities),
        "phone": format_phone(phones[0]["number"]) if phones else "",
        "extension": (phones[0].get("extension") or "") if phones else "",
        "url": snap.get("url") or "",
        "email": snap.get("email") or "",
        "address": first_loc.get("address_1") or "",
        "city": first_loc.get("city") or "",
        "postal_code": first_loc.get("postal_code") or "",
        "schedules": " | ".join(describe_schedule(s) for s in snap.get("schedules") or []),
        "assured_date": snap.get("assured_date") or "",
    }


def export_csv(snapshots: list[dict], ref: Reference) -> bytes:
    """UTF-8 with BOM, ';'-separated, CRLF: opens as columns in Excel (French)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([header for _, header in COLUMNS])
    for snap in snapshots:
        row = export_row(snap, ref)
        writer.writerow([_excel_safe(row[key]) for key, _ in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _excel_safe(text: str) -> str:
    """Cells starting with = + - @ are formulas to Excel: neutralise them (CSV injection)."""
    if text and text[0] in "=+-@" and not re.fullmatch(r"[+-]?\d[\d .,]*", text):
        return "'" + text
    return text


def _unescape(text: str) -> str:
    """Undo _excel_safe's leading apostrophe."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def write_table(header: list[str], rows: list[list]) -> bytes:
    """Any table in the same Excel-friendly format (used by the statistics export)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_excel_safe(str(v)) if v is not None else "" for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- Reading ----------------------------------------------------------------------


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    outside = re.sub(r'"[^"]*"', "", first)
    return ";" if outside.count(";") >= outside.count(",") else ","


def _header_key(header: str) -> str | None:
    key = fold(header)
    for column, label in COLUMNS:
        label_key = fold(label)
        if key == label_key or key == fold(column) or key.startswith(label_key + " "):
            return column
    aliases = {"categorie": "categories", "municipalite": "municipalities", "telephone": "phone", "tel": "phone",
               "site": "url", "web": "url", "courriel": "email", "verifie": "assured_date", "nom": "name",
               "organisation": "organization", "organisme": "organization", "code postal": "postal_code"}
    return aliases.get(key)


def read_table(data: bytes | str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header cells, [(line number, cells)]) — blank lines are skipped."""
    text = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    for cells in reader:
        line = reader.line_num
        if not header:
            if any(c.strip() for c in cells):
                header = cells
            continue
        if any(c.strip() for c in cells):
            rows.append((line, cells))
    return header, rows


# --- Validation -------------------------------------------------------------------------


def parse_import(
    data: bytes | str,
    ref: Reference,
    current: dict[str, dict],
    check: Callable[[dict | None, dict, str | None], str | None] | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Validate a whole file. `current`: service id -> snapshot, for the rows with an id.

    `check(before, after, new_org_name)` returns a French reason when the
    person importing may not make that change (roles), else None.
    """
    today = today or dt.date.today()
    result = ImportResult()
    try:
        header, rows = read_table(data)
    except csv.Error as exc:
        result.errors.append(CsvError(0, "", f"Fichier CSV illisible : {exc}"))
        return result
    if not header:
        result.errors.append(CsvError(1, "", "le fichier est vide : il faut la ligne des titres de colonnes"))
        return result
    columns: dict[int, str] = {}
    for i, title in enumerate(header):
        key = _header_key(title)
        if key is None:
            if title.strip():
                result.ignored_columns.append(title.strip())
            continue
        if key in columns.values():
            result.errors.append(CsvError(1, title.strip(), "colonne en double"))
            continue
        columns[i] = key
    for key in REQUIRED:
        if key not in columns.values():
            result.errors.append(CsvError(1, "", f"colonne « {HEADERS[key]} » manquante"))
    if result.errors:
        return result
    if len(rows) > MAX_ROWS:
        result.errors.append(CsvError(0, "", f"trop de lignes ({len(rows)}) : {MAX_ROWS} au plus par fichier"))
        return result
    seen_ids: dict[str, int] = {}
    for line, cells in rows:
        values = {key: _unescape(cells[i].strip() if i < len(cells) else "") for i, key in columns.items()}
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            result.errors.append(CsvError(line, "", "plus de cellules que de titres de colonnes (un ; ou une , de trop?)"))
            continue
        _parse_row(line, values, ref, current, seen_ids, check, today, result)
    return result


def _parse_row(line, values, ref, current, seen_ids, check, today, result: ImportResult) -> None:
    errors: list[CsvError] = []

    def error(column: str, message: str) -> None:
        errors.append(CsvError(line, HEADERS[column], message))

    service_id = values.get("id") or None
    before = None
    if service_id:
        if service_id in seen_ids:
            error("id", f"ce service est déjà à la ligne {seen_ids[service_id]}")
        elif service_id not in current:
            error("id", f"service inconnu « {service_id} » (laissez la case vide pour un nouveau service)")
        else:
            before = current[service_id]
        seen_ids[service_id] = line
        if before is None:
            result.errors.extend(errors)
            return
    exported = export_row(before, ref) if before else {}
    snap = copy.deepcopy(before) if before else {
        "organization_id": None, "name": None, "alternate_name": None, "description": "", "url": None, "email": None,
        "status": "active", "eligibility_description": None, "fees_description": None, "application_process": None,
        "assured_date": None, "priority": 0, "categories": [], "phones": [], "schedules": [], "service_areas": [],
        "locations": [],
    }

    def given(key: str) -> bool:
        """The cell is present and, on an existing service, differs from the export."""
        if key not in values:
            return False
        if before is not None and values[key] == exported.get(key, ""):
            return False
        return True

    new_org = None
    if given("organization"):
        name = values["organization"]
        if not name:
            error("organization", "le nom de l'organisme est obligatoire")
        else:
            org_id = ref.organization_id(name)
            if org_id:
                snap["organization_id"] = org_id
            elif len(name) > 200:
                error("organization", "nom trop long (200 caractères au plus)")
            else:
                snap["organization_id"] = None
                new_org = name
    if given("name"):
        if not values["name"]:
            error("name", "le nom du service est obligatoire")
        elif len(values["name"]) > 200:
            error("name", "nom trop long (200 caractères au plus)")
        snap["name"] = values["name"]
    if given("description"):
        snap["description"] = values["description"]
    if given("categories"):
        wanted = []
        for part in _SPLIT.split(values["categories"].replace(",", "|").replace(";", "|")):
            if not part:
                continue
            cid = ref.category_id(part)
            if cid is None:
                error("categories", f"catégorie inconnue « {part} »")
            elif cid not in wanted:
                wanted.append(cid)
        snap["categories"] = wanted
    if not snap["categories"] and not any(e.column == HEADERS["categories"] for e in errors):
        error("categories", "il faut au moins une catégorie")
    if given("status"):
        status, message = parse_status(values["status"])
        if message:
            error("status", message)
        else:
            snap["status"] = status
    if given("mrc") or given("municipalities"):
        areas = _parse_areas(values, ref, snap.get("service_areas") or [], error)
        if areas is not None:
            snap["service_areas"] = areas
    # An area is needed for what residents are offered; an inactive or archived service
    # (a one-off action kept in the history, as the seed has) may have none.
    offered = snap.get("status") in ("active", "temporarily closed")
    if offered and not snap["service_areas"] and not any(
            e.column in (HEADERS["mrc"], HEADERS["municipalities"]) for e in errors):
        error("mrc", "il faut au moins une zone de service : une MRC (colonne « mrc ») ou des municipalités")
    if given("phone") or given("extension"):
        _parse_phone(values, snap, error)
    if given("url"):
        snap["url"], message = normalize_url(values["url"])
        if message:
            error("url", message)
    if given("email"):
        snap["email"], message = normalize_email(values["email"])
        if message:
            error("email", message)
    if given("address") or given("city") or given("postal_code"):
        _parse_location(values, snap, error)
    if given("schedules"):
        text = values["schedules"]
        snap["schedules"] = [] if not text else [{
            "id": None, "freq": None, "interval": 1, "byday": None, "bymonthday": None, "opens_at": None,
            "closes_at": None, "valid_from": None, "valid_to": None, "dtstart": None, "timezone": TIMEZONE,
            "open_24_7": False, "closed_on_holidays": False, "description": text,
        }]
    if given("assured_date"):
        day, message = parse_date(values["assured_date"])
        if message:
            error("assured_date", message)
        elif day and day > today:
            error("assured_date", f"date dans le futur « {values['assured_date']} »")
        else:
            snap["assured_date"] = day.isoformat() if day else None
    if not errors and check is not None:
        reason = check(before, snap, new_org)
        if reason:
            errors.append(CsvError(line, "", reason))
    if errors:
        result.errors.extend(errors)
        return
    from .history import diff  # local: history imports the ORM

    changed = before is None or bool(diff(before, snap)) or (new_org is not None)
    result.rows.append(ImportRow(line=line, service_id=service_id, snapshot=snap, new_organization_name=new_org, changed=changed))


def _parse_areas(values, ref: Reference, current_areas: list[dict], error) -> list[dict] | None:
    by_key = {area_key(a): a for a in current_areas}
    wanted: list[dict] = []
    ok = True
    for part in _SPLIT.split(values.get("mrc", "")):
        if not part:
            continue
        if fold_place(part) in REGION_WORDS or fold(part) in REGION_WORDS:
            wanted.append({"scope": "region", "mrc_id": None, "municipality_id": None, "description": REGION_LABEL})
            continue
        mrc_id = ref.mrc_id(part)
        if mrc_id is None:
            error("mrc", f"MRC inconnue « {part} »")
            ok = False
        else:
            wanted.append({"scope": "mrc", "mrc_id": mrc_id, "municipality_id": None, "description": None})
    for part in _SPLIT.split(values.get("municipalities", "")):
        if not part:
            continue
        mun = ref.municipality_id(part)
        if mun is None:
            error("municipalities", f"municipalité inconnue « {part} » au Bas-Saint-Laurent")
            ok = False
        else:
            wanted.append({"scope": "municipality", "mrc_id": ref.municipalities[mun][1], "municipality_id": mun,
                           "description": None})
    if not ok:
        return None
    areas, seen = [], set()
    for area in wanted:
        key = area_key(area)
        if key in seen:
            continue
        seen.add(key)
        areas.append(dict(by_key[key]) if key in by_key else {"id": None, **area})
    return areas


def _parse_phone(values, snap: dict, error) -> None:
    phones = [dict(p) for p in snap.get("phones") or []]
    text = values.get("phone", phones[0]["number"] if phones else "")
    if not text:
        if values.get("extension"):
            error("extension", "un poste sans numéro de téléphone")
            return
        snap["phones"] = phones[1:]
        return
    number, message = normalize_phone(text, phones[0].get("type") or "voice" if phones else "voice")
    if message:
        error("phone", message)
        return
    extension, message = normalize_extension(values.get("extension", ""))
    if message:
        error("extension", message)
        return
    if phones:
        main = phones[0]
        same_digits = re.sub(r"\D", "", main["number"]) == re.sub(r"\D", "", number)
        main["number"] = main["number"] if same_digits else number
        main["extension"] = extension
    else:
        phones = [{"id": None, "number": number, "extension": extension, "type": "voice", "description": None}]
    snap["phones"] = phones


def _parse_location(values, snap: dict, error) -> None:
    locations = [dict(x) for x in snap.get("locations") or []]
    first = locations[0] if locations else {"id": None, "name": None, "municipality_id": None}
    address, city, postal = values.get("address", ""), values.get("city", ""), values.get("postal_code", "")
    if postal:
        if not _POSTAL.match(postal):
            error("postal_code", f"code postal invalide « {postal} » (ex. G5L 1A1)")
            return
        compact = postal.upper().replace(" ", "")
        postal = f"{compact[:3]} {compact[3:]}"
    if not (address or city or postal):
        snap["locations"] = locations[1:]
        return
    first = dict(first, address_1=address or None, city=city or None, postal_code=postal or None)
    snap["locations"] = [first] + locations[1:]
