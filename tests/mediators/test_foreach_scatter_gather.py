"""foreach and scatter-gather: running flows on copies of the message, in order, sequentially or at once."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from interlace.errors import MediationError
from tests.support import within

from .conftest import CompileFlows
from .harness import message


class Rendezvous:
    """A back-end where ``first`` answers only after ``second`` has arrived: calls succeed only when
    they are in flight together, and ``second`` finishes first."""

    def __init__(self) -> None:
        self.second_arrived = asyncio.Event()
        self.finished: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name == "first":
            await within(self.second_arrived.wait())
        else:
            self.second_arrived.set()
        self.finished.append(name)
        return web.json_response({"name": name})


@pytest.fixture
async def rendezvous(aiohttp_server: AiohttpServer) -> tuple[Rendezvous, str]:
    backend = Rendezvous()
    app = web.Application()
    app.router.add_get("/meet/{name}", backend.handle)
    server = await aiohttp_server(app)
    return backend, str(server.make_url("")).rstrip("/")


MEET = {
    "endpoints/meet.yaml": """
        endpoint: MeetEP
        http: {method: GET, url: "${configs.backend}/meet/${vars.item}", timeout: 10s}
    """
}


async def test_foreach_collects_each_copy_payload_in_order(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - foreach:
            collection: "${payload.items}"
            flow:
              - payload: {json: {n: "${vars.item.n * 10}", at: "${vars.index}"}}
        """
    )
    ctx = await flows.run(message({"items": [{"n": 1}, {"n": 2}, {"n": 3}]}, variables={"x": 1}))
    assert ctx.payload.json() == [{"n": 10, "at": 0}, {"n": 20, "at": 1}, {"n": 30, "at": 2}]
    assert ctx.variables == {"x": 1}


async def test_foreach_result_and_target_leave_the_payload_alone(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - foreach:
            collection: payload.names
            as: name
            flow:
              - variable: {name: upper, value: "${toUpper(vars.name)}"}
            result: {name: "${vars.upper}"}
            target: vars.out
        """
    )
    ctx = await flows.run(message({"names": ["a", "b"]}))
    assert ctx.variables["out"] == [{"name": "A"}, {"name": "B"}]
    assert ctx.payload.json() == {"names": ["a", "b"]}


async def test_foreach_over_nothing_gives_an_empty_array(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow="- foreach: {collection: payload.none, flow: [log: x], target: vars.out}")
    ctx = await flows.run(message({}))
    assert ctx.variables["out"] == []


async def test_foreach_over_a_non_array_fails(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow="- foreach: {collection: payload.one, flow: [log: x]}")
    with pytest.raises(MediationError) as caught:
        await flows.run(message({"one": {"a": 1}}))
    assert caught.value.message == "foreach needs an array from ${payload.one} (got dict)"


async def test_parallel_foreach_runs_at_once_and_keeps_the_order(
    compile_flows: CompileFlows, rendezvous: tuple[Rendezvous, str]
) -> None:
    backend, url = rendezvous
    flows = compile_flows(
        MEET,
        flow="""
        - foreach:
            collection: "${payload}"
            parallel: true
            flow: [call: MeetEP]
            result: "${payload.name}"
        """,
        configs={"backend": url},
    )
    ctx = await flows.run(message(["first", "second"]))
    assert ctx.payload.json() == ["first", "second"]
    assert backend.finished == ["second", "first"]


@pytest.mark.parametrize("parallel", ["true", "false"])
async def test_an_error_in_one_foreach_branch_fails_the_whole(
    compile_flows: CompileFlows, parallel: str
) -> None:
    flows = compile_flows(
        flow=f"""
        - foreach:
            collection: "${{payload}}"
            parallel: {parallel}
            flow:
              - filter:
                  condition: "${{vars.item == 2}}"
                  then: [throw-error: {{message: "item ${{vars.item}} failed", code: ITEM}}]
        - variable: {{name: reached, value: true}}
        """
    )
    ctx = message([1, 2, 3])
    with pytest.raises(MediationError) as caught:
        await flows.run(ctx)
    assert (caught.value.message, caught.value.code) == ("item 2 failed", "ITEM")
    assert ctx.payload.json() == [1, 2, 3]
    assert ctx.variables == {}


async def test_scatter_gather_runs_branches_at_once_and_gathers_in_branch_order(
    compile_flows: CompileFlows, rendezvous: tuple[Rendezvous, str]
) -> None:
    backend, url = rendezvous
    flows = compile_flows(
        MEET,
        flow="""
        - scatter-gather:
            branches:
              - [variable: {name: item, value: first}, call: MeetEP]
              - [variable: {name: item, value: second}, call: MeetEP]
              - [payload: {json: {copy: "${payload.original}"}}]
        """,
        configs={"backend": url},
    )
    ctx = await flows.run(message({"original": True}))
    assert ctx.payload.json() == [{"name": "first"}, {"name": "second"}, {"copy": True}]
    assert backend.finished == ["second", "first"]
    assert ctx.variables == {}


async def test_scatter_gather_into_a_variable(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - scatter-gather:
            target: vars.gathered
            branches:
              - [payload: {json: 1}]
              - [payload: {text: two}]
        """
    )
    ctx = await flows.run(message({"keep": 1}))
    assert ctx.variables["gathered"] == [1, "two"]
    assert ctx.payload.json() == {"keep": 1}


async def test_a_failing_scatter_gather_branch_fails_the_mediator(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - scatter-gather:
            branches:
              - [log: fine]
              - [throw-error: {message: branch broke, code: BRANCH}]
        """
    )
    with pytest.raises(MediationError, match=r"^branch broke$"):
        await flows.run(message({}))
