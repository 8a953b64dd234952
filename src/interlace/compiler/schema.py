"""The JSON Schema of every project file kind, generated from the definitions (never written by hand).

Editors use them to complete keys and flag mistakes while a file is typed (``interlace schema`` writes
them, ``interlace new`` points VS Code's YAML extension at them). A schema is a helper for typing, not the
judge: ``interlace check`` is. It accepts what the loader accepts (``${...}`` wherever a value may be an
expression, durations as ``30s``) and refuses unknown keys, unknown mediators and missing required keys.

One document per kind, each self-contained: the kind's definition, every mediator's options, and the
operations of the connectors given (a flow names them ``connector.operation``); an operation of a connector
that was not given is accepted with any options.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from pydantic.json_schema import models_json_schema

from interlace.compiler.builders import MEDIATORS
from interlace.model.base import Definition
from interlace.model.flow import FLOW_SCHEMA_MARK
from interlace.model.load import ARTIFACT_KINDS
from interlace.model.suite import SuiteDefinition
from interlace.sdk import Connector

__all__ = ["SCHEMA_KINDS", "SchemaKind", "project_schemas", "schema_file_name", "step_kinds", "step_schema"]

_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
_EXPRESSION: Final = {"type": "string", "pattern": r"\$\{"}
"""A value written as an expression: its type is known only when the flow runs."""
_OPERATION_KEY: Final = r"^[A-Za-z_][\w-]*\.[A-Za-z_][\w.-]*$"
_RESERVED_OPTIONS: Final = {
    "connection": {"type": "string", "description": "The connection to use (a name from connections/)."},
    "init": {"type": "object", "description": "An inline connection's settings (WSO2 style)."},
    "response-variable": {"type": "string", "description": "The variable that receives the result."},
}


@dataclass(frozen=True, slots=True)
class SchemaKind:
    """A kind of project file: its name, the definition it holds and the files it applies to."""

    name: str
    definition: type[Definition]
    globs: tuple[str, ...]


SCHEMA_KINDS: Final = (
    *(
        SchemaKind(kind.key, kind.model, (f"{kind.folder}/*.yaml", f"{kind.folder}/*.yml"))
        for kind in ARTIFACT_KINDS
    ),
    SchemaKind("suite", SuiteDefinition, ("tests/*.yaml", "tests/*.yml")),
)


def _with_expressions(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, _EXPRESSION]}


def _rebased(value: Any, prefix: str) -> Any:
    """``value`` with its ``#/$defs/X`` references moved under ``prefix`` (where its definitions go)."""
    if isinstance(value, dict):
        return {
            key: (
                prefix + item[len("#/$defs/") :]
                if key == "$ref" and isinstance(item, str) and item.startswith("#/$defs/")
                else _rebased(item, prefix)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_rebased(item, prefix) for item in value]
    return value


def _operations(connectors: Iterable[Connector], defs: dict[str, Any]) -> dict[str, Any]:
    """``connector.operation`` -> the schema of its options, each parameter also taking an expression."""
    properties: dict[str, Any] = {}
    for connector in connectors:
        document = connector.json_schema()
        prefix = f"#/$defs/{connector.name}."
        for name, definition in document.get("$defs", {}).items():
            defs[f"{connector.name}.{name}"] = _rebased(definition, prefix)
        operations = document["properties"]["operations"]["properties"]
        for name, schema in operations.items():
            schema = _rebased(schema, prefix)
            schema["properties"] = {
                **_RESERVED_OPTIONS,
                **{key: _with_expressions(value) for key, value in schema["properties"].items()},
            }
            properties[f"{connector.name}.{name}"] = {
                "if": {"type": "object"},
                "then": schema,
                "else": {"type": "null"},
            }
    return properties


def _mediator_options(name: str, shorthand: str | None) -> dict[str, Any]:
    # Discriminated by type rather than anyOf, so an editor names the wrong key, not "no form matched".
    scalars = ["string", "number", "boolean", "null"] if shorthand is not None else ["null"]
    options: dict[str, Any] = {
        "if": {"type": "object"},
        "then": {"$ref": f"#/$defs/{MEDIATORS[name].definition.__name__}"},
        "else": {"type": scalars},
    }
    if shorthand is not None:
        options["description"] = f"`{name}: VALUE` is short for `{name}: {{{shorthand}: VALUE}}`."
    return options


def _flow(operations: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A flow: a list of items, each a mediator kind's one-key mapping or a bare kind name."""
    kinds = sorted(MEDIATORS)
    defs["Mediator"] = {
        "description": "One mediator: `kind: {options}`, `kind: shorthand`, or the bare kind.",
        "type": ["object", "string"],
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {
            **{name: _mediator_options(name, MEDIATORS[name].shorthand) for name in kinds},
            **operations,
        },
        "patternProperties": {_OPERATION_KEY: {"type": ["object", "null"]}},
        "additionalProperties": False,
        "if": {"type": "string"},
        "then": {"anyOf": [{"enum": kinds}, {"pattern": _OPERATION_KEY}]},
    }
    return {"type": "array", "items": {"$ref": "#/$defs/Mediator"}}


def _finished(value: Any) -> Any:
    """Flows pointed at their schema, and every scalar-typed property also taking an expression (the
    compiler accepts one wherever a value is given)."""
    if isinstance(value, dict):
        if value.pop(FLOW_SCHEMA_MARK, False):
            return {**value, "$ref": "#/$defs/Flow"}
        walked = {key: _finished(item) for key, item in value.items()}
        if walked.get("type") in ("integer", "number", "boolean") and "$ref" not in walked:
            return {"anyOf": [walked, _EXPRESSION]}
        return walked
    if isinstance(value, list):
        return [_finished(item) for item in value]
    return value


def _definitions(connectors: Iterable[Connector]) -> dict[str, Any]:
    """Every definition's schema, the mediators' and the ``connectors``' operations' among them."""
    models: list[type[Definition]] = [kind.definition for kind in SCHEMA_KINDS]
    models += [kind.definition for kind in MEDIATORS.values()]
    _, generated = models_json_schema([(model, "validation") for model in dict.fromkeys(models)])
    defs: dict[str, Any] = _finished(generated.get("$defs", {}))
    defs["Flow"] = _flow(_operations(connectors, defs), defs)
    return defs


def project_schemas(connectors: Iterable[Connector] = ()) -> dict[str, dict[str, Any]]:
    """Kind name (``api``, ``sequence``, ..., ``suite``) -> its JSON Schema document (draft 2020-12)."""
    defs = _definitions(connectors)
    return {
        kind.name: {
            "$schema": _DIALECT,
            "title": f"Interlace {kind.name} file",
            "allOf": [{"$ref": f"#/$defs/{kind.definition.__name__}"}],
            "$defs": defs,
        }
        for kind in SCHEMA_KINDS
    }


def schema_file_name(kind: str) -> str:
    """The file a kind's schema is written to: ``api.schema.json``."""
    return f"{kind}.schema.json"


_CACHED: Final = 4
_cached_definitions: dict[tuple[tuple[str, str, int], ...], dict[str, Any]] = {}


def step_kinds(connectors: Iterable[Connector] = ()) -> list[str]:
    """Every kind a flow step may have: the mediators, then the ``connectors``' operations."""
    return [*sorted(MEDIATORS), *(op.qualified_name for c in connectors for op in c.operations.values())]


def step_schema(kind: str, connectors: Iterable[Connector] = ()) -> dict[str, Any] | None:
    """The JSON Schema of the options of one flow step, a mediator (``log``) or a connector's operation
    (``gmail.sendMail``), from the same definitions as :func:`project_schemas`, with only the ``$defs``
    it refers to; None for an unknown kind. Forms are generated from it."""
    given = tuple(connectors)
    key = tuple((connector.name, connector.version, id(connector)) for connector in given)
    defs = _cached_definitions.get(key)
    if defs is None:  # generating them takes a while: a form is asked for far more often than installs change
        defs = _cached_definitions[key] = _definitions(given)
        while len(_cached_definitions) > _CACHED:
            del _cached_definitions[next(iter(_cached_definitions))]
    options = defs["Mediator"]["properties"].get(kind)
    if options is None:
        return None
    schema: dict[str, Any] = dict(options["then"])
    reference = schema.pop("$ref", None)
    if isinstance(reference, str):
        schema = {**defs[reference.removeprefix("#/$defs/")], **schema}
    if kind in MEDIATORS and MEDIATORS[kind].shorthand is not None:
        schema["x-shorthand"] = MEDIATORS[kind].shorthand
    return {"$schema": _DIALECT, **schema, "title": kind, "$defs": _referenced(schema, defs)}


def _referenced(schema: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The definitions ``schema`` refers to, directly or through one another."""
    found: dict[str, Any] = {}
    pending = [schema]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            reference = value.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                name = reference[len("#/$defs/") :]
                if name not in found and name in defs:
                    found[name] = defs[name]
                    pending.append(defs[name])
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return found
