"""Data flows one way: no wing imports a later one (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "culturedata"
ORDER = ["harvest", "mapping", "validate", "store", "server"]
# Modules every wing may use, and the two that wire wings together.
SHARED = {"records", "errors", "messages", "config", "resources", "iris"}
WIRING = {"pipeline", "cli"}


def wing_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "culturedata" else None


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_wing_imports_a_later_wing() -> None:
    problems = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).parts
        owner = relative[0] if len(relative) > 1 else path.stem
        if owner not in ORDER:
            continue
        for module in imported(path):
            target = wing_of(module)
            if target in ORDER and ORDER.index(target) > ORDER.index(owner):
                # The server reads the store, its predecessor; anything later is a back-edge.
                problems.append(f"{path.relative_to(SRC)} imports {module}")
            if target in WIRING:
                problems.append(f"{path.relative_to(SRC)} imports {module}")
    assert not problems, "\n".join(problems)


def test_shared_modules_import_no_wing() -> None:
    for name in SHARED:
        path = SRC / f"{name}.py"
        if not path.exists():
            path = SRC / name / "__init__.py"
        for module in imported(path):
            assert wing_of(module) not in ORDER + list(WIRING), f"{name} imports {module}"
