"""Reference pages rendered from the definitions themselves (docs/reference/TOPIC.md): APIs, mediators,
endpoints, message stores, processors, inbound endpoints, tasks and test suites.

Every word comes from the definitions, so a definition is described in one place. A page is the
docstring of its model module, but its first paragraph (which is for readers of the code): the words
before a line ``----`` open the page, the words after it close the page. Between them comes one section
per definition: a heading, the definition's docstring and a table of its keys with their types,
defaults and descriptions (the fields' docstrings). ``interlace reference TOPIC`` prints a page; a test
keeps the pages in step with the code. The tables are made by the same
:func:`~interlace.sdk.docs.markdown_table` as the connectors' pages.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from interlace.compiler.builders import MEDIATORS
from interlace.model import api, endpoint, inbound, mediators, processor, project, store, suite, task, tracing
from interlace.model.durations import NonNegativeDuration, PositiveDuration, format_duration
from interlace.model.flow import check_flow, check_flow_or_name
from interlace.sdk.docs import markdown_table, shown_default

__all__ = [
    "DEFINITION_PAGES",
    "REFERENCE_TOPICS",
    "ReferencePage",
    "Section",
    "render_mediator_reference",
    "render_reference",
]

_FLOW_VALIDATORS = {check_flow: "flow", check_flow_or_name: "flow or sequence name"}
_DURATIONS = {
    id(marker): qualifier
    for markers, qualifier in (
        (typing.get_args(PositiveDuration)[1:], "duration, > 0"),
        (typing.get_args(NonNegativeDuration)[1:], "duration, >= 0"),
    )
    for marker in markers
    if isinstance(marker, AfterValidator)
}
_CLOSING = "----"

_MEDIATORS_HEADER = """\
# Mediators

A flow is a list of mediators; each item is `kind: options`. A kind whose options are all optional can
be written bare (`- drop`), and some take a scalar shorthand (`- log: "text"` is `- log: {message:
"text"}`). Strings in options are `${...}` templates unless the option says otherwise.

This page is generated from the mediator definitions: `interlace reference mediators`.
"""


@dataclass(frozen=True, slots=True)
class Section:
    """A heading, then ``model``'s docstring and the table of its keys (but ``exclude``)."""

    heading: str
    model: type[BaseModel]
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReferencePage:
    """The page ``docs/reference/TOPIC.md``: ``title``, the docstring of ``module`` around the
    ``sections``."""

    topic: str
    title: str
    module: types.ModuleType
    sections: tuple[Section, ...]


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        for item in metadata:
            if isinstance(item, AfterValidator) and item.func in _FLOW_VALIDATORS:
                return _FLOW_VALIDATORS[item.func]
            if id(item) in _DURATIONS:
                return _DURATIONS[id(item)]
        return _type_name(base)
    if origin is typing.Literal:
        return " | ".join(
            f"`{str(value).lower() if isinstance(value, bool) else value}`"
            for value in typing.get_args(annotation)
        )
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    if origin in (list, tuple, set, frozenset):
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if origin is dict:
        return f"mapping of {_type_name(typing.get_args(annotation)[1])}"
    if annotation is Any:
        return "any value"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    names = {str: "string", int: "integer", float: "number", bool: "boolean", datetime: "date-time"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _default(field: FieldInfo, kind: str) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
        if not value or isinstance(value, BaseModel):
            return "empty" if not isinstance(value, BaseModel) else "—"
    if value is None or value is PydanticUndefined:
        return "—"
    if kind.startswith("duration") and isinstance(value, int | float):
        return f"`{format_duration(float(value))}`"
    if isinstance(value, frozenset | set):
        return f"`[{', '.join(_status_classes(value))}]`" if value else "empty"
    if value == "":
        return '`""`'
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{value}`"
    return shown_default(value)


def _status_classes(codes: frozenset[int] | set[int]) -> list[str]:
    """Status codes as written in a definition: a whole class (200 to 299) as ``2xx``."""
    shown = []
    for first in range(100, 600, 100):
        if all(code in codes for code in range(first, first + 100)):
            shown.append(f"{first // 100}xx")
    covered = {code for name in shown for code in range(int(name[0]) * 100, int(name[0]) * 100 + 100)}
    return shown + [str(code) for code in sorted(codes - covered)]


def _table(model: type[BaseModel], key: str, exclude: tuple[str, ...] = ()) -> str:
    hints = typing.get_type_hints(model, include_extras=True)
    rows = []
    for name, field in model.model_fields.items():
        if name in exclude:
            continue
        kind = _type_name(hints.get(name, field.annotation))
        rows.append(
            (
                f"`{field.alias or name.replace('_', '-')}`",
                kind,
                _default(field, kind),
                field.description or "",
            )
        )
    return markdown_table((key, "type", "default", "meaning"), rows) if rows else ""


def _docstring(obj: object) -> str:
    return inspect.cleandoc(obj.__doc__ or "")


def render_mediator_reference() -> str:
    """The mediators page (docs/reference/mediators.md)."""
    parts = [_MEDIATORS_HEADER]
    for kind, spec in MEDIATORS.items():
        model = spec.definition
        parts.append(f"## `{kind}`\n\n{_docstring(model)}\n")
        if spec.shorthand:
            parts.append(f"Shorthand: `- {kind}: VALUE` sets `{spec.shorthand.replace('_', '-')}`.\n")
        parts.append(_table(model, "option") or "No options.\n")
    return "\n".join(parts)


def _render_page(page: ReferencePage) -> str:
    _, _, text = _docstring(page.module).partition("\n\n")
    opening, _, closing = text.partition(f"\n{_CLOSING}\n")
    parts = [
        f"# {page.title}\n",
        f"{opening.strip()}\n",
        f"This page is generated from the definitions: `interlace reference {page.topic}`.\n",
    ]
    for section in page.sections:
        parts.append(f"## {section.heading}\n")
        text = _docstring(section.model)
        if text:
            parts.append(f"{text}\n")
        table = _table(section.model, "key", section.exclude)
        if table:
            parts.append(table)
    if closing.strip():
        parts.append(f"{closing.strip()}\n")
    return "\n".join(parts)


DEFINITION_PAGES: tuple[ReferencePage, ...] = (
    ReferencePage(
        "project",
        "The project file (`interlace.toml`)",
        project,
        (
            Section("Tables", project.ProjectDefinition),
            Section("`[project]`", project.ProjectInfo),
            Section("`[server]`", project.ServerDefinition),
            Section("`[management]`", project.ManagementDefinition),
            Section("`[tracing]`", tracing.TracingDefinition),
            Section("`[coordination]`", project.CoordinationDefinition),
            Section("`[connectors]`", project.ConnectorsDefinition),
            Section("`[profiles.NAME]`", project.ProfileDefinition),
            Section("`[profiles.NAME.companions.NAME]`", project.CompanionDefinition),
        ),
    ),
    ReferencePage(
        "apis",
        "APIs (`apis/NAME.yaml`)",
        api,
        (
            Section("Keys", api.ApiDefinition),
            Section("`resources`", api.ResourceDefinition),
            Section("`request`", api.BodyDefinition),
            Section("`responses` (each, by status)", api.ResponseDefinition),
        ),
    ),
    ReferencePage(
        "endpoints",
        "Endpoints",
        endpoint,
        (
            Section("Top-level keys", endpoint.EndpointDefinition),
            Section("`http`", endpoint.HttpEndpointDefinition),
            Section("`http.retry`", endpoint.RetryDefinition),
            Section("`http.suspend`", endpoint.SuspendDefinition),
            Section("`load-balance`", endpoint.LoadBalanceDefinition),
            Section("`failover`", endpoint.FailoverDefinition),
        ),
    ),
    ReferencePage(
        "stores",
        "Message stores",
        store,
        (
            Section("Keys of every store", store.StoreDefinition),
            Section("`memory`", store.MemoryStoreDefinition),
            Section("`sqlite` (the default)", store.SqliteStoreDefinition),
            Section("`postgres`", store.PostgresStoreDefinition),
            Section("`rabbitmq`", store.RabbitMqStoreDefinition),
            Section("`redis`", store.RedisStoreDefinition),
        ),
    ),
    ReferencePage(
        "processors",
        "Store-and-forward: the store mediator and message processors",
        processor,
        (
            Section("The `store` mediator", mediators.StoreMediatorDefinition),
            Section("Processors (`processors/NAME.yaml`)", processor.ProcessorDefinition),
            Section("Options of both kinds, and `sampling`", processor.SamplingDefinition),
            Section(
                "`forwarding`",
                processor.ForwardingDefinition,
                exclude=tuple(processor.SamplingDefinition.model_fields),
            ),
            Section("`on-exhausted`", processor.ExhaustedDefinition),
        ),
    ),
    ReferencePage(
        "inbound",
        "Inbound endpoints (`inbound/NAME.yaml`)",
        inbound,
        (
            Section("Keys of every endpoint", inbound.InboundDefinition),
            Section("`http`: an HTTP listener on its own port", inbound.HttpListenerDefinition),
        ),
    ),
    ReferencePage(
        "tasks", "Scheduled tasks (`tasks/NAME.yaml`)", task, (Section("Keys", task.TaskDefinition),)
    ),
    ReferencePage(
        "tests",
        "Test suites (`tests/NAME.yaml`)",
        suite,
        (
            Section("Top-level keys", suite.SuiteDefinition),
            Section("`cases`", suite.CaseDefinition),
            Section("`request`", suite.RequestDefinition),
            Section("`message`", suite.MessageDefinition),
            Section("`event`", suite.EventDefinition),
            Section("`mocks`", suite.MocksDefinition),
            Section("An endpoint's answer (`mocks.endpoints.NAME`)", suite.AnswerDefinition),
            Section("An operation's result (`mocks.operations.NAME`)", suite.OperationMockDefinition),
            Section("`expect`", suite.ExpectDefinition),
            Section("`expect.error`", suite.ErrorExpectation),
            Section("`expect.calls`", suite.CallExpectation),
            Section("`expect.stored.STORE`", suite.StoredExpectation),
        ),
    ),
)


def _page_renderer(page: ReferencePage) -> Callable[[], str]:
    return lambda: _render_page(page)


REFERENCE_TOPICS: dict[str, Callable[[], str]] = {
    "mediators": render_mediator_reference,
    **{page.topic: _page_renderer(page) for page in DEFINITION_PAGES},
}
"""Every generated page by topic (``docs/reference/TOPIC.md``)."""


def render_reference(topic: str) -> str:
    """The page of ``topic`` (one of :data:`REFERENCE_TOPICS`); KeyError for another."""
    return REFERENCE_TOPICS[topic]()
