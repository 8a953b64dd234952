"""Reading an OpenAPI 3.0 / 3.1 or Swagger 2.0 description into an :class:`ApiDescription`.

What cannot be used is never dropped silently: an operation that cannot be called is left out with a
note saying why, and a name made up or changed, a body accepted as one of several shapes and response
links (pagination) that are not followed are notes too (:attr:`ApiDescription.notes`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from interlace.errors import ConfigError
from interlace.sdk.openapi.bodies import read_body, swagger_form_body
from interlace.sdk.openapi.model import ApiDescription, ApiOperation, ApiParameter, Note, SecurityScheme
from interlace.sdk.openapi.names import Names, identifier, is_identifier, operation_name
from interlace.sdk.openapi.schemas import Schemas
from interlace.sdk.openapi.security import read_schemes
from interlace.sdk.openapi.source import document_uri, load_document

__all__ = ["read_document", "read_openapi"]

_METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_RESERVED: Final = ("connection", "init", "response_variable")
_TEMPLATE: Final = re.compile(r"\{([^{}]+)\}")
_LOCATIONS: Final = ("path", "query", "header", "cookie")


def read_openapi(source: str | Path) -> ApiDescription:
    """The description in the file or at the URL ``source``; :class:`ConfigError` if it is none."""
    return read_document(load_document(source), document_uri(source))


def read_document(document: Any, uri: str) -> ApiDescription:
    """The description of a parsed ``document`` whose relative references resolve against ``uri``."""
    if not isinstance(document, Mapping):
        raise ConfigError(f"{uri} is not an OpenAPI description: its top level is not a mapping")
    swagger = str(document.get("swagger", ""))
    version = swagger or str(document.get("openapi", ""))
    if not (swagger.startswith("2.") or (not swagger and version.startswith("3."))):
        raise ConfigError(
            f"{uri} is not an OpenAPI description: it has neither 'openapi: 3.x' nor 'swagger: 2.0'"
        )
    reader = _Reader(document, Schemas(document, uri), swagger=bool(swagger))
    info = document.get("info") or {}
    return ApiDescription(
        title=str(info.get("title") or ""),
        version=str(info.get("version") or ""),
        spec_version=version,
        description=str(info.get("description") or ""),
        servers=reader.servers(),
        operations=reader.operations(),
        schemes=reader.schemes,
        notes=tuple(reader.notes),
    )


def _scopes(requirements: Any) -> tuple[str, ...]:
    """The OAuth2 scopes an operation's security requirements name (asked for when authorizing)."""
    found: dict[str, None] = {}
    for requirement in requirements if isinstance(requirements, list) else ():
        for scopes in (requirement or {}).values():
            found.update(dict.fromkeys(str(scope) for scope in scopes or ()))
    return tuple(found)


class _Reader:
    def __init__(self, document: Mapping[str, Any], refs: Schemas, *, swagger: bool) -> None:
        self.document = document
        self.refs = refs
        self.swagger = swagger
        self.notes: list[Note] = []
        definitions = (
            document.get("securityDefinitions")
            if swagger
            else (document.get("components") or {}).get("securitySchemes")
        ) or {}
        self.schemes: dict[str, SecurityScheme]
        self.schemes, notes = read_schemes(definitions, refs.deref, swagger)
        self.notes += notes

    def servers(self) -> tuple[str, ...]:
        if self.swagger:
            host = self.document.get("host")
            base = str(self.document.get("basePath") or "")
            schemes = self.document.get("schemes") or ["https"]
            return (f"{schemes[0]}://{host}{base}",) if host else ((base,) if base else ())
        urls = []
        for server in self.document.get("servers") or ():
            url = str(server.get("url") or "")
            for name, variable in (server.get("variables") or {}).items():
                url = url.replace(f"{{{name}}}", str(variable.get("default", "")))
            urls.append(url)
        return tuple(urls)

    def operations(self) -> tuple[ApiOperation, ...]:
        names = Names()
        operations: list[ApiOperation] = []
        for path, raw in (self.document.get("paths") or {}).items():
            item = self.refs.deref(raw)
            if not isinstance(item, Mapping):
                continue
            for method in _METHODS:
                title = f"{method.upper()} {path}"
                try:
                    node = self.refs.deref(item.get(method))  # not allowed, but found in the wild
                    if not isinstance(node, Mapping):
                        continue
                    operation = self._operation(str(path), method, node, item.get("parameters") or (), names)
                except ConfigError as exc:
                    self.notes.append(Note(title, "skipped", exc.message))
                    continue
                operations.append(operation)
        return tuple(operations)

    def _operation(
        self, path: str, method: str, node: Mapping[str, Any], shared: Any, names: Names
    ) -> ApiOperation:
        title = f"{method.upper()} {path}"
        operation_id = node.get("operationId")
        if isinstance(operation_id, str) and operation_id:
            wanted = operation_id if is_identifier(operation_id) else identifier(operation_id)
        else:
            operation_id, wanted = None, operation_name(method, path)
            self.notes.append(Note(title, "generated", f"it has no operationId; it is named {wanted!r}"))
        parameters, body = self._parameters(title, node, shared)
        declared = {p.name for p in parameters if p.location == "path"}
        undeclared = [name for name in _TEMPLATE.findall(path) if name not in declared]
        if undeclared:
            raise ConfigError(f"its path parameter(s) {', '.join(undeclared)} are not declared")
        name, _ = names.claim(wanted)
        if operation_id is not None and name != operation_id:
            why = "is taken" if wanted == operation_id else "is not an identifier"
            self.notes.append(Note(title, "renamed", f"operationId {operation_id!r} {why}; it is {name!r}"))
        links = sorted(
            {
                str(link)
                for r in (node.get("responses") or {}).values()
                for link in (self.refs.deref(r) or {}).get("links") or {}
            }
        )
        if links:
            self.notes.append(
                Note(
                    name,
                    "approximated",
                    f"response links ({', '.join(links)}, such as pagination) are not"
                    " followed: call the linked operation with values from the payload",
                )
            )
        requirements = node["security"] if "security" in node else self.document.get("security")
        return ApiOperation(
            name=name,
            method=method.upper(),
            path=path,
            operation_id=operation_id,
            summary=str(node.get("summary") or ""),
            description=str(node.get("description") or ""),
            parameters=parameters,
            body=body,
            security=self._security(requirements, name),
            scopes=_scopes(requirements),
            deprecated=bool(node.get("deprecated")),
        )

    def _parameters(
        self, title: str, node: Mapping[str, Any], shared: Any
    ) -> tuple[tuple[ApiParameter, ...], Any]:
        merged: dict[tuple[str, str], Mapping[str, Any]] = {}
        for raw in [*shared, *(node.get("parameters") or ())]:
            item = self.refs.deref(raw)
            if isinstance(item, Mapping):
                merged[(str(item.get("name")), str(item.get("in")))] = item
        keys = Names(_RESERVED)
        parameters: list[ApiParameter] = []
        form: list[Mapping[str, Any]] = []
        body_node: Mapping[str, Any] | None = None
        for (name, location), item in merged.items():
            if self.swagger and location == "body":
                body_node = item
                continue
            if self.swagger and location == "formData":
                form.append(item)
                continue
            if location not in _LOCATIONS:
                raise ConfigError(f"parameter {name!r} is in {location!r}, which cannot be sent")
            key, reason = keys.claim(name)
            if reason:
                self.notes.append(Note(title, "renamed", f"parameter {reason}"))
            parameters.append(
                ApiParameter(
                    key=key,
                    name=name,
                    location=location,  # type: ignore[arg-type]
                    required=bool(item.get("required")) or location == "path",
                    schema=self._parameter_schema(item),
                    description=str(item.get("description") or ""),
                    explode=self._explode(item),
                )
            )
        if self.swagger:
            consumes = node.get("consumes") or self.document.get("consumes") or ()
            body = (
                swagger_form_body(form, consumes, self.refs, keys)
                if form
                else read_body(self._swagger_body(body_node, consumes), self.refs, keys, title, self.notes)
            )
        else:
            body = read_body(self.refs.deref(node.get("requestBody")), self.refs, keys, title, self.notes)
        return tuple(parameters), body

    def _swagger_body(self, node: Mapping[str, Any] | None, consumes: Any) -> Mapping[str, Any] | None:
        if node is None:
            return None
        types = [str(t) for t in consumes] or ["application/json"]
        return {
            "required": node.get("required", False),
            "description": node.get("description", ""),
            "content": {t: {"schema": node.get("schema") or {}} for t in types},
        }

    def _parameter_schema(self, item: Mapping[str, Any]) -> dict[str, Any]:
        if not self.swagger:
            if "schema" not in item and isinstance(item.get("content"), Mapping):
                media: Mapping[str, Any] = next(iter(item["content"].values()), {}) or {}
                return self.refs.schema(media.get("schema"))
            return self.refs.schema(item.get("schema"))
        schema = {k: v for k, v in item.items() if k not in ("name", "in", "required", "description")}
        if schema.get("type") == "file":
            schema = {"type": "string", "format": "binary"}
        return self.refs.schema(schema)

    def _explode(self, item: Mapping[str, Any]) -> bool:
        if self.swagger:
            return item.get("collectionFormat") == "multi"
        return bool(item.get("explode", item.get("style", "form") == "form"))

    def _security(self, requirements: Any, subject: str) -> tuple[tuple[str, ...], ...]:
        if not isinstance(requirements, list):
            return ()
        alternatives: list[tuple[str, ...]] = []
        unusable: list[str] = []
        for requirement in requirements:
            names = tuple(str(name) for name in (requirement or {}))
            missing = [name for name in names if name not in self.schemes]
            if missing:
                unusable += missing
            else:
                alternatives.append(names)
        if unusable and not alternatives:
            self.notes.append(
                Note(
                    subject,
                    "approximated",
                    f"its security scheme(s) {', '.join(sorted(set(unusable)))}"
                    " cannot be used: requests go without those credentials",
                )
            )
        return tuple(alternatives)
