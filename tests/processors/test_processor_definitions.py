"""processors/*.yaml and the store mediator as written: checked with file:line, names resolved with hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlace.compiler.compile import check_project
from interlace.compiler.diagnostics import format_problem
from interlace.model.load import load_project
from interlace.model.processor import ProcessorDefinition, parse_statuses
from tests.support import write_project

BASE = {
    "stores/orders.yaml": "store: Orders\nmemory: {}\n",
    "stores/dead.yaml": "store: DeadOrders\nmemory: {}\n",
    "endpoints/receiver.yaml": "endpoint: ReceiverEP\nhttp: {url: 'http://127.0.0.1:1/in', method: POST}\n",
    "sequences/deliver.yaml": "sequence: Deliver\nflow:\n  - call: ReceiverEP\n",
}


def problems_of(tmp_path: Path, files: dict[str, str]) -> list[str]:
    project = load_project(write_project(tmp_path, {**BASE, **files}), env={})
    return [format_problem(problem) for problem in check_project(project)]


def test_a_complete_forwarding_processor_compiles(tmp_path: Path) -> None:
    processor = """
        processor: OrderForwarder
        forwarding:
          store: Orders
          endpoint: ReceiverEP
          interval: 250ms
          max-attempts: 3
          backoff: 100ms
          max-backoff: 2s
          delivered-status: [2xx, 304]
          never-retry-status: [4xx]
          on-exhausted: {action: dead-letter, store: DeadOrders, sequence: Deliver}
          concurrency: 2
        """
    assert problems_of(tmp_path, {"processors/forward.yaml": processor}) == []


def test_unknown_names_are_reported_at_their_lines_with_hints(tmp_path: Path) -> None:
    processor = """
        processor: OrderForwarder
        forwarding:
          store: Order
          sequence: Delivr
          on-exhausted: {action: dead-letter, store: DeadOrder}
        """
    flow = (
        "api: A\ncontext: /a\nresources:\n  - methods: [POST]\n    uri-template: /\n"
        "    flow:\n      - store: Ordrs\n"
    )
    assert problems_of(tmp_path, {"processors/forward.yaml": processor, "apis/a.yaml": flow}) == [
        "apis/a.yaml:7: unknown store 'Ordrs'\n    hint: did you mean 'Orders'?",
        "processors/forward.yaml:3: unknown store 'Order'\n    hint: did you mean 'Orders'?",
        "processors/forward.yaml:4: unknown sequence 'Delivr'\n    hint: did you mean 'Deliver'?",
        "processors/forward.yaml:5: unknown store 'DeadOrder'\n    hint: did you mean 'DeadOrders'?",
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("store: Orders", "give exactly one target: endpoint, sequence or to-store (got none of them)"),
        ("store: Orders\n  endpoint: ReceiverEP\n  sequence: Deliver", "(got endpoint and sequence)"),
        ("store: Orders\n  endpoint: ReceiverEP\n  on-exhausted: dead-letter", "needs a store"),
        ("store: Orders\n  endpoint: ReceiverEP\n  cron: 'every day'", "must be a cron expression"),
        ("store: Orders\n  endpoint: ReceiverEP\n  interval: 1s\n  cron: '* * * * *'", "interval or cron"),
        (
            "store: Orders\n  endpoint: ReceiverEP\n  backoff: 10s\n  max-backoff: 1s",
            "max-backoff must be >=",
        ),
        ("store: Orders\n  endpoint: ReceiverEP\n  never-retry-status: [200]", "both delivered and never"),
        ("store: Orders\n  endpoint: ReceiverEP\n  delivered-status: [7xx]", "classes like 4xx"),
        ("store: Orders\n  endpoint: ReceiverEP\n  max-attempts: 0", "greater than or equal to 1"),
        ("store: Orders\n  to-store: Orders", "to-store must be another store"),
    ],
)
def test_forwarding_options_are_checked(tmp_path: Path, body: str, expected: str) -> None:
    text = f"processor: P\nforwarding:\n  {body}\n"
    [problem] = problems_of(tmp_path, {"processors/p.yaml": text})
    assert problem.startswith("processors/p.yaml:")
    assert expected in problem


def test_a_processor_has_exactly_one_kind(tmp_path: Path) -> None:
    text = (
        "processor: P\nforwarding: {store: Orders, endpoint: ReceiverEP}\n"
        "sampling: {store: Orders, sequence: Deliver}\n"
    )
    assert problems_of(tmp_path, {"processors/p.yaml": text}) == [
        "processors/p.yaml:3: processor 'P' must have exactly one of forwarding or sampling"
        " (got forwarding and sampling)"
    ]


def test_two_forwarding_processors_cannot_share_a_store(tmp_path: Path) -> None:
    one = "processor: One\nforwarding: {store: Orders, endpoint: ReceiverEP}\n"
    two = "processor: Two\nforwarding: {store: Orders, sequence: Deliver}\n"
    [problem] = problems_of(tmp_path, {"processors/one.yaml": one, "processors/two.yaml": two})
    assert "store 'Orders' is already forwarded by the processor at processors/one.yaml:1" in problem


def test_the_store_mediator_takes_a_failover_store(tmp_path: Path) -> None:
    flow = (
        "sequence: S\nflow:\n  - store: {name: Orders, failover-store: DeadOrders}\n"
        "  - store: {name: Orders, failover-store: Orders}\n"
    )
    [problem] = problems_of(tmp_path, {"sequences/s.yaml": flow})
    assert problem.startswith("sequences/s.yaml:4: store: failover-store must be another store")


def test_status_sets_take_codes_and_classes() -> None:
    assert parse_statuses(["2xx", 304, "404"]) == frozenset(range(200, 300)) | {304, 404}


def test_on_exhausted_takes_an_action_name() -> None:
    definition = ProcessorDefinition.model_validate(
        {"processor": "P", "forwarding": {"store": "S", "endpoint": "E", "on-exhausted": "drop"}}
    )
    assert definition.kind == "forwarding"
    assert definition.body.on_exhausted.action == "drop"  # type: ignore[union-attr]
