"""Command line of the directory: `python -m directory seed | migrate | search | place | coverage | export-hsds | import-hsds`.

Output is French, for staff; exit codes: 0 found, 1 nothing found or bad
input, 2 usage error (argparse). Staff accounts and reminders are the admin's
(`python -m web.admin`): the core imports nothing of the web package.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys

from phare.settings import SettingError, settings

from .db import create_schema, database_url, get_engine, open_session
from .formatting import format_opening, format_verified, mrc_display
from .gazetteer import Resolution, default_gazetteer
from .search import TZ, search
from .secret_box import SecretKeyError
from .seed import SeedError, seed_all

STATUS_WORDS = {
    "found": "trouvé",
    "ambiguous": "ambigu",
    "outside": "hors région",
    "unknown": "inconnu",
    "need_full_postal_code": "code postal complet requis",
}


def describe_place(resolution: Resolution) -> str:
    if resolution.status == "found" and resolution.place:
        place = resolution.place
        if place.kind == "municipality":
            return f"{place.municipality_name} ({mrc_display(place.mrc_name)})"
        if place.kind == "mrc":
            return mrc_display(place.mrc_name)
        return "tout le Bas-Saint-Laurent"
    if resolution.status == "outside":
        name = resolution.outside_name or "cet endroit"
        return f"{name} est hors du Bas-Saint-Laurent. Phare couvre les 8 MRC de la région; ailleurs, composez le 211."
    if resolution.status in ("ambiguous", "need_full_postal_code"):
        options = ", ".join(
            p.municipality_name or mrc_display(p.mrc_name) for p in resolution.candidates if p.mrc_name
        )
        if resolution.status == "need_full_postal_code":
            return f"Le code {resolution.postal_code} couvre plusieurs MRC ({options}). Donnez le code postal complet ou le nom de la municipalité."
        return f"Plusieurs endroits possibles : {options}."
    return "Endroit introuvable au Bas-Saint-Laurent. Vérifiez l'orthographe ou donnez le nom de la municipalité."


def cmd_seed(_args) -> int:
    engine = get_engine()
    create_schema(engine)
    with open_session(engine) as session:
        try:
            report = seed_all(session)
            session.commit()
        except SeedError as exc:
            session.rollback()
            print(f"Erreur dans les données de départ : {exc}", file=sys.stderr)
            return 1
    if report.total:
        details = ", ".join(f"{n} {k}" for k, n in sorted(report.added.items()))
        print(f"Répertoire chargé ({database_url()}) : {details}.")
    else:
        print(f"Répertoire déjà à jour ({database_url()}) : rien à ajouter.")
    return 0


def cmd_migrate(_args) -> int:
    from .migrate import current_revision, head_revision

    engine = get_engine()
    create_schema(engine)
    print(f"Schéma du répertoire à jour (révision {current_revision(engine)}, dernière : {head_revision(engine)}).")
    return 0


def cmd_place(args) -> int:
    resolution = default_gazetteer().resolve(args.text)
    print(f"{STATUS_WORDS[resolution.status].capitalize()} : {describe_place(resolution)}")
    return 0 if resolution.status == "found" else 1


def cmd_search(args) -> int:
    now = dt.datetime.now(TZ)
    with open_session() as session:
        outcome = search(session, args.need, args.place, now=now, limit=args.limit)
    if outcome.place is None and outcome.resolution is not None:
        print(describe_place(outcome.resolution))
        return 1
    where = describe_place(outcome.resolution) if outcome.resolution else "?"
    need = outcome.need_label or args.need
    print(f"Besoin : {need} — Endroit : {where}")
    if not outcome.found_local:
        print("Aucun service local trouvé pour ce besoin dans cette MRC.")
    for i, result in enumerate(outcome.results, 1):
        print(f"\n{i}. {result.name} — {result.organization}")
        if result.description:
            print(f"   {result.description}")
        print(f"   Territoire : {result.area_label}")
        for phone in result.phones:
            label = f" ({phone.description})" if phone.description else ""
            print(f"   Tél. : {phone.display}{label}")
        if result.url:
            print(f"   Web : {result.url}")
        if not result.has_contact:
            print("   Coordonnées non publiées : composez le 211 pour les obtenir.")
        opening = format_opening(result.opening, now)
        if opening:
            print(f"   {opening}")
        print(f"   {format_verified(result.assured_date)}")
    if outcome.nearby:
        print("\nDans une MRC voisine :")
        for result in outcome.nearby:
            print(f" - {result.name} ({result.area_label})")
    return 0 if outcome.found_local else 1


def coverage_text(coverage) -> str:
    """The coverage matrix for a terminal: one row per need, one column per MRC, "joignables/locaux"."""
    from . import geography
    from .categories import category

    width = max(len(c) for c in coverage.category_ids) + 2
    heads = [geography.mrc(m).short if geography.mrc(m) else m for m in coverage.mrc_ids]
    lines = [
        f"Couverture du répertoire au {coverage.today.isoformat()} : services locaux joignables (tél. ou web) / services locaux.",
        "* = besoin de base; ! = besoin de base sans service local joignable.",
        "",
        " " * width + "".join(f"{h:>12}" for h in heads),
    ]
    for c in coverage.category_ids:
        mark = "*" if c in coverage.core else " "
        row = f"{mark}{c:<{width - 1}}"
        for m in coverage.mrc_ids:
            cell = coverage.cells[m, c]
            flag = "!" if c in coverage.core and not cell.reachable else " "
            row += f"{flag + str(cell.reachable) + '/' + str(cell.local):>12}"
        lines.append(row)
    totals = coverage.totals
    lines += [
        "",
        "Par MRC (services locaux distincts) : "
        + "; ".join(
            f"{h} {coverage.by_mrc[m].local} (joignables {coverage.by_mrc[m].reachable})"
            for m, h in zip(coverage.mrc_ids, heads, strict=False)
        ),
        f"Services actifs : {coverage.services} (dont {coverage.region_wide} lignes régionales); services locaux : {totals.local}.",
        f"Joignables : {totals.reachable}; par téléphone : {totals.phone}; avec horaire : {totals.hours} ({100 * coverage.hours_share:.0f} %); "
        f"vérifiés : {totals.confirmed}; à vérifier : {totals.stale}.",
        f"Besoins de base : {coverage.core_reachable} cases sur {coverage.core_cells} ont un service local joignable.",
    ]
    food = [m for m in coverage.mrc_ids if coverage.cells[m, "aide-alimentaire"].phone] if "aide-alimentaire" in coverage.category_ids else []
    lines.append(f"Aide alimentaire joignable par téléphone : {len(food)} MRC sur {len(coverage.mrc_ids)}.")
    if coverage.gaps:
        lines.append("Besoins de base sans service local joignable :")
        for c in coverage.core:
            where = [dict(zip(coverage.mrc_ids, heads, strict=False))[m] for m, gap in coverage.gaps if gap == c]
            if where:
                lines.append(f"  {category(c).label if category(c) else c} : {', '.join(where)}")
    return "\n".join(lines)


def cmd_coverage(args) -> int:
    import json

    from .coverage import coverage_report

    with open_session() as session:
        coverage = coverage_report(session)
    if args.json:
        print(json.dumps(coverage.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(coverage_text(coverage))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m directory", description="Répertoire des services de Phare")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("seed", help="crée les tables et charge les données de départ (sans rien écraser)").set_defaults(func=cmd_seed)
    sub.add_parser("migrate", help="applique les migrations du schéma (Alembic)").set_defaults(func=cmd_migrate)
    p = sub.add_parser("place", help="reconnaît un lieu (municipalité, MRC, code postal)")
    p.add_argument("text")
    p.set_defaults(func=cmd_place)
    s = sub.add_parser("search", help="cherche les services pour un besoin et un lieu")
    s.add_argument("need")
    s.add_argument("place")
    s.add_argument("--limit", type=int, default=5)
    s.set_defaults(func=cmd_search)
    c = sub.add_parser("coverage", help="matrice MRC × besoin : services locaux, joignables, horaires, vérifiés")
    c.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    c.set_defaults(func=cmd_coverage)
    from .hsds.cli import register as register_hsds

    register_hsds(sub)
    return parser


# Commands that moved to the admin's command line (`python -m web.admin`); people still have the old ones in their notes.
MOVED_TO_ADMIN = frozenset({"user", "remind"})


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in MOVED_TO_ADMIN:
        print(f"Cette commande a changé de place : python -m web.admin {shlex.join(argv)}", file=sys.stderr)
        return 2
    return run(build_parser(), argv)


def run(parser: argparse.ArgumentParser, argv: list[str] | None) -> int:
    """Parse and run one command of `parser` (each sub-command sets `func`), settings checked first."""
    args = parser.parse_args(argv)
    try:
        settings()  # a setting Phare cannot use is said in French, not as a traceback
        return args.func(args)
    except (SettingError, SecretKeyError) as exc:  # SecretKeyError: a migration or a login secret needs PHARE_TOTP_KEY
        print(exc, file=sys.stderr)
        return 2
