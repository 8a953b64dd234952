"""The server's Prometheus figures: one registry per server, families named once, children bound early.

A :class:`Metrics` is made once per server (not the process-wide default registry, so two servers in
one process, or two tests, count apart). The parts that count hold *bound* children, taken when a
deployment is compiled or its route table first served: the HTTP transport a :class:`RequestMetrics`
per resource and method, an endpoint an :class:`EndpointMetrics`, a connection pool a
:class:`ConnectionMetrics`, a store's sink a counter of what it stored. Counting a request is then two
increments and one histogram observation, with no label lookup.

Every label value comes from the compiled model (API and resource names, URI templates, declared
methods, endpoint, connection, store and project names) or from a fixed set (status classes,
outcomes), never from request data, so the number of series is bounded by the projects deployed.

Figures that are state rather than events (a store's depth, a circuit's state, a processor's counts)
are read when the figures are scraped, by a collector registered with :meth:`Metrics.register`.

With several workers (``interlace run --workers N``), ``PROMETHEUS_MULTIPROC_DIR`` names a folder the
workers share: each process writes its counts there (prometheus-client's multiprocess mode), and
:meth:`Metrics.exposition` sums every worker's, those of workers that exited included, so the figures
are the server's. ``interlace_workers`` (a live gauge: the processes alive now) says how many serve.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

__all__ = [
    "CONTENT_TYPE",
    "STATUS_CLASSES",
    "ConnectionMetrics",
    "EndpointMetrics",
    "Metrics",
    "RequestMetrics",
]

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
"""The content type of :meth:`Metrics.exposition` (Prometheus text format 0.0.4)."""

STATUS_CLASSES: Final = ("1xx", "2xx", "3xx", "4xx", "5xx")

MULTIPROCESS_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
"""The folder where the workers of one server write their counts (set by the parent of the workers)."""

_LATENCY_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True, slots=True)
class RequestMetrics:
    """The children of one resource and method: a request counter per status class and the latency."""

    by_class: tuple[Counter, ...]
    latency: Histogram

    def observe(self, status: int, seconds: float) -> None:
        """Count one answered request of ``status`` that took ``seconds``."""
        index = status // 100 - 1
        self.by_class[index if 0 <= index < 5 else 4].inc()
        self.latency.observe(seconds)


@dataclass(frozen=True, slots=True)
class EndpointMetrics:
    """The children of one endpoint: its calls, their latency and its failed calls."""

    calls: Counter
    failures: Counter
    latency: Histogram

    def observe(self, seconds: float, failed: bool) -> None:
        """Count one call that took ``seconds`` (all its attempts) and whether it failed."""
        self.calls.inc()
        self.latency.observe(seconds)
        if failed:
            self.failures.inc()


@dataclass(frozen=True, slots=True)
class ConnectionMetrics:
    """The children of one connection: the operations run on it and those that failed."""

    operations: Counter
    errors: Counter


class Metrics:
    """The families of one server in their own registry (see the module docstring)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._shared_folder = os.environ.get(MULTIPROCESS_ENV) or None
        self._collectors: list[Collector] = []
        resource = ["api", "resource", "method"]
        counter, histogram = self._counter, self._histogram
        self._requests = counter(
            "interlace_api_requests",
            "Requests answered per API resource and method, by status class.",
            [*resource, "status_class"],
        )
        self._request_latency = histogram(
            "interlace_api_request_duration_seconds",
            "Time from a request's arrival to its answer, per API resource and method.",
            resource,
        )
        self._endpoint_calls = counter(
            "interlace_endpoint_calls",
            "Calls sent to an endpoint (retries within a call).",
            ["endpoint"],
        )
        self._endpoint_failures = counter(
            "interlace_endpoint_failures",
            "Calls to an endpoint that failed (after retries).",
            ["endpoint"],
        )
        self._endpoint_latency = histogram(
            "interlace_endpoint_call_duration_seconds", "Time a call to an endpoint took, retries included.",
            ["endpoint"],
        )  # fmt: skip
        connection = ["connector", "connection"]
        self._operations = counter(
            "interlace_connection_operations", "Connector operations run on a connection.", connection
        )
        self._operation_errors = counter(
            "interlace_connection_errors", "Connector operations on a connection that failed.", connection
        )
        self._stored = counter(
            "interlace_store_stored", "Messages the store mediator put into a message store.", ["store"]
        )
        self._refreshes = counter(
            "interlace_oauth2_refreshes",
            "Calls of an OAuth2 token endpoint for a connection, by outcome (ok, failed, authorized).",
            ["connection", "outcome"],
        )
        self._deployments = counter(
            "interlace_deployments",
            "Deployments of a project (deploy, redeploy, rollback, undeploy), by outcome.",
            ["project", "outcome"],
        )

        workers = Gauge(
            "interlace_workers",
            "Processes serving this server's APIs (interlace run --workers).",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        workers.set(1)

    def _counter(self, name: str, documentation: str, labels: list[str]) -> Counter:
        return Counter(name, documentation, labels, registry=self.registry)

    def _histogram(self, name: str, documentation: str, labels: list[str]) -> Histogram:
        return Histogram(name, documentation, labels, buckets=_LATENCY_BUCKETS, registry=self.registry)

    def register(self, collector: Collector) -> None:
        """Add a collector of figures read at scrape time."""
        self.registry.register(collector)
        self._collectors.append(collector)

    def unregister(self, collector: Collector) -> None:
        """Remove a collector added with :meth:`register`."""
        self.registry.unregister(collector)
        self._collectors.remove(collector)

    def resource(self, api: str, uri_template: str, method: str) -> RequestMetrics:
        """The bound children of one resource and method (call once per deployment, not per request)."""
        by_class = tuple(self._requests.labels(api, uri_template, method, cls) for cls in STATUS_CLASSES)
        return RequestMetrics(by_class, self._request_latency.labels(api, uri_template, method))

    def endpoint(self, name: str) -> EndpointMetrics:
        """The bound children of the endpoint ``name``."""
        return EndpointMetrics(
            self._endpoint_calls.labels(name),
            self._endpoint_failures.labels(name),
            self._endpoint_latency.labels(name),
        )

    def connection(self, connector: str, name: str) -> ConnectionMetrics:
        """The bound children of the connection ``name`` of ``connector``."""
        return ConnectionMetrics(
            self._operations.labels(connector, name), self._operation_errors.labels(connector, name)
        )

    def stored(self, store: str) -> Counter:
        """The bound counter of messages put into ``store`` by the store mediator."""
        return self._stored.labels(store)

    def oauth2_refresh(self, connection: str, outcome: str) -> None:
        """Count one call of the token endpoint for ``connection``: ``ok``, ``failed`` or ``authorized``
        (the first grant of an authorization)."""
        self._refreshes.labels(connection, outcome).inc()

    def deployment(self, project: str, outcome: str) -> None:
        """Count one deployment change of ``project``: ``deployed``, ``refused`` (it did not compile or
        start) or ``undeployed``."""
        self._deployments.labels(project, outcome).inc()

    def exposition(self) -> bytes:
        """Every figure in the Prometheus text format (see :data:`CONTENT_TYPE`): with several workers,
        the counts of all of them, and the figures read at scrape time from this process."""
        if self._shared_folder is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, self._shared_folder)  # type: ignore[no-untyped-call]
        for collector in self._collectors:
            registry.register(collector)
        return generate_latest(registry)
