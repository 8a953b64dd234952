"""RecentLogs: the last log records in memory, for the management API's recent log lines.

A logging handler with a bounded ring buffer; installed on the root logger while the management server
runs. It keeps what the other handlers see (the loggers' levels decide), formatted once when logged.
Secrets never reach it because nothing in Interlace logs them.
"""

from __future__ import annotations

import logging
import traceback
from collections import deque
from dataclasses import dataclass

from interlace.observability.logging import escape_control

__all__ = ["LogLine", "RecentLogs"]


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log record as the API shows it."""

    time: float
    level: str
    levelno: int
    logger: str
    message: str
    correlation_id: str | None
    seq: int = 0
    """The record's number, counting from 1 since the server started: a follower asks for the lines
    after the last it saw."""


class RecentLogs(logging.Handler):
    """Keeps the last ``capacity`` records; reading is safe while records arrive (one event loop, and
    the deque's appends are atomic for other threads)."""

    def __init__(self, capacity: int = 1000, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self._lines: deque[LogLine] = deque(maxlen=capacity)
        self._seq = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[0] is not None:
                # The exception's type and text, not its traceback: an operator's view, not a debugger's.
                message += " | " + "".join(traceback.format_exception_only(record.exc_info[1])).strip()
            correlation = getattr(record, "correlation_id", None)
            self._seq += 1
            self._lines.append(
                LogLine(
                    record.created,
                    record.levelname,
                    record.levelno,
                    record.name,
                    # shown in terminals and pages: control characters escaped, as in the log itself
                    escape_control(message),
                    escape_control(correlation)
                    if isinstance(correlation, str) and correlation != "-"
                    else None,
                    self._seq,
                )
            )
        except Exception:
            self.handleError(record)

    def lines(
        self, limit: int = 100, min_level: int = logging.NOTSET, logger: str | None = None, after: int = 0
    ) -> list[LogLine]:
        """The newest ``limit`` lines at ``min_level`` or above (of ``logger`` and its children) whose
        ``seq`` is above ``after``, oldest first."""
        chosen: list[LogLine] = []
        for line in reversed(list(self._lines)):
            if len(chosen) >= limit or line.seq <= after:
                break
            if line.levelno < min_level:
                continue
            if logger and line.logger != logger and not line.logger.startswith(logger + "."):
                continue
            chosen.append(line)
        chosen.reverse()
        return chosen
