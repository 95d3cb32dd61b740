"""Serving from several processes (`culturedata serve --processes N`): one app per process,
all accepting on one listening socket, so that every core answers queries.

The design allows it because a published snapshot never changes: each process opens it
read-only and notices a publication by itself (reader.py reads the `current` link on every
request), so all of them switch to a new snapshot on their next request. What a visitor
must see whole is shared through files: the metrics, in prometheus_client's multiprocess
mode (a directory this supervisor creates and removes, named by PROMETHEUS_MULTIPROC_DIR),
so `/metrics` from any process counts every process's requests. What stays each process's
own: the answer cache (answers.py; a repeated query may be evaluated once per process), the
query workers (workers.py; `server.query_workers` is shared out between the processes) and
`/healthz`, which says whether the process that answered it serves the snapshot.

uvicorn's supervisor binds the socket, starts the processes (spawned: each imports the
package afresh, with the environment set here), restarts one that dies and stops them all
on SIGINT/SIGTERM. Each process reads the configuration again from its file
(CULTUREDATA_CONFIG), with the same environment, so it gets the settings this one checked.
A writable server (`server.updates`) stays one process: Oxigraph lets one process open its
live store.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from culturedata.config import load_config
from culturedata.server.app import create_app
from culturedata.server.settings import ServerSettings
from culturedata.store import Snapshots

CONFIG_VARIABLE = "CULTUREDATA_CONFIG"
PROCESSES_VARIABLE = "CULTUREDATA_SERVE_PROCESSES"
METRICS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
REPORTS_VARIABLE = "CULTUREDATA_REPORTS_DIR"  # the validation page's kept reports (reportkeeper.py)


def serve(config_path: Path, host: str, port: int, processes: int) -> None:
    """Run uvicorn with `processes` processes serving the app of `config_path`, until stopped."""
    shared = tempfile.mkdtemp(prefix="culturedata-metrics-")
    reports = tempfile.mkdtemp(prefix="culturedata-reports-")  # private (0700), as one process's own
    names = (CONFIG_VARIABLE, PROCESSES_VARIABLE, METRICS_VARIABLE, REPORTS_VARIABLE)
    saved = {name: os.environ.get(name) for name in names}
    os.environ[CONFIG_VARIABLE] = str(config_path.resolve())
    os.environ[PROCESSES_VARIABLE] = str(processes)
    os.environ[METRICS_VARIABLE] = shared
    os.environ[REPORTS_VARIABLE] = reports
    try:
        uvicorn.run("culturedata.server.processes:app_from_environment", factory=True, workers=processes,
                    host=host, port=port, log_level="warning", access_log=False)
    finally:
        shutil.rmtree(shared, ignore_errors=True)
        shutil.rmtree(reports, ignore_errors=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def app_from_environment() -> Starlette:
    """The app of one serving process (uvicorn calls it in each process it starts)."""
    config = load_config(Path(os.environ[CONFIG_VARIABLE]))
    settings = ServerSettings.from_config(config)
    settings = settings.shared_by(int(os.environ.get(PROCESSES_VARIABLE, "1")))
    settings = replace(settings, reports_folder=Path(os.environ[REPORTS_VARIABLE]))
    return create_app(Snapshots(config.store_path, keep=config.settings.store.keep_snapshots), settings)
