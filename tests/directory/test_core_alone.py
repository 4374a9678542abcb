"""`directory` is the core: no HTTP, nothing of the web package, even through its command line.

Staff accounts and reminders moved to `python -m web.admin`; the old
`python -m directory user|remind` only points there (people have it in their notes).
"""
from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from directory.cli import main
from tests.support import ROOT

FORBIDDEN = ("web", "sanic")

# Import every module of the package, build the whole command line, then list what came in with them.
IMPORT_ALL = """
import importlib, pkgutil, sys
import directory
for module in pkgutil.walk_packages(directory.__path__, "directory."):
    if module.name != "directory.__main__":
        importlib.import_module(module.name)
from directory.cli import build_parser
build_parser()
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_importing_every_directory_module_brings_neither_web_nor_sanic():
    done = subprocess.run([sys.executable, "-c", IMPORT_ALL], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "directory" in loaded and "sqlalchemy" in loaded  # the probe did import the package
    assert not loaded & set(FORBIDDEN), sorted(loaded & set(FORBIDDEN))


def imported_roots(path) -> set[str]:
    """Top-level packages a source file imports anywhere, inside functions too (a lazy import is still a dependency)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_directory_source_imports_web_or_sanic():
    """Also the files the import above does not run: migrations, function-level imports."""
    sources = sorted((ROOT / "directory").rglob("*.py"))
    assert len(sources) > 20
    offenders = {str(path.relative_to(ROOT)): sorted(imported_roots(path) & set(FORBIDDEN)) for path in sources}
    assert not {path: roots for path, roots in offenders.items() if roots}


@pytest.mark.parametrize("argv", [["user", "add", "--email", "marie@exemple.org", "--role", "admin"], ["user", "list"], ["remind"]])
def test_the_old_admin_commands_point_to_web_admin(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line
    assert f"python -m web.admin {' '.join(argv)}" in err
