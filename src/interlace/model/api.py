"""API definitions: an HTTP entry point with a context path and resources (apis/*.yaml)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from interlace.model.base import Definition
from interlace.model.flow import FlowSource, OnErrorSource

__all__ = ["HTTP_METHODS", "ApiDefinition", "ResourceDefinition"]

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


class ResourceDefinition(Definition):
    """One resource of an API: methods and a URI template, the flow that answers, its on-error flow."""

    methods: list[str] = Field(default_factory=lambda: ["GET"])
    uri_template: str = "/"
    flow: FlowSource
    on_error: OnErrorSource | None = None
    description: str = ""

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
    context: str
    version: str | None = None
    description: str = ""
    resources: Annotated[list[ResourceDefinition], Field(min_length=1)]
    on_error: OnErrorSource | None = None
    access_log: bool | None = None
    """Log one line per request to the ``interlace.access`` logger (default: ``[server] access-log``)."""

    @field_validator("context")
    @classmethod
    def _absolute_context(cls, context: str) -> str:
        if not context.startswith("/"):
            raise ValueError(f"context must start with '/' (got {context!r})")
        if "{" in context or "*" in context:
            raise ValueError(f"context must be a literal path (got {context!r})")
        return context.rstrip("/") or "/"
