"""Recording: run a project's cases once against the real endpoints and connectors, and keep what they
answered as mocks, so the cases replay offline afterwards.

:func:`record_project_suites` compiles the project with its real HTTP client and connectors, each HTTP
endpoint wrapped in a :class:`RecordingEndpoint` and each operation in a recorder (message stores stay
in memory: nothing recorded is delivered for real), runs every case, and writes for each suite file
``tests/NAME.yaml`` a suite ``tests/NAME.recorded.yaml`` whose cases carry the recorded answers as their
mocks. What is kept is redacted: answer headers other than ``Content-Type``, ``Location`` and
``Retry-After`` are left out, the values of the project's secrets (connection settings typed as
secrets, the profile's secrets) are replaced wherever they appear, and so are the values at the JSON
paths given to ``redact``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonpath
import orjson
import yaml

from interlace.compiler.compile import installed_connectors
from interlace.endpoints import Endpoint, EndpointResponse, HttpClient, HttpEndpoint
from interlace.errors import ConfigError, EndpointError, EndpointTimeoutError, InterlaceError
from interlace.message import MessageContext
from interlace.model import load_project
from interlace.model.durations import format_duration
from interlace.model.suite import CaseDefinition, MocksDefinition, SuiteDefinition, load_suites
from interlace.sdk import ConnectorRegistry, FatalError, InvalidInput, OperationResult, OperationSpec, Secret
from interlace.sdk.testing import connector_entry_point, stand_in_connector
from interlace.testing.doubles import EndpointStandIn
from interlace.testing.project import ProjectUnderTest
from interlace.testing.runner import SUITES_FOLDER

__all__ = ["REDACTED", "RecordingEndpoint", "record_project_suites"]

REDACTED = "[redacted]"
_KEPT_HEADERS = frozenset({"content-type", "location", "retry-after"})


@dataclass(slots=True)
class _Tape:
    """What the case running now was answered, by endpoint and by operation, in call order."""

    endpoints: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    operations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def mocks(self) -> dict[str, Any]:
        single = {
            kind: {name: answers[0] if len(answers) == 1 else answers for name, answers in table.items()}
            for kind, table in (("endpoints", self.endpoints), ("operations", self.operations))
        }
        return {kind: table for kind, table in single.items() if table}


def _body(raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        return {"json": orjson.loads(raw)}
    except orjson.JSONDecodeError:
        return {"body": raw.decode(errors="replace")}


class RecordingEndpoint(EndpointStandIn):
    """Calls the real endpoint and notes its answer, or its failure, on the tape."""

    __slots__ = ("tape",)

    def __init__(self, real: Endpoint, tape: _Tape) -> None:
        super().__init__(real)
        self.tape = tape

    async def send(self, ctx: MessageContext) -> EndpointResponse:
        answers = self.tape.endpoints.setdefault(self.real.name, [])
        try:
            response = await self.real.send(ctx)
        except EndpointTimeoutError:
            timeout = self.real.timeout if isinstance(self.real, HttpEndpoint) else 3600.0
            answers.append({"delay": format_duration(timeout)})
            raise
        except EndpointError as exc:
            status = exc.detail.get("status") if isinstance(exc.detail, dict) else None
            answers.append({"status": status} if isinstance(status, int) else {"fail": exc.public_message})
            raise
        headers = {str(k): v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
        answer: dict[str, Any] = {"status": response.status, **_body(response.payload.raw)}
        if headers:
            answer["headers"] = headers
        answers.append(answer)
        return response


def _error_class(exc: InterlaceError) -> str:
    for kind in (InvalidInput, FatalError):
        if isinstance(exc, kind):
            return kind.__name__
    return "RetryableError" if exc.status in (429, 503) else "FatalError"


def _recording_registry(installed: ConnectorRegistry, tape: _Tape) -> ConnectorRegistry:
    async def operation(spec: OperationSpec, connection: Any, values: dict[str, object]) -> object:
        results = tape.operations.setdefault(spec.qualified_name, [])
        try:
            result: object = await spec.function(connection, **values)
        except InterlaceError as exc:
            results.append({"error": _error_class(exc), "message": exc.public_message, "code": exc.code})
            raise
        payload = result.payload if isinstance(result, OperationResult) else result
        results.append({"result": orjson.loads(orjson.dumps(payload, default=str))})
        return result

    doubles = [
        connector_entry_point(stand_in_connector(entry.connector, operation, connects=True))
        for entry in installed.entries()
    ]
    return ConnectorRegistry(lambda: doubles)


def _secrets(project_under_test: ProjectUnderTest, profile_secrets: Iterable[str]) -> set[str]:
    found = {value for value in profile_secrets if value}
    for pool in project_under_test.artifacts.connections.values():
        for value in vars(pool.config).values():
            if isinstance(value, Secret) and value.reveal():
                found.add(value.reveal())
    return found


def _redact_paths(value: Any, paths: Sequence[str]) -> Any:
    """``value`` with what the JSON paths find in it replaced by :data:`REDACTED`."""
    for path in paths:
        query = path if path.startswith("$") else f"$.{path}"
        for match in list(jsonpath.finditer(query, value)):
            parts = list(match.parts)
            if not parts:
                return REDACTED
            target = value
            for part in parts[:-1]:
                target = target[part]
            target[parts[-1]] = REDACTED
    return value


def _redacted(mocks: dict[str, Any], secrets: set[str], paths: Sequence[str]) -> Any:
    """The recorded mocks with the marked fields and every secret value redacted."""
    for table in mocks.values():
        for answers in table.values():
            for answer in answers if isinstance(answers, list) else [answers]:
                for key in ("json", "result"):
                    if key in answer:
                        answer[key] = _redact_paths(answer[key], paths)
    text = orjson.dumps(mocks).decode()
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(orjson.dumps(secret).decode()[1:-1], REDACTED)
    return orjson.loads(text)


def _case_tree(case: CaseDefinition, mocks: dict[str, Any]) -> dict[str, Any]:
    tree: dict[str, Any] = case.model_dump(by_alias=True, exclude_defaults=True, exclude={"mocks"})
    if mocks:
        tree["mocks"] = mocks
    return {
        key: tree[key]
        for key in (
            "case",
            "request",
            "sequence",
            "processor",
            "inbound",
            "message",
            "event",
            "mocks",
            "expect",
        )
        if key in tree
    }


def _write(root: Path, suite: SuiteDefinition, cases: list[dict[str, Any]]) -> Path:
    source = root / suite.file
    target = source.with_name(f"{source.stem}.recorded.yaml")
    tree = {"suite": f"{suite.suite} (recorded)", "cases": cases}
    header = (
        f"# Recorded by `interlace test record` from {suite.file}: the answers of the real endpoints and\n"
        "# connectors, redacted. Record again rather than editing by hand.\n"
    )
    target.write_text(
        header + yaml.safe_dump(tree, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8"
    )
    return target


async def record_project_suites(
    root: Path, profile: str | None = None, folder: Path | None = None, redact: Sequence[str] = ()
) -> list[Path]:
    """Run every case of the project's suites against the real endpoints and connectors and write the
    recorded suites (see the module docstring); returns the files written."""
    project = load_project(root, profile)
    tape = _Tape()

    def recorder(endpoint: Endpoint) -> Endpoint:
        return RecordingEndpoint(endpoint, tape) if isinstance(endpoint, HttpEndpoint) else endpoint

    registry = _recording_registry(installed_connectors(), tape)
    async with HttpClient() as client:
        under_test = ProjectUnderTest.compile(project, registry, recorder, client=client)
        return await _record(root, under_test, tape, folder, redact, set(project.secrets.values()))


async def _record(
    root: Path,
    under_test: ProjectUnderTest,
    tape: _Tape,
    folder: Path | None,
    redact: Sequence[str],
    profile_secrets: set[str],
) -> list[Path]:
    suites, problems = load_suites(folder or root / SUITES_FOLDER, root)
    if problems:
        raise ConfigError(problems[0].message, location=problems[0].location, detail=problems)
    secrets = _secrets(under_test, profile_secrets)
    written: list[Path] = []
    async with under_test:
        for suite in suites:
            if suite.file.endswith(".recorded.yaml"):
                continue
            cases = []
            for case in suite.cases:
                tape.endpoints.clear()
                tape.operations.clear()
                await under_test.run_case(case.model_copy(update={"mocks": MocksDefinition()}))
                cases.append(_case_tree(case, _redacted(tape.mocks(), secrets, redact)))
            written.append(_write(root, suite, cases))
    return written
