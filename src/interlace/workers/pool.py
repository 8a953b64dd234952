"""The parent of ``interlace run --workers N``: starts N worker processes serving the same ports, restarts
one that dies, and stops them all together.

The parent runs no runtime and opens no port: it starts ``interlace run`` again N times, each with its
role (:class:`~interlace.workers.role.WorkerRole`) and

- a private folder (0700, removed when the parent ends) for the workers' ready files and the Prometheus
  figures of every worker (``PROMETHEUS_MULTIPROC_DIR``), so ``GET /metrics`` counts for the server;
- one management signing key shared by the workers (``INTERLACE_MANAGEMENT_KEY``, unless given), so a
  token works on each of them.

Worker 0 (the primary) starts first and alone: it loads and checks the project, reserves its ports and
writes its ready file. A primary that exits before serving ends the parent with its exit status (it
printed why: a problem in the project, a port taken, a store that cannot be shared). The followers then
start on the port the primary listens on. A worker that exits while the server runs is started again
after a backoff (logged); one that exits before serving ``max_start_failures`` times in a row stops the
server with exit status 1. SIGTERM or SIGINT stops every worker with SIGTERM (each drains its requests
within its graceful timeout; one still running after that and a margin is killed); SIGHUP is passed to
every worker (each loads its projects again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import shutil
import signal
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from interlace.services.backoff import Backoff
from interlace.workers.role import WORKER_ENV, WorkerReady, WorkerRole

__all__ = ["METRICS_DIR_ENV", "WorkerPool"]

METRICS_DIR_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
_KEY_ENV: Final = "INTERLACE_MANAGEMENT_KEY"
_STOP_MARGIN: Final = 5.0
"""Seconds beyond a worker's graceful timeout before a worker that does not stop is killed."""
_POLL: Final = 0.05

_log = logging.getLogger("interlace.runtime")


class _StartFailedError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass(slots=True)
class _Worker:
    role: WorkerRole
    process: asyncio.subprocess.Process | None = None
    ready: WorkerReady | None = None
    start_failures: int = 0
    supervisor: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def index(self) -> int:
        return self.role.index


class WorkerPool:
    """``count`` workers running ``command`` (``interlace run ...`` without ``--workers``); see the module
    docstring. ``announce`` prints a line for the operator. Run once with :meth:`run`."""

    def __init__(
        self,
        command: Sequence[str],
        count: int,
        *,
        explicit: bool,
        announce: Callable[[str], None],
        restart: Backoff | None = None,
        max_start_failures: int = 3,
    ) -> None:
        if count < 2:
            raise ValueError(f"a worker pool needs at least 2 workers (got {count})")
        self.command = list(command)
        self.count = count
        self.explicit = explicit
        self.announce = announce
        self._restart = restart or Backoff(initial=0.5, factor=2.0, maximum=10.0)
        self._max_start_failures = max_start_failures
        self._stopping = asyncio.Event()
        self._failed: int | None = None
        self._workers: list[_Worker] = []
        self._graceful_timeout = 10.0

    async def run(self) -> int:
        """Serve until SIGTERM/SIGINT (0) or until workers keep failing at start (their exit status)."""
        folder = Path(tempfile.mkdtemp(prefix="interlace-workers-"))
        try:
            (folder / "metrics").mkdir()
            env = {**os.environ, METRICS_DIR_ENV: str(folder / "metrics")}
            env.setdefault(_KEY_ENV, secrets.token_urlsafe(32))
            return await self._serve(folder, env)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    async def _serve(self, folder: Path, env: dict[str, str]) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self._stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self._pass_on, signal.SIGHUP)
        try:
            primary = _Worker(WorkerRole(0, self.count, folder, self.explicit))
            self._workers = [primary]
            try:
                await self._start(primary, env)
            except _StartFailedError as exc:
                self.announce(f"cannot start: worker 0 exited with status {exc.status} before serving")
                return exc.status if exc.status > 0 else 1
            if primary.ready is None:  # stopped while starting
                await self._stop_all()
                return 0
            self._graceful_timeout = primary.ready.graceful_timeout
            port = primary.ready.port
            self.command = [*self.command, "--port", str(port)]
            count = 1 if primary.ready.alone else self.count
            for index in range(1, count):
                self._workers.append(_Worker(WorkerRole(index, self.count, folder, self.explicit)))
            for worker in self._workers:
                worker.supervisor = asyncio.create_task(
                    self._supervise(worker, env, started=worker.index == 0), name=f"worker {worker.index}"
                )
            while not self._stopping.is_set() and any(w.ready is None for w in self._workers):
                await self._pause(_POLL)
            if not self._stopping.is_set():
                pids = ", ".join(str(pid) for pid in self.pids)
                self.announce(f"serving with {count} workers on port {port} (pids {pids})")
            await self._stopping.wait()
            await self._stop_all()
            return self._failed or 0
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                loop.remove_signal_handler(signum)

    async def _start(self, worker: _Worker, env: dict[str, str]) -> None:
        """Start ``worker`` and wait until it serves; _StartFailedError when it exits before."""
        role = worker.role
        role.ready_file().unlink(missing_ok=True)
        worker.ready = None
        worker.process = await asyncio.create_subprocess_exec(
            *self.command, env={**env, WORKER_ENV: role.to_env()}
        )
        while not self._stopping.is_set():
            if worker.process.returncode is not None:
                raise _StartFailedError(worker.process.returncode)
            ready = role.read_ready(role.index)
            if ready is not None and ready.pid == worker.process.pid:
                worker.ready = ready
                worker.start_failures = 0
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(worker.process.wait()), _POLL)

    async def _supervise(self, worker: _Worker, env: dict[str, str], *, started: bool) -> None:
        """Keep ``worker`` running until the pool stops: start it again after it exits, with backoff."""
        index = worker.index
        while not self._stopping.is_set():
            if not started:
                try:
                    await self._start(worker, env)
                except _StartFailedError as exc:
                    worker.start_failures += 1
                    _log.error("worker %d exited with status %d before serving", index, exc.status)
                    if worker.start_failures >= self._max_start_failures:
                        self.announce(
                            f"worker {index} failed {worker.start_failures} times in a row before serving "
                            "(its output says why): stopping the server"
                        )
                        self._failed = exc.status if exc.status > 0 else 1
                        self._stopping.set()
                        return
                    await self._pause(self._restart.delay(worker.start_failures))
                    continue
            started = False
            process = worker.process
            assert process is not None
            stopping = asyncio.ensure_future(self._stopping.wait())
            exited = asyncio.ensure_future(process.wait())
            await asyncio.wait({stopping, exited}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if self._stopping.is_set():
                exited.cancel()
                return
            self._forget(worker)
            delay = self._restart.delay(1)
            _log.error(
                "worker %d (pid %d) exited with status %s; starting it again in %gs",
                index,
                process.pid,
                process.returncode,
                delay,
            )
            worker.role = replace(worker.role, restart=True)
            await self._pause(delay)

    def _forget(self, worker: _Worker) -> None:
        """A worker exited: its ready file goes, and its live figures stop counting."""
        worker.role.ready_file().unlink(missing_ok=True)
        if worker.process is not None:
            _mark_dead(worker.process.pid, worker.role.folder)
        worker.ready = None

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    def _pass_on(self, signum: int) -> None:
        for worker in self._workers:
            if worker.process is not None and worker.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    worker.process.send_signal(signum)

    async def _stop_all(self) -> None:
        """SIGTERM every worker; kill those still running after their graceful timeout and a margin."""
        self.announce(f"stopping {len(self._workers)} workers: finishing requests in flight")
        self._pass_on(signal.SIGTERM)
        processes = [w.process for w in self._workers if w.process is not None]
        waiting = [asyncio.ensure_future(p.wait()) for p in processes]
        if waiting:
            _, pending = await asyncio.wait(waiting, timeout=self._graceful_timeout + _STOP_MARGIN)
            for process in processes:
                if process.returncode is None:
                    _log.error("worker pid %d did not stop in time; killing it", process.pid)
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
            if pending:
                await asyncio.wait(pending)
        for worker in self._workers:
            if worker.supervisor is not None:
                worker.supervisor.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker.supervisor
            self._forget(worker)

    @property
    def pids(self) -> list[int]:
        """The worker processes running now."""
        return [
            w.process.pid for w in self._workers if w.process is not None and w.process.returncode is None
        ]


def _mark_dead(pid: int, folder: Path) -> None:
    """Drop the live gauges of a worker that exited from the server's figures."""
    from prometheus_client import multiprocess

    with contextlib.suppress(OSError):
        multiprocess.mark_process_dead(pid, str(folder / "metrics"))  # type: ignore[no-untyped-call]
