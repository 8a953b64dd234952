"""MessageTracer: which artifacts are traced, switched at run time, and the bounded buffer of their
message traces, queryable by correlation id and by artifact.

One per server process (:data:`MESSAGE_TRACER`), like the logging configuration: the management API
switches it, flows consult it. While nothing is traced, ``on`` is False and the only cost on a message
is reading that attribute where a flow starts (``run_flow``, a named sequence); nothing is recorded.

A message is traced when the artifact it enters is switched on, and also when a trace with its
correlation id is still in the buffer: so a processor's delivery of a message that a traced flow
stored joins that message's traces (the correlation id is carried through the store). The buffer
keeps the newest ``buffer_size`` traces; traces still running are kept apart and are never evicted.
"""

from __future__ import annotations

import itertools
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime

from interlace.message import MessageContext
from interlace.observability.tracing.recorder import TraceRecorder
from interlace.observability.tracing.redaction import Redactor
from interlace.observability.tracing.views import MessageTrace, TracedKind, TraceSwitch

__all__ = [
    "DEFAULT_BUFFER_SIZE",
    "DEFAULT_MAX_PAYLOAD_SIZE",
    "DEFAULT_MAX_STEPS",
    "MESSAGE_TRACER",
    "MessageTracer",
    "remember_secret",
]

DEFAULT_BUFFER_SIZE = 200
DEFAULT_MAX_PAYLOAD_SIZE = 16 * 1024
DEFAULT_MAX_STEPS = 500


class MessageTracer:
    """The switches and the buffer (see the module docstring). Used from the event loop's thread only."""

    def __init__(
        self,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
        max_payload_size: int = DEFAULT_MAX_PAYLOAD_SIZE,
        max_steps: int = DEFAULT_MAX_STEPS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.on = False
        """True while any artifact is traced: the one check a flow makes."""
        self.buffer_size = buffer_size
        self.max_payload_size = max_payload_size
        self.max_steps = max_steps
        self.redactor = Redactor()
        self._clock = clock
        self._switched: set[tuple[TracedKind, str]] = set()
        self._done: deque[MessageTrace] = deque()
        self._running: dict[int, MessageTrace] = {}
        self._correlation_ids: Counter[str] = Counter()
        self._numbers = itertools.count(1)

    def configure(self, *, buffer_size: int, max_payload_size: int, max_steps: int) -> None:
        """Set the caps; a smaller buffer drops its oldest traces now."""
        self.buffer_size = buffer_size
        self.max_payload_size = max_payload_size
        self.max_steps = max_steps
        self._evict()

    def switch(self, kind: TracedKind, name: str, enabled: bool) -> TraceSwitch:
        """Trace the messages of one artifact from now on, or stop (its traces stay in the buffer)."""
        if enabled:
            self._switched.add((kind, name))
        else:
            self._switched.discard((kind, name))
        self.on = bool(self._switched)
        return TraceSwitch(kind=kind, name=name, enabled=enabled)

    def switches(self) -> list[TraceSwitch]:
        """The artifacts traced now."""
        return [TraceSwitch(kind=kind, name=name, enabled=True) for kind, name in sorted(self._switched)]

    def traces(self, kind: TracedKind, name: str) -> bool:
        return (kind, name) in self._switched

    def start(self, kind: TracedKind, name: str, ctx: MessageContext) -> TraceRecorder | None:
        """A recorder for ``ctx`` entering the artifact, or None when the message is not traced."""
        correlation_id = ctx.correlation_id
        if (kind, name) not in self._switched and correlation_id not in self._correlation_ids:
            return None
        trace = MessageTrace(
            id=next(self._numbers),
            correlation_id=correlation_id,
            kind=kind,
            name=name,
            started_at=self._clock(),
        )
        self._running[trace.id] = trace
        self._correlation_ids[correlation_id] += 1
        return TraceRecorder(trace, self.redactor, self, self._finished)

    def find(
        self,
        *,
        correlation_id: str | None = None,
        kind: TracedKind | None = None,
        name: str | None = None,
        limit: int = 100,
    ) -> list[MessageTrace]:
        """The traces that match, newest first (running ones included)."""
        found: list[MessageTrace] = []
        for trace in sorted(itertools.chain(self._done, self._running.values()), key=lambda t: -t.id):
            if correlation_id is not None and trace.correlation_id != correlation_id:
                continue
            if (kind is not None and trace.kind != kind) or (name is not None and trace.name != name):
                continue
            found.append(trace)
            if len(found) >= limit:
                break
        return found

    def get(self, number: int) -> MessageTrace | None:
        running = self._running.get(number)
        if running is not None:
            return running
        return next((trace for trace in self._done if trace.id == number), None)

    def clear(self) -> None:
        """Forget every finished trace."""
        while self._done:
            self._forget(self._done.popleft())

    def reset(self) -> None:
        """Nothing traced, kept or known (as a new server starts, before it compiles its projects)."""
        self._switched.clear()
        self.on = False
        self.clear()
        self._running.clear()
        self._correlation_ids.clear()
        self._numbers = itertools.count(1)
        self.redactor = Redactor()

    def _finished(self, trace: MessageTrace) -> None:
        self._running.pop(trace.id, None)
        self._done.append(trace)
        self._evict()

    def _evict(self) -> None:
        while len(self._done) > self.buffer_size:
            self._forget(self._done.popleft())

    def _forget(self, trace: MessageTrace) -> None:
        count = self._correlation_ids[trace.correlation_id] - 1
        if count > 0:
            self._correlation_ids[trace.correlation_id] = count
        else:
            del self._correlation_ids[trace.correlation_id]


MESSAGE_TRACER = MessageTracer()
"""The server process's message tracer."""


def remember_secret(value: str) -> None:
    """Note a secret value resolved at load time: no message trace of this process will show it."""
    MESSAGE_TRACER.redactor.remember_secret(value)
