"""The ``openapi`` connector: any API with an OpenAPI description, its operations read from the file a
connection names (see :class:`~interlace.connectors.openapi.config.OpenApiConfig`).

Operations are named ``openapi.OPERATION``, and the connection says which description they belong to:
the compiler asks the connector for the operations of the flow's connection, so an unknown operation,
an unknown parameter, a missing required one or a wrong ``enum`` literal is reported at its line when
the project loads, exactly as for a declared operation. A description is read once per file version.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any

from interlace.connectors.openapi.config import OpenApiConfig
from interlace.connectors.openapi.connection import OpenApiConnection, base_url
from interlace.errors import ConfigError
from interlace.sdk import Connector, OperationResult, OperationSpec
from interlace.sdk.openapi import ApiDescription, ApiOperation, read_openapi
from interlace.sdk.openapi.credentials import (
    ApiKeyCredentials,
    BasicCredentials,
    BearerCredentials,
    OAuth2Credentials,
)
from interlace.sdk.openapi.operations import operation_spec

__all__ = ["connector", "described_operations"]

_KINDS: dict[str, type] = {
    "api-key": ApiKeyCredentials,
    "basic": BasicCredentials,
    "bearer": BearerCredentials,
    "oauth2": OAuth2Credentials,
}
_read: dict[tuple[str, int, int], tuple[ApiDescription, Mapping[str, OperationSpec]]] = {}


async def _send(
    api: ApiDescription, connection: OpenApiConnection, operation: ApiOperation, values: Mapping[str, object]
) -> OperationResult:
    client = await connection.client(api)
    return await client.send(operation, values)


def _described(source: str) -> tuple[ApiDescription, Mapping[str, OperationSpec]]:
    if source.startswith(("http://", "https://")):
        key = (source, 0, 0)
    else:
        try:
            stat = Path(source).stat()
        except OSError as exc:
            raise ConfigError(f"cannot read the OpenAPI description {source}: {exc.strerror or exc}") from exc
        key = (source, stat.st_mtime_ns, stat.st_size)
    if key not in _read:
        try:
            api = read_openapi(source)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"{source} is not a valid OpenAPI description ({type(exc).__name__}: {exc})"
            ) from exc
        send = partial(_send, api)
        operations = {op.name: operation_spec("openapi", op, send) for op in api.operations}
        _read[key] = (api, MappingProxyType(operations))
    return _read[key]


def described_operations(config: Any, folder: Path) -> Mapping[str, OperationSpec]:
    """The operations of the description a connection names (``ConnectionOperations``); checks that the
    connection has a base URL and that its credentials name the description's schemes."""
    assert isinstance(config, OpenApiConfig)
    source = config.spec if config.spec.startswith(("http://", "https://")) else str(folder / config.spec)
    try:
        api, operations = _described(source)
    except ConfigError as exc:  # the message names the file as the connection does, not the full path
        raise ConfigError(exc.message.replace(source, config.spec), location=exc.location) from exc
    if base_url(config, api) is None:
        raise ConfigError(f"{config.spec} names no absolute server URL: give the connection a base-url")
    for name, given in config.credentials.items():
        scheme = api.schemes.get(name)
        if scheme is None:
            known = ", ".join(api.schemes) or "none"
            raise ConfigError(
                f"credentials name {name!r}, which is no security scheme of {config.spec} ({known})"
            )
        if not isinstance(given, _KINDS[scheme.kind]):
            raise ConfigError(f"the credentials for {name} must be those of a {scheme.kind} scheme")
    return operations


connector = Connector(
    "openapi",
    version="1.0.0",
    connection=OpenApiConnection,
    description=(
        "Any HTTP API with an OpenAPI description (Swagger 2.0, OpenAPI 3.0 or 3.1): each of its operations"
        " is an operation `openapi.OPERATION` on a connection naming the description, checked at load time."
    ),
    connection_operations=described_operations,
)
