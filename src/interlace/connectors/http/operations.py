"""The ``http`` connector and its operations: one per method, on paths under the connection's base URL."""

from __future__ import annotations

from typing import Annotated

from interlace.connectors.http.connection import HttpConnection
from interlace.connectors.http.request import QueryValue
from interlace.sdk import AuthorizationCodeGrant, Connector, OperationResult, Param

__all__ = ["connector", "delete", "get", "head", "patch", "post", "put"]

connector = Connector(
    "http",
    version="1.0.0",
    connection=HttpConnection,
    description=(
        "Calls HTTP APIs: GET, POST, PUT, PATCH, DELETE and HEAD on paths under a connection's base URL,"
        " with basic, bearer, API key or OAuth2 authentication.\n\n"
        "Each operation answers with the response's body as payload (parsed JSON for JSON types, text for"
        " text and XML types, bytes otherwise, nothing when the body is empty), the response's headers,"
        " and the attributes `status` (the status code) and `reason`. Answers 5xx, 429 and 408 and"
        " failures to connect or to answer in time are transient errors the runtime may retry; 401 and"
        " 403 are errors that name the connection (with OAuth2, after one refresh of the token and one"
        " retry); every other answer, 4xx included, is returned: check `attributes.status` in the flow,"
        " e.g. with a `response-variable`."
    ),
    authorization=AuthorizationCodeGrant(),
)

RelativePath = Annotated[
    str,
    Param(
        "The path under the connection's base-url, with or without a leading `/`, optionally with a"
        " `?query`. A URL template: a `${...}` value written into it is percent-encoded (a `/`, `?`, `#`"
        " or `&` in it stays data), `${+...}` inserts a value as raw URL text; an absolute URL, a"
        " `//host` reference or `.` and `..` segments are refused.",
        example="orders/${payload.id}",
        url=True,
    ),
]
Query = Annotated[
    dict[str, QueryValue] | None,
    Param("Query parameters to add; a list repeats the parameter, null leaves it out.", example={"page": 2}),
]
Headers = Annotated[
    dict[str, str] | None,
    Param(
        "Headers of this request, over the connection's headers; a value with a line break (CR, LF) or a"
        " NUL is refused as invalid input, naming the header.",
        example={"Accept": "application/json"},
    ),
]
Body = Annotated[
    object,
    Param(
        "The request's body: text is sent as it is (`text/plain` unless `contentType` says otherwise),"
        " bytes as they are, any other value as JSON; a mapping is sent as a form when `contentType` is"
        " `application/x-www-form-urlencoded`.",
        example="${payload}",
    ),
]
ContentType = Annotated[
    str | None,
    Param("The body's `Content-Type`; by default it follows from the body (see `body`)."),
]


@connector.operation
async def get(
    conn: HttpConnection,
    path: RelativePath = "",
    *,
    query: Query = None,
    headers: Headers = None,
) -> OperationResult:
    """Send a GET request: read a resource.

    Returns:
        The response's body, headers, and attributes `status` and `reason`.
    """
    return await conn.send("GET", path, operation="get", query=query, headers=headers)


@connector.operation
async def post(
    conn: HttpConnection,
    path: RelativePath = "",
    body: Body = None,
    *,
    query: Query = None,
    headers: Headers = None,
    contentType: ContentType = None,
) -> OperationResult:
    """Send a POST request: create a resource or submit data.

    Returns:
        The response's body, headers, and attributes `status` and `reason`.
    """
    return await conn.send(
        "POST", path, operation="post", query=query, headers=headers, body=body, content_type=contentType
    )


@connector.operation
async def put(
    conn: HttpConnection,
    path: RelativePath = "",
    body: Body = None,
    *,
    query: Query = None,
    headers: Headers = None,
    contentType: ContentType = None,
) -> OperationResult:
    """Send a PUT request: replace a resource.

    Returns:
        The response's body, headers, and attributes `status` and `reason`.
    """
    return await conn.send(
        "PUT", path, operation="put", query=query, headers=headers, body=body, content_type=contentType
    )


@connector.operation
async def patch(
    conn: HttpConnection,
    path: RelativePath = "",
    body: Body = None,
    *,
    query: Query = None,
    headers: Headers = None,
    contentType: ContentType = None,
) -> OperationResult:
    """Send a PATCH request: change part of a resource.

    Returns:
        The response's body, headers, and attributes `status` and `reason`.
    """
    return await conn.send(
        "PATCH", path, operation="patch", query=query, headers=headers, body=body, content_type=contentType
    )


@connector.operation
async def delete(
    conn: HttpConnection,
    path: RelativePath = "",
    body: Body = None,
    *,
    query: Query = None,
    headers: Headers = None,
    contentType: ContentType = None,
) -> OperationResult:
    """Send a DELETE request: remove a resource.

    Returns:
        The response's body, headers, and attributes `status` and `reason`.
    """
    return await conn.send(
        "DELETE", path, operation="delete", query=query, headers=headers, body=body, content_type=contentType
    )


@connector.operation
async def head(
    conn: HttpConnection,
    path: RelativePath = "",
    *,
    query: Query = None,
    headers: Headers = None,
) -> OperationResult:
    """Send a HEAD request: a resource's headers and status, without its body.

    Returns:
        No payload; the response's headers, and attributes `status` and `reason`.
    """
    return await conn.send("HEAD", path, operation="head", query=query, headers=headers)
