"""Running suites: passing and failing cases, what a failure says, mocks that contradict the specs,
calls nothing mocks, and the coverage of a known project."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from interlace.errors import ConfigError
from interlace.testing import ProjectUnderTest, coverage_lines, report_lines, run_project_suites
from tests.support import write_project
from tests.testing.shop import PASSING, shop


async def test_a_passing_suite_reports_every_case_ok(tmp_path: Path) -> None:
    run = await run_project_suites(shop(tmp_path, {"tests/shop.yaml": PASSING}))
    assert report_lines(run) == [
        "ok   Shop :: an item in stock is available",
        "ok   Shop :: a sold-out item is not",
        "ok   Shop :: a book is remembered on the books shelf",
        "3 cases passed, 0 failed",
    ]


async def test_a_failing_case_says_what_differed_with_a_diff_of_the_json(tmp_path: Path) -> None:
    suite = """
        suite: Shop
        cases:
          - case: wrong expectations
            request: {method: GET, path: /shop/items/pen}
            mocks:
              endpoints:
                StockEP: {json: {count: 3}}
            expect:
              status: 201
              json: {item: pen, available: false}
              headers: {X-Stock: "3"}
              calls: [{endpoint: StockEP, url: http://stock.example/stock/ink}, {endpoint: StockEP}]
    """
    run = await run_project_suites(shop(tmp_path, {"tests/shop.yaml": suite}))
    assert report_lines(run) == [
        "FAIL Shop :: wrong expectations",
        "     at tests/shop.yaml:3",
        "     status: expected 201, got 200",
        '     header X-Stock: expected "3", but there is none',
        "     body differs:",
        "         --- expected",
        "         +++ actual",
        "         @@ -1,4 +1,4 @@",
        "          {",
        '         -  "available": false,',
        '         +  "available": true,',
        '            "item": "pen"',
        "          }",
        "     1st call of StockEP: URL expected http://stock.example/stock/ink, got http://stock.example/stock/pen",
        "     StockEP: expected a 2nd call, but it was called 1 times",
        "0 cases passed, 1 failed",
    ]


async def test_a_call_that_the_case_does_not_mock_fails_the_case_and_reaches_nothing(tmp_path: Path) -> None:
    suite = """
        suite: Shop
        cases:
          - case: nothing mocked
            request: {method: GET, path: /shop/items/pen}
            expect: {status: 503}
          - case: no operation mocked
            sequence: Remember
            message: {json: {kind: book, title: Dune}}
            expect: {outcome: failed}
    """
    run = await run_project_suites(shop(tmp_path, {"tests/shop.yaml": suite}))
    assert [result.failures for result in run.results] == [
        ("endpoint StockEP was called, but the case does not mock it",),
        ("operation redis.set was called, but the case does not mock it",),
    ]


async def test_endpoint_answers_follow_the_endpoints_retry_policy_and_timeout(tmp_path: Path) -> None:
    suite = """
        suite: Shop
        cases:
          - case: a 503 is asked again, then answered
            request: {method: GET, path: /shop/items/pen}
            mocks:
              endpoints:
                StockEP: [{status: 503}, {json: {count: 1}}]
            expect:
              status: 200
              calls: [{endpoint: StockEP}, {endpoint: StockEP}]
          - case: an answer slower than the timeout is a timeout, twice
            request: {method: GET, path: /shop/items/pen}
            mocks:
              endpoints:
                StockEP: {delay: 1m}
            expect:
              status: 503
              json: {error: ENDPOINT_TIMEOUT}
              calls: [{endpoint: StockEP}, {endpoint: StockEP}]
          - case: a refused connection fails the call
            request: {method: GET, path: /shop/items/pen}
            mocks:
              endpoints:
                StockEP: {fail: connection refused}
            expect:
              json: {error: ENDPOINT_ERROR}
    """
    run = await run_project_suites(shop(tmp_path, {"tests/shop.yaml": suite}))
    assert [result.failures for result in run.results] == [(), (), ()]


async def test_operation_mocks_raise_the_sdk_error_asked_for(tmp_path: Path) -> None:
    suite = """
        suite: Shop
        cases:
          - case: redis is unavailable
            sequence: Remember
            message: {json: {kind: pen, title: Bic}}
            mocks:
              operations:
                redis.set: {error: RetryableError, message: busy}
            expect:
              outcome: failed
              variables: {shelf: misc}
              error: {code: CONNECTOR_UNAVAILABLE, status: 503}
    """
    run = await run_project_suites(shop(tmp_path, {"tests/shop.yaml": suite}))
    assert run.results[0].failures == ()


async def test_a_processor_delivers_with_retries_without_waiting_then_dead_letters(tmp_path: Path) -> None:
    suite = """
        suite: Orders
        cases:
          - case: delivered on the second attempt
            processor: OrderForwarder
            message: {json: {order: 1}}
            mocks:
              endpoints:
                OrdersEP: [{fail: connection refused}, {status: 201}]
            expect:
              outcome: delivered
              calls: [{endpoint: OrdersEP}, {endpoint: OrdersEP, json: {order: 1}}]
              stored: {Orders: [], DeadOrders: []}
          - case: dead-lettered after three attempts
            processor: OrderForwarder
            message: {json: {order: 2}}
            mocks:
              endpoints:
                OrdersEP: {fail: connection refused}
            expect:
              outcome: dead-lettered
              stored: {Orders: [], DeadOrders: [{json: {order: 2}}]}
              logs: [moved message]
    """
    run = await run_project_suites(shop(tmp_path, {"tests/orders.yaml": suite}))
    assert [result.failures for result in run.results] == [(), ()]
    async with ProjectUnderTest.load(tmp_path) as project:
        project.mock_endpoint("OrdersEP", fail="connection refused")
        delivery = await project.run_processor("OrderForwarder", json={"order": 3})
    assert (delivery.outcome, len(delivery.calls_of("OrdersEP"))) == ("dead-lettered", 3)


async def test_mocks_and_expectations_that_contradict_the_specs_are_refused_at_their_lines(
    tmp_path: Path,
) -> None:
    suite = """
        suite: Shop
        mocks:
          endpoints:
            StokEP: {json: {}}
        cases:
          - case: contradictions
            sequence: Remembr
            mocks:
              operations:
                redis.sett: {result: true}
                redis.set: {result: {not: a bool}}
            expect:
              calls:
                - {endpoint: StockEP, method: POST}
                - {operation: redis.set, with: {kee: x}}
              stored: {Nowhere: []}
    """
    with pytest.raises(ConfigError) as raised:
        await run_project_suites(shop(tmp_path, {"tests/shop.yaml": suite}))
    assert [str(problem) for problem in raised.value.detail] == [
        "the project has no endpoint 'StokEP' at tests/shop.yaml:3",
        "the project has no sequence 'Remembr' at tests/shop.yaml:7",
        "connector 'redis' has no operation 'sett' at tests/shop.yaml:9",
        "redis.set returns boolean; the mocked result does not fit (Input should be a valid boolean) at tests/shop.yaml:11",
        "endpoint StockEP always sends GET, never POST at tests/shop.yaml:14",
        "redis.set has no parameter 'kee' at tests/shop.yaml:15",
        "the project has no store 'Nowhere' at tests/shop.yaml:16",
    ]
    hints = [problem.hint for problem in raised.value.detail]
    assert hints[0] == "did you mean 'StockEP'?"
    assert hints[1] == "did you mean 'Remember'?"
    assert hints[5] == "did you mean 'key'?"


async def test_unknown_keys_of_a_suite_are_problems_at_their_line(tmp_path: Path) -> None:
    suite = """
        suite: Shop
        cases:
          - case: typo
            request: {method: GET, path: /shop/items/pen}
            expect: {stauts: 200}
    """
    with pytest.raises(ConfigError) as raised:
        await run_project_suites(shop(tmp_path, {"tests/shop.yaml": suite}))
    (problem,) = raised.value.detail
    assert str(problem) == "unknown key 'stauts' at tests/shop.yaml:5"
    assert problem.hint == "did you mean 'status'?"


async def test_coverage_names_the_mediators_and_branches_no_case_reached(tmp_path: Path) -> None:
    suite = """
        suite: Shop
        cases:
          - case: an item in stock is available
            request: {method: GET, path: /shop/items/pen}
            mocks: {endpoints: {StockEP: {json: {count: 3}}}}
            expect: {status: 200}
    """
    run = await run_project_suites(shop(tmp_path, {"tests/shop.yaml": suite}))
    assert coverage_lines(run) == [
        "coverage: 3 of 10 mediators, 1 of 5 branches reached",
        "  not reached: mediator apis/shop.yaml:13 log",
        "  not reached: mediator apis/shop.yaml:14 respond",
        "  not reached: mediator apis/shop.yaml:16 respond",
        "  not reached: mediator sequences/remember.yaml:3 switch",
        "  not reached: mediator sequences/remember.yaml:7 variable",
        "  not reached: mediator sequences/remember.yaml:9 variable",
        "  not reached: mediator sequences/remember.yaml:10 redis.set",
        "  not reached: branch filter at apis/shop.yaml:8: else",
        "  not reached: branch ShopAPI GET /items/{item} at apis/shop.yaml:15: on-error",
        "  not reached: branch switch at sequences/remember.yaml:3: case 'book'",
        "  not reached: branch switch at sequences/remember.yaml:3: default",
    ]


async def test_the_cases_of_a_suite_together_reach_every_mediator_and_branch(tmp_path: Path) -> None:
    more = """
        - case: a failing stock service is answered by the on-error flow
          request: {method: GET, path: /shop/items/pen}
          mocks: {endpoints: {StockEP: {fail: connection refused}}}
          expect: {status: 503}
        - case: anything else goes on the misc shelf
          sequence: Remember
          message: {json: {kind: pen, title: Bic}}
          mocks: {operations: {redis.set: {result: true}}}
          expect: {variables: {shelf: misc}}
    """
    suite = textwrap.dedent(PASSING) + textwrap.indent(textwrap.dedent(more).lstrip("\n"), "  ")
    run = await run_project_suites(shop(tmp_path, {"tests/shop.yaml": suite}))
    assert not run.failed
    assert coverage_lines(run) == ["coverage: 10 of 10 mediators, 5 of 5 branches reached"]


async def test_operation_parameters_are_compared_by_the_names_flows_write(tmp_path: Path) -> None:
    files = {
        "connections/mail.yaml": "connection: mail\nconnector: email\nhost: smtp.example\n",
        "sequences/notify.yaml": """
            sequence: Notify
            flow:
              - email.send: {connection: mail, to: ann@example.com, subject: Hi, from: shop@example.com}
        """,
        "tests/notify.yaml": """
            suite: Notify
            cases:
              - case: the sender is given as from
                sequence: Notify
                mocks: {operations: {email.send: {result: {messageId: m-1}}}}
                expect:
                  calls: [{operation: email.send, with: {from: shop@example.com, subject: Hi}}]
        """,
    }
    run = await run_project_suites(write_project(tmp_path, files))
    assert [result.failures for result in run.results] == [()]


PETSTORE = Path(__file__).resolve().parents[1] / "connectors" / "openapi" / "specs" / "petstore30.yaml"


def _pets(root: Path, expected_call: str) -> Path:
    files = {
        "specs/petstore30.yaml": PETSTORE.read_text(encoding="utf-8"),
        "connections/pets.yaml": "connection: pets\nconnector: openapi\nspec: specs/petstore30.yaml\n"
        "base-url: http://pets.example/v1\n",
        "sequences/pets.yaml": """
            sequence: Pets
            flow:
              - openapi.findPetsByStatus: {connection: pets, status: sold}
        """,
        "tests/pets.yaml": """
            suite: Pets
            cases:
              - case: sold pets
                sequence: Pets
                mocks: {operations: {openapi.findPetsByStatus: {result: [{name: Rex}]}}}
                expect:
                  json: [{name: Rex}]
                  calls: [{operation: openapi.findPetsByStatus, with: CALL}]
        """.replace("CALL", expected_call),
    }
    return write_project(root, files)


async def test_operations_a_connections_settings_define_are_mocked_and_checked_too(tmp_path: Path) -> None:
    run = await run_project_suites(_pets(tmp_path / "right", "{status: sold}"))
    assert [result.failures for result in run.results] == [()]
    with pytest.raises(ConfigError) as raised:
        await run_project_suites(_pets(tmp_path / "wrong", "{state: sold}"))
    assert [str(problem) for problem in raised.value.detail] == [
        "openapi.findPetsByStatus has no parameter 'state' at tests/pets.yaml:8"
    ]
