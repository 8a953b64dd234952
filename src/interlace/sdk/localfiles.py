"""Files on the local disk read and written chunk by chunk, blocking calls in worker threads: how a
connector moves a large file without holding it in memory.

A file written with :func:`write_file` appears whole: it is written beside its name
(``.NAME.part``) and renamed at the end, so a reader (a folder being polled) never sees half of it,
and a failed write leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

__all__ = ["CHUNK", "read_file", "write_file"]

CHUNK = 256 * 1024
"""Bytes read at a time."""


async def read_file(path: Path, size: int = CHUNK) -> AsyncIterator[bytes]:
    """The file's bytes, ``size`` at a time (``OSError`` if it cannot be opened or read)."""
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(handle.read, size):
            yield chunk
    finally:
        handle.close()


async def write_file(target: Path, chunks: AsyncIterable[bytes], *, append: bool = False) -> int:
    """Write ``chunks`` to ``target`` (replacing it, or appended to it), creating its folder; the bytes
    written. A replaced file appears whole (see the module)."""
    await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
    written_to = target if append else target.with_name(f".{target.name}.part")
    handle = await asyncio.to_thread(written_to.open, "ab" if append else "wb")
    size = 0
    try:
        async for chunk in chunks:
            await asyncio.to_thread(handle.write, chunk)
            size += len(chunk)
    except BaseException:
        handle.close()
        if not append:
            written_to.unlink(missing_ok=True)
        raise
    handle.close()
    if not append:
        await asyncio.to_thread(os.replace, written_to, target)
    return size
