"""Where the shipped definitions live: inside the wheel, or at the root of a checkout."""

from __future__ import annotations

from pathlib import Path

import culturedata

_PACKAGE = Path(culturedata.__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def _locate(name: str) -> Path:
    # A wheel carries them under culturedata/data/ (see pyproject's force-include);
    # an editable install or a checkout finds them at the repository root.
    installed = _PACKAGE / "data" / name
    return installed if installed.is_dir() else _CHECKOUT / name


def mappings_dir() -> Path:
    return _locate("mappings")


def shapes_dir() -> Path:
    return _locate("shapes")


def ontologies_dir() -> Path:
    return _locate("ontologies")


def contexts_dir() -> Path:
    """The JSON-LD contexts read offline (contexts/README.md says where each comes from)."""
    return _locate("contexts")
