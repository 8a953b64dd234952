"""Paths a flow gives, kept inside a connection's root: the one check of hostile paths for connectors
that read and write files (a local folder, an SFTP or FTP server, a transfer's local side).

A flow's path is relative to the root: ``a/b.txt``; a leading ``/`` is read as the root itself, so
``/a/b.txt`` is the same file. Refused, with :class:`~interlace.sdk.InvalidInput` naming the path: a
``..`` that leaves the root (``../etc/passwd``, ``a/../../b``), a NUL character, a backslash (a Windows
separator that a server may honour), and, on the local disk, a path whose symbolic links lead outside
the root (:func:`local_path`).
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from interlace.sdk.errors import InvalidInput

__all__ = ["PROJECT_FOLDER", "local_path", "project_path", "relative_path", "transfer_path"]


def relative_path(path: str, doing: str, what: str = "path") -> str:
    """``path`` normalized relative to a root (``.`` for the root itself); :class:`InvalidInput` for a
    path that leaves the root or holds a NUL or a backslash."""
    if "\x00" in path or "\\" in path:
        raise InvalidInput(f"{doing}: {what} must not hold a NUL character or a backslash (got {path!r})")
    depth = 0  # a path that climbs above the root is refused, not clamped to it as normpath would
    for part in path.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                raise InvalidInput(f"{doing}: {what} {path!r} leads outside the connection's folder")
        elif part not in ("", "."):
            depth += 1
    relative = posixpath.normpath("/" + path.strip()).lstrip("/") or "."  # a leading / is the root
    return relative


def local_path(root: Path, path: str, doing: str, what: str = "path") -> Path:
    """The file ``path`` names under the local folder ``root``, symbolic links followed;
    :class:`InvalidInput` when it is outside ``root`` (see :func:`relative_path`)."""
    relative = relative_path(path, doing, what)
    base = Path(os.path.realpath(root))
    target = Path(os.path.realpath(base / relative))
    if target != base and not target.is_relative_to(base):
        raise InvalidInput(f"{doing}: {what} {path!r} leads outside the connection's folder")
    return target


def transfer_path(folder: str | None, path: str, doing: str, what: str, connection: str) -> Path:
    """The file ``path`` names in a connection's local folder for transfers (``fromFile``, ``toFile``);
    :class:`InvalidInput` when the connection has no such folder (``folder`` None) or the path leaves it."""
    if folder is None:
        raise InvalidInput(
            f"{doing}: {what} needs the connection's local-folder setting (connection {connection})"
        )
    return local_path(Path(folder), path, doing, what)


PROJECT_FOLDER = "project_folder"
"""The key of pydantic's validation context under which the runtime passes the project's folder when it
validates a connection's settings (absent elsewhere: in tests, a connection built by hand)."""


def project_path(path: str, context: object) -> str:
    """A local path setting as the runtime reads it: relative to the project's folder when the
    validation ``context`` names one (:data:`PROJECT_FOLDER`), otherwise as given (relative to the
    working directory). Call it from a validator with ``info.context``."""
    folder = context.get(PROJECT_FOLDER) if isinstance(context, dict) else None
    if folder is None or Path(path).is_absolute():
        return path
    return str(Path(folder) / path)
