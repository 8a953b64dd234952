"""``GET /metrics`` on the management port: the server's Prometheus figures, with those that are state
read from the runtime when scraped.

Counted as they happen (see :mod:`interlace.observability.metrics`): requests, endpoint calls,
connector operations, stored messages, deployments. Read at scrape time by :class:`RuntimeFigures`:
each endpoint's circuit state; each store's depth, bound and oldest message's age (asked of the store,
so the scrape awaits them before the figures are written); each processor's, inbound endpoint's and
task's counts, which are kept by the services themselves and start again from zero with a new
deployment (Prometheus reads a lower value of a counter as a reset).

Open by default, as Prometheus scrapes it; with ``INTERLACE_METRICS_TOKEN`` set a scrape must send
``Authorization: Bearer`` that token.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from interlace.inbound import InboundState
from interlace.inbound.tasks import TaskState
from interlace.management.errors import error_answer
from interlace.observability.metrics import CONTENT_TYPE, Metrics
from interlace.processors import ProcessorState
from interlace.runtime import Runtime
from interlace.services import SERVICE_KINDS, ServiceState

__all__ = ["METRICS_PATH", "METRICS_TOKEN_ENV", "RuntimeFigures", "metrics_handler"]

METRICS_PATH: Final = "/metrics"
METRICS_TOKEN_ENV: Final = "INTERLACE_METRICS_TOKEN"

_log = logging.getLogger("interlace.management")
_CIRCUIT_STATES: Final = ("active", "half-open", "suspended")


@dataclass(frozen=True, slots=True)
class _StoreFigures:
    depth: int | None
    max_messages: int
    oldest_age: float | None


class RuntimeFigures(Collector):
    """The figures of ``runtime`` that are state (see the module docstring); :meth:`refresh` asks the
    stores, :meth:`collect` writes everything from what the runtime holds now."""

    def __init__(self, runtime: Runtime, clock: Callable[[], float] = time.time) -> None:
        self.runtime = runtime
        self.clock = clock
        self._stores: dict[str, _StoreFigures] = {}

    async def refresh(self) -> None:
        """Ask every store for its depth and oldest message (a failing store has no depth)."""
        figures: dict[str, _StoreFigures] = {}
        try:
            stores = self.runtime.artifacts.stores
        except RuntimeError:
            stores = {}
        for name, store in stores.items():
            depth: int | None = None
            oldest: float | None = None
            try:
                depth = (await store.usage()).messages
            except Exception as exc:
                _log.warning("metrics: the depth of store %s cannot be read: %s", name, exc)
            try:
                first = await store.browse(0, 1)
                oldest = max(0.0, self.clock() - first[0].created) if first else 0.0
            except Exception as exc:  # a kind that cannot browse (rabbitmq) has no oldest message age
                _log.debug("metrics: the oldest message of store %s cannot be read: %s", name, exc)
            figures[name] = _StoreFigures(depth, store.bounds.max_messages, oldest)
        self._stores = figures

    def describe(self) -> Iterable[Metric]:
        return []  # the families vary with what is deployed: nothing to check at registration

    def collect(self) -> Iterable[Metric]:
        yield from self._endpoints()
        yield from self._store_families()
        services = self.runtime.services
        yield from _processors([s for s in services.states("processor") if isinstance(s, ProcessorState)])
        yield from _inbound([s for s in services.states("inbound") if isinstance(s, InboundState)])
        yield from _tasks([s for s in services.states("task") if isinstance(s, TaskState)])
        yield from _restarts([(kind, state) for kind in SERVICE_KINDS for state in services.states(kind)])

    def _endpoints(self) -> Iterator[Metric]:
        circuit = GaugeMetricFamily(
            "interlace_endpoint_circuit_state",
            "1 for the state an endpoint's circuit is in (active, half-open, suspended), else 0.",
            labels=["endpoint", "state"],
        )
        try:
            endpoints = self.runtime.artifacts.endpoints
        except RuntimeError:
            endpoints = {}
        for name, endpoint in sorted(endpoints.items()):
            state = endpoint.state().state
            for candidate in _CIRCUIT_STATES:
                circuit.add_metric([name, candidate], 1.0 if candidate == state else 0.0)
        yield circuit

    def _store_families(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("interlace_store_depth", "Messages a store holds.", labels=["store"])
        bound = GaugeMetricFamily(
            "interlace_store_max_messages", "The most messages a store holds.", labels=["store"]
        )
        oldest = GaugeMetricFamily(
            "interlace_store_oldest_message_age_seconds",
            "Age of the oldest message a store holds (0 when empty).",
            labels=["store"],
        )
        for name, figures in sorted(self._stores.items()):
            bound.add_metric([name], figures.max_messages)
            if figures.depth is not None:
                depth.add_metric([name], figures.depth)
            if figures.oldest_age is not None:
                oldest.add_metric([name], figures.oldest_age)
        yield from (depth, bound, oldest)


def _counter(name: str, documentation: str, labels: list[str]) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, labels=labels)


def _processors(states: list[ProcessorState]) -> Iterator[Metric]:
    labels = ["processor", "store"]
    forwarded = _counter("interlace_processor_forwarded", "Messages a processor delivered.", labels)
    failed = _counter("interlace_processor_failed_attempts", "Delivery attempts that failed.", labels)
    dead = _counter("interlace_processor_dead_lettered", "Messages moved to a dead-letter store.", labels)
    dropped = _counter("interlace_processor_dropped", "Messages dropped after their attempts.", labels)
    in_flight = GaugeMetricFamily("interlace_processor_in_flight", "Messages being delivered.", labels=labels)
    for state in states:
        key = [state.name, state.store]
        forwarded.add_metric(key, state.delivered)
        failed.add_metric(key, state.failed_attempts)
        dead.add_metric(key, state.dead_lettered)
        dropped.add_metric(key, state.dropped)
        in_flight.add_metric(key, state.in_flight)
    yield from (forwarded, failed, dead, dropped, in_flight)


def _inbound(states: list[InboundState]) -> Iterator[Metric]:
    labels = ["inbound"]
    events = _counter("interlace_inbound_events", "Events an inbound endpoint took from its source.", labels)
    acked = _counter(
        "interlace_inbound_acknowledged", "Events whose flow settled and that were acknowledged.", labels
    )
    redelivered = _counter(
        "interlace_inbound_failed_attempts", "Failed attempts; each is handed back for redelivery.", labels
    )
    dead = _counter("interlace_inbound_dead_lettered", "Events dead-lettered after their attempts.", labels)
    in_flight = GaugeMetricFamily("interlace_inbound_in_flight", "Events being processed.", labels=labels)
    lag = GaugeMetricFamily(
        "interlace_inbound_lag",
        "Messages waiting at the source behind the last event taken, as the source reports it (Kafka, "
        "NATS JetStream); absent for sources that do not.",
        labels=labels,
    )
    for state in states:
        events.add_metric([state.name], state.received)
        acked.add_metric([state.name], state.processed)
        redelivered.add_metric([state.name], state.failed)
        dead.add_metric([state.name], state.dead_lettered)
        in_flight.add_metric([state.name], state.in_flight)
        if state.lag is not None:
            lag.add_metric([state.name], state.lag)
    yield from (events, acked, redelivered, dead, in_flight, lag)


def _tasks(states: list[TaskState]) -> Iterator[Metric]:
    runs = _counter("interlace_task_runs", "Runs of a scheduled task.", ["task"])
    failures = _counter("interlace_task_failures", "Runs of a scheduled task that failed.", ["task"])
    for state in states:
        runs.add_metric([state.name], state.runs)
        failures.add_metric([state.name], state.failures)
    yield from (runs, failures)


def _restarts(states: list[tuple[str, ServiceState]]) -> Iterator[Metric]:
    labels = ["kind", "name"]
    restarts = _counter("interlace_service_restarts", "Restarts of a service after failures.", labels)
    up = GaugeMetricFamily("interlace_service_active", "1 while a service runs on this node.", labels=labels)
    for kind, state in states:
        restarts.add_metric([kind, state.name], state.restarts)
        up.add_metric([kind, state.name], 1.0 if state.status == "active" else 0.0)
    yield from (restarts, up)


def metrics_handler(
    metrics: Metrics | None, figures: RuntimeFigures | None, token: str | None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The handler of ``GET /metrics`` (404 when the server keeps no metrics)."""

    async def serve(request: web.Request) -> web.Response:
        if metrics is None:
            return error_answer(
                request, 404, "NOT_FOUND", "this server keeps no metrics (started with --no-metrics)"
            )
        if token is not None:
            scheme, _, given = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                return error_answer(
                    request,
                    401,
                    "UNAUTHORIZED",
                    "the metrics need Authorization: Bearer and the metrics token",
                )
        if figures is not None:
            await figures.refresh()
        return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})

    return serve
