"""Scheduled tasks and inbound endpoints: names resolved (with hints), trigger parameters checked against
the trigger's spec at their lines, templates compiled, and the runnable objects built (not started).

An inbound endpoint's flow is its sequence, called from an anonymous flow that carries the endpoint's
own ``on-error``; a task's flow is its sequence.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interlace.compiler.flows import FlowBuilder
from interlace.compiler.operations import connection_pool
from interlace.errors import ExpressionError, SourceLocation, did_you_mean
from interlace.expressions import ValueTemplate, compile_value
from interlace.inbound import (
    AttemptCounter,
    ConnectorTriggerSource,
    EventSource,
    FileCheckpoint,
    HttpDispatch,
    HttpListener,
    Inbound,
    InboundEndpoint,
    Redelivery,
    ScheduledTask,
    StoreDeadLetters,
)
from interlace.mediators.base import Mediator
from interlace.mediators.sequence import SequenceCallMediator, SequenceMediator
from interlace.message import MessageContext, Payload
from interlace.model.inbound import InboundDefinition, default_dead_letter_store
from interlace.model.project import ServerDefinition
from interlace.model.task import TaskDefinition
from interlace.model.yamlsource import line_of
from interlace.routing import ApiRoutes, ResourceRoute, RouteConflict, RouteTable, TemplateError
from interlace.sdk import RESERVED_NAMES, RegistryError, TriggerSpec, UnknownConnectorError
from interlace.services import (
    Backoff,
    CronSchedule,
    IntervalSchedule,
    OnceSchedule,
    Schedule,
    Wait,
    wait_or_stop,
)
from interlace.serving import ConnectionLimits
from interlace.stores import MessageStore

if TYPE_CHECKING:
    from interlace.compiler.compile import ApiArtifact

__all__ = ["InboundContext", "build_inbound", "build_tasks"]

_STATE_DIR = ".interlace"  # the runtime's state folder in a project
_NO_MESSAGE = MessageContext()
_TEXT = "text/plain; charset=utf-8"


class InboundContext:
    """What building tasks and inbound endpoints needs of the compilation besides the definitions."""

    def __init__(
        self,
        fb: FlowBuilder,
        project_name: str,
        root: Path,
        server: ServerDefinition,
        http_dispatch: HttpDispatch | None = None,
        wait: Wait = wait_or_stop,
        clock: Callable[[], float] = time.time,
        stores: Mapping[str, MessageStore] | None = None,
    ) -> None:
        self.fb = fb
        self.stores = stores or {}
        self.project_name = project_name
        self.root = root
        self.server = server
        self.http_dispatch = http_dispatch
        self.wait = wait
        self.clock = clock


# tasks -------------------------------------------------------------------------------------------
def _schedule(definition: TaskDefinition, clock: Callable[[], float]) -> Schedule:
    if definition.interval is not None:
        return IntervalSchedule(definition.interval)
    if definition.cron is not None:
        return CronSchedule(definition.cron, clock)
    at = definition.once if not isinstance(definition.once, bool) else None
    return OnceSchedule(at, clock)


def _message_factory(definition: TaskDefinition, fb: FlowBuilder) -> Callable[[], MessageContext]:
    file = definition.location.file
    where = definition.location_of("text" if definition.text is not None else "payload")
    payload: Callable[[MessageContext], Payload]
    if definition.text is not None:
        template = fb.template(definition.text, where)
        content_type = definition.content_type or _TEXT
        payload = lambda ctx: Payload.of_text(template.render_str(ctx), content_type)  # noqa: E731
    elif "payload" in definition.model_fields_set:
        value = fb.value(definition.payload, where)
        payload = lambda ctx: Payload.of_json(value.render(ctx))  # noqa: E731
    else:
        payload = lambda ctx: Payload.empty()  # noqa: E731
    variables: dict[str, ValueTemplate] = {
        name: fb.value(value, SourceLocation(file, line_of(definition.variables, (name,), where.line)))
        for name, value in definition.variables.items()
    }
    variables_line = definition.location_of("variables")
    for name in definition.variables:
        if not name.isidentifier():
            fb.diagnostics.error(f"variable names are letters, digits and _ (got {name!r})", variables_line)

    def message() -> MessageContext:
        ctx = MessageContext()
        ctx.payload = payload(ctx)
        for name, template in variables.items():
            ctx.variables[name] = template.render(ctx)
        return ctx

    return message


def build_tasks(definitions: list[TaskDefinition], context: InboundContext) -> dict[str, ScheduledTask]:
    """A task per definition whose sequence exists; problems are recorded in the diagnostics."""
    fb = context.fb
    tasks: dict[str, ScheduledTask] = {}
    for definition in definitions:
        sequence = fb.sequence(definition.sequence, definition.location_of("sequence"))
        message = _message_factory(definition, fb)
        if sequence is None:
            continue
        tasks[definition.task] = ScheduledTask(
            definition.task,
            _schedule(definition, context.clock),
            sequence,
            message,
            target=definition.sequence,
            wait=context.wait,
            starts_active=definition.active,
            coordinated=definition.coordination,
            clock=context.clock,
        )
    return tasks


# inbound endpoints -------------------------------------------------------------------------------
def _flow(definition: InboundDefinition, fb: FlowBuilder) -> Mediator | None:
    assert definition.sequence is not None
    where = definition.location_of("sequence")
    target = fb.sequence(definition.sequence, where)
    on_error = fb.on_error(
        definition.on_error,
        definition.location.file,
        f"inbound {definition.inbound} on-error",
        definition.location_of("on-error"),
    )
    if target is None:
        return None
    if on_error is None:
        return target
    call = SequenceCallMediator(target, None, where)
    return SequenceMediator(f"inbound {definition.inbound}", definition.location, (call,), on_error)


def _constant(value: Any, where: SourceLocation, fb: FlowBuilder, what: str) -> Any:
    try:
        template = compile_value(value, location=where, scope=fb.scope)
    except ExpressionError as exc:
        fb.diagnostics.expression(exc, where)
        return value
    if not template.is_constant:
        fb.diagnostics.error(f"{what} must be known at load time: use ${{configs.x}} or ${{env.X}}", where)
        return value
    return template.render(_NO_MESSAGE)


def _trigger_spec(qualified: str, where: SourceLocation, fb: FlowBuilder) -> TriggerSpec | None:
    connector_name, _, trigger_name = qualified.partition(".")
    try:
        connector = fb.connectors.get(connector_name)
    except UnknownConnectorError as exc:
        fb.diagnostics.error(
            exc.message, where, exc.hint or "`interlace connector list` shows the installed connectors"
        )
        return None
    except RegistryError as exc:
        fb.diagnostics.error(f"the installed connectors cannot be loaded: {exc.message}", where)
        return None
    try:
        return connector.get_trigger(trigger_name)
    except UnknownConnectorError as exc:
        fb.diagnostics.error(
            f"connector {connector_name} has no trigger {trigger_name!r}",
            where,
            exc.hint or did_you_mean(trigger_name, list(connector.triggers)),
        )
        return None


def _trigger_source(definition: InboundDefinition, context: InboundContext) -> EventSource | None:
    fb = context.fb
    file = definition.location.file
    tree = definition.trigger
    (qualified, raw), *_ = tree.items()
    where = SourceLocation(file, line_of(tree, (qualified,), definition.location_of("trigger").line))
    spec = _trigger_spec(str(qualified), where, fb)
    if spec is None:
        return None
    options: Mapping[str, Any] = raw or {}
    parameters = {key: value for key, value in options.items() if key not in RESERVED_NAMES}
    for problem in spec.validate_static(parameters):
        line = line_of(options, (problem.key,), where.line) if problem.kind != "missing" else where.line
        fb.diagnostics.error(problem.message, SourceLocation(file, line), problem.hint)
    values = {
        key: _constant(
            value, SourceLocation(file, line_of(options, (key,), where.line)), fb, f"{qualified}.{key}"
        )
        for key, value in parameters.items()
    }
    pool = connection_pool(str(qualified), spec.connector, options, file, where, fb)
    if pool is None:
        return None
    checkpoint = None
    if spec.checkpoint is not None:
        name = f"{context.project_name}/{definition.inbound}"
        checkpoint = FileCheckpoint(context.root / _STATE_DIR, definition.inbound, name=name)
    return ConnectorTriggerSource(spec, pool, values, checkpoint=checkpoint)


def _http_listener(
    definition: InboundDefinition, context: InboundContext, apis: Mapping[str, ApiArtifact]
) -> HttpListener | None:
    options = definition.http
    assert options is not None
    chosen: list[ApiArtifact] = []
    for name in options.apis:
        api = apis.get(name)
        if api is None:
            where = options.location_of("apis")
            hint = did_you_mean(name, dict(apis)) or f"define it in apis/{name}.yaml"
            context.fb.diagnostics.error(f"unknown api {name!r}", where, hint)
        else:
            chosen.append(api)
    if len(chosen) != len(options.apis):
        return None
    try:
        routes = RouteTable.build(
            [
                ApiRoutes(
                    api.name,
                    api.context,
                    api.version,
                    tuple(ResourceRoute(r.methods, r.uri_template, r) for r in api.resources),
                )
                for api in chosen
            ]
        )
    except (TemplateError, RouteConflict):
        return None  # reported where the project's route table, which holds these APIs, is built
    return HttpListener(
        definition.inbound,
        host=options.host or context.server.host,
        port=options.port,
        apis=tuple(options.apis),
        routes=routes,
        max_body_size=context.server.max_body_size,
        dispatch=context.http_dispatch,
        max_in_flight=definition.max_in_flight,
        limits=ConnectionLimits.of(context.server),
        starts_active=definition.active,
        graceful_timeout=context.server.graceful_timeout,
    )


def _dead_letters(definition: InboundDefinition, context: InboundContext) -> StoreDeadLetters | None:
    name = definition.dead_letter_store or default_dead_letter_store(context.project_name)
    store = context.stores.get(name)
    if store is None:
        where = definition.location_of("dead-letter-store")
        hint = did_you_mean(name, dict(context.stores)) or f"define it in stores/{name}.yaml"
        context.fb.diagnostics.error(f"unknown dead-letter store {name!r}", where, hint)
        return None
    return StoreDeadLetters(store)


def build_inbound(
    definitions: list[InboundDefinition], context: InboundContext, apis: Mapping[str, ApiArtifact]
) -> dict[str, Inbound]:
    """An inbound endpoint per definition whose names resolve and whose parameters are valid; problems
    are recorded in the diagnostics. ``apis`` are the compiled APIs an HTTP listener may serve."""
    built: dict[str, Inbound] = {}
    for definition in definitions:
        if definition.http is not None:
            listener = _http_listener(definition, context, apis)
            if listener is not None:
                built[definition.inbound] = listener
            continue
        source = _trigger_source(definition, context)
        flow = _flow(definition, context.fb)
        if source is None or flow is None:
            continue
        requeue = definition.requeue
        dead_letters = _dead_letters(definition, context)
        redelivery = definition.redelivery
        built[definition.inbound] = InboundEndpoint(
            definition.inbound,
            source,
            flow,
            target=definition.sequence or "",
            wait=context.wait,
            max_in_flight=definition.max_in_flight,
            requeue=True if requeue is None else requeue,
            redelivery=Redelivery(
                redelivery.max_attempts,
                Backoff(initial=redelivery.backoff, factor=2.0, maximum=redelivery.max_backoff),
            ),
            dead_letters=dead_letters,
            starts_active=definition.active,
            coordinated=definition.coordination,
            attempts=AttemptCounter(context.root / _STATE_DIR / "attempts" / f"{definition.inbound}.json"),
        )
    return built
