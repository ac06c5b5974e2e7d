"""Migrations are frozen: they never import the project's live modules, which change after them.

The only references allowed are the ones Django writes into schema migrations itself: a module-level
``import cecloud.<app>.models`` for a field's ``upload_to``/``default`` callable or a model manager.
Data migrations carry their data inline.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def migration_files() -> list[Path]:
    return sorted(path for path in (ROOT / "cecloud").glob("*/migrations/[0-9]*.py"))


def live_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_level = {id(node) for node in tree.body}
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "cecloud":
            problems.append(f"line {node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "cecloud":
                    continue
                schema_reference = id(node) in module_level and alias.name.endswith(".models")
                if not schema_reference:
                    problems.append(f"line {node.lineno}: import {alias.name}")
    return problems


def test_there_are_migrations_to_check():
    assert len(migration_files()) >= 10


def test_migrations_import_no_live_module():
    problems = {str(path.relative_to(ROOT)): found for path in migration_files() if (found := live_imports(path))}
    assert not problems, problems
