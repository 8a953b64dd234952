"""Compile a loaded project into runnable artifacts, or report every problem it has.

Order matters only for references: endpoints and message stores first, then empty sequences for every
named sequence (so flows may call sequences defined in any file, or recursively), then the bodies of
sequences and the APIs' resources, then the route table that dispatches requests to resources, then
the message processors (which refer to stores, endpoints and sequences), and last the scheduled tasks
and inbound endpoints (which refer to sequences, connections and APIs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from interlace.compiler.diagnostics import Diagnostics
from interlace.compiler.endpoints import build_endpoints
from interlace.compiler.flows import FlowBuilder
from interlace.compiler.in_flight import RequestsInFlight
from interlace.compiler.inbound import InboundContext, build_inbound, build_tasks
from interlace.compiler.names import References
from interlace.compiler.operations import build_connections
from interlace.compiler.stores import (
    StoreFactory,
    StoreSink,
    build_processors,
    build_stores,
    gate_full_stores,
)
from interlace.connections import ConnectionPool
from interlace.endpoints import Endpoint, HttpClient, HttpEndpoint
from interlace.errors import ConfigError, SourceLocation
from interlace.expressions import CompileScope
from interlace.inbound import HttpDispatch, Inbound, ScheduledTask
from interlace.mediators.sequence import SequenceMediator, SequenceParameters
from interlace.mediators.store import FullStoreGate, MessageSink
from interlace.model.api import ApiDefinition, BodyDefinition, ResponseDefinition
from interlace.model.load import Project
from interlace.model.project import ServerDefinition
from interlace.model.sequence import SequenceDefinition
from interlace.model.store import StoreDefinition
from interlace.observability.metrics import Metrics
from interlace.observability.tracing import MESSAGE_TRACER
from interlace.processors import MessageProcessor
from interlace.routing import ApiRoutes, ResourceRoute, RouteConflict, RouteTable, TemplateError
from interlace.sdk import ConnectorRegistry
from interlace.services import Wait
from interlace.stores import MessageStore, StoreBell

__all__ = ["ApiArtifact", "Artifacts", "ResourceArtifact", "check_project", "compile_project"]


@dataclass(frozen=True, slots=True)
class ResourceArtifact:
    """A compiled resource: the flow (with its on-error flow) that answers matching requests."""

    api: str
    methods: frozenset[str]
    uri_template: str
    flow: SequenceMediator
    location: SourceLocation
    description: str = ""
    request: BodyDefinition | None = None
    responses: Mapping[int, ResponseDefinition] = field(default_factory=dict)
    """The request body and the answers its OpenAPI document shows, as the resource declares them."""
    in_flight: RequestsInFlight = field(default_factory=RequestsInFlight, compare=False)
    """The requests its deployment answers now (one count shared by the deployment's resources)."""
    gates: tuple[FullStoreGate, ...] = ()
    """The gates of the full stores its flow always stores into, checked before a request's body is read
    (:func:`~interlace.compiler.stores.gate_full_stores`)."""


@dataclass(frozen=True, slots=True)
class ApiArtifact:
    """A compiled API and where it is served."""

    name: str
    context: str
    version: str | None
    resources: tuple[ResourceArtifact, ...]
    location: SourceLocation
    access_log: bool = False
    """Whether each request is logged to the access log."""
    description: str = ""

    @property
    def path(self) -> str:
        """The path prefix the API is served at: its context, then its version when it has one."""
        base = self.context.rstrip("/")
        return f"{base}/{self.version}" if self.version else (base or "/")


@dataclass(frozen=True, slots=True)
class Artifacts:
    """Everything a deployment runs; immutable once built, swapped as a whole on redeploy. ``stores``
    are built but not opened, and ``processors`` not started: the runtime does both."""

    name: str
    version: str
    apis: tuple[ApiArtifact, ...]
    sequences: Mapping[str, SequenceMediator]
    endpoints: Mapping[str, Endpoint]
    routes: RouteTable[ResourceArtifact]
    configs: Mapping[str, Any] = field(default_factory=dict)
    stores: Mapping[str, MessageStore] = field(default_factory=dict)
    processors: Mapping[str, MessageProcessor] = field(default_factory=dict)
    connections: Mapping[str, ConnectionPool] = field(default_factory=dict)
    """Named connections and the ones written inline (``init``); opened lazily, closed by the runtime."""
    tasks: Mapping[str, ScheduledTask] = field(default_factory=dict)
    """Scheduled tasks, not started: the runtime runs them."""
    inbound: Mapping[str, Inbound] = field(default_factory=dict)
    """Inbound endpoints, not started: the runtime runs them."""
    in_flight: RequestsInFlight = field(default_factory=RequestsInFlight, compare=False)
    """The HTTP requests its resources answer now, drained when the deployment is replaced."""


def _compile_api(
    api: ApiDefinition, fb: FlowBuilder, server: ServerDefinition, in_flight: RequestsInFlight
) -> ApiArtifact:
    file = api.location.file
    api_on_error = api.on_error
    resources = []
    for resource in api.resources:
        label = f"{api.api} {'|'.join(resource.methods)} {resource.uri_template}"
        flow = fb.flow(resource.flow, file, label, resource.location_of("flow"))
        on_error_tree = resource.on_error if resource.on_error is not None else api_on_error
        where = (
            resource.location_of("on-error") if resource.on_error is not None else api.location_of("on-error")
        )
        flow.on_error = fb.on_error(on_error_tree, file, f"{label} on-error", where)
        gates = gate_full_stores(flow)
        methods = frozenset(resource.methods)
        resources.append(
            ResourceArtifact(
                api.api,
                methods,
                resource.uri_template,
                flow,
                resource.location,
                resource.description,
                resource.request,
                resource.responses,
                in_flight,
                gates,
            )
        )
    access_log = api.access_log if api.access_log is not None else server.access_log
    return ApiArtifact(
        api.api, api.context, api.version, tuple(resources), api.location, access_log, api.description
    )


def _route_table(apis: list[ApiArtifact], diagnostics: Diagnostics) -> RouteTable[ResourceArtifact]:
    routes = [
        ApiRoutes(
            api.name,
            api.context,
            api.version,
            tuple(
                ResourceRoute(resource.methods, resource.uri_template, resource) for resource in api.resources
            ),
        )
        for api in apis
    ]
    try:
        return RouteTable.build(routes)
    except RouteConflict as exc:
        second = exc.second
        location = second.location if isinstance(second, ResourceArtifact) else SourceLocation("apis", 1)
        if isinstance(second, ApiRoutes):
            location = next((api.location for api in apis if api.name == second.name), location)
        diagnostics.error(exc.message, location, "give each resource its own methods or URI template")
    except TemplateError as exc:
        target = exc.target
        location = target.location if isinstance(target, ResourceArtifact) else SourceLocation("apis", 1)
        if exc.index is None:
            location = next((api.location for api in apis if api.name == exc.api), location)
        diagnostics.error(exc.message, location)
    return RouteTable.build([])


def _default_store_factory(project: Project) -> StoreFactory:
    from interlace.stores.factory import build_store

    def factory(definition: StoreDefinition) -> MessageStore:
        return build_store(definition, project_root=project.root)

    return factory


_INSTALLED: ConnectorRegistry | None = None


def installed_connectors() -> ConnectorRegistry:
    """The registry of installed connectors, shared by compilations (``refresh()`` picks up new ones)."""
    global _INSTALLED
    if _INSTALLED is None:
        _INSTALLED = ConnectorRegistry()
    return _INSTALLED


def compile_project(
    project: Project,
    client: HttpClient | None = None,
    stores: StoreFactory | None = None,
    connectors: ConnectorRegistry | None = None,
    http_dispatch: HttpDispatch | None = None,
    metrics: Metrics | None = None,
    endpoint_stand_in: Callable[[Endpoint], Endpoint] | None = None,
    processor_wait: Wait | None = None,
) -> Artifacts:
    """Compile ``project``; raise ConfigError listing every problem (``detail`` holds them one by one).

    ``stores`` makes each message store (default: a new store of the definition's kind); the stores
    are returned unopened. ``connectors`` is where connector operations are found (default: the
    installed connectors). ``http_dispatch`` makes the request handlers of inbound HTTP listeners.
    ``metrics`` binds the figures of endpoints, connections and stores (None: nothing is counted).
    ``endpoint_stand_in`` returns what to use in place of each endpoint built (the test runner's doubles)
    and ``processor_wait`` replaces the processors' waits (the test runner drives them without waiting).
    """
    diagnostics = Diagnostics(project.problems)
    if project.definition is not None:
        MESSAGE_TRACER.redactor.mark_sensitive(project.name, project.definition.tracing.sensitive)
    scope = CompileScope(configs=project.configs, env=project.env, configs_known=project.configs_known)
    # A name whose definition has problems (at load or here) is not reported again where it is used.
    built_endpoints = build_endpoints(
        project.endpoints, scope, client or HttpClient(), diagnostics, endpoint_stand_in
    )
    endpoints = References[Endpoint](
        "endpoint", built_endpoints, _failed(project, "endpoint", project.endpoints, built_endpoints)
    )
    sequences = References[SequenceMediator]("sequence", invalid=project.invalid.get("sequence", set()))
    built_stores = build_stores(project.stores, stores or _default_store_factory(project), diagnostics)
    bells = {name: StoreBell() for name in built_stores}
    sinks = References[MessageSink](
        "store",
        {
            name: StoreSink(store, bells[name], metrics.stored(name) if metrics else None)
            for name, store in built_stores.items()
        },
        _failed(project, "store", project.stores, built_stores),
    )
    registry = connectors if connectors is not None else installed_connectors()
    built_connections = build_connections(
        project.connections, registry, scope, project.secrets, diagnostics, str(project.root)
    )
    connections = References[ConnectionPool](
        "connection",
        built_connections,
        _failed(project, "connection", project.connections, built_connections),
    )
    for definition in project.sequences:
        sequences.known[definition.sequence] = SequenceMediator(
            definition.sequence, definition.location, parameters=_parameters(definition), named=True
        )
    fb = FlowBuilder(
        scope, diagnostics, sequences, endpoints, str(project.root), sinks, registry, connections
    )
    fb.secrets = project.secrets
    for definition in project.sequences:
        compiled = fb.flow(
            definition.flow, definition.location.file, definition.sequence, definition.location_of("flow")
        )
        target = sequences.known[definition.sequence]
        target.mediators = compiled.mediators
        target.on_error = fb.on_error(
            definition.on_error,
            definition.location.file,
            f"{definition.sequence} on-error",
            definition.location_of("on-error"),
        )
    in_flight = RequestsInFlight()
    apis = [_compile_api(api, fb, project.server, in_flight) for api in project.apis]
    routes = _route_table(apis, diagnostics)
    processors = build_processors(
        project.processors, built_stores, endpoints.known, sequences.known, diagnostics, bells, processor_wait
    )
    inbound_context = InboundContext(
        fb, project.name, project.root, project.server, http_dispatch, stores=built_stores
    )
    tasks = build_tasks(project.tasks, inbound_context)
    inbound = build_inbound(project.inbound, inbound_context, {api.name: api for api in apis})
    diagnostics.raise_if_any()
    if metrics is not None:
        _bind_metrics(
            metrics, built_endpoints.values(), [*connections.known.values(), *fb.inline_connections]
        )
    return Artifacts(
        project.name,
        project.version,
        tuple(apis),
        dict(sequences.known),
        dict(endpoints.known),
        routes,
        dict(project.configs),
        built_stores,
        processors,
        {**connections.known, **{pool.name: pool for pool in fb.inline_connections}},
        tasks,
        inbound,
        in_flight,
    )


def _bind_metrics(metrics: Metrics, endpoints: Iterable[Endpoint], pools: Iterable[ConnectionPool]) -> None:
    for endpoint in endpoints:
        if isinstance(endpoint, HttpEndpoint):  # groups count through their members
            endpoint.metrics = metrics.endpoint(endpoint.name)
    for pool in pools:
        pool.metrics = metrics.connection(pool.connector.name, pool.name)


def _parameters(definition: SequenceDefinition) -> SequenceParameters | None:
    if not definition.parameters:
        return None
    return SequenceParameters(
        {each.name: each.default for each in definition.parameters if not each.required},
        frozenset(each.name for each in definition.parameters if each.required),
    )


def _failed(project: Project, kind: str, definitions: list[Any], built: Mapping[str, object]) -> set[str]:
    """Names of ``kind`` defined with problems: found at load time, or not built."""
    names = {str(getattr(definition, kind)) for definition in definitions}
    return project.invalid.get(kind, set()) | (names - built.keys())


def check_project(project: Project, connectors: ConnectorRegistry | None = None) -> list[ConfigError]:
    """Every problem of ``project`` (its operations looked up in ``connectors``, default: the installed
    ones), in file and line order; empty when it compiles."""
    try:
        compile_project(project, connectors=connectors)
    except ConfigError as exc:
        return list(exc.detail) if isinstance(exc.detail, list) else [exc]
    return []
