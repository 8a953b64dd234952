"""Every diagram test starts with no message traced and no trace kept (the tracer is process-wide)."""

from __future__ import annotations

from tests.observability.test_message_traces import tracer

__all__ = ["tracer"]  # autouse: reset before and after each test
