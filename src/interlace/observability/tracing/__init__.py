"""Message traces: the recorded path of one message through a flow, per mediator, with redacted
snapshots; switched per artifact at run time and kept in a bounded buffer."""

from interlace.observability.tracing.recorder import TraceRecorder
from interlace.observability.tracing.redaction import REDACTED, Redactor, check_sensitive_entry
from interlace.observability.tracing.tracer import MESSAGE_TRACER, MessageTracer, remember_secret
from interlace.observability.tracing.views import (
    TRACED_KINDS,
    MessageSnapshot,
    MessageTrace,
    PayloadSnapshot,
    TracedKind,
    TraceOutcome,
    TraceStep,
    TraceSummary,
    TraceSwitch,
)

__all__ = [
    "MESSAGE_TRACER",
    "REDACTED",
    "TRACED_KINDS",
    "MessageSnapshot",
    "MessageTrace",
    "MessageTracer",
    "PayloadSnapshot",
    "Redactor",
    "TraceOutcome",
    "TraceRecorder",
    "TraceStep",
    "TraceSummary",
    "TraceSwitch",
    "TracedKind",
    "check_sensitive_entry",
    "remember_secret",
]
