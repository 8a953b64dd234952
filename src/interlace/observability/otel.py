"""OpenTelemetry traces (the ``otel`` extra): a span per request or delivery, per mediator, per endpoint
call and per connector operation, with the W3C trace context taken from clients, sent to endpoints and
HTTP-speaking connectors, and kept with stored messages.

One per server process (:data:`OTEL`), off unless enabled: ``interlace run`` enables it with an OTLP
exporter when ``[tracing] otlp-endpoint`` is set, tests with an in-memory exporter. While off, nothing
of OpenTelemetry is imported and a message pays one flag read where its flow starts, where an endpoint
is called and where an operation runs.

The spans:

- a flow's run (``run_flow``): ``SERVER`` for an API request, ``CONSUMER`` for a delivery, an inbound
  event or a task run; its parent is the message's ``traceparent`` (kept from the flow that stored
  it) or the client's ``traceparent`` header;
- each mediator, as a child of the flow's span or of the mediator that ran it (a branch, a sequence);
- each endpoint call and connector operation, ``CLIENT``, whose context goes out as ``traceparent``.

A stored message keeps the ``traceparent`` of the mediator that stored it, so its delivery is a child of
that span: the request and its later delivery are one trace.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol

from interlace.errors import ConfigError
from interlace.message import FlowTrace, MessageContext
from interlace.observability.logging import set_trace_id_source
from interlace.observability.tracing.recorder import mediator_kind, mediator_name
from interlace.sdk.propagation import set_trace_headers

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span, Tracer

__all__ = ["OTEL", "OpenTelemetry", "SpanTrace"]

_TRACEPARENT = "traceparent"
_SCOPE = "interlace"


class _Traceable(Protocol):
    async def mediate(self, ctx: MessageContext) -> bool: ...


class OpenTelemetry:
    """The process's OpenTelemetry tracing; ``on`` is the one flag the hot path reads."""

    def __init__(self) -> None:
        self.on = False
        self._provider: TracerProvider | None = None
        self._tracer: Tracer | None = None

    def enable(self, provider: TracerProvider) -> None:
        """Trace into ``provider`` (its span processors and exporters) from now on."""
        self._provider = provider
        self._tracer = provider.get_tracer(_SCOPE)
        self.on = True
        set_trace_id_source(_current_trace_id)

    def enable_otlp(self, endpoint: str, service_name: str) -> None:
        """Export by OTLP over HTTP to ``endpoint``, in batches; ConfigError without the otel extra."""
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor
        except ImportError as exc:
            raise ConfigError(
                "[tracing] otlp-endpoint needs OpenTelemetry: pip install 'interlace[otel]'"
                f" ({exc.name} is not installed)"
            ) from exc
        provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        self.enable(provider)

    def disable(self) -> None:
        """Stop tracing; spans not exported yet are flushed (for a provider this enabled)."""
        provider, self._provider, self._tracer, self.on = self._provider, None, None, False
        set_trace_id_source(None)
        if provider is not None:
            provider.shutdown()

    @contextlib.contextmanager
    def flow_span(self, kind: str, name: str, ctx: MessageContext) -> Iterator[SpanTrace]:
        """The span of one flow run on ``ctx`` in the artifact ``kind name`` (its name, so that names
        stay few); what it yields is the message's trace (set it on ``ctx``)."""
        from opentelemetry.trace import SpanKind

        tracer = self._active()
        attributes = {
            "interlace.artifact.kind": kind,
            "interlace.artifact.name": name,
            "interlace.correlation_id": ctx.correlation_id,
        }
        if ctx.method:
            attributes |= {"http.request.method": ctx.method, "url.path": ctx.path}
        span_kind = SpanKind.SERVER if kind == "api" else SpanKind.CONSUMER
        parent = _extract(ctx.traceparent or ctx.headers.get(_TRACEPARENT))
        with tracer.start_as_current_span(f"{kind} {name}", parent, span_kind, attributes) as span:
            ctx.traceparent = _traceparent()
            yield SpanTrace(tracer, span)

    @contextlib.contextmanager
    def client_span(
        self,
        name: str,
        ctx: MessageContext,
        attributes: dict[str, str],
        headers: MutableMapping[str, str] | None,
    ) -> Iterator[None]:
        """The span of an outbound call; ``headers`` (an endpoint's request) get its trace context, and
        connectors find it through :func:`interlace.sdk.trace_headers` while it runs."""
        from opentelemetry import trace
        from opentelemetry.trace import SpanKind

        tracer = self._active()
        parent = None if trace.get_current_span().get_span_context().is_valid else _extract(ctx.traceparent)
        with tracer.start_as_current_span(name, parent, SpanKind.CLIENT, attributes):
            sent = _inject()
            if headers is not None:
                headers.update(sent)
            token = set_trace_headers(sent)
            try:
                yield
            finally:
                token.var.reset(token)

    def _active(self) -> Tracer:
        if self._tracer is None:
            raise RuntimeError("OpenTelemetry tracing is off")
        return self._tracer


class SpanTrace:
    """A message's trace while OpenTelemetry is on: a span per mediator, and the message trace it also
    records into when it is traced (``inner``)."""

    __slots__ = ("inner", "span", "tracer")

    def __init__(self, tracer: Tracer, span: Span, inner: FlowTrace | None = None) -> None:
        self.tracer = tracer
        self.span = span
        self.inner = inner

    @property
    def records(self) -> bool:
        return self.inner is not None

    def failed(self, description: str | None) -> None:
        """Mark the flow's span failed (an error that ended the flow, handled or not)."""
        from opentelemetry.trace import Status, StatusCode

        self.span.set_status(Status(StatusCode.ERROR, description))

    def record_into(self, recorder: FlowTrace | None) -> None:
        self.inner = recorder

    async def step(self, sequence: str, position: int, mediator: _Traceable, ctx: MessageContext) -> bool:
        kind = mediator_kind(mediator)
        name = mediator_name(mediator)
        location = getattr(mediator, "location", None)
        attributes: dict[str, Any] = {
            "interlace.mediator.kind": kind,
            "interlace.sequence": sequence,
            "interlace.mediator.position": position,
        }
        if location is not None:
            attributes["code.filepath"] = str(location.file)
            attributes["code.lineno"] = int(location.line)
        with self.tracer.start_as_current_span(f"{kind} {name}" if name else kind, attributes=attributes):
            ctx.traceparent = _traceparent()
            inner = self.inner
            if inner is not None:
                return await inner.step(sequence, position, mediator, ctx)
            return await mediator.mediate(ctx)


def _extract(traceparent: str | None) -> Context | None:
    if not traceparent:
        return None
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    return TraceContextTextMapPropagator().extract({_TRACEPARENT: traceparent})


def _inject() -> dict[str, str]:
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return carrier


def _current_trace_id() -> str | None:
    """The trace id of the current span, for log lines (None outside a span)."""
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def _traceparent() -> str | None:
    return _inject().get(_TRACEPARENT)


OTEL = OpenTelemetry()
"""The server process's OpenTelemetry tracing."""
