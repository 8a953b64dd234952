"""The ``file`` operations: read, write, append, list, move, delete and mkdir, on any protocol.

Files are streamed in chunks (:data:`~interlace.connectors.file.system.CHUNK`): ``read`` with ``toFile``
and ``write`` with ``fromFile`` move a file between the connection's root and its local folder without
holding it in memory; into the payload, ``read`` takes at most ``maxSize`` bytes.
"""

from __future__ import annotations

import asyncio
import fnmatch
import mimetypes
import posixpath
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from interlace.connectors.file.connection import FileConnection
from interlace.connectors.file.system import CHUNK, file_failure
from interlace.sdk import InvalidInput, OperationResult, Param, encode_body, read_file, write_file

__all__ = ["append", "delete", "list_files", "mkdir", "move", "read", "write"]

FilePath = Annotated[
    str,
    Param("The file, relative to the connection's root.", example="orders/${vars.id}.json"),
    Field(min_length=1),
]
_TYPES = {".json": "application/json", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}


def content_type(name: str) -> str:
    """A file's content type, from its extension (`application/octet-stream` if unknown)."""
    known = _TYPES.get(posixpath.splitext(name)[1].lower())
    return known or mimetypes.guess_type(name)[0] or "application/octet-stream"


async def read(
    conn: FileConnection,
    path: FilePath,
    *,
    toFile: Annotated[
        str | None,
        Param(
            "Copy the file to this file of the connection's local folder (streamed, replaced if there)"
            " instead of the payload.",
        ),
    ] = None,
    maxSize: Annotated[
        int,
        Param("Bytes a file read into the payload may have at most; a larger one is refused (use `toFile`)."),
        Field(gt=0),
    ] = 64 * 1024 * 1024,
    contentType: Annotated[
        str | None, Param("The payload's content type; by default it follows from the file's extension.")
    ] = None,
) -> OperationResult:
    """Read a file.

    Returns:
        The file's bytes with their content type (nothing with `toFile`); the attributes `path`, `size`
        and, with `toFile`, `file`. A missing file or refused access is fatal, a file larger than
        `maxSize` invalid input, a lost server transient.
    """
    doing = f"file.read of {path!r} on connection {conn.name}"
    relative = conn.path(path, doing)
    target = conn.local_file(toFile, doing, "toFile") if toFile is not None else None
    try:
        if target is not None:
            size = await write_file(target, conn.files.read(relative))
            return OperationResult(None, attributes={"path": relative, "size": size, "file": toFile})
        data = bytearray()
        async for chunk in conn.files.read(relative):
            data += chunk
            if len(data) > maxSize:
                raise InvalidInput(f"{doing}: the file has more than maxSize {maxSize} bytes; use toFile")
    except OSError as exc:
        raise file_failure(exc, doing) from exc
    media = contentType or content_type(relative)
    return OperationResult(
        bytes(data), headers={"content-type": media}, attributes={"path": relative, "size": len(data)}
    )


async def _chunks_of(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]


Content = Annotated[
    object,
    Param("What to write: text as UTF-8, bytes as they are, any other value as JSON.", example="${payload}"),
]
FromFile = Annotated[
    str | None,
    Param(
        "Write this file of the connection's local folder instead of `content`, streamed.",
    ),
]
MakeFolders = Annotated[bool, Param("Create the folders above the file when missing.")]


async def _put(
    conn: FileConnection,
    name: str,
    path: str,
    content: object,
    fromFile: str | None,
    mkdirs: bool,
    *,
    append: bool,
) -> OperationResult:
    doing = f"file.{name} of {path!r} on connection {conn.name}"
    relative = conn.path(path, doing)
    if relative == ".":
        raise InvalidInput(f"{doing}: path must name a file, not the root")
    if fromFile is not None:
        if content is not None:
            raise InvalidInput(f"{doing}: give content or fromFile, not both")
        source = conn.local_file(fromFile, doing, "fromFile")
        chunks = read_file(source, CHUNK)
    else:
        chunks = _chunks_of(encode_body(content if content is not None else b"", None, doing, "content")[0])
    try:
        if mkdirs and posixpath.dirname(relative):
            await conn.files.mkdir(posixpath.dirname(relative))
        size = await conn.files.write(relative, chunks, append=append)
    except OSError as exc:
        if fromFile is not None and isinstance(exc, FileNotFoundError) and not await _exists(source):
            raise InvalidInput(f"{doing}: fromFile {fromFile!r} does not exist") from exc
        raise file_failure(exc, doing) from exc
    return OperationResult(None, attributes={"path": relative, "size": size})


async def _exists(path: Path) -> bool:
    return await asyncio.to_thread(path.exists)


async def write(
    conn: FileConnection,
    path: FilePath,
    content: Content = None,
    *,
    fromFile: FromFile = None,
    createFolders: MakeFolders = True,
) -> OperationResult:
    """Write a file, replacing one of that name (on the local disk the new file appears whole: it is
    written beside and renamed).

    Returns:
        Nothing as payload; the attributes `path` and `size` (bytes written).
    """
    return await _put(conn, "write", path, content, fromFile, createFolders, append=False)


async def append(
    conn: FileConnection,
    path: FilePath,
    content: Content = None,
    *,
    fromFile: FromFile = None,
    createFolders: MakeFolders = True,
) -> OperationResult:
    """Append to a file, creating it when missing.

    Returns:
        Nothing as payload; the attributes `path` and `size` (bytes appended).
    """
    return await _put(conn, "append", path, content, fromFile, createFolders, append=True)


async def list_files(
    conn: FileConnection,
    *,
    folder: Annotated[str, Param("The folder, relative to the root.", example="incoming")] = ".",
    pattern: Annotated[
        str,
        Param(
            "Only names that match this glob (`*.csv`, `order-??.xml`); `**/` in front searches"
            " the folders below too.",
            example="*.json",
        ),
    ] = "*",
    directories: Annotated[bool, Param("List folders too (they never match `**/` searches' depth).")] = False,
) -> list[dict[str, Any]]:
    """List the files of a folder whose names match a glob pattern, sorted by path.

    Returns:
        `[{name, path, size, modified, type}]`: `path` relative to the root, `modified` ISO 8601, `type`
        `file` or `directory`. A missing folder is fatal.
    """
    doing = f"file.list of {folder!r} on connection {conn.name}"
    relative = conn.path(folder, doing, "folder")
    recursive = pattern.startswith("**/")
    name_pattern = pattern[3:] if recursive else pattern
    found: list[dict[str, Any]] = []
    pending = [relative]
    try:
        while pending:
            for entry in await conn.files.entries(pending.pop()):
                if entry.directory and recursive:
                    pending.append(entry.path)
                if entry.directory and not directories:
                    continue
                if fnmatch.fnmatchcase(entry.name, name_pattern):
                    found.append(entry.facts())
    except OSError as exc:
        raise file_failure(exc, doing) from exc
    return sorted(found, key=lambda item: str(item["path"]))


async def move(
    conn: FileConnection,
    path: FilePath,
    toPath: Annotated[str, Param("The new path, relative to the root.", example="done/${vars.name}")],
    *,
    overwrite: Annotated[bool, Param("Replace a file already at `toPath`.")] = False,
    createFolders: MakeFolders = True,
) -> OperationResult:
    """Move (rename) a file or folder within the connection's root.

    Returns:
        Nothing as payload; the attributes `path` and `toPath`. A missing file is fatal; a file already
        at `toPath` (without `overwrite`) invalid input.
    """
    doing = f"file.move of {path!r} to {toPath!r} on connection {conn.name}"
    source = conn.path(path, doing)
    target = conn.path(toPath, doing, "toPath")
    if "." in (source, target):
        raise InvalidInput(f"{doing}: the root itself cannot be moved or replaced")
    try:
        if createFolders and posixpath.dirname(target):
            await conn.files.mkdir(posixpath.dirname(target))
        if overwrite:
            existing = await conn.files.stat(target)
            if existing is not None and not existing.directory:
                await conn.files.delete(target)
        await conn.files.rename(source, target)
    except OSError as exc:
        raise file_failure(exc, doing) from exc
    return OperationResult(None, attributes={"path": source, "toPath": target})


async def delete(
    conn: FileConnection,
    path: FilePath,
    *,
    missingOk: Annotated[bool, Param("Succeed when the file does not exist.")] = False,
) -> OperationResult:
    """Delete a file.

    Returns:
        Nothing as payload; the attribute `deleted`: false when the file was missing and `missingOk`.
    """
    doing = f"file.delete of {path!r} on connection {conn.name}"
    relative = conn.path(path, doing)
    try:
        await conn.files.delete(relative)
    except FileNotFoundError as exc:
        if missingOk:
            return OperationResult(None, attributes={"deleted": False})
        raise file_failure(exc, doing) from exc
    except OSError as exc:
        raise file_failure(exc, doing) from exc
    return OperationResult(None, attributes={"deleted": True})


async def mkdir(
    conn: FileConnection,
    path: Annotated[str, Param("The folder, relative to the root.", example="archive/2024")],
) -> OperationResult:
    """Create a folder, and the folders above it; nothing happens if it exists.

    Returns:
        Nothing as payload; the attribute `path`.
    """
    doing = f"file.mkdir of {path!r} on connection {conn.name}"
    relative = conn.path(path, doing)
    try:
        await conn.files.mkdir(relative)
    except OSError as exc:
        raise file_failure(exc, doing) from exc
    return OperationResult(None, attributes={"path": relative})
