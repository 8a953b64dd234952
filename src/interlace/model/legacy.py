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
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

from interlace.errors import ConfigError, SourceLocation
from interlace.model.durations import parse_duration
from interlace.model.yamlsource import LineDict

__all__ = ["LEGACY_SOURCES", "convert_legacy_source"]

_log = logging.getLogger("interlace.model")

LEGACY_SOURCES: Final[Mapping[str, str]] = {"db-poll": "db.poll", "postgres-notify": "db.listen"}
"""The sources of earlier versions and the trigger each is now."""

_RENAMED: Final = {"key-column": "keyColumn", "order-column": "orderColumn"}


def convert_legacy_source(data: dict[str, Any], key: str, file: str) -> None:
    """Rewrite the source ``key`` (one of :data:`LEGACY_SOURCES`) of the inbound mapping ``data`` as a
    ``trigger``, in place; :class:`ConfigError` for what has no equivalent."""
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
