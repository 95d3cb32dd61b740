"""Real remote stores for the store tests: an Oxigraph server and Virtuoso Open-Source, each
started on a free loopback port in a temporary folder and stopped by its process id."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


@dataclass(frozen=True)
class Remote:
    name: str
    query: str
    update: str
    graph_store: str
    auth: str
    user: str | None = None
    password: str | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            pytest.fail(f"{url} exited with {process.returncode}: {detail}")
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds}s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[Remote]:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).exists():
        pytest.skip("the oxigraph server (PyPI 'oxigraph', in the test extra) is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(tmp_path / "oxigraph"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    root = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(root + "/query", process, 30)
        yield Remote("oxigraph", root + "/query", root + "/update", root + "/store", "basic")
    finally:
        stop(process)


def virtuoso_ini(template: str, folder: Path, sql_port: int, http_port: int) -> str:
    """The packaged ini with every file in `folder` and both ports ours."""
    files = {
        ("Database", "DatabaseFile"): "virtuoso.db", ("Database", "ErrorLogFile"): "virtuoso.log",
        ("Database", "LockFile"): "virtuoso.lck", ("Database", "TransactionFile"): "virtuoso.trx",
        ("Database", "xa_persistent_file"): "virtuoso.pxa", ("TempDatabase", "DatabaseFile"): "temp.db",
        ("TempDatabase", "TransactionFile"): "temp.trx",
    }
    values = {key: str(folder / name) for key, name in files.items()}
    values[("Parameters", "ServerPort")] = str(sql_port)
    values[("HTTPServer", "ServerPort")] = f"127.0.0.1:{http_port}"
    section, lines = "", []
    for line in template.splitlines():
        header = re.match(r"^\[(.+)\]", line)
        if header:
            section = header.group(1)
        key = re.match(r"^(\w+)\s*=", line)
        if key and (section, key.group(1)) in values:
            line = f"{key.group(1)} = {values[(section, key.group(1))]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    binary = shutil.which("virtuoso-t")
    if binary is None or not VIRTUOSO_INI.is_file():
        pytest.skip("Virtuoso Open-Source is not installed (Debian package virtuoso-opensource, in .ci/run)")
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(virtuoso_ini(VIRTUOSO_INI.read_text(), folder, free_port(), http_port))
    log = folder / "stdout.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)], cwd=folder, stdout=out, stderr=subprocess.STDOUT
        )
    root = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_up(root + "/sparql", process, 90, log)
        yield Remote(
            "virtuoso", root + "/sparql", root + "/sparql-auth", root + "/sparql-graph-crud-auth", "digest",
            "dba", "dba",
        )
    finally:
        stop(process)
