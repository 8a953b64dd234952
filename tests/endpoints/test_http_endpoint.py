from __future__ import annotations

import asyncio
import gzip

import pytest
from aiohttp import web
from multidict import CIMultiDict
from pytest_aiohttp import AiohttpServer

from interlace.endpoints import HttpClient, HttpEndpoint
from interlace.errors import EndpointError, EndpointTimeoutError
from interlace.message import CORRELATION_HEADER, MessageContext, Params, Payload

from .conftest import StartBackend
from .fakes import Text


def message(
    body: bytes = b"",
    content_type: str = "application/json",
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> MessageContext:
    return MessageContext(
        Payload(body, content_type),
        headers=CIMultiDict(headers or {}),
        method=method,
        correlation_id="corr-1",
    )


async def test_forwards_method_body_content_type_and_correlation_id(
    start_backend: StartBackend, client: HttpClient
) -> None:
    backend, base = await start_backend()
    endpoint = HttpEndpoint("Orders", url=Text(f"{base}/orders"), client=client)

    response = await endpoint.send(message(b'{"id": 7}', method="PUT", headers={"X-Tenant": "acme"}))

    seen = backend.seen[0]
    assert (seen.method, seen.path, seen.body) == ("PUT", "/orders", b'{"id": 7}')
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["X-Tenant"] == "acme"
    assert seen.headers[CORRELATION_HEADER] == "corr-1"
    assert response.status == 200
    assert response.payload.json() == {"served-by": "backend", "attempt": 1}


async def test_hop_by_hop_and_stale_body_headers_are_not_forwarded(
    start_backend: StartBackend, client: HttpClient
) -> None:
    backend, base = await start_backend()
    endpoint = HttpEndpoint("Orders", url=Text(f"{base}/orders"), client=client)
    incoming = {
        "Connection": "keep-alive, X-Private",
        "X-Private": "hop",
        "Keep-Alive": "timeout=5",
        "TE": "trailers",
        "Trailer": "X-Sum",
        "Upgrade": "websocket",
        "Proxy-Authorization": "Basic c2VjcmV0",
        "Host": "client.example",
        "Content-Length": "999",
        "Content-Type": "text/xml",
        "Content-Encoding": "gzip",
        "Authorization": "Bearer kept",
    }

    await endpoint.send(message(b"{}", headers=incoming))

    seen = backend.seen[0].headers
    for name in (
        "X-Private",
        "Keep-Alive",
        "TE",
        "Trailer",
        "Upgrade",
        "Proxy-Authorization",
        "Content-Encoding",
    ):
        assert name not in seen, name
    assert seen["Host"].startswith("127.0.0.1:")
    assert seen["Content-Length"] == "2"
    assert seen["Content-Type"] == "application/json"
    assert seen["Authorization"] == "Bearer kept"


async def test_url_and_header_templates_are_rendered_per_message(
    start_backend: StartBackend, client: HttpClient
) -> None:
    backend, base = await start_backend()
    endpoint = HttpEndpoint(
        "Reserve",
        url=Text(
            lambda ctx: f"{base}/{ctx.variables['hospital_id']}/categories/{ctx.params.path['category']}"
        ),
        headers={"X-Source": Text("interlace"), "X-Tenant": Text(lambda ctx: str(ctx.variables["tenant"]))},
        client=client,
    )
    ctx = message(headers={"X-Tenant": "from-client"})
    ctx.variables.update(hospital_id="grandoaks", tenant="t-9")
    ctx.params = Params(path={"category": "surgery"})

    await endpoint.send(ctx)

    seen = backend.seen[0]
    assert seen.path == "/grandoaks/categories/surgery"
    assert (seen.headers["X-Source"], seen.headers["X-Tenant"]) == ("interlace", "t-9")


async def test_method_is_configured_else_the_messages_else_get(
    start_backend: StartBackend, client: HttpClient
) -> None:
    backend, base = await start_backend()
    configured = HttpEndpoint("A", url=Text(base), method="delete", client=client)
    inherited = HttpEndpoint("B", url=Text(base), client=client)

    await configured.send(message(method="POST"))
    await inherited.send(message(method="patch"))
    await inherited.send(message(method=""))

    assert [seen.method for seen in backend.seen] == ["DELETE", "PATCH", "GET"]


async def test_get_sends_no_body_and_empty_post_sends_an_empty_one(
    start_backend: StartBackend, client: HttpClient
) -> None:
    backend, base = await start_backend()
    endpoint = HttpEndpoint("A", url=Text(base), client=client)

    await endpoint.send(message(b'{"ignored": true}', method="GET"))
    await endpoint.send(message(b"", method="POST"))

    get, post = backend.seen
    assert get.body == b"" and "Content-Type" not in get.headers and "Content-Length" not in get.headers
    assert post.body == b"" and post.headers["Content-Length"] == "0" and "Content-Type" not in post.headers


async def test_configured_headers_override_the_messages_and_the_payloads(
    start_backend: StartBackend, client: HttpClient
) -> None:
    backend, base = await start_backend()
    endpoint = HttpEndpoint(
        "A",
        url=Text(base),
        headers={"Content-Type": Text("application/vnd.acme+json"), "X-Tenant": Text("fixed")},
        client=client,
    )

    await endpoint.send(message(b"{}", headers={"X-Tenant": "a", CORRELATION_HEADER: "forged"}))

    seen = backend.seen[0].headers
    assert seen["Content-Type"] == "application/vnd.acme+json"
    assert seen["X-Tenant"] == "fixed"
    assert seen[CORRELATION_HEADER] == "corr-1"


async def test_error_statuses_are_answers_unless_configured_as_failures(
    start_backend: StartBackend, client: HttpClient
) -> None:
    _, base = await start_backend(404, 500)
    endpoint = HttpEndpoint("A", url=Text(base), client=client)

    assert (await endpoint.send(message())).status == 404
    answer = await endpoint.send(message())
    assert (answer.status, answer.reason) == (500, "Internal Server Error")


async def test_response_is_decoded_and_loses_hop_by_hop_headers(
    aiohttp_server: AiohttpServer, client: HttpClient
) -> None:
    async def compressed(request: web.Request) -> web.Response:
        body = gzip.compress(b"<ok/>" * 100)
        return web.Response(
            body=body,
            headers={
                "Content-Type": "application/xml",
                "Content-Encoding": "gzip",
                "Connection": "keep-alive",
                "X-Backend": "b1",
            },
        )

    app = web.Application()
    app.router.add_get("/", compressed)
    server = await aiohttp_server(app)
    endpoint = HttpEndpoint("A", url=Text(str(server.make_url("/"))), client=client)

    response = await endpoint.send(message(method="GET", headers={"Accept-Encoding": "identity"}))

    assert response.payload.raw == b"<ok/>" * 100
    assert response.payload.kind == "xml"
    assert response.headers["X-Backend"] == "b1"
    for name in ("Content-Encoding", "Content-Length", "Connection"):
        assert name not in response.headers, name


async def test_no_answer_within_timeout_is_an_endpoint_timeout(
    aiohttp_server: AiohttpServer, client: HttpClient
) -> None:
    release = asyncio.Event()

    async def stalled(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response()

    app = web.Application()
    app.router.add_get("/slow", stalled)
    server = await aiohttp_server(app)
    url = str(server.make_url("/slow"))
    endpoint = HttpEndpoint("Slow", url=Text(url), timeout=0.1, client=client)

    try:
        with pytest.raises(EndpointTimeoutError) as caught:
            await endpoint.send(message(method="GET"))
    finally:
        release.set()

    assert str(caught.value) == f"endpoint Slow: GET {url} did not answer within 100ms"
    assert caught.value.code == "ENDPOINT_TIMEOUT"
    assert caught.value.detail == {"endpoint": "Slow", "method": "GET", "attempts": 1}
    assert caught.value.public_message == "endpoint Slow: GET did not answer within 100ms"


async def test_connection_refused_names_endpoint_method_url_and_cause(
    refused_url: str, client: HttpClient
) -> None:
    endpoint = HttpEndpoint("HospitalReserveEP", url=Text(f"{refused_url}/reserve"), client=client)

    with pytest.raises(EndpointError) as caught:
        await endpoint.send(message(b"{}"))

    error = caught.value
    assert type(error) is EndpointError
    assert (error.code, error.status) == ("ENDPOINT_ERROR", 502)
    assert str(error) == f"endpoint HospitalReserveEP: POST {refused_url}/reserve failed: connection refused"
    assert isinstance(error.__cause__, OSError)
    # The log gets the URL; a client, the endpoint's name only.
    assert (
        error.public_message == "endpoint HospitalReserveEP: POST failed: the back-end could not be reached"
    )
    assert "url" not in error.detail


async def test_credentials_in_the_url_are_never_shown(refused_url: str, client: HttpClient) -> None:
    with_secret = refused_url.replace("http://", "http://admin:s3cret@")
    endpoint = HttpEndpoint(
        "Secured", url=Text(f"{with_secret}/x"), url_text=f"{with_secret}/x", client=client
    )

    with pytest.raises(EndpointError) as caught:
        await endpoint.send(message())

    assert "s3cret" not in str(caught.value) and "admin" not in str(caught.value)
    assert "s3cret" not in repr(caught.value.detail)
    assert endpoint.state().url == f"{refused_url}/x"


async def test_credentials_in_the_url_are_sent_as_basic_auth(
    start_backend: StartBackend, client: HttpClient
) -> None:
    backend, base = await start_backend()
    endpoint = HttpEndpoint(
        "Secured", url=Text(base.replace("http://", "http://admin:s3cret@")), client=client
    )

    await endpoint.send(message(method="GET"))

    assert backend.seen[0].headers["Authorization"] == "Basic YWRtaW46czNjcmV0"


@pytest.mark.parametrize("rendered", ["not a url", "/relative/path", "ftp://host/file", "http://user:pw@/x"])
async def test_a_url_that_is_not_absolute_http_is_refused_before_calling(
    rendered: str, client: HttpClient
) -> None:
    endpoint = HttpEndpoint("A", url=Text(rendered), client=client)

    with pytest.raises(
        EndpointError, match="endpoint A: the URL must be an absolute http or https URL"
    ) as caught:
        await endpoint.send(message())

    assert "pw@" not in str(caught.value)


async def test_header_values_with_line_breaks_are_refused(
    start_backend: StartBackend, client: HttpClient
) -> None:
    backend, base = await start_backend()
    endpoint = HttpEndpoint("A", url=Text(base), headers={"X-Note": Text("a\r\nX-Evil: 1")}, client=client)

    with pytest.raises(EndpointError, match="header X-Note must not contain line breaks"):
        await endpoint.send(message())

    assert backend.seen == []


async def test_endpoint_without_suspension_always_reports_active(
    refused_url: str, client: HttpClient
) -> None:
    endpoint = HttpEndpoint("A", url=Text(refused_url), url_text=refused_url, client=client)
    for _ in range(3):
        with pytest.raises(EndpointError):
            await endpoint.send(message())

    state = endpoint.state()
    assert (state.name, state.kind, state.state, state.url, state.resumes_in) == (
        "A",
        "http",
        "active",
        refused_url,
        None,
    )
