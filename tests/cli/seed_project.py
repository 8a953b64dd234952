"""A project that uses every kind of artifact and mediator, and passes ``interlace check``: the seed the
robustness tests mutate."""

from __future__ import annotations

from pathlib import Path

__all__ = ["SEED", "write_seed"]

SEED: dict[str, str] = {
    "interlace.toml": """\
[project]
name = "seed"
version = "1.0.0"

[server]
port = 8290
max-body-size = "1MiB"

[configs]
backend = "http://127.0.0.1:9"
limits = { orders = 10 }

[profiles.dev.configs]
backend = "http://127.0.0.1:19"

[profiles.dev.secrets]
TOKEN = "dev-token"
""",
    "apis/orders.yaml": """\
api: OrdersAPI
context: /orders
version: v1
resources:
  - methods: [POST]
    uri-template: /{id}
    flow:
      - log: {message: "order ${params.pathParams.id}", level: info}
      - variable: {name: total, value: "${payload.amount * 2}", type: number}
      - property: {name: p, value: "${vars.total}"}
      - header: {name: X-Order, value: "${params.pathParams.id}"}
      - filter:
          condition: "${vars.total > configs.limits.orders}"
          then:
            - respond: {status: 400, json: {error: "too big"}}
          else:
            - enrich: {source: "${vars.total}", target: vars.copy}
      - switch:
          on: "${payload.kind}"
          cases:
            a: [{payload: {json: {kind: a}}}]
            b: [{payload: {xml: "<b>${payload.kind}</b>"}}]
          default:
            - throw-error: {message: "unknown kind", status: 422}
      - foreach:
          collection: "${payload.items}"
          as: item
          flow:
            - log: "${vars.item}"
      - scatter-gather:
          branches:
            - [{call: Backend}]
            - [{sequence: Helper}]
      - validate:
          schema: {type: object, required: [amount]}
      - call: {endpoint: Backend}
      - store: Orders
      - respond: {status: 201, json: {ok: true, xp: "${xpath('string(/a)')}"}}
    on-error: ErrorHandler
  - methods: [GET]
    uri-template: /search?q={q}
    flow:
      - respond: {text: "${toUpper(params.queryParams.q)}", content-type: text/plain}
""",
    "sequences/helper.yaml": """\
sequence: Helper
parameters: [who]
flow:
  - payload: {json: {hello: "${params.functionParams.who ?? 'x'}"}}
  - drop
""",
    "sequences/error.yaml": """\
sequence: ErrorHandler
flow:
  - respond: {status: 500, json: {error: "${error.message}"}}
""",
    "sequences/settle.yaml": """\
sequence: Settle
flow:
  - call: Group
  - log: {message: settled, full: true}
""",
    "endpoints/backend.yaml": """\
endpoint: Backend
http:
  url: "${configs.backend}/orders/{uri.var.id}"
  method: POST
  timeout: 5s
""",
    "endpoints/spare.yaml": """\
endpoint: Spare
http: {url: "http://127.0.0.1:10/spare"}
""",
    "endpoints/group.yaml": """\
endpoint: Group
failover:
  members: [Backend, Spare]
""",
    "stores/orders.yaml": """\
store: Orders
sqlite: {path: .interlace/orders.sqlite}
""",
    "stores/dead.yaml": """\
store: DeadOrders
memory: {}
""",
    "processors/settle.yaml": """\
processor: SettleOrders
forwarding:
  store: Orders
  sequence: Settle
  interval: 500ms
  max-attempts: 5
  backoff: 1s
  on-exhausted: {action: dead-letter, store: DeadOrders}
""",
    "tasks/tick.yaml": """\
task: Tick
interval: 1h
sequence: Helper
payload: {at: "${now()}"}
""",
    "tasks/nightly.yaml": """\
task: Nightly
cron: "0 2 * * *"
sequence: Settle
""",
    "inbound/files.yaml": """\
inbound: IncomingOrders
file: {folder: inbox, pattern: "*.json", on-success: {action: move, move-to: done}}
sequence: Helper
max-in-flight: 4
""",
    "inbound/listener.yaml": """\
inbound: SecondPort
http: {port: 0, apis: [OrdersAPI]}
""",
}


def write_seed(root: Path, files: dict[str, bytes] | None = None) -> Path:
    """The seed project under ``root``, with ``files`` (relative path: bytes) written over it."""
    contents = {path: text.encode() for path, text in SEED.items()} | (files or {})
    for relative, data in contents.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root
