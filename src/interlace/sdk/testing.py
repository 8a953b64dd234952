"""Conformance checks for connector authors, to call from their own pytest suites::

    from interlace.sdk.testing import assert_connector_conforms
    from interlace_redis import connector

    def test_the_connector_conforms() -> None:
        assert_connector_conforms(connector)

They check what users rely on: every operation, trigger, parameter and setting is documented; examples
fit their types; settings that look secret are typed :class:`~interlace.sdk.Secret`; a secret never
shows in a config's repr, str, dump, JSON, log line or error; the JSON Schema and the reference page
render. :func:`connector_entry_point` makes an entry point for tests of code that uses a registry.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pydantic
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from interlace.sdk.connection import Connection, ConnectionConfig
from interlace.sdk.connector import Connector
from interlace.sdk.docs import render_connector_reference
from interlace.sdk.errors import FatalError
from interlace.sdk.operation import OperationSpec
from interlace.sdk.secret import Secret
from interlace.sdk.spec import ParameterSpec, has_template, holds_secret, looks_secret
from interlace.sdk.trigger import TriggerSpec

__all__ = [
    "OperationStandIn",
    "StaticEntryPoint",
    "assert_connector_conforms",
    "conformance_problems",
    "connector_entry_point",
    "stand_in_connector",
]

_CANARY = "canary-6d1f0c9e-must-never-show"


def assert_connector_conforms(
    connector: Connector, *, sample_config: Mapping[str, object] | None = None
) -> None:
    """Fail with every conformance problem of ``connector`` listed. ``sample_config`` (setting name to
    value) builds a connection config for the secrecy checks when required settings have neither
    default nor ``examples``; its secret values are replaced by a marker, so pass no real secrets."""
    problems = conformance_problems(connector, sample_config=sample_config)
    if problems:
        listed = "\n".join(f"- {problem}" for problem in problems)
        raise AssertionError(f"connector {connector.name!r} does not conform:\n{listed}")


def conformance_problems(
    connector: Connector, *, sample_config: Mapping[str, object] | None = None
) -> list[str]:
    """Every conformance problem of ``connector``, as sentences; empty when it conforms."""
    problems: list[str] = []
    if not connector.version.strip():
        problems.append("the connector has no version")
    if not connector.description.strip():
        problems.append("the connector has no description (Connector(..., description=...))")
    if not connector.operations and not connector.triggers and connector.connection_operations is None:
        problems.append("the connector defines no operation and no trigger")
    problems += _config_problems(connector.config_class)
    specs: list[OperationSpec | TriggerSpec] = [*connector.operations.values(), *connector.triggers.values()]
    for spec in specs:
        problems += _spec_problems(spec)
    problems += _secrecy_problems(connector, sample_config)
    try:
        schema = connector.json_schema()
        Draft202012Validator.check_schema(schema)
    except (SchemaError, pydantic.PydanticUserError, TypeError, ValueError) as exc:
        problems.append(f"the JSON Schema is not valid: {exc}")
    try:
        render_connector_reference(connector)
    except Exception as exc:  # any failure of the page is the connector's problem to see, with its cause
        problems.append(f"the reference page does not render: {type(exc).__name__}: {exc}")
    return problems


def _config_problems(config: type[ConnectionConfig]) -> list[str]:
    problems: list[str] = []
    if not config.__doc__ or config.__doc__ == ConnectionConfig.__doc__:
        problems.append(f"the settings class {config.__name__} has no docstring")
    for name, field in config.model_fields.items():
        key = field.alias or name
        if not field.description:
            problems.append(f"setting {key!r} has no description (an attribute docstring under it)")
        if looks_secret(name) and not holds_secret(field.annotation, within_models=True):
            problems.append(f"setting {key!r} looks secret: type it Secret so it is never shown")
    return problems


def _spec_problems(spec: OperationSpec | TriggerSpec) -> list[str]:
    kind = "operation" if isinstance(spec, OperationSpec) else "trigger"
    where = f"{kind} {spec.qualified_name}"
    problems: list[str] = []
    if not spec.description:
        problems.append(f"{where} has no docstring")
    for parameter in spec.parameters:
        problems += _parameter_problems(where, parameter)
    return problems


def _parameter_problems(where: str, parameter: ParameterSpec) -> list[str]:
    problems: list[str] = []
    name = f"{where}: parameter {parameter.name!r}"
    if not parameter.description:
        problems.append(f"{name} has no description (Param(...) or the docstring's Args: section)")
    if looks_secret(parameter.name) and not parameter.secret:
        problems.append(f"{name} looks secret: type it Secret or mark it Param(..., secret=True)")
    if parameter.example is not None and not has_template(parameter.example):
        try:
            parameter.adapter.validate_python(parameter.example)
        except pydantic.ValidationError:
            problems.append(f"{name}: its example does not fit its type {parameter.type_name}")
    return problems


def _secrecy_problems(connector: Connector, sample: Mapping[str, object] | None) -> list[str]:
    config_class = connector.config_class
    secret_fields = [
        name for name, field in config_class.model_fields.items() if holds_secret(field.annotation)
    ]
    if not secret_fields:
        return []
    values: dict[str, object] = dict(sample or {})
    missing = []
    for name, field in config_class.model_fields.items():
        if name in secret_fields:
            values[name] = _CANARY
        elif name not in values and (field.alias or name) not in values and field.is_required():
            if field.examples:
                values[name] = field.examples[0]
            else:
                missing.append(field.alias or name)
    if missing:
        return [
            f"cannot build a sample connection config to check that secrets stay hidden: give {missing} a"
            " default or Field(examples=[...]), or pass sample_config"
        ]
    try:
        config = config_class.model_validate(values)
    except pydantic.ValidationError as exc:
        return [f"the sample connection config is not valid: {exc}"]
    problems = [
        f"setting {name!r} does not hold a Secret after validation"
        for name in secret_fields
        if not isinstance(getattr(config, name), Secret)
    ]
    connection = connector.connection(config, name="conformance")
    shown = {
        "repr(config)": repr(config),
        "str(config)": str(config),
        "an f-string": f"{config} {config!r}",
        "a log line": "%s %r" % (config, config),  # noqa: UP031 -- what logging's %-formatting does
        "model_dump()": str(config.model_dump()),
        "model_dump(mode='json')": json.dumps(config.model_dump(mode="json")),
        "model_dump_json()": config.model_dump_json(),
        "an error about it": str(FatalError(f"bad settings: {config}")) + repr(ValueError(config)),
        "repr(connection)": repr(connection),
    }
    problems += [f"a secret shows in {where}" for where, text in shown.items() if _CANARY in text]
    return problems


@dataclass(frozen=True, slots=True)
class _Distribution:
    name: str


@dataclass(frozen=True, slots=True)
class StaticEntryPoint:
    """An entry point that loads ``target``, as if package ``distribution`` declared ``name = value``."""

    name: str
    target: object
    distribution: str = "local"
    value: str = "static"

    @property
    def dist(self) -> _Distribution:
        return _Distribution(self.distribution)

    def load(self) -> object:
        return self.target


def connector_entry_point(connector: Connector, *, distribution: str = "local") -> StaticEntryPoint:
    """An entry point registering ``connector``, for ``ConnectorRegistry(lambda: [...])`` in tests."""
    return StaticEntryPoint(connector.name, connector, distribution)


OperationStandIn = Callable[[OperationSpec, Connection[Any], dict[str, object]], Awaitable[object]]
"""What runs in place of an operation: given the real operation's spec, the connection and the values
converted to its parameters' types (by Python argument name), returns the result or raises the error."""


async def _nothing(self: Connection[Any]) -> None:
    return None


def stand_in_connector(
    connector: Connector, operation: OperationStandIn, *, connects: bool = False
) -> Connector:
    """A connector with ``connector``'s name, version, settings, operations and triggers whose
    operations call ``operation`` instead, and whose connection opens nothing unless ``connects``; for
    running flows without the connector's peer (Interlace's test runner does), or watching what the
    real operations do (``operation`` may call ``spec.function(connection, **values)``). Operations a
    connection's settings define are stood in for alike. Parameters are checked and converted by the
    real operations' specs, so a flow that passes a wrong value fails as it would for real."""
    connection = connector.connection
    if not connects:
        connection = type(
            f"StandIn{connector.connection.__name__}",
            (connector.connection,),
            {"open": _nothing, "ping": _nothing, "aclose": _nothing},
        )

    def stand_in(spec: OperationSpec) -> OperationSpec:
        async def function(conn: Any, /, **values: object) -> object:
            return await operation(spec, conn, values)

        return replace(spec, function=function)

    defined = connector.connection_operations

    def defined_by(config: Any, root: Path) -> Mapping[str, OperationSpec]:
        assert defined is not None
        return {name: stand_in(spec) for name, spec in defined(config, root).items()}

    double = Connector(
        connector.name,
        version=connector.version,
        connection=connection,
        description=connector.description,
        pool_size=connector.pool_size,
        connection_operations=defined_by if defined is not None else None,
    )
    for spec in connector.operations.values():
        double._operations[spec.name] = stand_in(spec)
    double._triggers.update(connector.triggers)
    return double
