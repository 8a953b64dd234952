"""interlace.toml read with its lines: the data, and where a key of it is written.

``tomllib`` keeps no lines, so :func:`toml_line` finds a key's line in the text: its ``[table]`` header,
then the ``key =`` entry under it. :func:`parse_toml` turns everything tomllib (or Python's integer
conversion, or its recursion limit) raises for a hostile file into a :class:`ConfigError` at a line.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any, Final

from interlace.errors import ConfigError, SourceLocation

__all__ = ["MAX_TOML_DEPTH", "parse_toml", "toml_line"]

MAX_TOML_DEPTH: Final = 50
"""How deeply arrays and inline tables may nest (deeper ones exhaust the parser, which recurses)."""
_HEADER: Final = re.compile(r"^[ \t]*\[\[?[ \t]*([^\]\n]+?)[ \t]*\]\]?[ \t]*(?:#.*)?$", re.MULTILINE)


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def parse_toml(text: str, file: str) -> dict[str, Any]:
    """The data of a TOML file; ConfigError with the line of what is wrong."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        message = re.sub(r" \((at line \d+, column \d+|at end of document)\)$", "", str(exc))
        column = f" at column {m.group(1)}" if (m := re.search(r"column (\d+)\)$", str(exc))) else ""
        raise ConfigError(f"invalid TOML: {message}{column}", location=SourceLocation(file, line)) from exc
    except RecursionError as exc:
        raise ConfigError(
            f"invalid TOML: arrays or inline tables nest more than {MAX_TOML_DEPTH} levels deep",
            location=SourceLocation(file, _deepest_line(text)),
        ) from exc
    except ValueError as exc:  # an integer too long for Python to convert
        long_number = re.search(r"\d{4000,}", text)
        raise ConfigError(
            "invalid TOML: a number has more digits than the 4300 an integer may have",
            location=SourceLocation(file, _line(text, long_number.start()) if long_number else 1),
        ) from exc


def _deepest_line(text: str) -> int:
    depth = 0
    for position, character in enumerate(text):
        depth += (character in "[{") - (character in "]}")
        if depth > MAX_TOML_DEPTH:
            return _line(text, position)
    return 1


def _entry(text: str, key: str, start: int, end: int) -> int | None:
    """The line of ``key = ...`` (or the dotted ``key.x = ...``) between ``start`` and ``end``."""
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*[=.]", re.MULTILINE)
    found = pattern.search(text, start, end)
    return _line(text, found.start()) if found else None


def toml_line(text: str, path: tuple[int | str, ...]) -> int:
    """The line where the value at ``path`` (keys; indexes are skipped) is written: the entry in its
    table, else the nearest enclosing table's header, else 1."""
    keys = [part for part in path if isinstance(part, str)]
    if not keys:
        return 1
    headers = list(_HEADER.finditer(text))
    names = [".".join(part.strip().strip("\"'") for part in h.group(1).split(".")) for h in headers]
    for depth in range(len(keys), 0, -1):
        table = ".".join(keys[:depth])
        if table not in names:
            inner = next((h for h, n in zip(headers, names, strict=True) if n.startswith(f"{table}.")), None)
            if inner is not None and depth == len(keys):  # [profiles.dev] for the table "profiles"
                return _line(text, inner.start())
            continue
        index = names.index(table)
        header = headers[index]
        if depth == len(keys):
            return _line(text, header.start())
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        return _entry(text, keys[depth], header.end(), end) or _line(text, header.start())
    top = _entry(text, keys[0], 0, headers[0].start() if headers else len(text))
    return top or 1
