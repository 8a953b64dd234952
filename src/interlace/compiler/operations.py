"""Connections and connector operations: settings checked against the connector's own settings class,
operation parameters checked against the operation's spec, both at their lines.

A flow item whose kind has a dot (``gmail.sendMail``) is a connector operation. Its options are the
operation's parameters plus ``connection`` (a connection's name), or ``init`` (the connection's settings
written inline, as WSO2 users know it), and ``response-variable``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic

from interlace.compiler.diagnostics import Diagnostics
from interlace.compiler.flows import FlowBuilder
from interlace.connections import ConnectionPool
from interlace.endpoints.urls import UrlText, compile_url_text
from interlace.errors import ConfigError, ExpressionError, InterlaceError, SourceLocation, did_you_mean
from interlace.expressions import CompileScope, ValueTemplate, compile_template
from interlace.mediators.base import Mediator
from interlace.mediators.operation import OperationMediator
from interlace.message import MessageContext
from interlace.model.base import format_validation_error
from interlace.model.connection import ConnectionDefinition
from interlace.model.yamlsource import LineDict, line_of
from interlace.observability.tracing import remember_secret
from interlace.sdk import (
    PROJECT_FOLDER,
    Connector,
    ConnectorRegistry,
    OperationSpec,
    RegistryError,
    Secret,
    UnknownConnectorError,
)

__all__ = ["SECRETS_DIR_ENV", "build_connections", "build_operation", "connection_pool"]

SECRETS_DIR_ENV = "INTERLACE_SECRETS_DIR"
_SECRET = re.compile(r"\$\{secret\.([A-Za-z_][A-Za-z0-9_]*)\}")
_RESERVED = ("connection", "init", "response-variable")
_NO_MESSAGE = MessageContext()  # settings are constants: they never look at a message


def _secret(name: str, env: Mapping[str, str], fallback: Mapping[str, str]) -> str | None:
    """``${secret.NAME}``: the environment variable NAME, else the file NAME in the secrets folder, else
    the active profile's ``[secrets]`` (development credentials)."""
    found = _secret_value(name, env, fallback)
    if found is not None:
        remember_secret(found)  # never shown by a message trace
    return found


def _secret_value(name: str, env: Mapping[str, str], fallback: Mapping[str, str]) -> str | None:
    if name in env:
        return env[name]
    folder = Path(env.get(SECRETS_DIR_ENV, "/run/secrets"))
    try:
        return (folder / name).read_text(encoding="utf-8").strip()
    except OSError:
        return fallback.get(name)


def _resolve(
    value: Any,
    scope: CompileScope,
    secrets: Mapping[str, str],
    where: SourceLocation,
    diagnostics: Diagnostics,
) -> Any:
    """A setting's value with ``${secret.X}``, ``${configs.x}`` and ``${env.X}`` filled in at load time."""
    if isinstance(value, dict):
        return {key: _resolve(item, scope, secrets, where, diagnostics) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, scope, secrets, where, diagnostics) for item in value]
    if not isinstance(value, str) or "${" not in value:
        return value

    def secret(match: re.Match[str]) -> str:
        found = _secret(match.group(1), scope.env, secrets)
        if found is None:
            diagnostics.error(
                f"secret {match.group(1)} is not set",
                where,
                f"export {match.group(1)}=... or write it to the file {match.group(1)}"
                f" in ${SECRETS_DIR_ENV} (default /run/secrets)",
            )
            return ""
        return found.replace("$", "\\$")

    text = _SECRET.sub(secret, value)
    try:
        template = compile_template(text, location=where, scope=scope)
    except ExpressionError as exc:
        diagnostics.expression(exc, where)
        return value
    if not template.is_constant:
        diagnostics.error(
            "connection settings must be known at load time: use ${configs.x}, ${env.X} or ${secret.X}", where
        )
        return value
    return template.render(_NO_MESSAGE)


def _settings(
    connector: Connector,
    name: str,
    raw: Mapping[str, Any],
    file: str,
    tree: Any,
    scope: CompileScope,
    secrets: Mapping[str, str],
    diagnostics: Diagnostics,
    project_root: str,
) -> Any:
    values = {
        key: _resolve(value, scope, secrets, SourceLocation(file, line_of(tree, (key,))), diagnostics)
        for key, value in raw.items()
    }
    try:
        # Local paths in settings are relative to the project's folder (see the SDK's project_path).
        config = connector.config_class.model_validate(values, context={PROJECT_FOLDER: project_root})
    except pydantic.ValidationError as exc:
        for problem in format_validation_error(
            exc, tree, file, show_input=False, model=connector.config_class
        ):
            problem.message = f"connection {name} ({connector.name}): {problem.message}"
            diagnostics.problems.append(problem)
        return None
    _remember_secrets(config)
    return config


def _remember_secrets(value: Any) -> None:
    """Note the secret settings (also those written in the file rather than as ``${secret.X}``)."""
    if isinstance(value, Secret):
        remember_secret(value.reveal())
    elif isinstance(value, pydantic.BaseModel):
        for item in vars(value).values():
            _remember_secrets(item)
    elif isinstance(value, dict | list | tuple):
        for item in value.values() if isinstance(value, dict) else value:
            _remember_secrets(item)


def _connector(
    registry: ConnectorRegistry, name: str, where: SourceLocation, diagnostics: Diagnostics
) -> Connector | None:
    try:
        return registry.get(name)
    except UnknownConnectorError as exc:
        diagnostics.error(
            exc.message, where, exc.hint or "`interlace connector list` shows the installed connectors"
        )
    except RegistryError as exc:
        diagnostics.error(f"the installed connectors cannot be loaded: {exc.message}", where)
    return None


def build_connections(
    definitions: list[ConnectionDefinition],
    registry: ConnectorRegistry,
    scope: CompileScope,
    secrets: Mapping[str, str],
    diagnostics: Diagnostics,
    project_root: str = ".",
) -> dict[str, ConnectionPool]:
    """A pool per connection whose connector is installed and whose settings are valid; ``secrets``
    are the profile's fallback values for ``${secret.NAME}``; local paths in settings are relative to
    ``project_root``. Settings are not checked when the
    configuration could not be read (``scope.configs_known``): they would all seem wrong."""
    pools: dict[str, ConnectionPool] = {}
    for definition in definitions:
        connector = _connector(
            registry, definition.connector, definition.location_of("connector"), diagnostics
        )
        if connector is None or not scope.configs_known:
            continue
        settings = definition.settings
        tree = LineDict(definition.location.line)
        tree.update(settings)
        tree.key_lines.update({key: definition.location_of(key).line for key in settings})
        config = _settings(
            connector,
            definition.connection,
            settings,
            definition.location.file,
            tree,
            scope,
            secrets,
            diagnostics,
            project_root,
        )
        if config is not None:
            pools[definition.connection] = ConnectionPool(definition.connection, connector, config)
    return pools


def _declared(
    connector: Connector, name: str, fb: FlowBuilder, where: SourceLocation
) -> OperationSpec | None:
    try:
        return connector.get_operation(name)
    except UnknownConnectorError as exc:
        hint = exc.hint or did_you_mean(name, list(connector.operations))
        fb.diagnostics.error(f"connector {connector.name} has no operation {name!r}", where, hint)
        return None


def _defined(
    connector: Connector, pool: ConnectionPool, name: str, fb: FlowBuilder, where: SourceLocation
) -> OperationSpec | None:
    """An operation that the settings of the flow's connection define (see ``ConnectionOperations``)."""
    assert connector.connection_operations is not None
    try:
        operations = connector.connection_operations(pool.config, Path(fb.project_root))
    except InterlaceError as exc:
        fb.diagnostics.error(f"connection {pool.name} ({connector.name}): {exc.message}", where)
        return None
    if name in operations:
        return operations[name]
    hint = did_you_mean(name, list(operations)) or (
        f"it has: {', '.join(list(operations)[:20])}{', ...' if len(operations) > 20 else ''}"
        if operations
        else None
    )
    fb.diagnostics.error(f"connection {pool.name} ({connector.name}) has no operation {name!r}", where, hint)
    return None


def connection_pool(
    kind: str,
    connector_name: str,
    options: Mapping[str, Any],
    file: str,
    where: SourceLocation,
    fb: FlowBuilder,
) -> ConnectionPool | None:
    """The connection ``options`` name (``connection: NAME``, of connector ``connector_name``) or define
    inline (``init: {...}``: a pool of its own, opened with the deployment); None with the problem
    recorded. ``kind`` names the user (an operation, a trigger) in messages."""
    line = line_of(options, ("connection",), where.line)
    if "init" in options:
        if "connection" in options:
            fb.diagnostics.error(f"{kind}: give either connection or init, not both", where)
            return None
        init = options["init"]
        if not isinstance(init, dict):
            fb.diagnostics.error(f"{kind}: init must be a mapping of the connection's settings", where)
            return None
        connector = fb.connectors.get(connector_name)
        name = f"{kind}@{where}"
        config = _settings(
            connector, name, init, file, init, fb.scope, fb.secrets, fb.diagnostics, fb.project_root
        )
        if config is None:
            return None
        pool = ConnectionPool(name, connector, config)
        fb.inline_connections.append(pool)
        return pool
    connection = options.get("connection")
    if not isinstance(connection, str) or not connection:
        fb.diagnostics.error(
            f"{kind} needs a connection",
            where,
            "add connection: NAME (a file in connections/) or init: {...}",
        )
        return None
    named = fb.connections.resolve(connection, SourceLocation(file, line), fb.diagnostics)
    if named is not None and named.connector.name != connector_name:
        fb.diagnostics.error(
            f"{kind} needs a {connector_name} connection, but {connection!r} is a"
            f" {named.connector.name} connection",
            SourceLocation(file, line),
        )
        return None
    return named


def build_operation(
    kind: str, raw: Any, file: str, where: SourceLocation, fb: FlowBuilder
) -> Mediator | None:
    """The mediator for ``connector.operation: {...}``; problems are recorded in the diagnostics.

    An operation the connector does not declare may be one its connection's settings define: the
    connection is then resolved first, to ask the connector for it."""
    connector_name, _, operation_name = kind.partition(".")
    connector = _connector(fb.connectors, connector_name, where, fb.diagnostics)
    if connector is None:
        return None
    options: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    if raw is not None and not isinstance(raw, dict):
        raise ConfigError(f"{kind} takes a mapping of parameters (got {type(raw).__name__})", location=where)
    pool: ConnectionPool | None = None
    if connector.connection_operations is None or operation_name in connector.operations:
        spec = _declared(connector, operation_name, fb, where)
    else:
        pool = connection_pool(kind, connector_name, options, file, where, fb)
        spec = None if pool is None else _defined(connector, pool, operation_name, fb, where)
    if spec is None:
        return None
    parameters = {key: value for key, value in options.items() if key not in _RESERVED}
    for problem in spec.validate_static(parameters):
        line = line_of(options, (problem.key,), where.line) if problem.kind != "missing" else where.line
        fb.diagnostics.error(problem.message, SourceLocation(file, line), problem.hint)
    response_variable = options.get("response-variable")
    if response_variable is not None and not isinstance(response_variable, str):
        fb.diagnostics.error(f"{kind}: response-variable must be a variable name", where)
        response_variable = None
    if pool is None:
        pool = connection_pool(kind, connector_name, options, file, where, fb)
    values = _values(spec, parameters, options, file, where, fb)
    if pool is None:
        return None
    return OperationMediator(spec, pool, values, response_variable, where)


def _values(
    spec: OperationSpec,
    parameters: dict[str, Any],
    options: Mapping[str, Any],
    file: str,
    where: SourceLocation,
    fb: FlowBuilder,
) -> ValueTemplate:
    """The parameters' values; a URL parameter's text is a URL template, its values percent-encoded."""
    urls: dict[str, UrlText] = {}
    for parameter in spec.parameters:
        text = parameters.get(parameter.name)
        if parameter.url and isinstance(text, str) and "${" in text:
            location = SourceLocation(file, line_of(options, (parameter.name,), where.line))
            try:
                urls[parameter.name] = compile_url_text(text, location=location, scope=fb.scope)
            except ExpressionError as exc:
                fb.diagnostics.expression(exc, location)
    values = fb.value({key: value for key, value in parameters.items() if key not in urls}, where)
    if not urls:
        return values

    def render(ctx: MessageContext) -> Any:
        rendered = values.render(ctx)
        rendered.update((name, url.render_str(ctx)) for name, url in urls.items())
        return rendered

    return ValueTemplate(parameters, False, render)
