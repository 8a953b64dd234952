"""The seam between the ``file`` operations and where the files are: a :class:`FileSystem` per protocol.

Paths given to a file system are relative to its root and already checked
(:func:`~interlace.sdk.relative_path`); ``.`` is the root itself. Implementations raise Python's
``OSError`` subclasses, whatever their library raises: ``FileNotFoundError``, ``FileExistsError``,
``PermissionError``, ``IsADirectoryError``, and ``ConnectionError`` (or ``TimeoutError``) when the server
is lost; :func:`file_failure` sorts them into the SDK's errors. They are safe to call concurrently from
one event loop (one that is not serializes its calls itself).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from interlace.sdk import ConnectorError, FatalError, InvalidInput, RetryableError

__all__ = ["CHUNK", "FileInfo", "FileSystem", "file_failure"]

CHUNK = 256 * 1024
"""Bytes read or written at a time: a file is never held whole in memory."""


@dataclass(frozen=True, slots=True)
class FileInfo:
    """A folder's entry: its name, its path (relative to the root), size, last change and kind."""

    name: str
    path: str
    size: int
    modified: float
    directory: bool

    def facts(self) -> dict[str, Any]:
        """As JSON: name, path, size, modified (ISO 8601) and type (`file` or `directory`)."""
        return {
            "name": self.name,
            "path": self.path,
            "size": self.size,
            "modified": datetime.fromtimestamp(self.modified, UTC).isoformat(),
            "type": "directory" if self.directory else "file",
        }


class FileSystem(Protocol):
    """Files under one root (see the module's contract)."""

    def where(self, path: str) -> str:
        """``path`` as messages name it (the server and the full path; never a password)."""

    def read(self, path: str) -> AsyncIterator[bytes]:
        """The file's bytes, chunk by chunk."""

    async def write(self, path: str, chunks: AsyncIterable[bytes], *, append: bool) -> int:
        """Write (or append to) the file from ``chunks``; the bytes written."""

    async def entries(self, folder: str) -> list[FileInfo]:
        """The entries of a folder (``FileNotFoundError`` if it is missing)."""

    async def stat(self, path: str) -> FileInfo | None:
        """The entry ``path`` names, or None if there is none."""

    async def rename(self, source: str, target: str) -> None:
        """Rename ``source`` to ``target``; ``FileExistsError`` if ``target`` exists."""

    async def delete(self, path: str) -> None:
        """Delete a file (``FileNotFoundError`` if missing)."""

    async def mkdir(self, path: str) -> None:
        """Create a folder and the folders above it; nothing if it exists."""

    async def aclose(self) -> None:
        """Let the server go."""


def file_failure(exc: BaseException, doing: str) -> ConnectorError:
    """The SDK error for a file system's failure while ``doing`` something: a missing file or refused
    access is fatal, a name already taken or a folder where a file was expected the input's fault, a
    lost server transient."""
    detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        return FatalError(f"{doing}: no such file or folder ({detail})")
    if isinstance(exc, PermissionError):
        return FatalError(f"{doing}: access refused ({detail})")
    if isinstance(exc, FileExistsError | IsADirectoryError | NotADirectoryError):
        return InvalidInput(f"{doing}: {detail}")
    return RetryableError(f"{doing}: {detail}")
