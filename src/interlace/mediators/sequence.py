"""SequenceMediator: an ordered list of mediators with an optional on-error flow.

Every flow is one: an API resource's flow, a named sequence, a branch of filter or switch. When a
mediator fails, the sequence records the error on the context (``${error.code}``, ``${error.message}``,
``${error.detail}``) and runs its on-error flow, which ends the flow; without an on-error flow the error
goes to the enclosing sequence, and finally to the caller (the default error answer).

A sequence is also the one place where message tracing touches a flow: for a traced message
(``ctx.trace`` set) it runs each mediator through the trace's ``step``; otherwise the loop is the plain
one. A named sequence that is switched on for tracing starts a trace for a message not yet traced.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from interlace.errors import InterlaceError, SourceLocation
from interlace.expressions import ValueTemplate
from interlace.mediators.base import CONTINUE, EVERY_BODY, NO_BODIES, STOP, Mediator, read_body_for
from interlace.message import BodyOrigin, ErrorInfo, FlowTrace, MessageContext
from interlace.observability.tracing import MESSAGE_TRACER

__all__ = ["SequenceCallMediator", "SequenceMediator", "SequenceParameters", "error_info"]

_log = logging.getLogger("interlace.flow")


def error_info(exc: InterlaceError) -> ErrorInfo:
    """What an on-error flow sees of an error. The message is the one a client may be shown (no project
    file and line, no internal address: those are for operators, in the log), since on-error flows often
    show it to clients."""
    return ErrorInfo(
        code=exc.code, message=exc.public_message, detail=exc.detail, status=exc.status, headers=exc.headers
    )


@dataclass(frozen=True, slots=True)
class SequenceParameters:
    """The parameters a sequence declares: each one's default, and those callers must give."""

    defaults: Mapping[str, Any]
    required: frozenset[str]

    def with_defaults(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """``given`` completed with a copy of the default of each parameter not given."""
        return {**{k: copy.deepcopy(v) for k, v in self.defaults.items() if k not in given}, **given}


class SequenceMediator:
    """Runs ``mediators`` in order; ``mediators`` and ``on_error`` may be filled after construction so that
    named sequences can refer to each other. ``parameters`` are those a named sequence declares;
    ``named`` marks a sequence artifact (not a resource's flow or a branch), which can be traced by its
    name."""

    __slots__ = ("location", "mediators", "name", "named", "on_error", "parameters")

    unread_bodies = EVERY_BODY
    """Its own mediators decide whether the body is read (see :mod:`interlace.mediators.base`)."""

    def __init__(
        self,
        name: str,
        location: SourceLocation,
        mediators: tuple[Mediator, ...] = (),
        on_error: Mediator | None = None,
        parameters: SequenceParameters | None = None,
        *,
        named: bool = False,
    ) -> None:
        self.name = name
        self.named = named
        self.location = location
        self.mediators = mediators
        self.on_error = on_error
        self.parameters = parameters

    async def mediate(self, ctx: MessageContext) -> bool:
        trace = ctx.trace
        if self.named and MESSAGE_TRACER.on and (trace is None or not trace.records):
            return await self._traced_as_sequence(ctx, trace)
        return await self._run(ctx, trace)

    async def _run(self, ctx: MessageContext, trace: FlowTrace | None) -> bool:
        try:
            if trace is None:
                for mediator in self.mediators:
                    if ctx.payload.unread is not None:
                        await read_body_for(mediator, ctx)
                    if not await mediator.mediate(ctx):
                        return STOP
            else:
                for position, mediator in enumerate(self.mediators):
                    if ctx.payload.unread is not None:
                        await read_body_for(mediator, ctx)
                    if not await trace.step(self.name, position, mediator, ctx):
                        return STOP
            return CONTINUE
        except InterlaceError as exc:
            if self.on_error is None:
                raise
            _log.info("sequence %s failed: %s", self.name, exc, extra={"correlation_id": ctx.correlation_id})
            ctx.error = error_info(exc)
        except Exception as exc:
            if self.on_error is None:
                raise
            _log.exception(
                "unexpected failure in sequence %s (correlation id %s)", self.name, ctx.correlation_id
            )
            ctx.error = error_info(
                InterlaceError(f"internal error in sequence {self.name}: {type(exc).__name__}")
            )
        await self.on_error.mediate(ctx)
        return STOP

    async def _traced_as_sequence(self, ctx: MessageContext, outer: FlowTrace | None) -> bool:
        """Run with a message trace of its own when this sequence is traced, for as long as it runs
        (inside the OpenTelemetry spans of ``outer``, when there are)."""
        recorder = MESSAGE_TRACER.start("sequence", self.name, ctx)
        if recorder is None:
            return await self._run(ctx, outer)
        if outer is None:
            ctx.trace = recorder
        else:
            outer.record_into(recorder)
        try:
            went_on = await self._run(ctx, ctx.trace)
        except BaseException as exc:
            recorder.finish("failed", str(exc))
            raise
        finally:
            if outer is None:
                ctx.trace = None
            else:
                outer.record_into(None)
        recorder.finish("finished" if went_on else "stopped")
        return went_on

    def __repr__(self) -> str:
        return f"SequenceMediator({self.name!r}, {len(self.mediators)} mediators)"


class SequenceCallMediator:
    """Runs a named sequence with ``parameters`` (``${params.functionParams.x}``, completed with the
    defaults the sequence declares) and goes on after it, unless the sequence ended the flow."""

    __slots__ = ("location", "parameters", "target")

    def __init__(
        self, target: SequenceMediator, parameters: ValueTemplate | None, location: SourceLocation
    ) -> None:
        self.target = target
        self.parameters = parameters
        self.location = location

    @property
    def unread_bodies(self) -> frozenset[BodyOrigin]:
        """Any, unless the parameters read the payload (see :mod:`interlace.mediators.base`)."""
        parameters = self.parameters
        return NO_BODIES if parameters is not None and parameters.reads_payload else EVERY_BODY

    async def mediate(self, ctx: MessageContext) -> bool:
        declared = self.target.parameters
        if self.parameters is None and declared is None:
            return await self.target.mediate(ctx)
        given: dict[str, Any] = self.parameters.render(ctx) if self.parameters is not None else {}
        saved = ctx.params.function
        ctx.params.function = declared.with_defaults(given) if declared is not None else given
        try:
            return await self.target.mediate(ctx)
        finally:
            ctx.params.function = saved
