"""API definitions: an HTTP entry point with a context path and resources (apis/*.yaml).

An API (`apis/NAME.yaml`) is an HTTP entry point: a context path and the resources that answer below
it. How a request finds its resource: [routing](routing.md).

Every API describes itself in OpenAPI 3.1, at `CONTEXT?openapi.json` (and `CONTEXT?swagger.json`, as
WSO2 MI serves it) and at `GET /management/apis/NAME/openapi` on the management port: its resources,
their methods, the path and query parameters of their URI templates and their descriptions; the request
body is the `request` a resource declares, else the JSON Schema of a `validate` mediator that checks
the payload before the flow changes it; the responses are those a resource declares, plus the one error
shape of every failure.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from interlace.model.base import Definition
from interlace.model.flow import FlowSource, OnErrorSource

__all__ = ["HTTP_METHODS", "ApiDefinition", "BodyDefinition", "ResourceDefinition", "ResponseDefinition"]

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


class BodyDefinition(Definition):
    """A request body as a resource's OpenAPI document describes it (`request`)."""

    content_type: str = "application/json"
    """The media type of the body."""
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    """Its JSON Schema (shown, not checked: a `validate` mediator checks)."""
    example: Any = None
    """An example of the body."""
    description: str = ""
    """What the body holds."""


class ResponseDefinition(BodyDefinition):
    """One answer of a resource as its OpenAPI document describes it (`responses`, by status)."""

    description: str = "The flow's answer."
    """What this answer means."""


class ResourceDefinition(Definition):
    """One resource of an API: methods and a URI template, the flow that answers, its on-error flow."""

    methods: list[str] = Field(default_factory=lambda: ["GET"])
    """The HTTP methods it answers; `"*"` answers any."""
    uri_template: str = "/"
    """The path below the context, with `{variables}`, a `/*` tail and a query template (`?q={q}`)."""
    flow: FlowSource
    """The mediators that answer."""
    on_error: OnErrorSource | None = None
    """A flow, or the name of a sequence, run when a mediator fails (default: the API's)."""
    description: str = ""
    """What the resource does (its OpenAPI description)."""
    request: BodyDefinition | None = None
    """The request body its OpenAPI document shows (default: a `validate` mediator's schema)."""
    responses: dict[Annotated[int, Field(ge=100, le=599)], ResponseDefinition] = Field(default_factory=dict)
    """Its answers by status, for its OpenAPI document (default: 200, the flow's answer)."""

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, methods: list[str]) -> list[str]:
        upper = [method.upper() for method in methods]
        unknown = [method for method in upper if method not in HTTP_METHODS and method != "*"]
        if unknown:
            raise ValueError(
                f"unknown HTTP method {unknown[0]!r}; use one of {', '.join(sorted(HTTP_METHODS))}"
            )
        if not upper:
            raise ValueError("methods must name at least one HTTP method")
        return upper

    @field_validator("uri_template")
    @classmethod
    def _absolute_template(cls, template: str) -> str:
        if not template.startswith("/"):
            raise ValueError(f"uri-template must start with '/' (got {template!r})")
        return template


class ApiDefinition(Definition):
    """An API: served at ``context`` (``/{context}/{version}`` when versioned)."""

    api: Annotated[str, Field(min_length=1)]
    """The API's name, unique on the server."""
    context: str
    """The path it is served at (`/healthcare`)."""
    version: str | None = None
    """Served at `CONTEXT/VERSION` when given."""
    description: str = ""
    """What the API is for (its OpenAPI description)."""
    resources: Annotated[list[ResourceDefinition], Field(min_length=1)]
    """The resources that answer (see below)."""
    on_error: OnErrorSource | None = None
    """The default on-error flow (or sequence name) of every resource."""
    access_log: bool | None = None
    """Log one line per request to the `interlace.access` logger (default: `[server] access-log`)."""

    @field_validator("context")
    @classmethod
    def _absolute_context(cls, context: str) -> str:
        if not context.startswith("/"):
            raise ValueError(f"context must start with '/' (got {context!r})")
        if "{" in context or "*" in context:
            raise ValueError(f"context must be a literal path (got {context!r})")
        return context.rstrip("/") or "/"
