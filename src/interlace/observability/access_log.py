"""The access log: one record per API request, on the ``interlace.access`` logger, for the APIs that
ask for it (``access-log: true`` on the API, or ``[server] access-log = true`` for all).

A record's fields are those of the common log formats: ``time``, ``client`` (the peer's address),
``method``, ``path`` (without the query string, which may carry keys), ``status``, ``bytes`` (of the
answer's body), ``duration`` (seconds) and ``correlationId``; its ``artifact`` is the API. In JSON logs
each is a key of the record's line; in text logs the message reads
``CLIENT "METHOD PATH" STATUS BYTES DURATIONs``. Like every record, control characters are escaped by
the formatters, so a path cannot forge a line.
"""

from __future__ import annotations

import logging
from typing import Final

__all__ = ["ACCESS_LOGGER", "log_access"]

ACCESS_LOGGER: Final = "interlace.access"

_log = logging.getLogger(ACCESS_LOGGER)


def log_access(
    api: str,
    client: str | None,
    method: str,
    path: str,
    status: int,
    size: int,
    seconds: float,
    correlation_id: str,
) -> None:
    """Log one answered request of ``api`` (see the module docstring)."""
    if not _log.isEnabledFor(logging.INFO):
        return
    fields = {
        "client": client or "-",
        "method": method,
        "path": path,
        "status": status,
        "bytes": size,
        "duration": round(seconds, 6),
    }
    _log.info(
        '%s "%s %s" %d %d %.6fs',
        fields["client"],
        method,
        path,
        status,
        size,
        seconds,
        extra={"correlation_id": correlation_id, "artifact": api, "access": fields},
    )
