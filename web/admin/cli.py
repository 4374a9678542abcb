"""`python -m web.admin user add | list | password | remind` — the admin's command lines.

Staff accounts here; the reminder mail to organisations in `remind_cli.py`.
They live with the admin, whose code they run, so that `directory` (the core)
never imports `web`. The password is asked twice (getpass), or read from
PHARE_NEW_USER_PASSWORD for scripts and tests. Messages are in French, for staff.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import func, select

from directory.cli import run
from directory.db import create_schema, get_engine, open_session
from directory.models import Mrc, Organization, User
from phare.settings import settings

from . import auth, history
from .forms import normalize_email
from .policy import ROLE_LABELS, ROLES
from .remind_cli import register as register_remind


def _ask_password() -> str | None:
    from_env = settings().new_user_password
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        print("Aucun terminal pour demander le mot de passe : définissez PHARE_NEW_USER_PASSWORD.", file=sys.stderr)
        return None
    first = getpass.getpass("Mot de passe (10 caractères ou plus) : ")
    second = getpass.getpass("Mot de passe, encore une fois : ")
    if first != second:
        print("Les deux mots de passe ne sont pas pareils.", file=sys.stderr)
        return None
    return first


def cmd_user_add(args) -> int:
    email, problem = normalize_email(args.email)
    if problem or not email:
        print(f"Courriel invalide : {args.email}", file=sys.stderr)
        return 1
    email = email.lower()
    engine = get_engine()
    create_schema(engine)
    with open_session(engine) as session:
        if session.execute(select(User.id).where(func.lower(User.email) == email)).first():
            print(f"Un compte existe déjà pour {email}.", file=sys.stderr)
            return 1
        mrc_id = organization_id = None
        if args.role == "mrc":
            if not args.mrc:
                print("Un compte de MRC demande --mrc (ex. --mrc la-mitis).", file=sys.stderr)
                return 1
            mrc = session.get(Mrc, args.mrc) or session.execute(select(Mrc).where(func.lower(Mrc.name) == args.mrc.lower())).scalar_one_or_none()
            if mrc is None:
                known = ", ".join(session.execute(select(Mrc.id).order_by(Mrc.id)).scalars())
                print(f"MRC inconnue : {args.mrc}. MRC connues : {known or '(aucune : lancez « python -m directory seed »)'}.", file=sys.stderr)
                return 1
            mrc_id = mrc.id
        elif args.role == "organization":
            if not args.organization:
                print("Un compte d'organisme demande --organization <id>.", file=sys.stderr)
                return 1
            org = session.get(Organization, args.organization)
            if org is None:
                print(f"Organisme inconnu : {args.organization}.", file=sys.stderr)
                return 1
            organization_id = org.id
        password = _ask_valid_password()
        if password is None:
            return 1
        user = User(email=email, name=args.name or "", role=args.role, mrc_id=mrc_id, organization_id=organization_id,
                    password_hash=auth.hash_password(password), active=True)
        session.add(user)
        session.flush()
        history.record_simple(session, "user", user.id, None,
                              {"email": email, "name": user.name, "role": user.role, "mrc_id": mrc_id,
                               "organization_id": organization_id, "active": True},
                              "create", "ligne de commande")
        session.commit()
    scope = f" ({mrc_id})" if mrc_id else f" ({organization_id})" if organization_id else ""
    print(f"Compte créé : {email} — {ROLE_LABELS[args.role]}{scope}.")
    return 0


def _ask_valid_password() -> str | None:
    """The new password, asked and checked; None (after a French message) if unusable."""
    password = _ask_password()
    if password is None:
        return None
    problem = auth.password_problem(password)
    if problem:
        print(problem, file=sys.stderr)
        return None
    return password


def cmd_user_list(_args) -> int:
    engine = get_engine()
    create_schema(engine)
    with open_session(engine) as session:
        users = session.execute(select(User).order_by(User.role, User.email)).scalars().all()
        if not users:
            print("Aucun compte. Créez le premier : python -m web.admin user add --email … --role admin")
            return 0
        for user in users:
            scope = user.mrc_id or user.organization_id or "toute la région"
            state = "" if user.active else " [désactivé]"
            print(f"{user.email}\t{ROLE_LABELS.get(user.role, user.role)}\t{scope}\t{user.name}{state}")
    return 0


def cmd_user_password(args) -> int:
    engine = get_engine()
    with open_session(engine) as session:
        user = session.execute(select(User).where(func.lower(User.email) == args.email.strip().lower())).scalar_one_or_none()
        if user is None:
            print(f"Aucun compte pour {args.email}.", file=sys.stderr)
            return 1
        password = _ask_valid_password()
        if password is None:
            return 1
        user.password_hash = auth.hash_password(password)
        history.record_simple(session, "user", user.id, {"password": "…"}, {"password": "(changé)"}, "update",
                              "ligne de commande")
        session.commit()
    print(f"Mot de passe changé pour {user.email}.")
    return 0


def register_user(subparsers) -> None:
    user = subparsers.add_parser("user", help="comptes du personnel (administration web)")
    sub = user.add_subparsers(dest="user_command", required=True)
    add = sub.add_parser("add", help="crée un compte (le mot de passe est demandé deux fois)")
    add.add_argument("--email", required=True)
    add.add_argument("--name", default="")
    add.add_argument("--role", required=True, choices=ROLES,
                     help="admin : administration régionale; mrc : personnel d'une MRC; organization : un organisme")
    add.add_argument("--mrc", help="identifiant de la MRC (ex. la-mitis), pour --role mrc")
    add.add_argument("--organization", help="identifiant de l'organisme, pour --role organization")
    add.set_defaults(func=cmd_user_add)
    sub.add_parser("list", help="liste les comptes").set_defaults(func=cmd_user_list)
    password = sub.add_parser("password", help="change le mot de passe d'un compte")
    password.add_argument("--email", required=True)
    password.set_defaults(func=cmd_user_password)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m web.admin", description="Administration de Phare : comptes du personnel et rappels")
    sub = parser.add_subparsers(dest="command", required=True)
    register_user(sub)
    register_remind(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv)
