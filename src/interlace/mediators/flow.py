"""Running a flow and naming how it ended: :func:`run_flow` and :class:`FlowResult`.

Contract: every caller that runs a flow on a message (the HTTP transport per request, processors per
delivery, inbound endpoints per event, tasks per run, tests) calls ``run_flow(flow, ctx)`` once per
message and reads the result; none of them calls ``mediate`` itself or looks at ``ctx.error``. It is
safe to run concurrently on different contexts (a flow keeps no per-message state). It never raises,
except ``asyncio.CancelledError`` when the caller is cancelled (the message is then neither finished nor
failed: the caller hands it back).

The outcomes:

==========  =================================================  ==========================  ===========
outcome     how the flow ended                                 HTTP answer                 ``settles``
==========  =================================================  ==========================  ===========
replied     a respond mediator set the reply                   the reply                   yes
finished    it ran to its end without responding               the current message, 200    yes
dropped     a drop mediator (or filter/switch branch) ended it 202 Accepted, no body       yes
failed      an error ended it; ``handled`` when an on-error    handled: its reply, else    handled: yes
            flow ran (that flow may have responded)            the error answer; not       not handled:
                                                               handled: the error answer   no
==========  =================================================  ==========================  ===========

``settles`` is the one rule for sources that acknowledge: a message whose flow settles is done
(acknowledged, counted as delivered); otherwise it is handed back or retried. An error that an on-error
flow handled settles: the on-error flow is where a project decides what a failure means, and one that
wants the message retried raises an error from it (``throw-error``), which is then not handled.

``artifact`` names the artifact the message entered (the API, processor, inbound endpoint or task):
when that artifact is switched on for message tracing, the run is recorded as a message trace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from interlace.errors import InterlaceError
from interlace.mediators.base import Mediator
from interlace.mediators.sequence import error_info
from interlace.message import ErrorInfo, MessageContext
from interlace.observability.logging import enter_log_scope, leave_log_scope
from interlace.observability.otel import OTEL
from interlace.observability.tracing import MESSAGE_TRACER, TracedKind

__all__ = ["FlowOutcome", "FlowResult", "run_flow"]

FlowOutcome = Literal["replied", "finished", "dropped", "failed"]
"""How a flow ended (see the module docstring)."""

_log = logging.getLogger("interlace.flow")

_INTERNAL_ERROR_MESSAGE = "the request could not be processed"
"""What a client learns of an unexpected failure; the log has the rest."""


@dataclass(frozen=True, slots=True)
class FlowResult:
    """The named outcome of running a flow on one message.

    ``error`` is set for ``failed``: what an on-error flow or a client may see (no file, line or
    internal detail). ``handled`` says an on-error flow ran on it. ``description`` is the failure as
    operators need it (with file:line, or the unexpected exception), for logs and ``last_error``; it is
    never shown to a client.
    """

    outcome: FlowOutcome
    error: ErrorInfo | None = None
    handled: bool = False
    description: str | None = None

    @property
    def settles(self) -> bool:
        """True when the message is done with (acknowledge it, count it delivered): every outcome but a
        failure that no on-error flow handled."""
        return self.outcome != "failed" or self.handled


_FINISHED = FlowResult("finished")
_REPLIED = FlowResult("replied")
_DROPPED = FlowResult("dropped")


async def run_flow(
    flow: Mediator,
    ctx: MessageContext,
    *,
    what: str = "flow",
    artifact: tuple[TracedKind, str] | None = None,
) -> FlowResult:
    """Run ``flow`` on ``ctx`` and name how it ended (see the module docstring). ``what`` names the
    flow's caller in the log (``inbound endpoint Orders``); every record logged while it runs carries
    the message's correlation id and the name of ``artifact`` (the API, processor, inbound endpoint or
    task it entered, by kind and name). An error that escapes the flow is logged (an unexpected
    exception with its traceback) and becomes a ``failed`` result; ``ctx.reply`` and ``ctx.error`` are
    left as the flow set them."""
    scope = enter_log_scope(ctx.correlation_id, artifact[1] if artifact is not None else None)
    try:
        if (MESSAGE_TRACER.on or OTEL.on) and artifact is not None and ctx.trace is None:
            return await _run_traced(flow, ctx, what, artifact)
        return await _run(flow, ctx, what)
    finally:
        leave_log_scope(scope)


async def _run_traced(
    flow: Mediator, ctx: MessageContext, what: str, artifact: tuple[TracedKind, str]
) -> FlowResult:
    """Run with a message trace when the artifact is traced, and in OpenTelemetry spans when on."""
    recorder = MESSAGE_TRACER.start(*artifact, ctx) if MESSAGE_TRACER.on else None
    try:
        if OTEL.on:
            with OTEL.flow_span(*artifact, ctx) as spans:
                spans.inner = recorder
                ctx.trace = spans
                result = await _run(flow, ctx, what)
                if result.outcome == "failed":
                    spans.failed(result.description)
        else:
            ctx.trace = recorder
            result = await _run(flow, ctx, what)
    except BaseException:
        if recorder is not None:
            recorder.finish("failed", "cancelled")
        raise
    finally:
        ctx.trace = None
    if recorder is not None:
        recorder.finish(result.outcome, result.description)
    return result


async def _run(flow: Mediator, ctx: MessageContext, what: str) -> FlowResult:
    try:
        went_on = await flow.mediate(ctx)
    except InterlaceError as exc:
        level = logging.WARNING if exc.status >= 500 else logging.INFO
        _log.log(level, "%s failed: %s", what, exc, extra={"correlation_id": ctx.correlation_id})
        return FlowResult("failed", error_info(exc), description=str(exc))
    except Exception as exc:
        _log.exception("%s failed unexpectedly", what, extra={"correlation_id": ctx.correlation_id})
        error = ErrorInfo("INTERNAL_ERROR", _INTERNAL_ERROR_MESSAGE, status=500)
        return FlowResult("failed", error, description=f"internal error: {type(exc).__name__}: {exc}")
    if went_on:
        return _FINISHED
    if ctx.error is not None:  # an on-error flow ran and ended the flow
        handled = ctx.error
        return FlowResult("failed", handled, True, f"{handled.code}: {handled.message}")
    return _REPLIED if ctx.reply is not None else _DROPPED
