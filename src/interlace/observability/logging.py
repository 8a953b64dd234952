"""Log lines that carry the correlation id of the message they are about, as text or as JSON.

A record is one line whatever it holds: control characters in any logged value (a path parameter
with ``%0A``, a header with an ANSI escape, a NUL in a body) are written escaped (``\\n``, ``\\x1b``,
``\\x00``), so no client can forge a line or hide one. This is done here, by the formatters, for every
logger, so no call site has to remember it. In text logs a traceback follows its record on lines that
each start with a space; in JSON logs it is the ``exception`` field of the record's one line.
"""

from __future__ import annotations

import logging
import sys
from typing import Final, Literal, TextIO

import orjson

__all__ = ["LogFormat", "configure_logging", "escape_control", "json_formatter", "text_formatter"]

LogFormat = Literal["text", "json"]

_FORMAT: Final = "%(asctime)s %(levelname)-7s %(name)s [%(correlation_id)s] %(message)s"
_NAMED: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROLS: Final = [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029]
_ESCAPES: Final = {
    code: _NAMED.get(chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _CONTROLS
}
_CONTINUATION: Final = "  "


def escape_control(text: str) -> str:
    """``text`` with every control character (C0, DEL, C1, line and paragraph separators) escaped."""
    return text.translate(_ESCAPES)


def _continuation(text: str) -> str:
    """Multi-line text (a traceback) as escaped lines that each start with a space."""
    return "\n".join(_CONTINUATION + escape_control(line) for line in text.splitlines())


class _TextFormatter(logging.Formatter):
    # Not Formatter.format: it caches the traceback's text on the record, shared with other handlers.
    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if not hasattr(record, "correlation_id"):
            record.correlation_id = "-"  # logged outside a message
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = escape_control(self.formatMessage(record))
        if record.exc_info:
            line += "\n" + _continuation(self.formatException(record.exc_info))
        elif record.exc_text:
            line += "\n" + _continuation(record.exc_text)
        if record.stack_info:
            line += "\n" + _continuation(record.stack_info)
        return line


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": escape_control(record.name),
            "correlationId": escape_control(str(getattr(record, "correlation_id", "-"))),
            "message": escape_control(record.getMessage()),
        }
        if record.exc_info:
            line["exception"] = escape_control(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = escape_control(record.exc_text)
        if record.stack_info:
            line["stack"] = escape_control(record.stack_info)
        return orjson.dumps(line).decode()


def text_formatter() -> logging.Formatter:
    """The text format: ``time level logger [correlation id] message``, one line per record."""
    return _TextFormatter(_FORMAT)


def json_formatter() -> logging.Formatter:
    """The JSON format: one object per line with ``time``, ``level``, ``logger``, ``correlationId``,
    ``message`` and, when there is one, ``exception``."""
    return _JsonFormatter()


def configure_logging(
    level: str = "INFO", log_format: LogFormat = "text", stream: TextIO | None = None
) -> None:
    """Send Interlace's logs to ``stream`` (stderr) one line per record, as text or JSON; idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_interlace", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter() if log_format == "json" else text_formatter())
    handler._interlace = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
