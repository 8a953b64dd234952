"""Build the message stores and processors of a project, resolving the names they refer to.

Stores are built (not opened: the runtime opens them when it activates the deployment) by a
``StoreFactory``, so that a runtime can hand back the store it already has open for an unchanged
definition. Processors are built over the built stores, endpoints and sequences.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from prometheus_client import Counter

from interlace.compiler.diagnostics import Diagnostics
from interlace.compiler.names import References
from interlace.endpoints import Endpoint
from interlace.errors import InterlaceError, SourceLocation
from interlace.mediators.sequence import SequenceMediator
from interlace.mediators.store import FullStoreGate, MessageSink, StoreMediator
from interlace.message import MessageContext
from interlace.model.processor import ForwardingDefinition, ProcessorDefinition
from interlace.model.store import StoreDefinition
from interlace.processors import (
    DeliveryTarget,
    EndpointTarget,
    ExhaustedPolicy,
    ForwardingProcessor,
    MessageProcessor,
    SamplingProcessor,
    SequenceTarget,
    StoreTarget,
)
from interlace.services import Backoff, CronSchedule, IntervalSchedule, Schedule, Wait
from interlace.stores import MessageStore, StoreBell, StoredMessage, StoreError, StoreFullError
from interlace.stores.admission import Admission

__all__ = ["StoreFactory", "StoreSink", "build_processors", "build_stores", "gate_full_stores"]

StoreFactory = Callable[[StoreDefinition], MessageStore]
"""Makes the (unopened) store a definition describes; raises ConfigError or ValueError when it cannot."""


class StoreSink:
    """A message store as the store mediator sees it: the context kept as a new StoredMessage.

    Its :meth:`admit` is the gate of a store that refuses when full: once a put was refused it lets
    through only as many requests as a count of the store shows room for
    (:class:`~interlace.stores.admission.Admission`).
    """

    __slots__ = ("admission", "bell", "store", "stored")

    def __init__(
        self, store: MessageStore, bell: StoreBell | None = None, stored: Counter | None = None
    ) -> None:
        self.store = store
        self.bell = bell
        self.stored = stored
        self.admission = Admission()

    @property
    def name(self) -> str:
        return self.store.name

    async def keep(self, ctx: MessageContext, *, origin: str | None = None) -> str:
        message = StoredMessage.from_context(ctx, origin=origin or self.store.name)
        try:
            await self.store.put(message)
        except StoreFullError as exc:
            self.admission.refused(exc.usage)
            raise
        if self.stored is not None:
            self.stored.inc()
        if self.bell is not None:
            self.bell.ring()
        return message.id

    async def admit(self) -> None:
        try:
            full = await self.admission.admit(self.store.bounds, self.store.usage)
        except StoreError:  # cannot tell: refuse as when the store was last found full
            full = self.admission.last_full
        if full is not None:
            raise StoreFullError(self.store.name, self.store.bounds, full)

    def finished(self) -> None:
        self.admission.finished()


def gate_full_stores(flow: SequenceMediator) -> tuple[FullStoreGate, ...]:
    """The gates of a resource whose flow is ``flow``: one for each store it always stores into that
    refuses when full (a store step of the flow itself, without a failover store). While such a store
    is full, the HTTP transport refuses requests before it reads their bodies."""
    gated: dict[str, MessageSink] = {}
    for mediator in flow.mediators:
        if isinstance(mediator, StoreMediator) and mediator.failover is None:
            sink = mediator.store
            if isinstance(sink, StoreSink) and sink.store.bounds.when_full == "refuse":
                gated.setdefault(sink.name, sink)
    return tuple(FullStoreGate(sink, flow.location) for sink in gated.values())


def build_stores(
    definitions: Sequence[StoreDefinition], factory: StoreFactory, diagnostics: Diagnostics
) -> dict[str, MessageStore]:
    """Every store by name; a store the factory refuses is recorded as a problem at its definition."""
    built: dict[str, MessageStore] = {}
    for definition in definitions:
        try:
            built[definition.name] = factory(definition)
        except (InterlaceError, ValueError) as exc:
            message = exc.message if isinstance(exc, InterlaceError) else str(exc)
            diagnostics.error(f"store {definition.name}: {message}", definition.location_of(definition.kind))
    return built


def _schedule(body: ProcessorDefinition) -> Schedule:
    options = body.body
    interval = options.poll_interval
    return IntervalSchedule(interval) if interval is not None else CronSchedule(options.cron or "* * * * *")


def _target(
    definition: ProcessorDefinition,
    stores: References[MessageStore],
    endpoints: References[Endpoint],
    sequences: References[SequenceMediator],
    diagnostics: Diagnostics,
) -> DeliveryTarget | None:
    body = definition.body
    key = {"endpoint": "endpoint", "sequence": "sequence", "store": "to-store"}[body.target_kind]
    where = body.location_of(key)
    forwarding = body if isinstance(body, ForwardingDefinition) else None
    never_retry = forwarding.never_retry_status if forwarding else frozenset()
    if body.endpoint is not None:
        endpoint = endpoints.resolve(body.endpoint, where, diagnostics)
        if endpoint is None:
            return None
        delivered = forwarding.delivered_status if forwarding else frozenset(range(200, 300))
        return EndpointTarget(endpoint, delivered, never_retry)
    if body.sequence is not None:
        sequence = sequences.resolve(body.sequence, where, diagnostics)
        if sequence is None:
            return None
        return SequenceTarget(body.sequence, sequence, never_retry, processor=definition.processor)
    assert body.to_store is not None
    store = stores.resolve(body.to_store, where, diagnostics)
    return StoreTarget(store) if store is not None else None


def _exhausted(
    body: ForwardingDefinition,
    stores: References[MessageStore],
    sequences: References[SequenceMediator],
    diagnostics: Diagnostics,
) -> ExhaustedPolicy | None:
    options = body.on_exhausted
    where = body.location_of("on-exhausted")
    dead_letter = stores.resolve(options.store, where, diagnostics) if options.store is not None else None
    sequence = sequences.resolve(options.sequence, where, diagnostics) if options.sequence else None
    if (options.store is not None and dead_letter is None) or (options.sequence and sequence is None):
        return None
    return ExhaustedPolicy(options.action, dead_letter, sequence, options.sequence or "")


def _build_processor(
    definition: ProcessorDefinition,
    stores: References[MessageStore],
    endpoints: References[Endpoint],
    sequences: References[SequenceMediator],
    bells: Mapping[str, StoreBell],
    diagnostics: Diagnostics,
    wait: Wait | None,
) -> MessageProcessor | None:
    body = definition.body
    waits = {} if wait is None else {"wait": wait}
    source = stores.resolve(body.store, body.location_of("store"), diagnostics)
    target = _target(definition, stores, endpoints, sequences, diagnostics)
    if not isinstance(body, ForwardingDefinition):
        if source is None or target is None:
            return None
        return SamplingProcessor(
            definition.name,
            source,
            target,
            schedule=_schedule(definition),
            starts_active=body.active,
            coordinated=body.coordination,
            **waits,
        )
    exhausted = _exhausted(body, stores, sequences, diagnostics)
    if source is None or target is None or exhausted is None:
        return None
    return ForwardingProcessor(
        definition.name,
        source,
        target,
        schedule=_schedule(definition),
        max_attempts=body.max_attempts,
        backoff=Backoff(body.backoff, body.backoff_factor, body.max_backoff),
        exhausted=exhausted,
        concurrency=body.concurrency,
        starts_active=body.active,
        coordinated=body.coordination,
        bell=bells.get(body.store) if wait is None else None,
        **waits,
    )


def build_processors(
    definitions: Sequence[ProcessorDefinition],
    stores: Mapping[str, MessageStore],
    endpoints: Mapping[str, Endpoint],
    sequences: Mapping[str, SequenceMediator],
    diagnostics: Diagnostics,
    bells: Mapping[str, StoreBell] | None = None,
    wait: Wait | None = None,
) -> dict[str, MessageProcessor]:
    """Every processor by name; unknown stores, endpoints and sequences are recorded as problems, and so
    is a store consumed by two forwarding processors (each would take the other's messages). A
    forwarding processor listens to its store's bell, if ``bells`` has one. ``wait`` replaces every
    wait of the processors (polls, backoffs; then no bell is listened to): a test runner drives them."""
    store_refs = References[MessageStore]("store", dict(stores))
    endpoint_refs = References[Endpoint]("endpoint", dict(endpoints))
    sequence_refs = References[SequenceMediator]("sequence", dict(sequences))
    consumers: dict[str, SourceLocation] = {}
    built: dict[str, MessageProcessor] = {}
    for definition in definitions:
        body = definition.body
        if definition.forwarding is not None:
            other = consumers.get(body.store)
            if other is not None:
                diagnostics.error(
                    f"processor {definition.name}: store {body.store!r} is already forwarded by the"
                    f" processor at {other}",
                    body.location_of("store"),
                    "give each forwarding processor its own store (or raise concurrency)",
                )
                continue
            consumers[body.store] = definition.location
        processor = _build_processor(
            definition, store_refs, endpoint_refs, sequence_refs, bells or {}, diagnostics, wait
        )
        if processor is not None:
            built[definition.name] = processor
    return built
