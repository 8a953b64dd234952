"""What an OpenAPI description says, as plain data: the neutral model that the reader produces and both
the ``openapi`` connector (at load time) and ``interlace connector from-openapi`` (to generate a package)
consume. Swagger 2.0, OpenAPI 3.0 and 3.1 all read into it; schemas are JSON Schema with every
``$ref`` inlined (a recursive reference becomes ``{}``, any value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ApiBody",
    "ApiDescription",
    "ApiOperation",
    "ApiParameter",
    "BodyKind",
    "Location",
    "Note",
    "SchemeKind",
    "SecurityScheme",
]

Location = Literal["path", "query", "header", "cookie"]
"""Where a parameter goes in the request."""
BodyKind = Literal["json", "form", "multipart", "binary", "text"]
"""How a request body is encoded: JSON, a URL-encoded form, a multipart form, raw bytes or text."""
SchemeKind = Literal["api-key", "basic", "bearer", "oauth2"]
"""The kinds of security scheme a connection can log in with."""


@dataclass(frozen=True, slots=True)
class ApiParameter:
    """A path, query, header or cookie parameter. ``key`` is the identifier flows write; ``name`` is the
    API's own name, sent on the wire. ``explode`` (query arrays): repeat the name per item, else join the
    items with commas."""

    key: str
    name: str
    location: Location
    required: bool = False
    schema: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    explode: bool = True


@dataclass(frozen=True, slots=True)
class ApiBody:
    """The request body: one parameter ``key`` holding all of it, sent as ``content_type``."""

    key: str
    content_type: str
    kind: BodyKind
    schema: Mapping[str, Any] = field(default_factory=dict)
    required: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class ApiOperation:
    """One operation: ``name`` is its identifier in flows (the operation id, or a name made from the
    method and path when it has none, or when the id is not an identifier). ``security`` lists the
    alternatives the API accepts, each the names of the schemes used together; ``()`` means none.
    ``scopes`` are the OAuth2 scopes its requirements name."""

    name: str
    method: str
    path: str
    operation_id: str | None = None
    summary: str = ""
    description: str = ""
    parameters: tuple[ApiParameter, ...] = ()
    body: ApiBody | None = None
    security: tuple[tuple[str, ...], ...] = ()
    scopes: tuple[str, ...] = ()
    deprecated: bool = False

    @property
    def title(self) -> str:
        """``METHOD /path``, for messages and reports."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """A way to log in. ``parameter`` and ``location``: where an API key goes; ``grants``: the OAuth2
    grants the API offers that a connection can use (``client_credentials``, ``authorization_code``)."""

    name: str
    kind: SchemeKind
    description: str = ""
    parameter: str = ""
    location: Literal["header", "query", "cookie"] = "header"
    token_url: str = ""
    authorization_url: str = ""
    grants: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Note:
    """Something the reader did that a user should know: an operation ``skipped`` (with why), a name
    ``generated`` or ``renamed``, a construct ``approximated`` (and how)."""

    subject: str
    action: Literal["skipped", "generated", "renamed", "approximated"]
    reason: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.action}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ApiDescription:
    """A whole API: its title, servers (absolute or relative URLs, variables filled with their
    defaults), operations in document order, security schemes by name, and the notes."""

    title: str
    version: str
    spec_version: str
    description: str
    servers: tuple[str, ...]
    operations: tuple[ApiOperation, ...]
    schemes: Mapping[str, SecurityScheme] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()

    def operation(self, name: str) -> ApiOperation:
        """The operation called ``name``; ``KeyError`` if there is none."""
        for operation in self.operations:
            if operation.name == name:
                return operation
        raise KeyError(name)

    @property
    def skipped(self) -> tuple[Note, ...]:
        """The notes of operations that were left out, with why."""
        return tuple(note for note in self.notes if note.action == "skipped")
