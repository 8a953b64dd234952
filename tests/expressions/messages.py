"""Messages and a scope to evaluate expressions against in tests."""

from __future__ import annotations

from typing import Any

from multidict import CIMultiDict

from interlace.expressions import CompileScope, compile_expression
from interlace.message import MessageContext, Params, Payload

ORDER: dict[str, Any] = {
    "hospital": "grand oak community hospital",
    "patient": {"name": "John", "age": 42, "first name": "Johnny"},
    "items": [
        {"name": "scan", "price": 120.5, "category": "radiology"},
        {"name": "blood test", "price": 30, "category": "lab"},
        {"name": "consult", "category": "general"},
    ],
    "tags": ["urgent", "adult"],
    "paid": False,
    "count": 3,
}

XML_ORDER = (
    b"<order id='7'><patient>John</patient><item price='10'>scan</item><item price='20'>test</item></order>"
)


def json_message(value: Any = None) -> MessageContext:
    ctx = MessageContext(
        Payload.of_json(ORDER if value is None else value),
        headers=CIMultiDict({"Content-Type": "application/json", "X-Trace": "abc"}),
        variables={"name": "Ann", "index": 1, "limit": 50, "key": "patient", "nothing": None},
        params=Params({"category": "surgery"}, {"page": "2"}, {"mode": "fast"}),
    )
    ctx.properties["origin"] = "web"
    return ctx


SCOPE = CompileScope(
    configs={"host": "db.local", "db": {"port": 5432, "names": ["a", "b"]}, "debug": False},
    env={"HOME": "/home/app", "EMPTY": ""},
)


def evaluate(source: str, ctx: MessageContext | None = None, scope: CompileScope | None = SCOPE) -> Any:
    return compile_expression(source, scope=scope).evaluate(ctx if ctx is not None else json_message())
