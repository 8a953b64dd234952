"""File inbound endpoints (VFS parameters) -> a ``file`` inbound endpoint.

``transport.vfs.FileURI`` (a local ``file:`` URI or path) -> ``folder``; ``FileNamePattern`` (a regular
expression) -> ``pattern`` (a glob) where it is one; ``interval`` (milliseconds) -> ``poll``;
``ActionAfterProcess``/``MoveAfterProcess`` -> ``on-success``, ``ActionAfterFailure``/``MoveAfterFailure``
-> ``on-failure`` (a move folder relative to the watched one); ``ContentType`` -> ``content-type``;
``Locking`` -> ``lock``; ``FileSortAttribute`` -> ``sort``. Remote file systems (FTP, SFTP, SMB) are
reported unsupported.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from interlace.importers.synapse.artifacts.inbound import inbound_source
from interlace.importers.synapse.artifacts.store import Parameters
from interlace.importers.synapse.conversion import Conversion
from interlace.model.legacy import file_poll_options

__all__ = ["file_inbound", "file_options", "file_source", "vfs_glob", "vfs_path"]

_VFS: Final = "transport.vfs."
_USED: Final = frozenset(
    {
        "interval",
        *(
            _VFS + key
            for key in (
                "FileURI",
                "FileNamePattern",
                "ContentType",
                "ActionAfterProcess",
                "MoveAfterProcess",
                "ActionAfterFailure",
                "MoveAfterFailure",
                "Locking",
                "FileSortAttribute",
                "FileSortAscending",
            )
        ),
    }
)
_GLOB_SAFE: Final = re.compile(r"[A-Za-z0-9_\-]")


def vfs_path(uri: str) -> str | None:
    """The local path of a VFS URI (``file:///in``, ``vfs:file:///in?x=y``, ``/in``); None for a remote
    file system."""
    uri = uri.removeprefix("vfs:")
    parts = urlsplit(uri)
    if parts.scheme in ("", "file"):
        path = unquote(parts.path if parts.scheme else uri.partition("?")[0])
        return path.rstrip("/") or "/"
    return None


def vfs_glob(pattern: str) -> str | None:
    """The glob matching the names the regular expression ``pattern`` matches, None when there is none
    (alternatives, repetitions other than ``.*``)."""
    pattern = pattern.removeprefix("^").removesuffix("$")
    glob, at = "", 0
    while at < len(pattern):
        char = pattern[at]
        if pattern.startswith(".*", at):
            glob, at = glob + "*", at + 2
        elif char == "\\" and at + 1 < len(pattern) and not pattern[at + 1].isalnum():
            glob, at = glob + pattern[at + 1], at + 2
        elif char == ".":
            glob, at = glob + "?", at + 1
        elif char == "[":
            end = pattern.find("]", at)
            if end < 0:
                return None
            glob, at = glob + pattern[at : end + 1].replace("[^", "[!"), end + 1
        elif _GLOB_SAFE.match(char) or char == " ":
            glob, at = glob + char, at + 1
        else:
            return None
    return glob


def _action(
    params: Parameters, conversion: Conversion, name: str, folder: str, when: str
) -> dict[str, Any] | None:
    action = params.value(f"{_VFS}ActionAfter{when}").upper()
    target = params.value(f"{_VFS}MoveAfter{when}")
    if action == "MOVE" or (not action and target):
        path = vfs_path(target) if target else None
        if path is None:
            conversion.unsupported(
                params.at(f"{_VFS}MoveAfter{when}"), f"inbound endpoint {name} MoveAfter{when} {target!r}"
            )
            return None
        return {"move-to": posixpath.relpath(path.rstrip("/*"), folder)}
    if action == "NONE":
        kept = "retried at the next poll" if when == "Failure" else "deleted"
        conversion.approximated(
            params.at(f"{_VFS}ActionAfter{when}"), f"inbound endpoint {name} ActionAfter{when} NONE", kept
        )
        return {"action": "retry" if when == "Failure" else "delete"}
    return {"action": "delete"}  # MI's default, after processing and after a failure alike


@inbound_source("file", "vfs", used=_USED)
def file_source(name: str, params: Parameters, conversion: Conversion) -> dict[str, Any] | None:
    """A VFS inbound endpoint's source: the file connector's trigger on its local folder; None when the
    folder is not local (reported)."""
    options = file_options(name, params, conversion)
    return file_inbound(options, name) if options is not None else None


def file_options(name: str, params: Parameters, conversion: Conversion) -> dict[str, Any] | None:
    """A VFS endpoint's parameters as the options of the ``file:`` source of earlier versions (folder,
    pattern, poll, sort, on-success, on-failure, lock, content-type), which :func:`file_inbound` makes a
    trigger; None when the folder is not local (reported)."""
    uri = params.value(f"{_VFS}FileURI")
    folder = vfs_path(uri) if uri else None
    if folder is None:
        conversion.unsupported(
            params.at(f"{_VFS}FileURI"),
            f"inbound endpoint {name} FileURI {uri!r}",
            "only local folders are watched; mount the remote one or fetch its files with a task",
        )
        return None
    if folder.endswith("/*"):
        folder = folder.removesuffix("/*")
        conversion.approximated(
            params.at(f"{_VFS}FileURI"), "FileURI /*", "files in sub-folders are not taken"
        )
    file: dict[str, Any] = {"folder": folder}
    regex = params.value(f"{_VFS}FileNamePattern")
    if regex:
        glob = vfs_glob(regex)
        if glob is None:
            conversion.approximated(
                params.at(f"{_VFS}FileNamePattern"),
                f"inbound endpoint {name} FileNamePattern {regex!r}",
                "every file is taken: give a glob as the pattern",
            )
        elif glob != "*":
            file["pattern"] = glob
    interval = params.value("interval")
    if interval.isdigit() and int(interval) > 0:
        file["poll"] = f"{int(interval)}ms"
    if sort := params.value(f"{_VFS}FileSortAttribute").lower():
        file["sort"] = "name" if sort == "name" else "modified"
        if sort == "size" or params.value(f"{_VFS}FileSortAscending").lower() == "false":
            conversion.approximated(
                params.at(f"{_VFS}FileSortAttribute"),
                f"inbound endpoint {name} file order",
                f"by {file['sort']}, ascending",
            )
    for when, key in (("Process", "on-success"), ("Failure", "on-failure")):
        action = _action(params, conversion, name, folder, when)
        if action is not None and action != {"action": {"Process": "delete", "Failure": "retry"}[when]}:
            file[key] = action
    if params.value(f"{_VFS}Locking").lower() == "disable":
        file["lock"] = False
    if content_type := params.value(f"{_VFS}ContentType"):
        file["content-type"] = content_type
    return file


def file_inbound(file: dict[str, Any], name: str) -> dict[str, Any]:
    """The inbound endpoint's source for ``file`` options (as :func:`file_source` gives them): the file
    connector's ``file.poll`` trigger on a local folder, and ``requeue: false`` unless a failed file is
    tried again."""
    options, requeue = file_poll_options(file, f"inbound endpoint {name}", 1)
    return {"trigger": {"file.poll": _plain(options)}, **({} if requeue else {"requeue": False})}


def _plain(value: Any) -> Any:
    # The loader's line-keeping mappings, as the plain mappings the writer dumps.
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
