"""The trace context of the operation running now, for connectors that speak HTTP to send along.

When the runtime traces with OpenTelemetry, it sets the W3C trace context headers (``traceparent``,
``tracestate``) of each connector operation's span before the operation runs; a connector that sends
HTTP requests adds :func:`trace_headers` to them, so the peer's spans join the trace. Off, they are
empty and cost one context variable read.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar, Token

__all__ = ["set_trace_headers", "trace_headers"]

_NONE: Mapping[str, str] = {}
_HEADERS: ContextVar[Mapping[str, str]] = ContextVar("interlace_trace_headers", default=_NONE)


def trace_headers() -> Mapping[str, str]:
    """The headers to send with an outbound HTTP request of the current operation (often empty)."""
    return _HEADERS.get()


def set_trace_headers(headers: Mapping[str, str]) -> Token[Mapping[str, str]]:
    """Set the current operation's trace headers (the runtime does); reset with the token after it."""
    return _HEADERS.set(headers)
