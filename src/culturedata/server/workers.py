"""Query workers: visitors' queries are evaluated in processes that may die without the server.

pyoxigraph runs a query to its end once it started planning it: a stack overflow in its
optimiser kills the process (SIGSEGV), a 200-pattern BGP plans for half a minute, and a
COUNT over a cross join computes for hours, none of which a thread can stop. So each query
the event loop does not answer itself (inline.py) goes to one of `server.query_workers`
processes, each with the published snapshot open read-only. The parent waits for the answer
until the query's deadline (counted from its arrival, the wait for a free worker included);
then, or when the worker dies, it kills the worker, starts a fresh one in its place, and
answers 503 or 500 (`Outcome.reason` "timeout", "busy" or "crashed"). A worker that stops a
streaming query at the deadline itself (limits.py) reports it and stays.

Workers are started by the 'forkserver' context: forked from a small server process that has
imported pyoxigraph and nothing else has touched, never from this process and its threads;
a replacement is ready in milliseconds. Each worker is tied to the parent by a socket pair:
a request is a length-prefixed JSON record, an answer a JSON header and the body's bytes.
Every request names the snapshot directory the parent serves (reader.py), so the workers
switch to a new publication with the parent, on the same request.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import multiprocessing
import os
import signal
import socket
import struct
import time
from multiprocessing.process import BaseProcess
from typing import TypedDict

import pyoxigraph as ox

from culturedata.server.evaluation import Job, Outcome, evaluate_job
from culturedata.server.limits import BudgetedBuffer

# Once past the deadline, how long a worker has to report that its own budget stopped the query
# before it is killed (a kill costs a restart: a few milliseconds, and the worker's caches).
GRACE = 0.5
REQUEST = struct.Struct("!I")  # JSON length
ANSWER = struct.Struct("!IQ")  # JSON header length, body length
PR_SET_PDEATHSIG = 1
log = logging.getLogger(__name__)


class Request(TypedDict):
    """What the parent sends: the job (evaluation.Job's fields), where, and under which budget."""

    snapshot: str
    text: str
    base: str
    accept: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    timeout: float
    max_bytes: int


class Worker:
    """One worker process and the parent's end of its socket."""

    def __init__(self, process: BaseProcess, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.process = process
        self.reader = reader
        self.writer = writer

    @property
    def alive(self) -> bool:
        return not self.reader.at_eof() and self.process.exitcode is None

    async def ask(self, request: Request) -> Outcome:
        data = json.dumps(request).encode()
        self.writer.write(REQUEST.pack(len(data)) + data)
        await self.writer.drain()
        header_size, body_size = ANSWER.unpack(await self.reader.readexactly(ANSWER.size))
        header = json.loads(await self.reader.readexactly(header_size))
        body = await self.reader.readexactly(body_size) if body_size else b""
        return Outcome(header["reason"], header["media"], body, header["detail"], header["seconds"])

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.writer.close()


RESTART_DELAY = 0.5  # seconds before starting a worker again after a start failed


class WorkerPool:
    """`size` query workers; `run` hands a job to a free one. Used from the event loop only."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["pyoxigraph", __name__])
        self._workers: set[Worker] = set()
        self._idle: asyncio.Queue[Worker] | None = None
        self._starting: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def idle(self) -> int:
        """How many workers wait for a job right now."""
        return self._idle.qsize() if self._idle is not None else 0

    def pids(self) -> list[int]:
        return sorted(w.process.pid for w in self._workers if w.process.pid is not None)

    async def start(self) -> None:
        """Start the workers and wait until they are ready (the server's startup)."""
        self._fill()
        if self._starting:
            await asyncio.wait(set(self._starting))

    async def run(self, snapshot: str, job: Job, timeout: float, max_bytes: int) -> Outcome:
        """The job's outcome on the snapshot at `snapshot` (a directory), within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        self._fill()
        assert self._idle is not None
        worker = await self._acquire(self._idle, deadline)
        if worker is None:
            return Outcome("busy", seconds=timeout)
        request = Request(snapshot=snapshot, text=job.text, base=job.base, accept=job.accept,
                          default_graphs=list(job.default_graphs), named_graphs=list(job.named_graphs),
                          timeout=deadline - time.monotonic(), max_bytes=max_bytes)
        done = False
        try:
            outcome = await asyncio.wait_for(worker.ask(request), deadline - time.monotonic() + GRACE)
            done = True
        except TimeoutError:
            return Outcome("timeout", seconds=timeout)
        except (asyncio.IncompleteReadError, ConnectionError):
            return Outcome("crashed", detail=self._exit_status(worker))
        finally:
            if done:
                self._idle.put_nowait(worker)
            else:  # stopped, dead, or its request cancelled half-way: its socket is out of step
                self._retire(worker)
        return outcome

    async def close(self) -> None:
        self._closed = True
        for task in self._starting:
            task.cancel()
        for worker in self._workers:
            worker.kill()
        self._workers.clear()
        await asyncio.get_running_loop().run_in_executor(None, self._reap_all)

    async def _acquire(self, idle: asyncio.Queue[Worker], deadline: float) -> Worker | None:
        while True:
            try:
                worker = await asyncio.wait_for(idle.get(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return None
            if worker.alive:
                return worker
            self._retire(worker)  # died while idle (the OOM killer, an operator): not this query's doing

    def _fill(self) -> None:
        """Start workers until `size` exist or are being started."""
        if self._idle is None:
            self._idle = asyncio.Queue()
        while not self._closed and len(self._workers) + len(self._starting) < self.size:
            task = asyncio.get_running_loop().create_task(self._start_one(self._idle))
            self._starting.add(task)
            task.add_done_callback(self._started)

    def _started(self, task: asyncio.Task[None]) -> None:
        self._starting.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The fork server could not start one (out of memory, out of processes, a start racing
            # others after a round of kills): try again in a moment rather than serve short-handed
            # until the next query needs a worker; meanwhile the others serve, or queries wait.
            log.warning("a query worker did not start: %r", task.exception())
            if not self._closed:
                asyncio.get_running_loop().call_later(RESTART_DELAY, self._fill)

    async def _start_one(self, idle: asyncio.Queue[Worker]) -> None:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair()
        process = self._context.Process(target=serve_jobs, args=(theirs,), name="culturedata-query", daemon=True)
        try:
            await loop.run_in_executor(None, process.start)  # talks to the fork server: off the loop
        finally:
            theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours, limit=1 << 20)
        worker = Worker(process, reader, writer)
        if self._closed:
            worker.kill()
            return
        self._workers.add(worker)
        idle.put_nowait(worker)

    def _retire(self, worker: Worker) -> None:
        worker.kill()
        self._workers.discard(worker)
        asyncio.get_running_loop().run_in_executor(None, _reap, worker.process)
        self._fill()

    def _exit_status(self, worker: Worker) -> str:
        worker.process.join(0.2)  # a crashed worker is gone already; a wedged one is killed next
        code = worker.process.exitcode
        if code is not None and code < 0:
            return signal.Signals(-code).name
        return f"exit {code}" if code is not None else "no answer"

    def _reap_all(self) -> None:
        for child in self._context.active_children():
            if child.name == "culturedata-query":
                _reap(child)


def _reap(process: BaseProcess) -> None:
    process.join(5)
    with contextlib.suppress(ValueError):
        process.close()


# The worker's side, in its own process.

def serve_jobs(sock: socket.socket) -> None:
    """Answer jobs from the parent until it closes the socket."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then closes this socket
    _die_with_parent()
    opened: tuple[str, ox.Store] | None = None
    with sock:
        while True:
            request = _read_request(sock)
            if request is None:
                return
            snapshot = request["snapshot"]
            budget = BudgetedBuffer(request["timeout"], request["max_bytes"])
            job = Job(request["text"], request["base"], request["accept"], tuple(request["default_graphs"]),
                      tuple(request["named_graphs"]))
            try:
                if opened is None or opened[0] != snapshot:
                    opened = None  # the previous snapshot's files are released first
                    opened = (snapshot, ox.Store.read_only(snapshot))
                outcome = evaluate_job(opened[1], job, budget)
            except OSError as exc:  # the snapshot vanished (pruned after a publication) or cannot be read
                outcome = Outcome("failed", detail=str(exc))
            header = json.dumps({"reason": outcome.reason, "media": outcome.media, "detail": outcome.detail,
                                 "seconds": outcome.seconds}).encode()
            sock.sendall(ANSWER.pack(len(header), len(outcome.body)) + header)
            if outcome.body:
                sock.sendall(outcome.body)


def _read_request(sock: socket.socket) -> Request | None:
    head = _read_exactly(sock, REQUEST.size)
    if head is None:
        return None
    data = _read_exactly(sock, REQUEST.unpack(head)[0])
    if data is None:
        return None
    request: Request = json.loads(data)
    return request


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the fork server ends, which it does when the server
    ends however it ends: a worker deep in a runaway query would otherwise outlive it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:
        os._exit(0)
