"""A project compiled for testing: endpoints and operations doubled, stores in memory, flows probed.

Contract: build one with :meth:`ProjectUnderTest.load` (it raises :class:`~interlace.errors.ConfigError`
listing every problem of the project), then ``async with`` it (opens the stores, closes them and the
connections after), and run cases one at a time with :meth:`run_case`, or, from Python, give mocks with
:meth:`mock_endpoint` and :meth:`mock_operation` and run :meth:`request` or :meth:`run_sequence`; cases
must not run concurrently (the call book and the log capture belong to the case running now). Nothing
reaches the network: a call to an endpoint or operation the case does not mock fails as an unreachable
peer would, and the case reports it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

import orjson
from multidict import CIMultiDict

from interlace.compiler import Artifacts, compile_project
from interlace.compiler.compile import installed_connectors
from interlace.endpoints import Endpoint, HttpClient
from interlace.errors import ConfigError
from interlace.http.dispatch import answer_message
from interlace.inbound.endpoint import InboundEndpoint
from interlace.mediators.flow import run_flow
from interlace.message import MessageContext, Payload
from interlace.model import Project, load_project
from interlace.model.store import StoreDefinition
from interlace.model.suite import (
    CaseDefinition,
    EventDefinition,
    MessageDefinition,
    MocksDefinition,
    RequestDefinition,
)
from interlace.sdk import ConnectorRegistry
from interlace.services import ServiceFailedError
from interlace.stores import MessageStore, StoredMessage
from interlace.stores.memory import MemoryStore
from interlace.testing.checks import check_mocks
from interlace.testing.coverage import Coverage, instrument
from interlace.testing.doubles import CallBook, EndpointDouble, stand_in_registry
from interlace.testing.events import deliver_event
from interlace.testing.expect import CaseRun

__all__ = ["ProjectUnderTest"]


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


class ProjectUnderTest:
    """One project, compiled once for all the cases run on it (see the module docstring)."""

    def __init__(
        self, artifacts: Artifacts, book: CallBook, registry: ConnectorRegistry, drain: _Drain
    ) -> None:
        self.artifacts = artifacts
        self._drain = drain
        self.book = book
        self.registry = registry
        self.coverage: Coverage = instrument(artifacts)
        self.mocks: dict[str, dict[str, Any]] = {"endpoints": {}, "operations": {}}
        """The mocks given from Python (:meth:`mock_endpoint`, :meth:`mock_operation`)."""
        self._opened = False

    @classmethod
    def load(cls, root: Path, profile: str | None = None) -> ProjectUnderTest:
        """Load and compile the project at ``root`` under ``profile`` (default: its default profile),
        with every endpoint and operation doubled."""
        book = CallBook()

        def double(endpoint: Endpoint) -> Endpoint:
            return EndpointDouble(endpoint, book)

        registry = stand_in_registry(installed_connectors(), book)
        return cls.compile(load_project(root, profile), registry, double, book)

    @classmethod
    def compile(
        cls,
        project: Project,
        registry: ConnectorRegistry,
        endpoint_stand_in: Callable[[Endpoint], Endpoint],
        book: CallBook | None = None,
        client: HttpClient | None = None,
    ) -> ProjectUnderTest:
        """Compile ``project`` with the connectors of ``registry``, each endpoint replaced by what
        ``endpoint_stand_in`` makes of it, message stores in memory and processors that never wait."""

        def memory_store(definition: StoreDefinition) -> MessageStore:
            return MemoryStore(definition.name)

        drain = _Drain()
        artifacts = compile_project(
            project,
            client,
            stores=memory_store,
            connectors=registry,
            endpoint_stand_in=endpoint_stand_in,
            processor_wait=drain.wait,
        )
        return cls(artifacts, book or CallBook(), registry, drain)

    async def __aenter__(self) -> ProjectUnderTest:
        await self._open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _open(self) -> None:
        if not self._opened:
            self._opened = True
            for store in self.artifacts.stores.values():
                await store.open()

    async def aclose(self) -> None:
        """Close the stores and connections (nothing of them reached the network)."""
        for store in self.artifacts.stores.values():
            await store.aclose()
        for pool in self.artifacts.connections.values():
            await pool.aclose(grace=0)

    def mock_endpoint(self, name: str, *answers: Mapping[str, Any], **answer: Any) -> None:
        """Answer calls to endpoint ``name``: with ``answer`` (keys as in a suite: ``status``, ``json``,
        ``body``, ``headers``, ``fail``, ``delay``), or with ``answers`` call by call. Checked against
        the project at once (:class:`ConfigError`)."""
        self._mock("endpoints", name, [dict(each) for each in answers] if answers else answer)

    def mock_operation(self, name: str, *results: Mapping[str, Any], **result: Any) -> None:
        """Answer calls to operation ``name`` (``connector.operation``): with ``result`` (keys as in a
        suite: ``result``, or ``error``, ``message``, ``code``, ``status``), or ``results`` call by
        call. Checked against the operation's spec at once (:class:`ConfigError`)."""
        self._mock("operations", name, [dict(each) for each in results] if results else result)

    def _mock(self, kind: str, name: str, value: Any) -> None:
        mocks = MocksDefinition.model_validate({kind: {name: value}})
        problems = check_mocks(mocks, self.artifacts, self.registry, self.coverage.operations)
        if problems:
            raise ConfigError(problems[0].message, hint=problems[0].hint, detail=problems)
        self.mocks[kind][name] = value

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        body: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> CaseRun:
        """Send a request to the project's APIs with the mocks given so far, and tell what it did."""
        request = {"method": method, "path": path, "json": json, "body": body, "headers": dict(headers or {})}
        return await self.run_case(self._case(request=request))

    async def run_sequence(
        self,
        name: str,
        *,
        json: Any = None,
        body: str | None = None,
        headers: Mapping[str, str] | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> CaseRun:
        """Run sequence ``name`` on a message with the mocks given so far, and tell what it did."""
        message = {
            "json": json,
            "body": body,
            "headers": dict(headers or {}),
            "variables": dict(variables or {}),
        }
        return await self.run_case(self._case(sequence=self._known("sequence", name), message=message))

    async def run_processor(
        self,
        name: str,
        *,
        json: Any = None,
        body: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> CaseRun:
        """Put a message into processor ``name``'s store and let it deliver the message (retries without
        their waits) until the store is empty; ``outcome`` says what became of it."""
        message = {"json": json, "body": body, "headers": dict(headers or {})}
        return await self.run_case(self._case(processor=self._known("processor", name), message=message))

    def _known(self, kind: str, name: str) -> str:
        known = self.artifacts.sequences if kind == "sequence" else self.artifacts.processors
        if name not in known:
            raise ConfigError(f"the project has no {kind} {name!r}")
        return name

    def _case(self, **given: Any) -> CaseDefinition:
        return CaseDefinition.model_validate({"case": "python", "mocks": self.mocks, **given})

    async def run_case(self, case: CaseDefinition, shared: MocksDefinition | None = None) -> CaseRun:
        """Run ``case`` with its mocks (over the suite's ``shared`` ones) and tell what it did."""
        await self._open()
        for store in self.artifacts.stores.values():
            await store.purge()
        self.book.start(_merged(shared, case.mocks))
        capture = _LogCapture()
        root = logging.getLogger()
        level = root.level
        root.addHandler(capture)
        root.setLevel(min(level, logging.INFO) if level else logging.INFO)
        try:
            if case.request is not None:
                run = await self._request(case.request)
            elif case.processor is not None:
                run = await self._processor(case.processor, _context(case.message))
            elif case.inbound is not None:
                run = await self._inbound(case.inbound, case.event)
            else:
                run = await self._sequence(case)
        finally:
            root.removeHandler(capture)
            root.setLevel(level)
        run.logs = capture.lines
        run.calls = list(self.book.calls)
        run.problems = list(self.book.unmocked)
        run.stored = {
            name: [message.payload for message in await store.browse(0, 1000)]
            for name, store in self.artifacts.stores.items()
        }
        return run

    async def _request(self, request: RequestDefinition) -> CaseRun:
        path, _, query_text = request.path.partition("?")
        query: dict[str, str] = {}
        for key, value in parse_qsl(query_text, keep_blank_values=True):
            query.setdefault(key, value)
        headers = CIMultiDict(request.headers)
        body = _body_of(request.json_body, request.body, headers)
        response, ctx, result = await answer_message(
            self.artifacts, request.method.upper(), path, headers, query, body
        )
        raw = response.body if isinstance(response.body, bytes) else b""
        error = _error(result.error) if result is not None and result.error is not None else None
        return CaseRun(
            response.status,
            dict(response.headers),
            raw,
            result.outcome if result is not None else None,
            error,
            dict(ctx.variables) if ctx is not None else {},
            [],
            {},
            [],
        )

    async def _sequence(self, case: CaseDefinition) -> CaseRun:
        assert case.sequence is not None
        ctx = _context(case.message)
        result = await run_flow(
            self.artifacts.sequences[case.sequence], ctx, what=f"sequence {case.sequence}"
        )
        payload = ctx.reply.payload if ctx.reply is not None else ctx.payload
        status = ctx.reply.status if ctx.reply is not None else None
        error = _error(result.error) if result.error is not None else None
        return CaseRun(status, {}, payload.raw, result.outcome, error, dict(ctx.variables), [], {}, [])

    async def _processor(self, name: str, ctx: MessageContext) -> CaseRun:
        processor = self.artifacts.processors[name]
        before = processor.state()
        store = self.artifacts.stores[before.store]
        await store.put(StoredMessage.from_context(ctx, origin=store.name))
        self._drain.store, self._drain.rounds = store, 0
        outcome = None
        try:
            await processor.run(asyncio.Event())
        except ServiceFailedError:
            outcome = "deactivated"
        finally:
            self._drain.store = None
        after = processor.state()
        counts = {
            "delivered": after.delivered - before.delivered,
            "dead-lettered": after.dead_lettered - before.dead_lettered,
            "dropped": after.dropped - before.dropped,
        }
        outcome = outcome or next((name for name, count in counts.items() if count), None)
        return CaseRun(None, {}, b"", outcome, None, {}, [], {}, [])

    async def _inbound(self, name: str, event: EventDefinition) -> CaseRun:
        endpoint = self.artifacts.inbound[name]
        if not isinstance(endpoint, InboundEndpoint):
            raise ConfigError(f"inbound endpoint {name!r} is an HTTP listener: test its API with a request")
        headers = CIMultiDict(event.headers)
        body = _body_of(event.json_body, event.body, headers)
        payload = Payload(body, headers.get("Content-Type", "application/octet-stream"))
        outcome, _ = await deliver_event(endpoint, payload, dict(headers), event.attributes)
        return CaseRun(None, {}, b"", outcome, None, {}, [], {}, [])


class _Drain:
    """The processors' wait while a case runs one: no waiting, and stopped once its store is empty."""

    def __init__(self) -> None:
        self.store: MessageStore | None = None
        self.rounds = 0

    async def wait(self, stop: asyncio.Event, seconds: float) -> bool:
        await asyncio.sleep(0)
        self.rounds += 1
        if stop.is_set() or self.store is None or self.rounds > _MAX_ROUNDS:
            return True
        return await self.store.size() == 0


_MAX_ROUNDS = 10_000
"""Waits a processor may make in one case (a message that is never settled ends the case there)."""


def _context(message: MessageDefinition) -> MessageContext:
    headers = CIMultiDict(message.headers)
    body = _body_of(message.json_body, message.body, headers)
    content_type = headers.get("Content-Type", "application/octet-stream")
    return MessageContext(Payload(body, content_type), headers=headers, variables=dict(message.variables))


def _error(error: Any) -> Mapping[str, Any]:
    return {"code": error.code, "status": error.status, "message": error.message}


def _body_of(json_body: Any, text: str | None, headers: CIMultiDict[str]) -> bytes:
    if text is not None:
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        return text.encode()
    if json_body is not None:
        headers.setdefault("Content-Type", "application/json")
        return orjson.dumps(json_body)
    return b""


def _merged(shared: MocksDefinition | None, own: MocksDefinition) -> MocksDefinition:
    if shared is None:
        return own
    return MocksDefinition(
        endpoints={**shared.endpoints, **own.endpoints}, operations={**shared.operations, **own.operations}
    )
