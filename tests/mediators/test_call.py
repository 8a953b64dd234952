"""The call mediator against a real HTTP server on loopback."""

from __future__ import annotations

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from interlace.errors import EndpointError

from .conftest import CompileFlows
from .harness import message


async def _echo(request: web.Request) -> web.Response:
    body = await request.json() if request.can_read_body else None
    return web.json_response(
        {"method": request.method, "path": request.path, "body": body, "x_in": request.headers.get("X-In")},
        status=201,
        headers={"X-Backend": "yes"},
    )


async def _missing(request: web.Request) -> web.Response:
    return web.Response(status=404, text="no such thing", headers={"X-Backend": "yes"})


@pytest.fixture
async def backend(aiohttp_server: AiohttpServer) -> str:
    app = web.Application()
    app.router.add_route("*", "/echo/{tail:.*}", _echo)
    app.router.add_get("/missing", _missing)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


ENDPOINTS = {
    "endpoints/echo.yaml": """
        endpoint: EchoEP
        http: {url: "${configs.backend}/echo/${vars.id}", timeout: 5s}
    """,
    "endpoints/missing.yaml": """
        endpoint: MissingEP
        http: {method: GET, url: "${configs.backend}/missing", timeout: 5s}
    """,
}


async def test_the_answer_replaces_payload_headers_and_status(
    compile_flows: CompileFlows, backend: str
) -> None:
    flows = compile_flows(
        ENDPOINTS,
        flow="""
        - header: {name: X-In, value: "from ${payload.who}"}
        - call: EchoEP
        """,
        configs={"backend": backend},
    )
    ctx = await flows.run(message({"who": "flow"}, variables={"id": 12}))
    assert ctx.payload.json() == {
        "method": "POST",
        "path": "/echo/12",
        "body": {"who": "flow"},
        "x_in": "from flow",
    }
    assert ctx.status == 201
    assert ctx.headers["X-Backend"] == "yes"
    assert "X-In" not in ctx.headers


async def test_a_non_success_answer_is_passed_on_with_its_status(
    compile_flows: CompileFlows, backend: str
) -> None:
    flows = compile_flows(ENDPOINTS, flow="- call: {endpoint: MissingEP}", configs={"backend": backend})
    ctx = await flows.run(message({"a": 1}))
    assert ctx.status == 404
    assert ctx.payload.text() == "no such thing"


async def test_response_variable_keeps_the_message_and_stores_the_answer(
    compile_flows: CompileFlows, backend: str
) -> None:
    flows = compile_flows(
        ENDPOINTS,
        flow="- call: {endpoint: EchoEP, response-variable: echoed}",
        configs={"backend": backend},
    )
    ctx = await flows.run(message({"keep": 1}, variables={"id": "x"}))
    assert ctx.payload.json() == {"keep": 1}
    assert ctx.status is None
    answer = ctx.variables["echoed"]
    assert answer["status"] == 201
    assert answer["payload"]["body"] == {"keep": 1}
    assert answer["headers"]["X-Backend"] == "yes"


async def test_an_unreachable_endpoint_fails_the_flow(
    compile_flows: CompileFlows, unused_tcp_port: int
) -> None:
    flows = compile_flows(
        ENDPOINTS, flow="- call: MissingEP", configs={"backend": f"http://127.0.0.1:{unused_tcp_port}"}
    )
    with pytest.raises(EndpointError) as caught:
        await flows.run(message({}))
    assert caught.value.code == "ENDPOINT_ERROR"
    assert caught.value.detail["endpoint"] == "MissingEP"
