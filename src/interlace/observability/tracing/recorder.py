"""TraceRecorder: records one traced message's way through its flow, mediator by mediator.

It is the message's :class:`~interlace.message.FlowTrace`: a sequence that runs a traced message calls
:meth:`TraceRecorder.step` for each mediator instead of ``mediate``, and that is the only place where
tracing touches a flow. Everything here runs only for traced messages.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol

import orjson
from pydantic import JsonValue

from interlace.errors import InterlaceError
from interlace.message import FlowTrace, MessageContext
from interlace.observability.tracing.redaction import Redactor
from interlace.observability.tracing.views import (
    MessageSnapshot,
    MessageTrace,
    PayloadSnapshot,
    TraceOutcome,
    TraceStep,
)

__all__ = ["SnapshotLimits", "TraceRecorder", "mediator_kind", "mediator_name"]

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_PARENT: ContextVar[tuple[TraceRecorder, int] | None] = ContextVar("interlace_trace_parent", default=None)


class _Traceable(Protocol):
    async def mediate(self, ctx: MessageContext) -> bool: ...


class SnapshotLimits(Protocol):
    """The tracer's current caps (read per trace, so a change applies to the next message)."""

    @property
    def max_payload_size(self) -> int: ...

    @property
    def max_steps(self) -> int: ...


def mediator_kind(mediator: object) -> str:
    """``log`` for ``LogMediator``, ``sequence-call`` for ``SequenceCallMediator``."""
    name = type(mediator).__name__.removesuffix("Mediator") or type(mediator).__name__
    return _CAMEL.sub("-", name).lower()


def mediator_name(mediator: object) -> str | None:
    """What a mediator names: its endpoint, store, target sequence or operation, else its own name."""
    qualified = getattr(getattr(mediator, "spec", None), "qualified_name", None)
    if isinstance(qualified, str):
        return qualified
    for attribute in ("endpoint", "store", "target", "pool"):
        named = getattr(getattr(mediator, attribute, None), "name", None)
        if isinstance(named, str):
            return named
    own = getattr(mediator, "name", None)
    return own if isinstance(own, str) else None


def _jsonable(value: Any) -> JsonValue:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


class TraceRecorder:
    """Records the steps of ``trace``; ``finish`` hands it to ``on_finish`` (the tracer's buffer)."""

    __slots__ = ("_limits", "_on_finish", "_redactor", "_started", "trace")

    def __init__(
        self,
        trace: MessageTrace,
        redactor: Redactor,
        limits: SnapshotLimits,
        on_finish: Callable[[MessageTrace], None],
    ) -> None:
        self.trace = trace
        self._redactor = redactor
        self._limits = limits
        self._on_finish = on_finish
        self._started = time.perf_counter()

    async def step(self, sequence: str, position: int, mediator: _Traceable, ctx: MessageContext) -> bool:
        trace = self.trace
        if len(trace.steps) >= self._limits.max_steps:
            trace.steps_left_out += 1
            return await mediator.mediate(ctx)
        holder = _PARENT.get()
        step = TraceStep(
            index=len(trace.steps),
            parent=holder[1] if holder is not None and holder[0] is self else None,
            sequence=sequence,
            position=position,
            kind=mediator_kind(mediator),
            name=mediator_name(mediator),
            location=str(getattr(mediator, "location", "?")),
            offset_ms=self._since(self._started),
            before=await self._read_snapshot(ctx, quietly=False),
        )
        trace.steps.append(step)
        trace.step_count = len(trace.steps)
        token = _PARENT.set((self, step.index))
        started = time.perf_counter()
        try:
            went_on = await mediator.mediate(ctx)
        except BaseException as exc:
            step.outcome = "failed"
            step.error = self._redactor.text(str(exc) or type(exc).__name__)
            raise
        else:
            step.outcome = "continued" if went_on else "stopped"
            return went_on
        finally:
            _PARENT.reset(token)
            step.duration_ms = self._since(started)
            step.after = await self._read_snapshot(ctx, quietly=True)

    @property
    def records(self) -> bool:
        return True

    def record_into(self, recorder: FlowTrace | None) -> None:
        raise RuntimeError("this message is recorded already")

    def finish(self, outcome: TraceOutcome, error: str | None = None) -> None:
        """Record how the flow ended and hand the trace over; called once."""
        self.trace.outcome = outcome
        self.trace.error = self._redactor.text(error) if error else None
        self.trace.duration_ms = self._since(self._started)
        self._on_finish(self.trace)

    async def _read_snapshot(self, ctx: MessageContext, *, quietly: bool) -> MessageSnapshot:
        """A snapshot with the body read first: a recorded message shows its body, so an unread one is
        read here. Before a step, a body that cannot be read fails the step (as the mediator would
        have); after one, it is shown unread (the flow's own outcome stands, and whoever reads the body
        next meets the same error)."""
        try:
            await ctx.payload.read()
        except InterlaceError:
            if not quietly:
                raise
        return self.snapshot(ctx)

    def snapshot(self, ctx: MessageContext) -> MessageSnapshot:
        redactor = self._redactor
        variables = redactor.value("vars", _jsonable(ctx.variables))
        return MessageSnapshot(
            payload=self._payload(ctx),
            headers=redactor.headers(ctx.headers.items()),
            variables=variables if isinstance(variables, dict) else {},
        )

    def _payload(self, ctx: MessageContext) -> PayloadSnapshot:
        payload = ctx.payload
        if payload.unread is not None:
            return PayloadSnapshot(content_type=payload.content_type, size=0, body=None, truncated=False)
        size = len(payload)
        cap = self._limits.max_payload_size
        body: JsonValue = None
        text: str | None = None
        if payload.kind == "json":
            try:
                body = self._redactor.value("payload", _jsonable(payload.json()))
            except Exception:  # a payload that says JSON but is not: shown as text
                text = payload.raw.decode("utf-8", "replace")
            else:
                if size > cap:
                    text = orjson.dumps(body).decode()
        elif payload.kind in ("text", "xml"):
            text = payload.raw[: cap * 4].decode("utf-8", "replace")
        if text is not None:
            text = self._redactor.markup(text) if payload.kind == "xml" else self._redactor.text(text)
            body = text[:cap]
        truncated = text is not None and len(text) > cap
        return PayloadSnapshot(content_type=payload.content_type, size=size, body=body, truncated=truncated)

    @staticmethod
    def _since(started: float) -> float:
        return round((time.perf_counter() - started) * 1000, 3)
