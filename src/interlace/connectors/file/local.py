"""Files in a folder of this machine; blocking calls run in worker threads."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

from interlace.connectors.file.system import CHUNK, FileInfo
from interlace.sdk import read_file, write_file

__all__ = ["LocalFiles"]


class LocalFiles:
    """A :class:`~interlace.connectors.file.system.FileSystem` on the local disk under ``root``.

    Paths are resolved with symbolic links followed by the caller (:func:`~interlace.sdk.local_path`);
    here they are joined to the root."""

    __slots__ = ("root",)

    def __init__(self, root: Path) -> None:
        self.root = root

    def where(self, path: str) -> str:
        return str(self.root / path)

    def read(self, path: str) -> AsyncIterator[bytes]:
        return read_file(self.root / path, CHUNK)

    async def write(self, path: str, chunks: AsyncIterable[bytes], *, append: bool) -> int:
        # A new file is written beside and renamed: a reader (a poll) never sees half of it.
        return await write_file(self.root / path, chunks, append=append)

    async def entries(self, folder: str) -> list[FileInfo]:
        return await asyncio.to_thread(self._entries, folder)

    def _entries(self, folder: str) -> list[FileInfo]:
        found = []
        with os.scandir(self.root / folder) as scan:
            for entry in scan:
                try:
                    stat = entry.stat()
                except FileNotFoundError:
                    continue
                path = entry.name if folder == "." else f"{folder}/{entry.name}"
                found.append(FileInfo(entry.name, path, stat.st_size, stat.st_mtime, entry.is_dir()))
        return found

    async def stat(self, path: str) -> FileInfo | None:
        target = self.root / path
        try:
            stat = await asyncio.to_thread(target.stat)
        except FileNotFoundError:
            return None
        return FileInfo(target.name, path, stat.st_size, stat.st_mtime, target.is_dir())

    async def rename(self, source: str, target: str) -> None:
        await asyncio.to_thread(_rename_no_replace, self.root / source, self.root / target)

    async def delete(self, path: str) -> None:
        await asyncio.to_thread(os.unlink, self.root / path)

    async def mkdir(self, path: str) -> None:
        await asyncio.to_thread(os.makedirs, self.root / path, exist_ok=True)

    async def aclose(self) -> None:
        return None


def _rename_no_replace(source: Path, target: Path) -> None:
    # link + unlink: atomic, and fails when the target exists (a plain rename would replace it)
    if source.is_dir():
        if target.exists():
            raise FileExistsError(f"{target.name} exists")
        source.rename(target)
        return
    os.link(source, target)
    source.unlink()
