"""Checking suites against the project they test, before any case runs.

A mock or an expectation that names an endpoint, operation, sequence or store the project does not
have, an operation parameter the operation does not take, a mocked result of a type the operation never
returns, or an HTTP method the endpoint never sends, is a problem at its file:line, with the nearest
name as a hint: a suite that contradicts the specs would otherwise pass or fail for the wrong reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pydantic
from pydantic import TypeAdapter

from interlace.compiler import Artifacts
from interlace.endpoints import HttpEndpoint
from interlace.errors import ConfigError, InterlaceError, SourceLocation, did_you_mean
from interlace.inbound.endpoint import InboundEndpoint
from interlace.model.suite import (
    CallExpectation,
    CaseDefinition,
    MocksDefinition,
    OperationMockDefinition,
    SuiteDefinition,
)
from interlace.sdk import ConnectorRegistry, OperationResult, OperationSpec
from interlace.testing.doubles import EndpointDouble

__all__ = ["check_mocks", "check_suites"]


class _Checker:
    def __init__(
        self, artifacts: Artifacts, registry: ConnectorRegistry, used: Mapping[str, OperationSpec]
    ) -> None:
        self.artifacts = artifacts
        self.registry = registry
        self.used = used
        self.problems: list[ConfigError] = []

    def problem(self, message: str, where: SourceLocation, hint: str | None = None) -> None:
        self.problems.append(ConfigError(message, location=where, hint=hint))

    def name(self, kind: str, name: str, known: Iterable[str], where: SourceLocation) -> bool:
        names = sorted(known)
        if name in names:
            return True
        hint = did_you_mean(name, names) or (f"it has: {', '.join(names)}" if names else f"it has no {kind}s")
        self.problem(f"the project has no {kind} {name!r}", where, hint)
        return False

    def operation(self, name: str, where: SourceLocation) -> OperationSpec | None:
        if name in self.used:  # among them, those a connection's settings define
            return self.used[name]
        try:
            return self.registry.operation(name)
        except InterlaceError as exc:
            self.problem(exc.message, where, getattr(exc, "hint", None))
            return None

    def mocks(self, mocks: MocksDefinition) -> None:
        where = mocks.location_of("endpoints")
        for name in mocks.endpoints:
            self.name("endpoint", name, self.artifacts.endpoints, where)
        where = mocks.location_of("operations")
        for name, mock in mocks.operations.items():
            spec = self.operation(name, where)
            for each in mock if isinstance(mock, list) else [mock]:
                if spec is not None:
                    self.result(spec, each)

    def result(self, spec: OperationSpec, mock: OperationMockDefinition) -> None:
        returned = spec.result.annotation
        if mock.error is not None or returned is OperationResult or mock.result is None:
            return
        if returned in (None, type(None)):
            self.problem(f"{spec.qualified_name} returns nothing, but the mock gives a result", mock.location)
            return
        try:
            TypeAdapter[Any](returned).validate_python(mock.result)  # type: ignore[arg-type]
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]["msg"]
            self.problem(
                f"{spec.qualified_name} returns {spec.result.type_name}; the mocked result does not fit"
                f" ({first})",
                mock.location_of("result"),
            )
        except pydantic.PydanticSchemaGenerationError:
            return

    def call(self, call: CallExpectation) -> None:
        if call.endpoint is not None:
            if not self.name("endpoint", call.endpoint, self.artifacts.endpoints, call.location):
                return
            endpoint = self.artifacts.endpoints[call.endpoint]
            real = endpoint.real if isinstance(endpoint, EndpointDouble) else endpoint
            fixed = real.request_method if isinstance(real, HttpEndpoint) else None
            if call.method is not None and fixed is not None and call.method.upper() != fixed:
                self.problem(
                    f"endpoint {call.endpoint} always sends {fixed}, never {call.method.upper()}",
                    call.location_of("method"),
                )
            return
        assert call.operation is not None
        spec = self.operation(call.operation, call.location)
        if spec is None:
            return
        names = [parameter.name for parameter in spec.parameters]
        for key in call.with_:
            if key not in names:
                hint = did_you_mean(key, names) or f"its parameters: {', '.join(names)}"
                self.problem(
                    f"{spec.qualified_name} has no parameter {key!r}", call.location_of("with"), hint
                )

    def case(self, case: CaseDefinition) -> None:
        if case.sequence is not None:
            self.name("sequence", case.sequence, self.artifacts.sequences, case.location_of("sequence"))
        if case.processor is not None:
            where = case.location_of("processor")
            self.name("processor", case.processor, self.artifacts.processors, where)
        if case.inbound is not None:
            where = case.location_of("inbound")
            if self.name("inbound endpoint", case.inbound, self.artifacts.inbound, where) and not isinstance(
                self.artifacts.inbound[case.inbound], InboundEndpoint
            ):
                self.problem(
                    f"inbound endpoint {case.inbound!r} is an HTTP listener, which receives no events",
                    where,
                    "test the API it serves with a request case",
                )
        self.mocks(case.mocks)
        expect = case.expect
        for call in expect.calls:
            self.call(call)
        for name in expect.not_called:
            if "." in name and name not in self.artifacts.endpoints:
                self.operation(name, expect.location_of("not-called"))
            else:
                self.name("endpoint", name, self.artifacts.endpoints, expect.location_of("not-called"))
        for store in expect.stored:
            self.name("store", store, self.artifacts.stores, expect.location_of("stored"))


def check_suites(
    suites: Iterable[SuiteDefinition],
    artifacts: Artifacts,
    registry: ConnectorRegistry,
    used: Mapping[str, OperationSpec] | None = None,
) -> list[ConfigError]:
    """Every problem of ``suites`` against the project compiled as ``artifacts`` (see the module);
    ``used`` are the operations its flows run, by name."""
    checker = _Checker(artifacts, registry, used or {})
    for suite in suites:
        checker.mocks(suite.mocks)
        for case in suite.cases:
            checker.case(case)
    return checker.problems


def check_mocks(
    mocks: MocksDefinition,
    artifacts: Artifacts,
    registry: ConnectorRegistry,
    used: Mapping[str, OperationSpec] | None = None,
) -> list[ConfigError]:
    """Every problem of ``mocks`` against the project compiled as ``artifacts``; ``used`` are the
    operations its flows run, by name."""
    checker = _Checker(artifacts, registry, used or {})
    checker.mocks(mocks)
    return checker.problems
