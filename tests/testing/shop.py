"""A small project for the test runner's tests: one API with a filter, a sequence with a switch and an
operation, and an on-error flow (its mediators and branches are counted in the coverage tests), and a
forwarding processor that dead-letters."""

from __future__ import annotations

from pathlib import Path

from tests.support import write_project

SHOP = {
    "endpoints/stock.yaml": """
        endpoint: StockEP
        http:
          method: GET
          url: "${configs.backend}/stock/${params.pathParams.item}"
          timeout: 5s
          retry: {max-attempts: 2, on-status: [503]}
    """,
    "connections/cache.yaml": """
        connection: cache
        connector: redis
        url: redis://127.0.0.1:1/0
    """,
    "endpoints/orders.yaml": """
        endpoint: OrdersEP
        http: {method: POST, url: "${configs.backend}/orders"}
    """,
    "stores/orders.yaml": "store: Orders\nmemory: {}\n",
    "stores/dead.yaml": "store: DeadOrders\nmemory: {}\n",
    "processors/orders.yaml": """
        processor: OrderForwarder
        forwarding:
          store: Orders
          endpoint: OrdersEP
          interval: 1s
          backoff: 10s
          max-attempts: 3
          on-exhausted: {action: dead-letter, store: DeadOrders}
    """,
    "apis/shop.yaml": """
        api: ShopAPI
        context: /shop
        resources:
          - methods: [GET]
            uri-template: /items/{item}
            flow:
              - call: StockEP
              - filter:
                  condition: "payload.count > 0"
                  then:
                    - respond: {json: {item: "${params.pathParams.item}", available: true}}
                  else:
                    - log: "sold out: ${params.pathParams.item}"
                    - respond: {status: 404, json: {item: "${params.pathParams.item}", available: false}}
            on-error:
              - respond: {status: 503, json: {error: "${error.code}"}}
    """,
    "sequences/remember.yaml": """
        sequence: Remember
        flow:
          - switch:
              on: "${payload.kind}"
              cases:
                book:
                  - variable: {name: shelf, value: books}
              default:
                - variable: {name: shelf, value: misc}
          - redis.set:
              connection: cache
              key: "shelf:${vars.shelf}"
              value: "${payload.title}"
    """,
}

PASSING = """
    suite: Shop
    mocks:
      endpoints:
        StockEP: {json: {count: 3}}
    cases:
      - case: an item in stock is available
        request: {method: GET, path: /shop/items/pen}
        expect:
          status: 200
          json: {item: pen, available: true}
          calls: [{endpoint: StockEP, method: GET, url: http://stock.example/stock/pen}]
      - case: a sold-out item is not
        request: {method: GET, path: /shop/items/ink}
        mocks:
          endpoints:
            StockEP: {json: {count: 0}}
        expect:
          status: 404
          json-paths: {$.available: false}
          logs: ["sold out: ink"]
      - case: a book is remembered on the books shelf
        sequence: Remember
        message: {json: {kind: book, title: Dune}}
        mocks:
          operations:
            redis.set: {result: true}
        expect:
          outcome: finished
          variables: {shelf: books}
          calls: [{operation: redis.set, with: {key: "shelf:books", value: Dune}}]
"""
"""A suite of three passing cases."""


def shop(root: Path, suites: dict[str, str]) -> Path:
    """The shop project in ``root`` with the given suite files (``tests/NAME.yaml``: text)."""
    return write_project(root, {**SHOP, **suites}, configs={"backend": "http://stock.example"})
