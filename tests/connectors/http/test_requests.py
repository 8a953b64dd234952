"""http operations against a real server on loopback: what is sent, what comes back, what fails."""

from __future__ import annotations

import socket

import pytest

from interlace.connectors.http import HttpConfig, HttpConnection, connector
from interlace.sdk import FatalError, InvalidInput, OperationResult, RetryableError

from .conftest import ApiServer


async def call(conn: HttpConnection, operation: str, **values: object) -> OperationResult:
    result = await connector.get_operation(operation).invoke(conn, values)
    assert isinstance(result, OperationResult)
    return result


@pytest.mark.parametrize("operation", ["get", "post", "put", "patch", "delete"])
async def test_each_operation_sends_its_method_to_the_path_under_the_base_url(
    api: ApiServer, operation: str
) -> None:
    async with api.connection() as conn:
        result = await call(conn, operation, path="orders/7")
    assert api.last.method == operation.upper()
    assert api.last.path == "/v1/orders/7"
    assert result.payload == {"method": operation.upper(), "path": "orders/7", "echo": ""}
    assert result.attributes == {"status": 200, "reason": "OK"}
    assert result.headers["X-Order-Ref"] == "r-1"
    assert result.headers["Content-Type"] == "application/json; charset=utf-8"


async def test_head_answers_headers_and_status_without_a_payload(api: ApiServer) -> None:
    async with api.connection() as conn:
        result = await call(conn, "head", path="orders/7")
    assert api.last.method == "HEAD"
    assert result.payload is None
    assert result.attributes["status"] == 200
    assert result.headers["X-Order-Ref"] == "r-1"


async def test_a_leading_slash_stays_under_the_base_urls_path(api: ApiServer) -> None:
    async with api.connection() as conn:
        await call(conn, "get", path="/orders/7")
    assert api.last.path == "/v1/orders/7"


async def test_query_parameters_join_the_paths_own_query(api: ApiServer) -> None:
    async with api.connection() as conn:
        await call(
            conn,
            "get",
            path="orders?status=open",
            query={"page": 2, "tag": ["a", "b"], "urgent": True, "missing": None, "q": "a b&c"},
        )
    assert api.last.query == [
        ("status", "open"), ("page", "2"), ("tag", "a"), ("tag", "b"), ("urgent", "true"), ("q", "a b&c")
    ]  # fmt: skip


async def test_paths_from_data_are_percent_encoded(api: ApiServer) -> None:
    async with api.connection() as conn:
        await call(conn, "get", path="patients/Jane Doe/é")
    assert api.last.path == "/v1/patients/Jane%20Doe/%C3%A9"


@pytest.mark.parametrize(
    "path", ["http://evil.example/x", "https://127.0.0.1/x", "//evil.example/x", "../admin", "a/../../b"]
)
async def test_a_path_that_would_leave_the_base_url_is_invalid_input(api: ApiServer, path: str) -> None:
    async with api.connection() as conn:
        with pytest.raises(InvalidInput, match=r"http.get on connection orders: path must"):
            await call(conn, "get", path=path)
    assert api.requests == []


async def test_a_json_value_is_sent_as_json(api: ApiServer) -> None:
    async with api.connection() as conn:
        result = await call(conn, "post", path="orders", body={"id": 1, "items": ["a"]})
    assert api.last.headers["Content-Type"] == "application/json"
    assert api.last.body == b'{"id":1,"items":["a"]}'
    assert result.payload["echo"] == '{"id":1,"items":["a"]}'


async def test_text_is_sent_as_it_is_with_the_given_content_type(api: ApiServer) -> None:
    async with api.connection() as conn:
        await call(conn, "put", path="orders/1", body="<order/>", contentType="application/xml")
    assert api.last.headers["Content-Type"] == "application/xml"
    assert api.last.body == b"<order/>"


async def test_text_without_a_content_type_is_plain_text(api: ApiServer) -> None:
    async with api.connection() as conn:
        await call(conn, "patch", path="orders/1", body="héllo")
    assert api.last.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert api.last.body == "héllo".encode()


async def test_bytes_are_sent_as_they_are(api: ApiServer) -> None:
    async with api.connection() as conn:
        await call(conn, "post", path="files", body=b"\x00\xff")
    assert api.last.headers["Content-Type"] == "application/octet-stream"
    assert api.last.body == b"\x00\xff"


async def test_a_mapping_is_sent_as_a_form_when_asked(api: ApiServer) -> None:
    async with api.connection() as conn:
        await call(
            conn, "post", body={"a": "1 2", "b": True}, contentType="application/x-www-form-urlencoded"
        )
    assert api.last.body == b"a=1+2&b=true"


async def test_a_body_that_is_not_json_is_invalid_input(api: ApiServer) -> None:
    async with api.connection() as conn:
        with pytest.raises(InvalidInput, match=r"body must be text, bytes or a JSON value"):
            await conn.send("POST", "x", operation="post", body=object())


async def test_request_headers_override_the_connections_headers(api: ApiServer) -> None:
    async with api.connection(headers={"Accept": "application/xml", "X-Tenant": "t1"}) as conn:
        await call(conn, "get", headers={"Accept": "application/json"})
    assert api.last.headers["Accept"] == "application/json"
    assert api.last.headers["X-Tenant"] == "t1"


@pytest.mark.parametrize(
    ("path", "payload", "content_type"),
    [
        ("text", "plain words", "text/plain; charset=iso-8859-1"),
        ("xml", "<order id='1'/>", "application/xml; charset=utf-8"),
        ("bytes", b"\x00\x01\x02", "image/png"),
        ("empty", None, None),
    ],
)
async def test_the_payload_follows_the_responses_content_type(
    api: ApiServer, path: str, payload: object, content_type: str | None
) -> None:
    async with api.connection() as conn:
        result = await call(conn, "get", path=path)
    assert result.payload == payload
    assert result.headers.get("Content-Type") == content_type


async def test_a_client_error_is_returned_with_its_status(api: ApiServer) -> None:
    async with api.connection() as conn:
        result = await call(conn, "get", path="status/404")
    assert result.attributes == {"status": 404, "reason": "Not Found"}
    assert result.payload == {"error": "status 404"}


@pytest.mark.parametrize("status", [500, 502, 503, 429, 408])
async def test_server_errors_and_throttling_are_retryable(api: ApiServer, status: int) -> None:
    async with api.connection() as conn:
        with pytest.raises(RetryableError) as caught:
            await call(conn, "post", path=f"status/{status}", body={})
    message = str(caught.value)
    assert message.startswith(f"http.post on connection orders: POST {api.url}/v1/status/{status} answered")
    assert f"status {status}" in message
    assert caught.value.retry_after == (7.0 if status in (429, 503) else None)


@pytest.mark.parametrize(("status", "meaning"), [(401, "refused the credentials"), (403, "denied access")])
async def test_refused_credentials_are_fatal(api: ApiServer, status: int, meaning: str) -> None:
    async with api.connection() as conn:
        with pytest.raises(FatalError, match=rf"connection orders: GET .* {meaning} \({status}"):
            await call(conn, "get", path=f"status/{status}")


async def test_a_slow_answer_is_a_retryable_timeout(api: ApiServer) -> None:
    async with api.connection(timeout=0.2) as conn:
        with pytest.raises(RetryableError, match=r"/v1/slow did not answer within 0.2 s"):
            await call(conn, "get", path="slow")


async def test_an_unreachable_server_is_retryable_and_named(api: ApiServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = HttpConfig.model_validate({"base-url": f"http://127.0.0.1:{port}/v1"})
    async with HttpConnection(config, name="orders") as conn:
        with pytest.raises(
            RetryableError, match=rf"connection orders: GET http://127.0.0.1:{port}/v1/x failed"
        ):
            await call(conn, "get", path="x")


async def test_redirects_are_followed_unless_turned_off(api: ApiServer) -> None:
    async with api.connection() as conn:
        followed = await call(conn, "get", path="moved")
    async with api.connection(**{"follow-redirects": False}) as conn:
        returned = await call(conn, "get", path="moved")
    assert followed.attributes["status"] == 200
    assert returned.attributes["status"] == 302
    assert returned.headers["Location"] == f"{api.url}/v1/echo"


async def test_ping_succeeds_when_the_api_answers(api: ApiServer) -> None:
    async with api.connection() as conn:
        await conn.ping()
    assert (api.last.method, api.last.path) == ("HEAD", "/v1/")


async def test_one_session_with_kept_alive_sockets_serves_the_connection(api: ApiServer) -> None:
    async with api.connection() as conn:
        for _ in range(3):
            await call(conn, "get", path="echo")
    peers = {request.peer for request in api.requests}
    assert len(peers) == 1, "the three requests should reuse one socket"


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"base-url": "ftp://example.com"}, "absolute http or https URL"),
        ({"base-url": "example.com/v1"}, "absolute http or https URL"),
        ({"base-url": "https://user:pw@example.com"}, "must not hold credentials"),
        ({"base-url": "https://example.com?a=1"}, "must not hold a query"),
        ({"base-url": "https://example.com", "timeout": 0}, "greater than 0"),
        (
            {"base-url": "https://example.com", "auth": {"type": "digest"}},
            "does not match any of the expected",
        ),
    ],
)
def test_wrong_settings_are_refused(settings: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        HttpConfig.model_validate(settings)


@pytest.mark.parametrize("value", ["a\r\nX-Admin: 1", "a\nb", "a\rb", "a\x00b"])
async def test_a_header_value_with_a_line_break_is_invalid_input_naming_the_header(
    api: ApiServer, value: str
) -> None:
    async with api.connection() as conn:
        with pytest.raises(InvalidInput) as raised:
            await call(conn, "post", path="orders", headers={"X-Note": value}, body="x")
    assert str(raised.value) == "http.post on connection orders: header X-Note must not contain line breaks"
    assert value not in str(raised.value)
    assert api.requests == []
