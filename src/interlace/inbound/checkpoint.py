"""The runtime's checkpoints: where a trigger got to, in a file of the project's state folder.

Each inbound endpoint whose trigger keeps a position has one file, ``.interlace/checkpoints/NAME.json``,
replaced atomically (written aside, synced, renamed), so a crash leaves the previous position or the
new one. A position kept by earlier versions in ``.interlace/cursors/NAME.json`` is read when there is
no checkpoint yet, so an upgraded server goes on where it stopped.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import orjson

from interlace.sdk import CheckpointValue

__all__ = ["FileCheckpoint"]


class FileCheckpoint:
    """The checkpoint of inbound endpoint ``endpoint`` of a project, in the state folder ``state``
    (``.interlace``); a :class:`~interlace.sdk.Checkpoint` named ``name`` (``PROJECT/INBOUND``)."""

    def __init__(self, state: Path, endpoint: str, *, name: str) -> None:
        self.name = name
        self.path = state / "checkpoints" / f"{endpoint}.json"
        self._earlier = state / "cursors" / f"{endpoint}.json"

    def describe(self) -> str:
        return f"checkpoint in {self.path}"

    async def load(self) -> CheckpointValue | None:
        def read() -> CheckpointValue | None:
            for path in (self.path, self._earlier):
                try:
                    value = orjson.loads(path.read_bytes())
                except FileNotFoundError:
                    continue
                return value if isinstance(value, dict) else None
            return None

        return await asyncio.to_thread(read)

    async def save(self, value: CheckpointValue) -> None:
        data = orjson.dumps(value)

        def write() -> None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            with temporary.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(self.path)

        await asyncio.to_thread(write)
