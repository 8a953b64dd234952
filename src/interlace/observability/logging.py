"""Log lines that carry the correlation id of the message they are about, as text or as JSON.

A record is one line whatever it holds: control characters in any logged value (a path parameter
with ``%0A``, a header with an ANSI escape, a NUL in a body) are written escaped (``\\n``, ``\\x1b``,
``\\x00``), so no client can forge a line or hide one. This is done here, by the formatters, for every
logger, so no call site has to remember it. In text logs a traceback follows its record on lines that
each start with a space; in JSON logs it is the ``exception`` field of the record's one line.

A record logged while a flow runs carries that flow's correlation id and artifact (the API, inbound
endpoint or task whose flow it is) without the call site passing them: :func:`run_flow
<interlace.mediators.flow.run_flow>` opens a :func:`log_scope` around the flow (a context variable, so
each request and each background task has its own). A record's own ``correlation_id`` or ``artifact``
(``extra=``) wins. A trace id comes from the source given to :func:`set_trace_id_source` (tracing sets
it), only when there is one.
"""

from __future__ import annotations

import datetime
import logging
import sys
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Final, Literal, TextIO

import orjson

__all__ = [
    "LogFormat",
    "LogScope",
    "configure_logging",
    "enter_log_scope",
    "escape_control",
    "json_formatter",
    "leave_log_scope",
    "set_trace_id_source",
    "text_formatter",
]

LogFormat = Literal["text", "json"]

_FORMAT: Final = "%(asctime)s %(levelname)-7s %(name)s [%(correlation_id)s] %(message)s"
_NAMED: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROLS: Final = [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029]
_ESCAPES: Final = {
    code: _NAMED.get(chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _CONTROLS
}
_CONTINUATION: Final = "  "

LogScope = tuple[str, str | None]
"""The correlation id and the artifact of the flow running now."""

_scope: ContextVar[LogScope | None] = ContextVar("interlace_log_scope", default=None)
_trace_id_source: list[Callable[[], str | None]] = []


def enter_log_scope(correlation_id: str, artifact: str | None) -> Token[LogScope | None]:
    """Records logged from here on (in this task) carry ``correlation_id`` and ``artifact``; give the
    token to :func:`leave_log_scope` when the flow ends."""
    return _scope.set((correlation_id, artifact))


def leave_log_scope(token: Token[LogScope | None]) -> None:
    _scope.reset(token)


def set_trace_id_source(source: Callable[[], str | None] | None) -> None:
    """Where the JSON format finds the current trace id (None: no trace ids)."""
    _trace_id_source[:] = [source] if source is not None else []


def _correlation_id(record: logging.LogRecord) -> str:
    own = getattr(record, "correlation_id", None)
    if own is not None:
        return str(own)
    scope = _scope.get()
    return scope[0] if scope is not None else "-"


def _artifact(record: logging.LogRecord) -> str | None:
    own = getattr(record, "artifact", None)
    if own is not None:
        return str(own)
    scope = _scope.get()
    return scope[1] if scope is not None else None


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
            record.correlation_id = _correlation_id(record)  # "-": logged outside a message
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


def _iso_time(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": _iso_time(record.created),
            "level": record.levelname,
            "logger": escape_control(record.name),
            "correlationId": escape_control(_correlation_id(record)),
        }
        artifact = _artifact(record)
        if artifact is not None:
            line["artifact"] = escape_control(artifact)
        trace_id = _trace_id_source[0]() if _trace_id_source else None
        if trace_id:
            line["traceId"] = escape_control(trace_id)
        line["message"] = escape_control(record.getMessage())
        access = getattr(record, "access", None)
        if isinstance(access, dict):  # an access log record: its fields as keys of the line
            for key, value in access.items():
                line.setdefault(key, escape_control(value) if isinstance(value, str) else value)
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
    """The JSON format: one object per line with ``time`` (ISO 8601, UTC), ``level``, ``logger``,
    ``correlationId``, ``message`` and, when there is one, ``artifact``, ``traceId`` and ``exception``."""
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
