"""The projects these tests draw: the healthcare example, and an orders project whose one resource holds
every kind of branch (validate, filter, foreach, scatter-gather), keeps the order in a store and needs no
back-end to run."""

from __future__ import annotations

from pathlib import Path

from interlace.model.load import Project, load_project
from tests.support import write_project

HEALTHCARE = Path(__file__).parents[2] / "examples" / "healthcare"
RESERVE = "HealthcareAPI/categories/{category}/reserve"

ORDERS = {
    "apis/orders.yaml": """\
        api: OrdersAPI
        context: /orders
        resources:
          - methods: [POST]
            uri-template: /
            flow:
              - validate:
                  schema: {type: object, required: [items]}
                  on-fail:
                    - respond: {status: 400, json: {error: invalid}}
              - filter:
                  condition: "payload.priority == 'high'"
                  then:
                    - header: {name: X-Priority, value: high}
                  else:
                    - log: "normal order"
              - foreach:
                  collection: "${payload.items}"
                  flow:
                    - filter:
                        condition: "vars.item.qty > 0"
                        else:
                          - throw-error: {message: "bad quantity ${vars.item.qty}", code: BAD_QTY, status: 422}
                    - payload: {json: {sku: "${vars.item.sku}"}}
              - scatter-gather:
                  branches:
                    - - variable: {name: a, value: 1}
                    - - variable: {name: b, value: 2}
                      - sequence: Audit
              - store: Kept
              - respond: {}
            on-error:
              - respond: {status: 500, json: {error: "${error.message}"}}
        """,
    "stores/kept.yaml": "store: Kept\nmemory: {}\n",
    "sequences/audit.yaml": """\
        sequence: Audit
        flow:
          - log: "audited"
        """,
}
ORDERS_FLOW = "OrdersAPI/"


def healthcare() -> Project:
    project = load_project(HEALTHCARE)
    assert project.problems == []
    return project


def orders(root: Path) -> Project:
    project = load_project(write_project(root, ORDERS))
    assert project.problems == []
    return project
