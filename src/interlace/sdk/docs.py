"""The reference page of a connector (docs/connectors/NAME.md), rendered from the connector itself.

Descriptions come from the settings' attribute docstrings and the operations' signatures and
docstrings, so a connector is described once; secrets show neither values nor defaults.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable, Sequence

from pydantic.fields import FieldInfo

from interlace.sdk.connector import Connector
from interlace.sdk.operation import OperationSpec
from interlace.sdk.spec import ParameterSpec, holds_secret, type_name
from interlace.sdk.trigger import TriggerSpec

__all__ = ["markdown_table", "render_connector_reference", "shown_default"]

_HIDDEN = "(hidden)"


def render_connector_reference(connector: Connector) -> str:
    """The whole markdown page of ``connector``."""
    parts = [f"# `{connector.name}` connector\n"]
    if connector.description:
        parts.append(f"{inspect.cleandoc(connector.description)}\n")
    parts.append(
        f"Version `{connector.version}`. This page is generated from the connector's code; a flow calls an"
        f" operation as `- {connector.name}.OPERATION: {{connection: NAME, ...}}`.\n"
    )
    parts.append(_connection_section(connector))
    if connector.authorization is not None:
        parts.append(_authorization_section(connector))
    if connector.operations or connector.connection_operations is not None:
        parts.append("## Operations\n")
    if connector.connection_operations is not None:
        parts.append(
            "Each connection's settings define operations of their own; they are checked like these when a"
            " project loads (`interlace check`).\n"
        )
    parts.extend(_operation_section(spec) for spec in connector.operations.values())
    if connector.triggers:
        parts.append("## Triggers\n")
        parts.extend(_trigger_section(spec) for spec in connector.triggers.values())
    return "\n".join(parts)


def _connection_section(connector: Connector) -> str:
    config = connector.config_class
    lines = ["## Connection\n"]
    if config.__doc__ and config.__doc__ is not config.__mro__[1].__doc__:
        lines.append(f"{inspect.cleandoc(config.__doc__)}\n")
    if connector.pool_size is not None:
        lines.append(
            f"Each connection keeps up to {connector.pool_size} live connections, each used by one operation"
            " at a time.\n"
        )
    if not config.model_fields:
        lines.append("It takes no settings.\n")
        return "\n".join(lines)
    rows = [
        (
            f"`{field.alias or name}`",
            type_name(field.annotation),
            _field_default(field),
            field.description or "",
        )
        for name, field in config.model_fields.items()
    ]
    lines.append(markdown_table(("setting", "type", "default", "meaning"), rows))
    return "\n".join(lines)


def _authorization_section(connector: Connector) -> str:
    grant = connector.authorization
    assert grant is not None
    where = f"at `{grant.authorization_url}`" if grant.authorization_url else "at the connection's URL"
    lines = [
        "## Authorization\n",
        f"An account is authorized with the OAuth2 authorization code grant (PKCE) {where}:"
        f" `interlace connection authorize PROJECT CONNECTION` asks for the scopes of the operations the"
        " project runs on the connection and keeps the refresh token in the project's token store.\n",
    ]
    if grant.scopes:
        lines.append(f"Scopes always asked for: {', '.join(f'`{scope}`' for scope in grant.scopes)}.\n")
    if grant.params:
        shown = ", ".join(f"`{key}={value}`" for key, value in grant.params.items())
        lines.append(f"The consent address also carries {shown}.\n")
    return "\n".join(lines)


def _operation_section(spec: OperationSpec) -> str:
    lines = [f"### `{spec.qualified_name}`\n"]
    if spec.description:
        lines.append(f"{spec.description}\n")
    if spec.scopes:
        lines.append(f"**Scopes**: {', '.join(f'`{scope}`' for scope in spec.scopes)}.\n")
    lines.append(_parameter_table(spec.parameters))
    result = f"**Result**: {spec.result.type_name}"
    lines.append(f"{result}. {spec.result.description}\n" if spec.result.description else f"{result}.\n")
    lines.append(_example(spec.qualified_name, spec.parameters))
    return "\n".join(lines)


def _trigger_section(spec: TriggerSpec) -> str:
    lines = [f"### `{spec.qualified_name}`\n"]
    if spec.description:
        lines.append(f"{spec.description}\n")
    lines.append(_parameter_table(spec.parameters))
    return "\n".join(lines)


def _parameter_table(parameters: Iterable[ParameterSpec]) -> str:
    rows = [
        (f"`{p.name}`", p.type_name + (" (secret)" if p.secret else ""), _parameter_default(p), p.description)
        for p in parameters
    ]
    if not rows:
        return "It takes no parameters.\n"
    return markdown_table(("parameter", "type", "default", "meaning"), rows)


def _example(qualified: str, parameters: Iterable[ParameterSpec]) -> str:
    values = ["connection: NAME"]
    for parameter in parameters:
        if parameter.required or parameter.example is not None:
            shown = '"..."' if parameter.secret or parameter.example is None else _yaml(parameter.example)
            values.append(f"{parameter.name}: {shown}")
    return f"```yaml\n- {qualified}: {{{', '.join(values)}}}\n```\n"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A markdown table (ending in a newline): each cell on one line, its ``|`` escaped. Every reference
    page's tables, connectors' and definitions' alike, are made here."""
    lines = [_row(headers), "| " + " | ".join("---" for _ in headers) + " |"]
    lines.extend(_row(row) for row in rows)
    return "\n".join(lines) + "\n"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(" ".join(cell.replace("|", "\\|").split()) for cell in cells) + " |"


def _parameter_default(parameter: ParameterSpec) -> str:
    if parameter.required:
        return "required"
    return _HIDDEN if parameter.secret else shown_default(parameter.default)


def _field_default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    if holds_secret(field.annotation) and field.default is not None:
        return _HIDDEN
    if field.default_factory is not None:
        return "empty"
    return shown_default(field.default)


def shown_default(value: object) -> str:
    """A default value as a reference page shows it: ``—`` for none, else YAML in backticks."""
    if value is None:
        return "—"
    return f"`{value}`" if isinstance(value, str) and value else f"`{_yaml(value)}`"


def _yaml(value: object) -> str:
    """A YAML flow-style rendering (JSON is YAML, and quotes every string that needs it)."""
    return json.dumps(value, default=str, ensure_ascii=False)
