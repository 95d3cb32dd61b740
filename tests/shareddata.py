"""Where the third-party test data is, and a clean skip when it is not there.

The data (its README gives origin and licence) lives beside the checkout in ../shared/data on the
developers' machines and in CI; someone who clones the repository alone has none of it, and the suite
must still collect and pass for them. `CULTUREDATA_TEST_DATA` points the suite elsewhere, which is also
how CI proves the suite collects without the data: it points it at an empty folder.

Never call `shared()` at import time (in a module body or a parametrize list): a skip there is an error
at collection. Resolve paths inside the test or a fixture.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CULTUREDATA_TEST_DATA") or ROOT.parent / "shared" / "data")


def shared(*parts: str) -> Path:
    """A path under the shared test data, or a skip (with the reason) when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"third-party test data {'/'.join(parts) or '.'} is absent (see ../shared/data/README.md)")
    return path
