"""Inbound shapes of earlier versions, read as today's, with a deprecation warning naming file:line.

Database polling and PostgreSQL notifications were sources of their own (`db-poll:`, `postgres-notify:`)
before they became triggers of the `db` connector. A definition written the old way is rewritten in
place, keys keeping their lines, so every later check (the trigger's parameters, their types) points at
the line the user wrote:

- `db-poll: {connection, table, key-column, order-column, poll, batch, start, cursor}` becomes
  `trigger: {db.poll: {connection, table, keyColumn, orderColumn, poll, batch, start, cursor}}`, a
  duration such as `20ms` in `poll` becoming seconds;
- `postgres-notify: {connection, channel}` becomes `trigger: {db.listen: {connection, channel}}`;
  `dsn` has no equivalent (a trigger runs on a connection) and is a problem saying what to write.

Files in a folder were the inbound source `file:` before they became the `file` connector's trigger:

- `file: {folder, pattern, min-age, sort, poll, on-success, on-failure, lock, lock-timeout,
  content-type}` becomes `trigger: {file.poll: {init: {protocol: local, root: .}, folder, pattern,
  minAge, sort, poll, onSuccess, successFolder, onFailure, failureFolder, lock, lockTimeout,
  contentType}}` (durations as seconds; for a folder outside the project, the folder above it is the
  root), and an
  `on-failure` other than `retry` adds `requeue: false`, as the source did.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Mapping
from typing import Any, Final

from interlace.errors import ConfigError, SourceLocation
from interlace.model.durations import parse_duration
from interlace.model.yamlsource import LineDict

__all__ = ["LEGACY_SOURCES", "convert_legacy_source", "file_poll_options"]

_log = logging.getLogger("interlace.model")

LEGACY_SOURCES: Final[Mapping[str, str]] = {
    "db-poll": "db.poll",
    "postgres-notify": "db.listen",
    "file": "file.poll",
}
"""The sources of earlier versions and the trigger each is now."""

_RENAMED: Final = {"key-column": "keyColumn", "order-column": "orderColumn"}


def convert_legacy_source(data: dict[str, Any], key: str, file: str) -> None:
    """Rewrite the source ``key`` (one of :data:`LEGACY_SOURCES`) of the inbound mapping ``data`` as a
    ``trigger``, in place; :class:`ConfigError` for what has no equivalent."""
    if key == "file":
        _convert_file_source(data, file)
        return
    key_lines: dict[str, int] = getattr(data, "key_lines", {})
    line = key_lines.get(key, 0) or getattr(data, "line", 0) or 1
    options = data.pop(key)
    trigger = LEGACY_SOURCES[key]
    converted = LineDict(getattr(options, "line", line))
    if isinstance(options, Mapping):
        option_lines: dict[str, int] = getattr(options, "key_lines", {})
        if "dsn" in options:
            raise ConfigError(
                f"{key} with a dsn is no longer read: a {trigger} trigger runs on a db connection",
                location=SourceLocation(file, option_lines.get("dsn", line)),
                hint=f"add connections/NAME.yaml (connector: db, url: ..., password: ${{secret.X}}) and write"
                f" trigger: {{{trigger}: {{connection: NAME, channel: ...}}}}",
            )
        for name, value in options.items():
            new_name = _RENAMED.get(str(name), str(name))
            converted[new_name] = _seconds(value) if name == "poll" else value
            converted.key_lines[new_name] = option_lines.get(name, converted.line)
    outer = LineDict(line)
    outer[trigger] = converted if isinstance(options, Mapping) or options is None else options
    outer.key_lines[trigger] = line
    data["trigger"] = outer
    key_lines["trigger"] = line
    _log.warning(
        "%s:%d: '%s:' is deprecated and read as 'trigger: {%s: ...}'; write it so (keys keyColumn and"
        " orderColumn, poll in seconds): `interlace connector info db` lists the trigger's parameters",
        file,
        line,
        key,
        trigger,
    )


def _seconds(value: object) -> object:
    """A duration as seconds; anything else as it was, for the trigger's parameter check to report."""
    if isinstance(value, str | int | float):
        try:
            return parse_duration(value)
        except ValueError:
            return value
    return value


_FILE_KEYS: Final = {
    "folder": "folder",
    "pattern": "pattern",
    "min-age": "minAge",
    "sort": "sort",
    "poll": "poll",
    "lock": "lock",
    "lock-timeout": "lockTimeout",
    "content-type": "contentType",
}
_DURATIONS: Final = {"min-age", "poll", "lock-timeout"}


def _convert_file_source(data: dict[str, Any], file: str) -> None:
    """``file: {...}`` as ``trigger: {file.poll: {init: {protocol: local, ...}, ...}}`` (see the module)."""
    key_lines: dict[str, int] = getattr(data, "key_lines", {})
    line = key_lines.get("file", 0) or getattr(data, "line", 0) or 1
    options = data.pop("file")
    if "requeue" in data:
        raise ConfigError(
            "a file endpoint says what happens to a failed file with on-failure, not requeue",
            location=SourceLocation(file, key_lines.get("requeue", line)),
        )
    converted, requeue = file_poll_options(options, file, line)
    if not requeue:
        data["requeue"] = False
        key_lines["requeue"] = line
    outer = LineDict(line)
    outer["file.poll"] = converted
    outer.key_lines["file.poll"] = line
    data["trigger"] = outer
    key_lines["trigger"] = line
    _log.warning(
        "%s:%d: 'file:' is deprecated and read as 'trigger: {file.poll: {init: {protocol: local}, ...}}';"
        " write it so, or with a file connection (`interlace connector info file` lists the trigger's"
        " parameters)",
        file,
        line,
    )


def file_poll_options(options: object, file: str, line: int) -> tuple[LineDict, bool]:
    """The ``file.poll`` trigger's values for the options of an earlier ``file:`` source (see the module),
    and whether a failed file is handed back for another try (``requeue``). :class:`ConfigError` at
    ``file``:``line`` for options with no equivalent."""
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise ConfigError(
            f"file takes a mapping such as {{folder: inbox}} (got {type(options).__name__})",
            location=SourceLocation(file, line),
        )
    option_lines: dict[str, int] = getattr(options, "key_lines", {})
    converted = LineDict(getattr(options, "line", line))

    def put(name: str, value: object, at: str) -> None:
        converted[name] = value
        converted.key_lines[name] = option_lines.get(at, converted.line)

    folder = options.get("folder")
    root = "."
    if isinstance(folder, str) and folder.startswith(("/", "..")):
        # outside the project: the folder above it is the connection's root (moves may go beside it)
        root, folder = posixpath.split(posixpath.normpath(folder))
        root, folder = root or "/", folder or "."
    init = LineDict(converted.line)
    init.update({"protocol": "local", "root": root})
    put("init", init, "folder")
    watched = options.get("folder")
    for name, value in options.items():
        if name in ("on-success", "on-failure"):
            where = SourceLocation(file, option_lines.get(name, line))
            _file_action(put, str(name), value, watched if isinstance(watched, str) else "", where)
        else:
            new_name = _FILE_KEYS.get(str(name), str(name))  # an unknown key is reported as it was written
            put(
                new_name,
                folder if name == "folder" else _seconds(value) if name in _DURATIONS else value,
                name,
            )
    failure = options.get("on-failure")
    return converted, failure is None or _action_of(failure) == "retry"


def _action_of(value: object) -> object:
    if isinstance(value, Mapping):
        return value.get("action", "move" if "move-to" in value else "delete")
    return value


def _file_action(put: Any, key: str, value: object, watched: str, where: SourceLocation) -> None:
    """``on-success`` / ``on-failure`` (``delete``, ``retry``, ``{move-to: F}``) as the trigger's pair
    ``onSuccess`` + ``successFolder`` (``onFailure`` + ``failureFolder``); a folder is relative to the
    watched one, and an absolute one is made so."""
    action_key, folder_key = (
        ("onSuccess", "successFolder") if key == "on-success" else ("onFailure", "failureFolder")
    )
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - {"action", "move-to"})
        if unknown:
            raise ConfigError(f"{key} takes action and move-to (got {unknown[0]})", location=where)
        folder = value.get("move-to")
        if isinstance(folder, str) and folder.startswith("/"):
            if not watched.startswith("/"):
                raise ConfigError(
                    f"{key}: move-to {folder!r} is absolute but the folder is in the project",
                    location=where,
                    hint="write move-to relative to the watched folder",
                )
            folder = posixpath.relpath(folder, watched)
        if folder is not None:
            put(folder_key, folder, key)
    put(action_key, _action_of(value), key)
