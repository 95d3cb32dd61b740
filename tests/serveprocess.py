"""`culturedata serve` started as a visitor meets it: a real process on a free port of 127.0.0.1,
ready once it answers a query (the tests of hostile queries, worker processes, serving
processes and the server's fuzzing use it)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_serve(project: Path, *options: str, env: Mapping[str, str] | None = None,
                startup: float = 60) -> tuple[str, subprocess.Popen[bytes]]:
    """(base URL, process) of `culturedata serve OPTIONS` in `project`, once it answers."""
    port = free_port()
    return start_culturedata(project, ["serve", "--port", str(port), *options], port, env=env, startup=startup)


def start_culturedata(project: Path, arguments: list[str], port: int, env: Mapping[str, str] | None = None,
                      startup: float = 60) -> tuple[str, subprocess.Popen[bytes]]:
    """(base URL, process) of `culturedata ARGUMENTS` in `project`, once it answers on `port`."""
    process = subprocess.Popen([sys.executable, "-m", "culturedata", *arguments],
                               cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup
    while True:
        try:
            httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=5, trust_env=False)
            return base, process
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                error = process.stderr.read() if process.stderr else b""
                raise RuntimeError(f"culturedata serve did not start: {error!r}") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
