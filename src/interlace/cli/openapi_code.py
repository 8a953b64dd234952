"""Python source for a connector package made from an OpenAPI description: the connection module (settings
from the servers and security schemes) and the operations module (one typed function per operation)."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from typing import Any, Literal

from interlace.sdk.openapi import ApiDescription, ApiOperation, ApiParameter, SecurityScheme
from interlace.sdk.openapi.names import Names, identifier, python_name, snake_case
from interlace.sdk.openapi.operations import parameter_annotation
from interlace.sdk.spec import looks_secret

__all__ = ["class_name", "connection_module", "operation_function", "operations_module", "type_source"]

_CREDENTIALS = {
    "api-key": "ApiKeyCredentials",
    "basic": "BasicCredentials",
    "bearer": "BearerCredentials",
    "oauth2": "OAuth2Credentials",
}
_JOINED = ", explode=False"
_SCALARS: dict[object, str] = {
    str: "str", int: "int", float: "float", bool: "bool", bytes: "bytes", Any: "Any", type(None): "None",
}  # fmt: skip


def type_source(annotation: object) -> str:
    """``annotation`` as Python source (the types :mod:`interlace.sdk.openapi.types` produces)."""
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return f"Literal[{', '.join(repr(value) for value in args)}]"
    if origin in (types.UnionType, typing.Union):
        return " | ".join(type_source(arg) for arg in args)
    if origin is list:
        return f"list[{type_source(args[0])}]"
    if origin is dict:
        return f"dict[{type_source(args[0])}, {type_source(args[1])}]"
    return "Any"


def class_name(name: str) -> str:
    """``pet_store`` is ``PetStore``."""
    return "".join(part[:1].upper() + part[1:] for part in identifier(name).split("_") if part) or "Api"


def docstring(text: str, indent: str = "    ") -> str:
    """A docstring of ``text``, escaped so that nothing in it can end the string early."""
    body = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body += " "
    lines = [line.rstrip() for line in body.splitlines()] or [""]
    rest = "".join(f"\n{indent}{line}" if line else "\n" for line in lines[1:])
    closing = f"\n{indent}" if len(lines) > 1 else ""
    return f'{indent}"""{lines[0]}{rest}{closing}"""\n'


def _literal(value: object) -> str:
    return repr(value)


def _scheme_source(scheme: SecurityScheme) -> str:
    fields = [f"{field}={_literal(getattr(scheme, field))}" for field in ("name", "kind", "description")]
    for field in ("parameter", "location", "token_url", "authorization_url", "grants", "scopes"):
        value = getattr(scheme, field)
        if value != getattr(SecurityScheme, field, None) and value not in ("", (), "header"):
            fields.append(f"{field}={_literal(value)}")
    return f"SecurityScheme({', '.join(fields)})"


def scheme_fields(api: ApiDescription) -> dict[str, str]:
    """The settings field of each security scheme, by scheme name."""
    names = Names(("base_url", "headers", "timeout", "spec", "credentials"))
    return {scheme: names.claim(snake_case(scheme))[0] for scheme in api.schemes}


def connection_module(api: ApiDescription, name: str, base_url: str) -> str:
    """The module with the settings class, the connection class and the security schemes."""
    cls = class_name(name)
    fields = scheme_fields(api)
    kinds = sorted({_CREDENTIALS[s.kind] for s in api.schemes.values()})
    lines = [
        f'"""The connection to {api.title or name}: where the API is and how to log in."""\n',
        "from __future__ import annotations\n",
        "from typing import Annotated\n",
        "from pydantic import Field",
        "from interlace.sdk import Connection, ConnectionConfig, OAuth2Settings",
        "from interlace.sdk.openapi import SecurityScheme",
        "from interlace.sdk.openapi.client import ApiClient",
    ]
    if kinds:
        lines.append(f"from interlace.sdk.openapi.credentials import {', '.join(kinds)}")
    lines += ["", f'__all__ = ["SCHEMES", "{cls}Config", "{cls}Connection"]', ""]
    lines.append("SCHEMES: dict[str, SecurityScheme] = {")
    lines += [f"    {scheme!r}: {_scheme_source(s)}," for scheme, s in api.schemes.items()]
    lines += ["}", '"""The security schemes of the description, by name."""', "", ""]
    about = api.description or f"The {api.title or name} API."
    lines += [f"class {cls}Config(ConnectionConfig):", docstring(about).rstrip("\n")]
    default = f" = {base_url!r}" if base_url else ""
    lines += [
        f"    base_url: str{default}",
        '    """The API\'s base URL."""',
        "    headers: dict[str, str] = Field(default_factory=dict)",
        '    """Headers every request carries."""',
        "    timeout: Annotated[float, Field(gt=0)] = 30.0",
        '    """Seconds a request may take in all."""',
    ]
    for scheme_name, field in fields.items():
        scheme = api.schemes[scheme_name]
        where = f", {scheme.location} {scheme.parameter}" if scheme.kind == "api-key" else ""
        text = (
            f"Credentials for the {scheme_name} scheme ({scheme.kind}{where}). {scheme.description}".strip()
        )
        lines += [f"    {field}: {_CREDENTIALS[scheme.kind]} | None = None", docstring(text).rstrip("\n")]
    lines += [
        "",
        "",
        f"class {cls}Connection(Connection[{cls}Config]):",
        '    """One API client (aiohttp session, credentials, OAuth2 tokens); safe to share."""',
        "",
        f'    def __init__(self, config: {cls}Config, *, name: str = "default") -> None:',
        "        super().__init__(config, name=name)",
        "        self.client = self._client()",
        "",
        "    def _client(self) -> ApiClient:",
        "        config = self.config",
        "        given = {",
        *[f"            {scheme!r}: config.{field}," for scheme, field in fields.items()],
        "        }",
        "        credentials = {scheme: value for scheme, value in given.items() if value is not None}",
        "        return ApiClient(",
        "            self.name, config.base_url, SCHEMES, credentials, headers=config.headers,"
        " timeout=config.timeout, token_store=self.token_store",
        "        )",
        "",
        "    def oauth2_settings(self) -> OAuth2Settings | None:",
        "        return self.client.oauth2_settings()",
        "",
        "    async def open(self) -> None:",
        "        self.client = self._client()  # the runtime sets token_store after construction",
        "        await self.client.open()",
        "",
        "    async def aclose(self) -> None:",
        "        await self.client.aclose()",
        "",
    ]
    return "\n".join(lines)


def _described(parameter: ApiParameter) -> str:
    text = parameter.description or str(parameter.schema.get("description") or "")
    text = text or f"The {parameter.location} parameter {parameter.name}."
    default = parameter.schema.get("default")
    return text if default is None else f"{text.rstrip()} The API's default: {default!r}."


def operation_function(operation: ApiOperation, function: str, connection: str, body_check: bool) -> str:
    """An operation's constant (its wire shape) and its typed function."""
    constant = f"_{function.upper().rstrip('_')}"
    parameters = "".join(
        f"\n        ApiParameter({p.key!r}, {p.name!r}, {p.location!r}{'' if p.explode else _JOINED}),"
        for p in operation.parameters
    )
    body = operation.body
    shape = [f"name={operation.name!r}", f"method={operation.method!r}", f"path={operation.path!r}"]
    if parameters:
        shape.append(f"parameters=({parameters}\n    )")
    if body is not None:
        shape.append(f"body=ApiBody({body.key!r}, {body.content_type!r}, {body.kind!r})")
    if operation.security:
        shape.append(f"security={operation.security!r}")
    fields = "".join(f"\n    {item}," for item in shape)
    out = [f"{constant} = ApiOperation({fields}\n)", "", ""]
    scopes = f", scopes={operation.scopes!r}" if operation.scopes else ""
    out.append(f"@connector.operation(name={operation.name!r}{scopes})")
    signature = [f"    conn: {connection},"]
    values = []
    ordered = sorted(operation.parameters, key=lambda p: not p.required)
    args = [(p.key, type_source(parameter_annotation(p)), _described(p), p.required) for p in ordered]
    if body is not None:
        kind = {"binary": "bytes", "text": "str | bytes"}.get(
            body.kind, "Any" if body.kind == "json" else "dict[str, Any]"
        )
        annotation = kind if body.required else f"{kind} | None"
        args.insert(
            sum(1 for a in args if a[3]) if body.required else len(args),
            (body.key, annotation, body.description or "The request body.", body.required),
        )
    keyword_only = False
    for key, annotation, text, required in args:
        argument = python_name(key)
        meta = f"Param({(text or key).strip()!r}" + (f", key={key!r}" if argument != key else "")
        meta += ", secret=True)" if looks_secret(key) else ")"
        if key == (body.key if body else None) and body_check:
            meta += f", AfterValidator(schema_check(SCHEMAS[{operation.name!r}]))"
        if not required and not keyword_only:
            signature.append("    *,")
            keyword_only = True
        default = "" if required else " = None"
        signature.append(f"    {argument}: Annotated[{annotation}, {meta}]{default},")
        values.append(f"{key!r}: {argument}")
    summary = operation.summary or f"{operation.title}."
    text = "\n\n".join(part for part in (summary, operation.description) if part)
    text += "\n\nReturns:\n    The API's answer: payload, headers and status (``attributes.status``)."
    out += [f"async def {function}(", *signature, ") -> OperationResult:", docstring(text).rstrip("\n")]
    out.append(f"    return await conn.client.send({constant}, {{{', '.join(values)}}})")
    return "\n".join(out) + "\n"


def _summary(api: ApiDescription) -> str:
    first = api.description.strip().splitlines()[0] if api.description.strip() else "an HTTP API"
    return f"{api.title}: {first}" if api.title else first


def _authorization(api: ApiDescription) -> str:
    for scheme in api.schemes.values():
        if "authorization_code" in scheme.grants and scheme.authorization_url:
            grant = f"AuthorizationCodeGrant({scheme.authorization_url!r})"  # operations name their scopes
            return f"\n    authorization={grant},"
    return ""


def operations_module(
    api: ApiDescription, name: str, operations: Iterable[ApiOperation], checked: set[str]
) -> str:
    """The module with the connector and one function per operation."""
    cls = class_name(name)
    head = f'''"""The operations of {api.title or name}, made from its OpenAPI description."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from interlace.sdk import AuthorizationCodeGrant, Connector, OperationResult, Param
from interlace.sdk.openapi import ApiBody, ApiOperation, ApiParameter
from interlace.sdk.openapi.operations import schema_check
from pydantic import AfterValidator

from interlace_{name}.connection import {cls}Connection

__all__ = ["connector"]

SCHEMAS: dict[str, Any] = json.loads((Path(__file__).parent / "schemas.json").read_text(encoding="utf-8"))
"""The request bodies' JSON Schemas, by operation name."""

connector = Connector(
    {name!r},
    version="0.1.0",
    connection={cls}Connection,{_authorization(api)}
    description={_summary(api)!r},
)

# Not every description needs each of these:
_ = (ApiBody, ApiParameter, AfterValidator, AuthorizationCodeGrant, Literal, schema_check)

'''
    functions = Names(("connector", "json", "schema_check", "conn"))
    parts = [head]
    for operation in operations:
        function, _ = functions.claim(snake_case(operation.name))
        parts.append(
            "\n" + operation_function(operation, function, f"{cls}Connection", operation.name in checked)
        )
    return "\n".join(parts)
