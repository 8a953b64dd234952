"""Files in a folder as an inbound endpoint's source: polled, each file one message.

A file is taken when its name matches the pattern and it was last modified at least ``min_age`` ago.
With ``lock`` it is first claimed by an atomic rename to ``NAME.<token>.processing``: of several nodes
watching one folder, only the one whose rename succeeds gets it. After the flow, the file (or its
claim) is deleted or moved (``on_success``), and on failure deleted, moved, or renamed back to be taken
again (``on_failure`` ``retry``; a flow interrupted by a stop is always retried, since the endpoint
hands it back with ``requeue``). A claim older than ``lock_timeout`` is the claim of a node that died
mid-flow: its file is renamed back and offered again. The file is acknowledged only after its flow,
so a crash never loses one (it may run twice: at least once). A file whose attempts ran out is
dead-lettered by its ``on_failure`` action, or, when that is ``retry``, moved into the folder
``dead-letter`` of the watched folder with the reason written beside it (``NAME.reason.txt``).
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import mimetypes
import os
import re
import secrets
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from interlace.message import Payload
from interlace.sdk import TriggerEvent

__all__ = ["FileAction", "FileSource"]

_log = logging.getLogger("interlace.inbound")
_CLAIM = re.compile(r"^(?P<name>.+)\.[0-9a-f]{12}\.processing$")
_SUFFIX = ".processing"
DEAD_LETTER_FOLDER = "dead-letter"
_TYPES = {".json": "application/json", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class FileAction:
    """What happens to a file after its flow: ``delete``, ``move`` (into ``folder``) or ``retry``."""

    action: Literal["delete", "move", "retry"]
    folder: Path | None = None

    def describe(self) -> str:
        return f"move to {self.folder}" if self.action == "move" else self.action


def _content_type(path: Path) -> str:
    known = _TYPES.get(path.suffix.lower())
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/stem-<time>-<n>.ext`` when a file of that name is already there."""
    target = folder / name
    if not target.exists():
        return target
    stem, dot, extension = name.partition(".")
    stamp = time.strftime("%Y%m%d%H%M%S")
    for count in range(1, 10_000):
        candidate = folder / f"{stem}-{stamp}-{count}{dot}{extension}"
        if not candidate.exists():
            return candidate
    return folder / f"{stem}-{secrets.token_hex(6)}{dot}{extension}"


class FileSource:
    """The files of ``folder`` (see the module docstring); an :class:`~interlace.inbound.base.EventSource`."""

    kind = "file"

    def __init__(
        self,
        folder: Path,
        *,
        pattern: str = "*",
        min_age: float = 1.0,
        sort: Literal["name", "modified"] = "name",
        poll: float = 1.0,
        on_success: FileAction = FileAction("delete"),
        on_failure: FileAction = FileAction("retry"),
        lock: bool = True,
        lock_timeout: float = 600.0,
        content_type: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = folder
        self.pattern = pattern
        self.min_age = min_age
        self.sort = sort
        self.poll = poll
        self.on_success = on_success
        self.on_failure = on_failure
        self.lock = lock
        self.lock_timeout = lock_timeout
        self.content_type = content_type
        self._clock = clock
        self._taken: set[str] = set()  # without a lock: files in flight, not to be offered again

    def describe(self) -> str:
        return f"files {self.pattern} in {self.folder}"

    async def events(self) -> AsyncGenerator[TriggerEvent, None]:
        while True:
            for path in await asyncio.to_thread(self._ready):
                claimed = await asyncio.to_thread(self._claim, path)
                if claimed is None:
                    continue  # another node took it, or it vanished
                try:
                    raw = await asyncio.to_thread(claimed.read_bytes)
                except OSError as exc:
                    _log.warning("inbound file %s cannot be read: %s", path, exc)
                    await asyncio.to_thread(self._unclaim, path, claimed)
                    continue
                stat_size = len(raw)
                yield TriggerEvent(
                    Payload(raw, self.content_type or _content_type(path)),
                    attributes={
                        "fileName": path.name,
                        "filePath": str(path),
                        "fileSize": stat_size,
                        "folder": str(self.folder),
                    },
                    delivery=_FileDelivery(self, path, claimed),
                    key=str(path),
                )
            await asyncio.sleep(self.poll)

    # blocking helpers, run in a worker thread -----------------------------------------------------
    def _ready(self) -> list[Path]:
        """Files to offer now, in order: matching, old enough, not claimed; stale claims released."""
        now = self._clock()
        found: list[tuple[str | float, Path]] = []
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return []
        for entry in entries:
            if entry.name.endswith(_SUFFIX):
                self._release_if_stale(entry, now)
                continue
            if not fnmatch.fnmatchcase(entry.name, self.pattern) or str(entry.path) in self._taken:
                continue
            try:
                if not entry.is_file():
                    continue
                modified = entry.stat().st_mtime
            except FileNotFoundError:
                continue
            if now - modified < self.min_age:
                continue
            found.append((entry.name if self.sort == "name" else modified, Path(entry.path)))
        found.sort(key=lambda item: (item[0], item[1].name))
        return [path for _, path in found]

    def _release_if_stale(self, entry: os.DirEntry[str], now: float) -> None:
        match = _CLAIM.match(entry.name)
        if match is None:
            return
        try:
            claimed_at = entry.stat().st_ctime  # a rename sets the change time: when it was claimed
        except FileNotFoundError:
            return
        if now - claimed_at < self.lock_timeout:
            return
        original = self.folder / match.group("name")
        try:
            os.link(entry.path, original)  # fails if the name was taken meanwhile: then keep the claim
            Path(entry.path).unlink()
        except OSError:
            return
        _log.warning("inbound file %s: a claim older than %gs was released", original, self.lock_timeout)

    def _claim(self, path: Path) -> Path | None:
        if not self.lock:
            self._taken.add(str(path))
            return path
        claimed = path.with_name(f"{path.name}.{secrets.token_hex(6)}{_SUFFIX}")
        try:
            path.rename(claimed)
        except FileNotFoundError:
            return None
        return claimed

    def _unclaim(self, path: Path, claimed: Path) -> None:
        self._taken.discard(str(path))
        if claimed != path:
            try:
                claimed.rename(path)
            except OSError as exc:
                _log.warning("inbound file %s cannot be renamed back: %s", path, exc)

    def settle(self, path: Path, claimed: Path, action: FileAction, reason: str | None = None) -> None:
        """Apply ``action`` to a file whose flow is over, writing ``reason`` beside a moved file
        (blocking: call it in a worker thread)."""
        try:
            if action.action == "delete":
                claimed.unlink(missing_ok=True)
            elif action.action == "move":
                assert action.folder is not None
                action.folder.mkdir(parents=True, exist_ok=True)
                moved = _free_name(action.folder, path.name)
                claimed.rename(moved)
                if reason is not None:
                    moved.with_name(moved.name + ".reason.txt").write_text(reason + "\n", "utf-8")
            else:
                self._unclaim(path, claimed)
        finally:
            self._taken.discard(str(path))

    @property
    def dead_letter_action(self) -> FileAction:
        """What happens to a file whose attempts ran out."""
        if self.on_failure.action != "retry":
            return self.on_failure
        return FileAction("move", self.folder / DEAD_LETTER_FOLDER)


class _FileDelivery:
    __slots__ = ("_claimed", "_path", "_source")

    def __init__(self, source: FileSource, path: Path, claimed: Path) -> None:
        self._source = source
        self._path = path
        self._claimed = claimed

    async def ack(self) -> None:
        await asyncio.to_thread(self._source.settle, self._path, self._claimed, self._source.on_success)

    async def nack(self, *, requeue: bool) -> None:
        # requeue: the flow was interrupted (or on-failure is retry): the file is offered again.
        action = FileAction("retry") if requeue else self._source.on_failure
        await asyncio.to_thread(self._source.settle, self._path, self._claimed, action)

    async def dead_letter(self, reason: str) -> bool:
        action = self._source.dead_letter_action
        # A failure folder of the user's own stays as configured; the default one says why.
        written = reason if action is not self._source.on_failure else None
        await asyncio.to_thread(self._source.settle, self._path, self._claimed, action, written)
        return True
