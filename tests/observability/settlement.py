"""The healthcare-like projects of these tests: a reserve resource whose flow each test writes, storing into
a store of payment requests, and a processor that settles each through the ``hospital`` connection
(``POST /settle``)."""

from __future__ import annotations

import textwrap

SETTLEMENT = {
    "stores/payments.yaml": "store: Payments\nmemory: {}\n",
    "sequences/settle.yaml": """\
        sequence: Settle
        flow:
          - http.post: {connection: hospital, path: "settle", body: "${payload}"}
        """,
    "processors/settler.yaml": """\
        processor: Settler
        forwarding: {store: Payments, sequence: Settle, interval: 50ms}
        """,
}


def reserve_api(flow: str) -> str:
    """``HealthcareAPI`` with ``POST /categories/{category}/reserve`` running ``flow`` (YAML list items)."""
    return (
        "api: HealthcareAPI\ncontext: /healthcare\nresources:\n"
        "  - methods: [POST]\n    uri-template: /categories/{category}/reserve\n    flow:\n"
        + textwrap.indent(textwrap.dedent(flow), "      ")
    )
