"""`python -m directory export-hsds FILE.zip` and `import-hsds FILE.zip`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..db import open_session


def cmd_export(args: argparse.Namespace) -> int:
    from .package import export_bytes

    with open_session() as session:
        data = export_bytes(session)
    Path(args.file).write_bytes(data)
    print(f"Paquet HSDS 3.0 écrit : {args.file} ({len(data) // 1024} Kio).")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .package import PackageError, import_bytes

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"Lecture impossible de {args.file} : {exc.strerror}.", file=sys.stderr)
        return 2
    with open_session() as session:
        try:
            report = import_bytes(session, data)
        except PackageError as exc:
            session.rollback()
            print("Rien n'a été importé. Corrigez ces erreurs :", file=sys.stderr)
            for line in exc.report.errors:
                print(f" - {line}", file=sys.stderr)
            return 1
        session.commit()
    for line in report.warnings:
        print(f"Attention : {line}")
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts.items())) or "aucun changement"
    print(f"Import terminé : {summary}.")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    e = sub.add_parser("export-hsds", help="exporte le répertoire publié en paquet de données HSDS 3.0 (zip)")
    e.add_argument("file")
    e.set_defaults(func=cmd_export)
    i = sub.add_parser("import-hsds", help="importe un paquet de données HSDS 3.0 (zip), tout ou rien")
    i.add_argument("file")
    i.set_defaults(func=cmd_import)
