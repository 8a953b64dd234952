"""The ``file.poll`` trigger: files appearing in a folder (local, SFTP or FTP), polled; each file one
message.

A file is taken when its name matches the pattern and it was last modified at least ``minAge`` seconds
ago. With ``lock`` it is first claimed by a rename to ``NAME.<token>.<time>.processing``: of several
nodes watching one folder, only the one whose rename succeeds gets it. After the flow the claim is
deleted or moved (``onSuccess``); on failure deleted, moved, or renamed back to be taken again
(``onFailure: retry``; a flow interrupted by a stop is always retried, since the endpoint hands it back
with requeue). A claim older than ``lockTimeout`` is the claim of a node that died mid-flow: it is
renamed back and offered again. A file is settled only after its flow, so a crash never loses one (it
may run twice: at least once). A file whose attempts ran out is dead-lettered by its ``onFailure``
action, or, when that is ``retry``, moved into the folder ``dead-letter`` of the watched folder with the
reason written beside it (``NAME.reason.txt``).
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import logging
import posixpath
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from interlace.connectors.file.connection import FileConnection
from interlace.connectors.file.operations import content_type
from interlace.connectors.file.system import FileInfo, FileSystem, file_failure
from interlace.sdk import FatalError, InvalidInput, Param, Payload, TriggerEvent

__all__ = ["DEAD_LETTER_FOLDER", "poll_files"]

_log = logging.getLogger("interlace.connectors.file")
_CLAIM = re.compile(r"^(?P<name>.+)\.[0-9a-f]{12}(\.(?P<at>\d+))?\.processing$")
_SUFFIX = ".processing"
DEAD_LETTER_FOLDER = "dead-letter"
"""Where a file out of attempts goes when ``onFailure`` is ``retry``, under the watched folder."""


@dataclass(frozen=True, slots=True)
class _Action:
    """What happens to a file after its flow: ``delete``, ``move`` (into ``folder``) or ``retry``."""

    action: Literal["delete", "move", "retry"]
    folder: str | None = None


@dataclass(slots=True)
class _Watch:
    """One folder being polled: the settings, and the files in flight without a lock."""

    files: FileSystem
    folder: str
    on_success: _Action
    on_failure: _Action
    lock: bool
    lock_timeout: float
    clock: Callable[[], float]
    taken: set[str]

    def path(self, name: str) -> str:
        return name if self.folder == "." else f"{self.folder}/{name}"

    async def ready(self, pattern: str, min_age: float, sort: str) -> list[FileInfo]:
        """Files to offer now, in order: matching, old enough, not claimed; stale claims released."""
        now = self.clock()
        found: list[tuple[str | float, FileInfo]] = []
        try:
            entries = await self.files.entries(self.folder)
        except FileNotFoundError:
            return []
        for entry in entries:
            if entry.name.endswith(_SUFFIX):
                await self._release_if_stale(entry, now)
            elif (
                not entry.directory
                and not _being_written(entry.name)
                and fnmatch.fnmatchcase(entry.name, pattern)
                and entry.path not in self.taken
                and now - entry.modified >= min_age
            ):
                found.append((entry.name if sort == "name" else entry.modified, entry))
        found.sort(key=lambda item: (item[0], item[1].name))
        return [entry for _, entry in found]

    async def _release_if_stale(self, entry: FileInfo, now: float) -> None:
        match = _CLAIM.match(entry.name)
        if match is None:
            return
        claimed_at = float(match.group("at") or entry.modified)
        if now - claimed_at < self.lock_timeout:
            return
        try:
            await self.files.rename(entry.path, self.path(match.group("name")))
        except OSError:
            return  # the name was taken meanwhile, or another node released it: keep the claim
        _log.warning(
            "file %s: a claim older than %gs was released", self.files.where(entry.path), self.lock_timeout
        )

    async def claim(self, entry: FileInfo) -> str | None:
        if not self.lock:
            self.taken.add(entry.path)
            return entry.path
        claimed = self.path(f"{entry.name}.{secrets.token_hex(6)}.{int(self.clock())}{_SUFFIX}")
        try:
            await self.files.rename(entry.path, claimed)
        except (FileNotFoundError, FileExistsError):
            return None  # another node took it, or it vanished
        return claimed

    async def unclaim(self, path: str, claimed: str) -> None:
        self.taken.discard(path)
        if claimed != path:
            try:
                await self.files.rename(claimed, path)
            except OSError as exc:
                _log.warning("file %s cannot be renamed back: %s", self.files.where(path), exc)

    async def settle(self, path: str, claimed: str, action: _Action, reason: str | None = None) -> None:
        """Apply ``action`` to a file whose flow is over, writing ``reason`` beside a moved file."""
        try:
            if action.action == "delete":
                with contextlib.suppress(FileNotFoundError):
                    await self.files.delete(claimed)
            elif action.action == "move":
                assert action.folder is not None
                await self.files.mkdir(action.folder)
                moved = await self._free_name(action.folder, posixpath.basename(path))
                await self.files.rename(claimed, moved)
                if reason is not None:
                    await self.files.write(
                        moved + ".reason.txt", _once(reason.encode() + b"\n"), append=False
                    )
            else:
                await self.unclaim(path, claimed)
        finally:
            self.taken.discard(path)

    async def _free_name(self, folder: str, name: str) -> str:
        """``folder/name``, or ``folder/stem-<time>-<n>.ext`` when a file of that name is already there."""
        target = f"{folder}/{name}"
        if await self.files.stat(target) is None:
            return target
        stem, dot, extension = name.partition(".")
        stamp = time.strftime("%Y%m%d%H%M%S")
        for count in range(1, 100):
            candidate = f"{folder}/{stem}-{stamp}-{count}{dot}{extension}"
            if await self.files.stat(candidate) is None:
                return candidate
        return f"{folder}/{stem}-{secrets.token_hex(6)}{dot}{extension}"

    @property
    def dead_letter_action(self) -> _Action:
        if self.on_failure.action != "retry":
            return self.on_failure
        return _Action("move", self.path(DEAD_LETTER_FOLDER))


def _being_written(name: str) -> bool:
    """Whether ``name`` is a file that ``file.write`` is still writing beside its final name."""
    return name.startswith(".") and name.endswith(".part")


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def poll_files(
    conn: FileConnection,
    *,
    folder: Annotated[
        str, Param("The folder to watch, relative to the connection's root.", example="inbox")
    ] = ".",
    pattern: Annotated[str, Param("Which file names to take (`*.json`, `order-?.xml`).")] = "*",
    minAge: Annotated[
        float,
        Param("Seconds since a file's last change before it is taken (so it is no longer being written)."),
        Field(ge=0),
    ] = 1.0,
    sort: Annotated[
        Literal["name", "modified"],
        Param("The order files are taken in: `name`, or `modified` (oldest first)."),
    ] = "name",
    poll: Annotated[float, Param("Seconds between two looks at the folder."), Field(gt=0)] = 1.0,
    onSuccess: Annotated[
        Literal["delete", "move"],
        Param("After the flow succeeded: `delete` the file, or `move` it to `successFolder`."),
    ] = "delete",
    successFolder: Annotated[
        str | None,
        Param(
            "Where `move` puts a processed file, relative to the watched folder (created when"
            " missing; a name already there gets a time suffix).",
            example="done",
        ),
    ] = None,
    onFailure: Annotated[
        Literal["retry", "delete", "move"],
        Param(
            "After the flow failed: `retry` (left in place, taken again), `delete`, or `move` to"
            " `failureFolder`."
        ),
    ] = "retry",
    failureFolder: Annotated[
        str | None,
        Param("Where `move` puts a failed file, relative to the watched folder.", example="failed"),
    ] = None,
    lock: Annotated[
        bool,
        Param(
            "Claim each file by renaming it before its flow, so that one node takes it when several"
            " watch the folder."
        ),
    ] = True,
    lockTimeout: Annotated[
        float,
        Param(
            "Seconds after which a claim is taken for a dead node's and released; longer than the"
            " longest flow."
        ),
        Field(gt=0),
    ] = 600.0,
    readContent: Annotated[
        bool,
        Param(
            "Make the file's content the payload; `false`: its facts as JSON, for a flow that"
            " streams a large file with `file.read` and `toFile`."
        ),
    ] = True,
    contentType: Annotated[
        str | None, Param("The payload's content type; by default it follows from the file's extension.")
    ] = None,
) -> AsyncIterator[TriggerEvent]:
    """Each file that appears in a folder (local, SFTP or FTP), found by polling; settled after its
    flow by deleting or moving it.

    The payload is the file's content (or, with `readContent: false`, its facts as JSON); properties
    `fileName`, `filePath` (where the file is, with the server), `path` (relative to the root),
    `fileSize`, `folder`. With `lock`, a file is claimed by a rename to `NAME.<random>.<time>.processing`
    (only one node's rename succeeds); the claim is deleted or moved after the flow, or renamed back.
    A file whose attempts ran out goes where `onFailure` says, or with `retry` to `dead-letter/` of the
    watched folder with a `NAME.reason.txt` beside it. A flow interrupted by a stop is always retried."""
    doing = f"file.poll of {folder!r} on connection {conn.name}"
    try:  # wrong settings stop the inbound endpoint: trying again would not mend them
        watched = conn.path(folder, doing, "folder")
        watch = _Watch(
            conn.files,
            watched,
            _action(onSuccess, successFolder, watched, doing, "successFolder", conn),
            _action(onFailure, failureFolder, watched, doing, "failureFolder", conn),
            lock,
            lockTimeout,
            time.time,
            set(),
        )
    except InvalidInput as exc:
        raise FatalError(exc.message) from exc
    while True:
        try:
            ready = await watch.ready(pattern, minAge, sort)
        except OSError as exc:
            raise file_failure(exc, doing) from exc
        for entry in ready:
            try:
                claimed = await watch.claim(entry)
            except OSError as exc:
                raise file_failure(exc, doing) from exc
            if claimed is None:
                continue
            facts: dict[str, Any] = {
                "fileName": entry.name,
                "filePath": conn.files.where(entry.path),
                "path": entry.path,
                "fileSize": entry.size,
                "folder": conn.files.where(watched),
            }
            if readContent:
                try:
                    data = bytearray()
                    async for chunk in conn.files.read(claimed):
                        data += chunk
                except OSError as exc:
                    _log.warning("file %s cannot be read: %s", facts["filePath"], exc)
                    await watch.unclaim(entry.path, claimed)
                    continue
                facts["fileSize"] = len(data)
                payload = Payload(bytes(data), contentType or content_type(entry.name))
            else:
                payload = Payload.of_json(facts)
            yield TriggerEvent(
                payload,
                attributes=facts,
                delivery=_FileDelivery(watch, entry.path, claimed),
                key=facts["filePath"],
            )
        await asyncio.sleep(poll)


def _action(
    action: Literal["delete", "move", "retry"],
    folder: str | None,
    watched: str,
    doing: str,
    what: str,
    conn: FileConnection,
) -> _Action:
    if action != "move":
        if folder is not None:
            raise InvalidInput(f"{doing}: {what} is only for move (got {action})")
        return _Action(action)
    if folder is None:
        raise InvalidInput(f"{doing}: move needs {what}")
    inside = watched if watched != "." else ""
    return _Action("move", conn.path(posixpath.join(inside, folder), doing, what))


class _FileDelivery:
    __slots__ = ("_claimed", "_path", "_watch")

    def __init__(self, watch: _Watch, path: str, claimed: str) -> None:
        self._watch = watch
        self._path = path
        self._claimed = claimed

    async def ack(self) -> None:
        await self._watch.settle(self._path, self._claimed, self._watch.on_success)

    async def nack(self, *, requeue: bool) -> None:
        # requeue: the flow was interrupted (or onFailure is retry): the file is offered again.
        action = _Action("retry") if requeue else self._watch.on_failure
        await self._watch.settle(self._path, self._claimed, action)

    async def dead_letter(self, reason: str) -> bool:
        action = self._watch.dead_letter_action
        # A failure folder of the user's own stays as configured; the default one says why.
        written = reason if action is not self._watch.on_failure else None
        await self._watch.settle(self._path, self._claimed, action, written)
        return True
