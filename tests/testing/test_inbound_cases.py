"""Cases for inbound endpoints: an event delivered as the trigger would, through the endpoint's flow,
redelivery limit and dead-letter place, with what the endpoint did with it as the outcome."""

from __future__ import annotations

from pathlib import Path

from interlace.errors import ConfigError
from interlace.testing import run_project_suites
from tests.testing.shop import shop

EVENTS = {
    "sequences/forward.yaml": """
        sequence: ForwardOrder
        flow:
          - log: "order ${payload.order} from ${properties.source}"
          - call: OrdersEP
    """,
    "inbound/orders.yaml": """
        inbound: OrderEvents
        trigger: {redis.stream: {connection: cache, stream: orders, group: shop}}
        sequence: ForwardOrder
        redelivery: {max-attempts: 3, backoff: 10s}
        dead-letter-store: DeadOrders
    """,
}

SUITE = """
    suite: Events
    cases:
      - case: an event whose flow succeeds is acknowledged
        inbound: OrderEvents
        event: {json: {order: 7}, attributes: {source: web}}
        mocks:
          endpoints: {OrdersEP: {status: 201}}
        expect:
          outcome: acknowledged
          calls: [{endpoint: OrdersEP, json: {order: 7}}]
          logs: [order 7 from web]
      - case: a failure then a success is acknowledged on the second delivery
        inbound: OrderEvents
        event: {json: {order: 8}}
        mocks:
          endpoints: {OrdersEP: [{fail: connection refused}, {status: 201}]}
        expect:
          outcome: acknowledged
          calls: [{endpoint: OrdersEP}, {endpoint: OrdersEP}]
          stored: {DeadOrders: []}
      - case: an event that keeps failing is dead-lettered after its attempts
        inbound: OrderEvents
        event: {json: {order: 9}}
        mocks:
          endpoints: {OrdersEP: {fail: connection refused}}
        expect:
          outcome: dead-lettered
          calls: [{endpoint: OrdersEP}, {endpoint: OrdersEP}, {endpoint: OrdersEP}]
          stored: {DeadOrders: [{json: {order: 9}}]}
"""


async def test_inbound_cases_run_the_event_through_the_endpoint_as_its_trigger_delivers_it(
    tmp_path: Path,
) -> None:
    run = await run_project_suites(shop(tmp_path, {**EVENTS, "tests/events.yaml": SUITE}))
    assert [result.failures for result in run.results] == [(), (), ()]


async def test_an_inbound_case_whose_outcome_differs_fails_and_says_what_happened(tmp_path: Path) -> None:
    failing = SUITE.replace("outcome: dead-lettered", "outcome: acknowledged")
    run = await run_project_suites(shop(tmp_path, {**EVENTS, "tests/events.yaml": failing}))
    failures = [result.failures for result in run.results]
    assert failures[:2] == [(), ()]
    assert any("dead-lettered" in line for line in failures[2]), failures[2]


async def test_an_inbound_case_names_an_endpoint_the_project_has(tmp_path: Path) -> None:
    wrong = SUITE.replace("inbound: OrderEvents", "inbound: OrderEvent", 1)
    try:
        await run_project_suites(shop(tmp_path, {**EVENTS, "tests/events.yaml": wrong}))
    except ConfigError as exc:
        problems = [f"{problem} ({problem.hint})" for problem in exc.detail]
    else:
        raise AssertionError("the unknown inbound endpoint was not reported")
    assert any(
        problem
        == "the project has no inbound endpoint 'OrderEvent' at tests/events.yaml:4 (did you mean 'OrderEvents'?)"
        for problem in problems
    ), problems


async def test_an_inbound_case_of_an_http_listener_is_refused_with_what_to_test_instead(
    tmp_path: Path,
) -> None:
    listener = {"inbound/listener.yaml": "inbound: ShopListener\nhttp: {port: 18999, apis: [ShopAPI]}\n"}
    case = SUITE.replace("inbound: OrderEvents", "inbound: ShopListener", 1)
    try:
        await run_project_suites(shop(tmp_path, {**EVENTS, **listener, "tests/events.yaml": case}))
    except ConfigError as exc:
        problems = [f"{problem} ({problem.hint})" for problem in exc.detail]
    else:
        raise AssertionError("a case of an HTTP listener was not refused")
    assert problems == [
        "inbound endpoint 'ShopListener' is an HTTP listener, which receives no events at tests/events.yaml:4"
        " (test the API it serves with a request case)"
    ], problems
