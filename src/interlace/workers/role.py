"""A worker's role: which of the server's processes this one is, when ``interlace run --workers N`` runs
several (see :mod:`interlace.workers.pool`, the parent that starts them).

The parent hands each worker its role in the ``INTERLACE_WORKER`` variable (JSON: index, count, the
server's private folder, whether the count was asked for, whether the worker is being restarted). Every
worker serves the HTTP APIs on the same port (``SO_REUSEPORT``: the kernel spreads connections over
them). Worker 0, the **primary**, is the server as one process is: it owns the management port, runs the
background services (processors, tasks, inbound endpoints) and watches the hot deployment folder. The
others, the **followers**, serve the APIs only; their management API listens on a free loopback port,
where the primary hands them the changes each process keeps for itself (see
:mod:`interlace.management.fanout`), and they follow the primary's deployment changes when signalled
(``SIGUSR1``: run what the deployment history names). The primary writes the change's generation into
``follow.json`` before signalling, each follower writes it into ``followed-INDEX.json`` once it runs
what the history names, and a change answers only once every follower did (or a timeout passed).

A worker that serves writes ``worker-INDEX.json`` into the private folder (its pid, ports and graceful
timeout), in one step; the parent waits for it, and the primary reads the followers' files.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from interlace.errors import InterlaceError

__all__ = ["FOLLOW_SIGNAL", "WORKER_ENV", "UnsharedStoreError", "WorkerReady", "WorkerRole"]

WORKER_ENV: Final = "INTERLACE_WORKER"
FOLLOW_SIGNAL: Final = signal.SIGUSR1
"""Sent by the primary to each follower after it changed what runs: follow the deployment history."""
_FOLLOW_FILE: Final = "follow.json"
_FOLLOW_TIMEOUT: Final = 60.0
_POLL: Final = 0.02

_log = logging.getLogger("interlace.runtime")


class UnsharedStoreError(InterlaceError):
    """Several workers were asked for, and the project keeps messages in a store of one process's
    memory: run one worker, or give the store a kind processes share (sqlite, the default)."""

    code = "CANNOT_SHARE"


@dataclass(frozen=True, slots=True)
class WorkerReady:
    """What a serving worker wrote: its pid, HTTP port, management port (a follower's is loopback),
    graceful timeout, and ``alone`` when the primary serves by itself (it refused to share a store)."""

    index: int
    pid: int
    port: int
    management_port: int | None
    graceful_timeout: float
    alone: bool = False


@dataclass(frozen=True, slots=True)
class WorkerRole:
    """Worker ``index`` of ``count`` of one server, whose private folder is ``folder``; ``explicit``:
    the count was asked for (``--workers``), not taken from the number of cores; ``restart``: started
    again after its predecessor exited."""

    index: int
    count: int
    folder: Path
    explicit: bool = True
    restart: bool = False

    @property
    def primary(self) -> bool:
        """Worker 0: owns the management port, runs the services, watches the hot deployment folder."""
        return self.index == 0

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> WorkerRole | None:
        """The role the parent gave this process; None when it is a server of its own (one process)."""
        raw = env.get(WORKER_ENV)
        if not raw:
            return None
        data = json.loads(raw)
        return cls(
            int(data["index"]),
            int(data["count"]),
            Path(data["folder"]),
            bool(data.get("explicit", True)),
            bool(data.get("restart", False)),
        )

    def to_env(self) -> str:
        """The value of :data:`WORKER_ENV` that gives a worker this role."""
        return json.dumps(
            {
                "index": self.index,
                "count": self.count,
                "folder": str(self.folder),
                "explicit": self.explicit,
                "restart": self.restart,
            }
        )

    def serves_alone(self, memory_stores: list[str]) -> bool:
        """Whether this primary serves by itself because the project keeps ``memory_stores`` (their
        names, with their project) in its memory, which no other process can share: True when the
        count of workers was the default (a note is logged), UnsharedStoreError when it was asked for."""
        if not memory_stores or self.count < 2:
            return False
        names = ", ".join(memory_stores)
        if self.explicit:
            raise UnsharedStoreError(
                f"{self.count} workers cannot share the memory store(s) {names}: a memory store lives in "
                "one process. Run with --workers 1, or give the store a kind processes share (sqlite, "
                "the default)"
            )
        return True

    def ready_file(self, index: int | None = None) -> Path:
        return self.folder / f"worker-{self.index if index is None else index}.json"

    def announce_ready(
        self, port: int, management_port: int | None, graceful_timeout: float, *, alone: bool = False
    ) -> None:
        """Tell the parent (and the primary) that this worker serves, in one step (write, rename)."""
        data = {
            "index": self.index,
            "pid": os.getpid(),
            "port": port,
            "management_port": management_port,
            "graceful_timeout": graceful_timeout,
            "alone": alone,
        }
        self._write(self.ready_file(), data)

    def read_ready(self, index: int) -> WorkerReady | None:
        """What worker ``index`` wrote once it served; None while it has not (or it exited)."""
        try:
            data = json.loads(self.ready_file(index).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return WorkerReady(
            int(data["index"]),
            int(data["pid"]),
            int(data["port"]),
            None if data.get("management_port") is None else int(data["management_port"]),
            float(data["graceful_timeout"]),
            bool(data.get("alone", False)),
        )

    def followers(self) -> list[WorkerReady]:
        """The followers serving now (those that wrote their file), by index."""
        found = (self.read_ready(index) for index in range(1, self.count))
        return [ready for ready in found if ready is not None]

    async def tell_followers(self, within: float = _FOLLOW_TIMEOUT) -> None:
        """Signal every serving follower to follow the deployment history, and wait until each has
        (a follower that has not within ``within`` seconds is logged; it follows when it can)."""
        generation = time.time_ns()
        self._write(self.folder / _FOLLOW_FILE, {"generation": generation})
        waiting = {}
        for follower in self.followers():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(follower.pid, FOLLOW_SIGNAL)
                waiting[follower.index] = follower
        limit = time.monotonic() + within
        while waiting and time.monotonic() < limit:
            for index in [i for i in waiting if self._followed(i) >= generation]:
                del waiting[index]
            if waiting:
                await asyncio.sleep(_POLL)
        for index in waiting:
            _log.error("worker %d did not follow the deployment change within %gs", index, within)

    def follow_generation(self) -> int:
        """The change the primary asked to follow last (read when signalled)."""
        return self._generation(self.folder / _FOLLOW_FILE)

    def note_followed(self, generation: int, problems: Sequence[str] = ()) -> None:
        """Tell the primary this follower runs what the history named at ``generation``, but for
        ``problems`` (what it could not run, and why)."""
        data = {"generation": generation, "problems": list(problems)}
        self._write(self.folder / f"followed-{self.index}.json", data)

    def follower_problems(self) -> list[str]:
        """What the serving followers could not run of what the history names, each with its worker."""
        problems = []
        for follower in self.followers():
            try:
                data = json.loads((self.folder / f"followed-{follower.index}.json").read_text("utf-8"))
            except (OSError, ValueError):
                continue
            problems += [f"worker {follower.index}: {problem}" for problem in data.get("problems", [])]
        return problems

    def _followed(self, index: int) -> int:
        return self._generation(self.folder / f"followed-{index}.json")

    @staticmethod
    def _generation(path: Path) -> int:
        try:
            return int(json.loads(path.read_text("utf-8"))["generation"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    @staticmethod
    def _write(target: Path, data: Mapping[str, object]) -> None:
        """Write ``target`` in one step (write, rename): a reader sees the old or the new file."""
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        partial.write_text(json.dumps(data), "utf-8")
        partial.replace(target)
