"""Comparing what a case did with what it expects, in words and diffs a reader can act on."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonpath
import orjson

from interlace.model.suite import CallExpectation, ExpectDefinition, StoredExpectation
from interlace.testing.doubles import Call

__all__ = ["CaseRun", "differences"]

_NOT_JSON = object()


@dataclass(slots=True)
class CaseRun:
    """What one case did: the answer (or the message after a sequence), how the flow ended, its
    variables, the calls it made, what it stored and the log lines written meanwhile."""

    status: int | None
    headers: Mapping[str, str]
    body: bytes
    outcome: str | None
    error: Mapping[str, Any] | None
    variables: Mapping[str, Any]
    calls: Sequence[Call]
    stored: Mapping[str, list[bytes]]
    logs: Sequence[str]
    problems: list[str] = field(default_factory=list)
    """Calls to what the case does not mock."""

    def json(self) -> Any:
        """The body as JSON (``None`` when empty)."""
        return orjson.loads(self.body) if self.body else None

    def calls_of(self, target: str) -> list[Call]:
        """The calls made to one endpoint or operation, in order."""
        return [call for call in self.calls if call.target == target]


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return _NOT_JSON


def _pretty(value: Any) -> list[str]:
    return (
        orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS, default=str)
        .decode()
        .split("\n")
    )


def _diff(what: str, expected: Any, actual: Any) -> str:
    if not isinstance(expected, dict | list) and not isinstance(actual, dict | list):
        return f"{what}: expected {_short(expected)}, got {_short(actual)}"
    lines = difflib.unified_diff(_pretty(expected), _pretty(actual), "expected", "actual", lineterm="")
    return f"{what} differs:\n" + "\n".join(f"    {line}" for line in lines)


def _short(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def _at(document: Any, path: str) -> Any:
    query = path if path.startswith("$") else f"$.{path}"
    found = jsonpath.findall(query, document)
    return None if not found else found[0] if len(found) == 1 else found


def _body(what: str, raw: bytes, whole: Any, paths: Mapping[str, Any], text: str | None) -> list[str]:
    found: list[str] = []
    if text is not None and raw.decode(errors="replace") != text:
        found.append(_diff(f"{what} text", text, raw.decode(errors="replace")))
    if whole is None and not paths:
        return found
    document = _json(raw)
    if document is _NOT_JSON:
        return [*found, f"{what} is not JSON: {raw[:200].decode(errors='replace')!r}"]
    if whole is not None and document != whole:
        found.append(_diff(what, whole, document))
    for path, expected in paths.items():
        actual = _at(document, path)
        if actual != expected:
            found.append(_diff(f"{what} at {path}", expected, actual))
    return found


def _subset(
    what: str, expected: Mapping[str, Any], actual: Mapping[str, Any], *, fold: bool = False
) -> list[str]:
    found = []
    lowered = {key.lower(): value for key, value in actual.items()} if fold else actual
    for key, value in expected.items():
        got = lowered.get(key.lower() if fold else key, _NOT_JSON)
        if got is _NOT_JSON:
            found.append(f"{what} {key}: expected {_short(value)}, but there is none")
        elif got != value:
            found.append(_diff(f"{what} {key}", value, got))
    return found


def _call(expected: CallExpectation, call: Call, nth: str) -> list[str]:
    what = f"{nth} call of {call.target}"
    found: list[str] = []
    if expected.method is not None and expected.method.upper() != call.method:
        found.append(f"{what}: method expected {expected.method.upper()}, got {call.method}")
    if expected.url is not None and expected.url != call.url:
        found.append(f"{what}: URL expected {expected.url}, got {call.url}")
    found += _subset(f"{what}: header", expected.headers, call.headers, fold=True)
    if expected.json_body is not None:
        found += _body(f"{what}: body", call.body or b"", expected.json_body, {}, None)
    found += _subset(f"{what}: parameter", expected.with_, call.values)
    return found


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _calls(expect: ExpectDefinition, calls: Sequence[Call]) -> list[str]:
    found: list[str] = []
    seen: dict[str, int] = {}
    for expected in expect.calls:
        target = expected.endpoint or expected.operation or ""
        seen[target] = seen.get(target, 0) + 1
        made = [call for call in calls if call.target == target]
        if len(made) < seen[target]:
            found.append(
                f"{target}: expected a {_ordinal(seen[target])} call, but it was called {len(made)} times"
            )
            continue
        found += _call(expected, made[seen[target] - 1], _ordinal(seen[target]))
    for target in expect.not_called:
        count = sum(1 for call in calls if call.target == target)
        if count:
            found.append(f"{target}: expected no call, but it was called {count} times")
    return found


def _stored(expected: Mapping[str, list[StoredExpectation]], stored: Mapping[str, list[bytes]]) -> list[str]:
    found: list[str] = []
    for store, messages in expected.items():
        put = stored.get(store, [])
        if len(put) != len(messages):
            found.append(f"store {store}: expected {len(messages)} messages, got {len(put)}")
            continue
        for index, (message, raw) in enumerate(zip(messages, put, strict=True), 1):
            found += _body(
                f"store {store}, message {index}", raw, message.json_body, message.json_paths, None
            )
    return found


def differences(expect: ExpectDefinition, run: CaseRun) -> list[str]:
    """Every way ``run`` differs from ``expect``, each a line (or a line and its diff)."""
    found = list(run.problems)
    if expect.status is not None and expect.status != run.status:
        found.append(f"status: expected {expect.status}, got {run.status}" + _error_hint(run))
    if expect.outcome is not None and expect.outcome != run.outcome:
        found.append(f"outcome: expected {expect.outcome}, got {run.outcome}" + _error_hint(run))
    if expect.error is not None:
        error = run.error or {}
        if run.error is None:
            found.append("error: expected the flow to fail, but it did not")
        for key in ("code", "status"):
            wanted = getattr(expect.error, key)
            if wanted is not None and run.error is not None and error.get(key) != wanted:
                found.append(f"error {key}: expected {_short(wanted)}, got {_short(error.get(key))}")
        message = expect.error.message
        if message is not None and run.error is not None and message not in str(error.get("message")):
            found.append(f"error message: expected it to contain {message!r}, got {error.get('message')!r}")
    found += _subset("header", expect.headers, run.headers, fold=True)
    found += _body("body", run.body, expect.json_body, expect.json_paths, expect.body)
    found += _subset("variable", expect.variables, run.variables)
    found += _calls(expect, run.calls)
    found += _stored(expect.stored, run.stored)
    for text in expect.logs:
        if not any(text in line for line in run.logs):
            found.append(f"log: expected a line containing {text!r}; the case wrote {len(run.logs)} lines")
    return found


def _error_hint(run: CaseRun) -> str:
    if run.error is None:
        return ""
    return f" ({run.error.get('code')}: {run.error.get('message')})"
