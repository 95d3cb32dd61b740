"""Data flows one way, and each wing is entered by its face (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "culturedata"
# The wings, in the order data flows through them: each may import only those before it
# (the server reads the store, its predecessor).
# `checking` composes the first three for one export (the command, the page and the pipeline use it).
ORDER = ["harvest", "mapping", "validate", "checking", "store", "pooling", "server"]
# A wing beside the flow: it needs only the shared modules, and only the CLI uses it.
ASIDE = ["profile"]
# Modules every wing may use; they import no wing (`iris` holds every IRI rule).
SHARED = {"records", "errors", "messages", "config", "resources", "iris", "authorities", "surrogates"}
# What wires the wings together, innermost first: each may import the wings and the wiring
# before it, never the wiring after it.
WIRING = ["providers", "reference", "stagetimes", "parallel", "pipeline", "cli", "__main__"]


def owner_of(path: Path) -> str:
    """The wing or module a source file belongs to: its package, or its own name at the top."""
    relative = path.relative_to(SRC).parts
    return relative[0] if len(relative) > 1 else path.stem


def wing_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "culturedata" else None


def imported(path: Path) -> set[str]:
    """Every module `path` imports, at its top or inside a function. `from pkg import name`
    counts as importing `pkg.name` when `name` is one of the package's modules that its face
    does not export (`__all__` names what the face offers)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names
                         if _is_module(f"{node.module}.{alias.name}") and alias.name not in face(node.module))
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _is_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != "culturedata":
        return False
    place = SRC.joinpath(*parts[1:])
    return place.with_suffix(".py").is_file() or (place / "__init__.py").is_file()


def face(package: str) -> set[str]:
    """The names a package's __init__ lists in `__all__` (none for a module or a package without it)."""
    init = SRC.joinpath(*package.split(".")[1:], "__init__.py")
    if not init.is_file():
        return set()
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def allowed(owner: str) -> set[str]:
    """The wings and wiring modules `owner` may import (besides itself and the shared modules)."""
    if owner in ORDER:
        return set(ORDER[:ORDER.index(owner)])
    if owner in WIRING:
        return set(ORDER) | set(ASIDE) | set(WIRING[:WIRING.index(owner)])
    return set()  # ASIDE and SHARED


def sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_every_module_has_a_place() -> None:
    """A new wing or top-level module must be placed in the order above, or this test skips it."""
    known = set(ORDER) | set(ASIDE) | SHARED | set(WIRING) | {"__init__"}
    assert {owner_of(path) for path in sources()} <= known


def test_no_wing_imports_a_later_wing() -> None:
    problems = []
    for path in sources():
        owner = owner_of(path)
        if owner in SHARED or owner == "__init__":
            continue
        for module in imported(path):
            target = wing_of(module)
            if target is None or target == owner or target in SHARED:
                continue
            if target not in allowed(owner):
                problems.append(f"{path.relative_to(SRC)} imports {module}")
    assert not problems, "\n".join(sorted(problems))


def test_shared_modules_import_no_wing() -> None:
    for path in sources():
        if owner_of(path) not in SHARED | {"__init__"}:
            continue
        for module in imported(path):
            assert wing_of(module) in SHARED | {None}, f"{path.relative_to(SRC)} imports {module}"


def test_wings_are_entered_by_their_face() -> None:
    """From outside a package, only `culturedata.<package>` itself: its __init__ is its face."""
    problems = []
    for path in sources():
        owner = owner_of(path)
        for module in imported(path):
            parts = module.split(".")
            if parts[0] == "culturedata" and len(parts) > 2 and parts[1] != owner:
                problems.append(f"{path.relative_to(SRC)} imports {module}")
    assert not problems, "deep imports:\n" + "\n".join(sorted(problems))
