"""Doubles of endpoints and connector operations, and the book of calls they keep.

A project under test is compiled once with every endpoint wrapped in an :class:`EndpointDouble` (the
compiler's ``endpoint_stand_in`` seam) and every connector replaced by a stand-in whose operations ask
the book (the registry seam), so no case reaches the network. Before each case the runner gives the
book that case's mocks; a call to an endpoint or operation the case does not mock fails the call (as an
unreachable peer would) and is reported as a problem of the case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
from multidict import CIMultiDict

from interlace.endpoints import Endpoint, EndpointResponse, EndpointState, HttpEndpoint
from interlace.errors import EndpointError, EndpointTimeoutError, InterlaceError
from interlace.message import MessageContext, Payload
from interlace.model.durations import format_duration
from interlace.model.suite import AnswerDefinition, MocksDefinition, OperationMockDefinition
from interlace.sdk import ConnectorRegistry, FatalError, InvalidInput, OperationSpec, RetryableError
from interlace.sdk.testing import connector_entry_point, stand_in_connector

__all__ = ["Call", "CallBook", "EndpointDouble", "EndpointStandIn", "stand_in_registry"]

_ERRORS: Mapping[str, type[InterlaceError]] = {
    "FatalError": FatalError,
    "RetryableError": RetryableError,
    "InvalidInput": InvalidInput,
}


@dataclass(frozen=True, slots=True)
class Call:
    """One call a case made: to an endpoint (``method``, ``url``, ``headers``, ``body``) or to an
    operation (``values``: its parameters)."""

    target: str
    kind: str  # "endpoint" or "operation"
    method: str = ""
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    values: Mapping[str, Any] = field(default_factory=dict)


class CallBook:
    """The mocks of the case running now and the calls it made (cases run one at a time)."""

    def __init__(self) -> None:
        self.mocks = MocksDefinition()
        self.calls: list[Call] = []
        self.unmocked: list[str] = []

    def start(self, mocks: MocksDefinition) -> None:
        """Forget the previous case; answer with ``mocks`` from now on."""
        self.mocks = mocks
        self.calls = []
        self.unmocked = []

    def count(self, target: str) -> int:
        return sum(1 for call in self.calls if call.target == target)

    def answer_of(self, name: str) -> AnswerDefinition | None:
        """The answer to this call of endpoint ``name`` (after recording the call), if mocked."""
        return _nth(self.mocks.endpoints.get(name), self.count(name) - 1)

    def result_of(self, name: str) -> OperationMockDefinition | None:
        return _nth(self.mocks.operations.get(name), self.count(name) - 1)

    def unmocked_call(self, kind: str, name: str) -> None:
        self.unmocked.append(f"{kind} {name} was called, but the case does not mock it")


_T = TypeVar("_T")


def _nth(mock: _T | list[_T] | None, index: int) -> _T | None:
    if mock is None or not isinstance(mock, list):
        return mock
    return mock[min(index, len(mock) - 1)] if mock else None


class EndpointStandIn:
    """What stands in for a real endpoint: it keeps the real one's name and state; subclasses send."""

    __slots__ = ("real",)

    def __init__(self, real: Endpoint) -> None:
        self.real = real

    @property
    def name(self) -> str:
        return self.real.name

    def state(self) -> EndpointState:
        return self.real.state()


class EndpointDouble(EndpointStandIn):
    """Stands in for an endpoint: records each call and answers as the case's mock says. An HTTP
    endpoint's own rules still apply: the request is rendered by it (URL and header templates), an
    answer with a status it counts as a failure fails the call, a delay reaching its timeout times out
    (at once: nothing waits). A group that the case does not mock calls its members' doubles."""

    __slots__ = ("book",)

    def __init__(self, real: Endpoint, book: CallBook) -> None:
        super().__init__(real)
        self.book = book

    async def send(self, ctx: MessageContext) -> EndpointResponse:
        name = self.real.name
        real = self.real
        if not isinstance(real, HttpEndpoint):
            if name not in self.book.mocks.endpoints:
                return await real.send(ctx)
            return self._answer(ctx.method or "GET", "", CIMultiDict(), ctx.payload.raw, None)[0]
        method, url, headers, body = real.request_of(ctx)
        policy = real.retry
        attempt = 1
        while True:  # the endpoint's retry policy, without its waits
            response, failure, repeatable = self._answer(method, str(url), headers, body, real)
            if failure is None:
                return response
            if attempt >= policy.max_attempts or not repeatable:
                raise failure
            attempt += 1

    def _answer(
        self, method: str, url: str, headers: CIMultiDict[str], body: bytes | None, real: HttpEndpoint | None
    ) -> tuple[EndpointResponse, EndpointError | None, bool]:
        """One attempt: the answer, or the failure and whether the endpoint's policy repeats it."""
        name = self.real.name
        self.book.calls.append(Call(name, "endpoint", method, url, dict(headers), body))
        answer = self.book.answer_of(name)
        detail = {"endpoint": name, "method": method}
        empty = EndpointResponse(0, CIMultiDict(), Payload.empty())
        may_repeat = real.retry.may_repeat if real is not None else None
        if answer is None:
            self.book.unmocked_call("endpoint", name)
            return empty, EndpointError(f"endpoint {name}: not mocked by the case", detail=detail), False
        if answer.fail is not None:
            public = f"endpoint {name}: {method} failed"
            failed = EndpointError(f"{public}: {answer.fail} ({url})", detail=detail, public=public)
            return empty, failed, may_repeat is not None and may_repeat(method, reached_server=False)
        timeout = real.timeout if real is not None else None
        if timeout is not None and answer.delay is not None and answer.delay >= timeout:
            public = f"endpoint {name}: {method} did not answer within {format_duration(timeout)}"
            timed_out = EndpointTimeoutError(f"{public} ({url})", detail=detail, public=public)
            return empty, timed_out, may_repeat is not None and may_repeat(method, reached_server=True)
        if real is not None and real.counts_as_failure(answer.status):
            public = f"endpoint {name}: {method} answered {answer.status}"
            refused = EndpointError(
                f"{public} ({url})", detail={**detail, "status": answer.status}, public=public
            )
            repeat = answer.status in real.retry.on_status and real.retry.may_repeat(
                method, reached_server=True
            )
            return empty, refused, repeat
        return EndpointResponse(answer.status, CIMultiDict(answer.headers), _payload(answer)), None, False


def _payload(answer: AnswerDefinition) -> Payload:
    content_type = next((v for k, v in answer.headers.items() if k.lower() == "content-type"), None)
    if answer.body is not None:
        return Payload(answer.body.encode(), content_type or "text/plain; charset=utf-8")
    if answer.json_body is not None:
        return Payload(orjson.dumps(answer.json_body), content_type or "application/json")
    return Payload.empty()


def stand_in_registry(installed: ConnectorRegistry, book: CallBook) -> ConnectorRegistry:
    """A registry of the installed connectors whose operations answer from ``book``."""

    async def operation(spec: OperationSpec, connection: object, values: dict[str, object]) -> object:
        name = spec.qualified_name
        given = {p.name: values[p.argument] for p in spec.parameters if p.argument in values}
        book.calls.append(Call(name, "operation", values=given))
        mock = book.result_of(name)
        if mock is None:
            book.unmocked_call("operation", name)
            raise FatalError(f"{name}: not mocked by the case")
        if mock.error is not None:
            error = _ERRORS[mock.error](mock.message, code=mock.code)
            if mock.status is not None:
                error.status = mock.status
            raise error
        return mock.result

    doubles = [connector_entry_point(stand_in_connector(e.connector, operation)) for e in installed.entries()]
    return ConnectorRegistry(lambda: doubles)
