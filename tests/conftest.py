"""Fixtures shared by the whole suite: the repository, the shared data, a demo project,
and a way to run the command line in-process with its real exit codes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from culturedata import messages
from shareddata import SHARED_DATA

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No setting of the host leaks into a test: English messages, no config override."""
    for name in list(os.environ):
        if name.startswith("CULTUREDATA_") or name in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    messages.set_lang(None)
    yield
    messages.set_lang(None)


@pytest.fixture
def shared_data() -> Path:
    """Third-party data beside the repository; tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture
def demo_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo configuration and sample inputs, as the working directory."""
    shutil.copy(ROOT / "culturedata.toml", tmp_path / "culturedata.toml")
    shutil.copytree(ROOT / "sample_inputs", tmp_path / "sample_inputs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def project_server(demo_project: Path) -> Iterator[str]:
    """`culturedata serve`'s app over the demo project's store, on a free port (uvicorn in a thread)."""
    import threading
    import time

    import uvicorn

    from culturedata.config import load_config
    from culturedata.server import create_app
    from culturedata.server.settings import ServerSettings
    from culturedata.store import Snapshots

    config = load_config(demo_project / "culturedata.toml")
    app = create_app(Snapshots(config.store_path), ServerSettings.from_config(config))
    engine = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=engine.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not engine.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{engine.servers[0].sockets[0].getsockname()[1]}"
    engine.should_exit = True
    thread.join(10)


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run `culturedata ARGS` in-process through the real entry point and its exit codes."""
    from culturedata.cli import main

    def invoke(*args: str) -> Outcome:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
        finally:
            messages.set_lang(None)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return invoke
