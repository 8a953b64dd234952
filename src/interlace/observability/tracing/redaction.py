"""What a message trace must never show: secret values and the fields a project marks sensitive.

Secrets are known by value. Every ``${secret.X}`` resolved while a project is compiled, and every
setting of a connection whose type is a secret, is remembered (:meth:`Redactor.remember_secret`), and any
text of a trace that contains one has it replaced by ``***``, wherever it turned up (a header a flow
built, a payload a back-end echoed, an error message).

Sensitive fields are known by name or by path, from ``[tracing] sensitive`` in ``interlace.toml``:

- a bare name (``ssn``) is redacted wherever it appears as a key: in JSON payloads at any depth, in
  variables at any depth, as a header name (case-insensitive), and as the text of an XML element of
  that name;
- a path (``payload.patient.ssn``, ``vars.card.number``, ``headers.X-Card``) is redacted at that place
  only; a list along the path applies to each of its items (``payload.patients.ssn``).

The headers that carry credentials (``Authorization``, ``Proxy-Authorization``, ``Cookie``,
``Set-Cookie``, ``X-Api-Key``) are always redacted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from pydantic import JsonValue

__all__ = ["REDACTED", "Area", "Redactor", "SensitiveFields", "check_sensitive_entry"]

REDACTED: Final = "***"
Area = Literal["payload", "vars", "headers"]
_AREAS: Final = ("payload", "vars", "headers")
_ALWAYS_SENSITIVE_HEADERS: Final = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
_NAME: Final = re.compile(r"^[\w$@-][\w$@.-]*$")


def check_sensitive_entry(entry: str) -> str:
    """``entry`` if it is a field name or a path from ``payload``, ``vars`` or ``headers``; else the
    ValueError that says what is allowed."""
    head, dot, _ = entry.partition(".")
    if not entry or not _NAME.match(entry) or ".." in entry or entry.endswith("."):
        raise ValueError(f"a sensitive field is a name (ssn) or a path (payload.patient.ssn) (got {entry!r})")
    if dot and head not in _AREAS:
        raise ValueError(
            f"a sensitive path starts with payload., vars. or headers. (got {entry!r}); "
            "a name without a dot is redacted everywhere"
        )
    return entry


@dataclass(frozen=True, slots=True)
class SensitiveFields:
    """Names redacted everywhere (lower case) and paths redacted in one area (``headers`` lower case)."""

    names: frozenset[str] = frozenset()
    paths: Mapping[str, frozenset[tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Iterable[str]) -> SensitiveFields:
        names: set[str] = set()
        paths: dict[str, set[tuple[str, ...]]] = {area: set() for area in _AREAS}
        for entry in entries:
            area, dot, rest = entry.partition(".")
            if not dot:
                names.add(entry.lower())
            else:
                steps = tuple(rest.split("."))
                paths[area].add(tuple(step.lower() for step in steps) if area == "headers" else steps)
        return cls(frozenset(names), {area: frozenset(found) for area, found in paths.items()})


class Redactor:
    """Redacts the secrets and the sensitive fields of every deployed project; one per server.

    ``mark_sensitive`` is called when a project is compiled (its fields replace the ones it marked
    before); the redaction methods are called only while a message is traced.
    """

    def __init__(self) -> None:
        self._by_project: dict[str, tuple[str, ...]] = {}
        self._secrets: set[str] = set()
        self._fields = SensitiveFields()
        self._elements = re.compile("(?!)")

    def remember_secret(self, value: str) -> None:
        """Note a secret value (resolved at load time) so that no message trace ever shows it."""
        if value:
            self._secrets.add(value)

    def mark_sensitive(self, project: str, entries: Iterable[str]) -> None:
        self._by_project[project] = tuple(entries)
        self._fields = SensitiveFields.of(entry for marked in self._by_project.values() for entry in marked)
        names = "|".join(re.escape(name) for name in sorted(self._fields.names))
        self._elements = re.compile(rf"(<(?:[\w.-]+:)?(?:{names})(?:\s[^>]*)?>)[^<]*(</)", re.IGNORECASE)

    def text(self, text: str) -> str:
        """``text`` with every secret value in it replaced."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def markup(self, text: str) -> str:
        """XML ``text`` with secrets and the text of elements named sensitive (any namespace) redacted."""
        text = self.text(text)
        if self._fields.names:
            text = self._elements.sub(rf"\1{REDACTED}\2", text)
        return text

    def value(self, area: Area, value: JsonValue) -> JsonValue:
        """A copy of the JSON ``value`` found in ``area`` with its sensitive fields and secrets redacted."""
        return self._walk(value, self._fields.paths.get(area, frozenset()), ())

    def headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        """The headers (the last value of a repeated one) with sensitive ones redacted."""
        paths = self._fields.paths.get("headers", frozenset())
        shown: dict[str, str] = {}
        for name, value in headers:
            lower = name.lower()
            hidden = lower in _ALWAYS_SENSITIVE_HEADERS or lower in self._fields.names or (lower,) in paths
            shown[name] = REDACTED if hidden else self.text(value)
        return shown

    def _walk(self, value: JsonValue, paths: frozenset[tuple[str, ...]], at: tuple[str, ...]) -> JsonValue:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self._walk(item, paths, at) for item in value]
        if isinstance(value, dict):
            names = self._fields.names
            shown: dict[str, JsonValue] = {}
            for key, item in value.items():
                here = (*at, key)
                if key.lower() in names or here in paths:
                    shown[key] = REDACTED
                else:
                    shown[self.text(key)] = self._walk(item, paths, here)
            return shown
        return value
