"""One small builder per mediator kind: validated definition in, runtime mediator out.

A flow item is ``{kind: options}``. ``MEDIATORS`` maps each kind to its definition model, its builder
and the option a scalar shorthand stands for (``- call: HospitalEP`` is ``{endpoint: HospitalEP}``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar
from xml.sax.saxutils import escape

import orjson
import yaml

from interlace.compiler.flows import FlowBuilder
from interlace.compiler.guards import build_cache, build_throttle
from interlace.compiler.transforms import build_fault, build_xslt
from interlace.errors import ConfigError, SourceLocation, did_you_mean
from interlace.mediators.base import Mediator
from interlace.mediators.body import BodyTemplate, JsonBody, TextBody
from interlace.mediators.call import CallMediator
from interlace.mediators.drop import DropMediator
from interlace.mediators.enrich import EnrichMediator
from interlace.mediators.filter import FilterMediator
from interlace.mediators.foreach import ForeachMediator
from interlace.mediators.header import HeaderMediator
from interlace.mediators.log import LogMediator
from interlace.mediators.payload import PayloadMediator
from interlace.mediators.property import PropertyMediator
from interlace.mediators.respond import RespondMediator
from interlace.mediators.scatter_gather import ScatterGatherMediator
from interlace.mediators.sequence import SequenceCallMediator, SequenceParameters
from interlace.mediators.store import StoreMediator
from interlace.mediators.switch import SwitchMediator
from interlace.mediators.target import Target, parse_target
from interlace.mediators.throw import ThrowErrorMediator
from interlace.mediators.validate import ValidateMediator
from interlace.mediators.variable import VariableMediator
from interlace.model.base import Definition, validate_leniently
from interlace.model.guards import CacheDefinition, ThrottleDefinition
from interlace.model.mediators import (
    CallDefinition,
    DropDefinition,
    EnrichDefinition,
    FilterDefinition,
    ForeachDefinition,
    HeaderDefinition,
    LogDefinition,
    PayloadDefinition,
    PropertyDefinition,
    RespondDefinition,
    ScatterGatherDefinition,
    SequenceCallDefinition,
    StoreMediatorDefinition,
    SwitchDefinition,
    ThrowErrorDefinition,
    ValidateDefinition,
    VariableDefinition,
)
from interlace.model.transforms import FaultDefinition, XsltDefinition
from interlace.model.yamlsource import LineDict, load_yaml

__all__ = ["MEDIATORS", "MediatorItem", "MediatorKind", "build_mediator", "read_mediator"]

D = TypeVar("D", bound=Definition)


@dataclass(frozen=True, slots=True)
class MediatorKind(Generic[D]):
    """How to read and build one mediator kind."""

    definition: type[D]
    build: Callable[[D, FlowBuilder], Mediator | None]
    shorthand: str | None = None


def _body(fb: FlowBuilder, d: PayloadDefinition | RespondDefinition) -> BodyTemplate | None:
    if "json_" in d.model_fields_set:
        return JsonBody(fb.value(d.json_, d.location_of("json")), d.content_type)
    if d.xml is not None:
        template = fb.template(d.xml, d.location_of("xml"), escape=_xml_escape)
        return TextBody(template, d.content_type or "application/xml")
    if d.text is not None:
        return TextBody(
            fb.template(d.text, d.location_of("text")), d.content_type or "text/plain; charset=utf-8"
        )
    return None


def _xml_escape(text: str) -> str:
    """Values inserted into an XML template are character data: the document stays well-formed."""
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def _optional_value(fb: FlowBuilder, d: VariableDefinition | PropertyDefinition) -> Any:
    return None if d.action == "remove" else fb.value(d.value, d.location_of("value"))


def _target(fb: FlowBuilder, text: str, location: SourceLocation) -> Target | None:
    try:
        return parse_target(text)
    except ValueError as exc:
        fb.diagnostics.error(
            str(exc), location, "e.g. payload, payload.items, vars.result, headers.X-Id, props.x"
        )
        return None


def build_log(d: LogDefinition, fb: FlowBuilder) -> Mediator:
    return LogMediator(
        fb.template(d.message, d.location_of("message")), d.level, d.category, d.headers, d.full, d.location
    )


def build_variable(d: VariableDefinition, fb: FlowBuilder) -> Mediator:
    return VariableMediator(d.name, _optional_value(fb, d), d.type, d.location)


def build_property(d: PropertyDefinition, fb: FlowBuilder) -> Mediator:
    return PropertyMediator(d.name, _optional_value(fb, d), d.type, d.scope == "transport", d.location)


def build_header(d: HeaderDefinition, fb: FlowBuilder) -> Mediator:
    value = None if d.action == "remove" or d.value is None else fb.template(d.value, d.location_of("value"))
    return HeaderMediator(d.name, value, d.location)


def build_payload(d: PayloadDefinition, fb: FlowBuilder) -> Mediator | None:
    body = _body(fb, d)
    return PayloadMediator(body, d.location) if body is not None else None


def build_enrich(d: EnrichDefinition, fb: FlowBuilder) -> Mediator | None:
    target = _target(fb, d.target, d.location_of("target"))
    source = fb.value(d.source, d.location_of("source"))
    return EnrichMediator(source, target, d.action, d.location) if target else None


def build_filter(d: FilterDefinition, fb: FlowBuilder) -> Mediator:
    return FilterMediator(
        fb.expression(d.condition, d.location_of("condition")),
        fb.nested(d, "then", d.then, "filter/then"),
        fb.nested(d, "else", d.else_, "filter/else"),
        d.location,
    )


def build_switch(d: SwitchDefinition, fb: FlowBuilder) -> Mediator:
    literal = {}
    patterns = []
    cases_location = d.location_of("cases")
    for label, tree in d.cases.items():
        flow = fb.flow(tree, d.location.file, f"switch/{label}", cases_location)
        if d.match == "regex":
            try:
                patterns.append((re.compile(label), flow))
            except re.error as exc:
                fb.diagnostics.error(
                    f"switch case {label!r} is not a valid regular expression: {exc}", cases_location
                )
        else:
            literal[label] = flow
    default = fb.nested(d, "default", d.default, "switch/default")
    return SwitchMediator(
        fb.expression(d.on, d.location_of("on")), literal, tuple(patterns), default, d.location
    )


def build_call(d: CallDefinition, fb: FlowBuilder) -> Mediator | None:
    endpoint = fb.endpoint(d.endpoint, d.location_of("endpoint"))
    return CallMediator(endpoint, d.response_variable, d.location) if endpoint is not None else None


def build_respond(d: RespondDefinition, fb: FlowBuilder) -> Mediator:
    status = d.status if not isinstance(d.status, str) else fb.template(d.status, d.location_of("status"))
    headers = tuple((name, fb.template(value, d.location_of("headers"))) for name, value in d.headers.items())
    return RespondMediator(status, headers, _body(fb, d), d.location)


def build_drop(d: DropDefinition, fb: FlowBuilder) -> Mediator:
    return DropMediator(d.location)


def _check_parameters(d: SequenceCallDefinition, declared: SequenceParameters, fb: FlowBuilder) -> None:
    known = [*declared.defaults, *declared.required]
    where = d.location_of("parameters")
    for name in d.parameters:
        if name not in known:
            hint = did_you_mean(name, known) or f"{d.name} takes {', '.join(sorted(known))}"
            fb.diagnostics.error(f"sequence {d.name!r} has no parameter {name!r}", where, hint)
    for name in sorted(declared.required - d.parameters.keys()):
        fb.diagnostics.error(
            f"sequence {d.name!r} needs parameter {name!r}", where, f"give it: parameters: {{{name}: ...}}"
        )


def build_sequence_call(d: SequenceCallDefinition, fb: FlowBuilder) -> Mediator | None:
    target = fb.sequence(d.name, d.location_of("name"))
    if target is None:
        return None
    if target.parameters is not None:
        _check_parameters(d, target.parameters, fb)
    parameters = fb.value(d.parameters, d.location_of("parameters")) if d.parameters else None
    return SequenceCallMediator(target, parameters, d.location)


def build_store_mediator(d: StoreMediatorDefinition, fb: FlowBuilder) -> Mediator | None:
    store = fb.store(d.name, d.location_of("name"))
    failover = (
        fb.store(d.failover_store, d.location_of("failover-store")) if d.failover_store is not None else None
    )
    if store is None or (d.failover_store is not None and failover is None):
        return None
    return StoreMediator(store, failover, d.location)


def build_foreach(d: ForeachDefinition, fb: FlowBuilder) -> Mediator | None:
    target = _target(fb, d.target, d.location_of("target"))
    result = fb.value(d.result, d.location_of("result")) if d.result is not None else None
    flow = fb.nested(d, "flow", d.flow, "foreach")
    collection = fb.expression(d.collection, d.location_of("collection"))
    if target is None:
        return None
    return ForeachMediator(collection, d.as_, flow, d.parallel, d.concurrency, result, target, d.location)


def build_scatter_gather(d: ScatterGatherDefinition, fb: FlowBuilder) -> Mediator | None:
    target = _target(fb, d.target, d.location_of("target"))
    branches = tuple(
        fb.nested(d, "branches", tree, f"scatter-gather/{index}") for index, tree in enumerate(d.branches)
    )
    return ScatterGatherMediator(branches, target, d.location) if target else None


def _load_schema(fb: FlowBuilder, d: ValidateDefinition) -> dict[str, Any] | None:
    if d.schema_ is not None:
        return d.schema_
    assert d.schema_file is not None
    path = Path(fb.project_root) / d.schema_file
    try:
        text = path.read_text(encoding="utf-8")
        loaded = orjson.loads(text) if path.suffix == ".json" else load_yaml(text, d.schema_file)
    except (OSError, orjson.JSONDecodeError, ConfigError, yaml.YAMLError) as exc:
        # An OSError's text holds the absolute path; the project-relative name is already in the message.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        fb.diagnostics.error(
            f"cannot read schema-file {d.schema_file!r}: {reason}", d.location_of("schema-file")
        )
        return None
    if not isinstance(loaded, dict):
        fb.diagnostics.error(
            f"schema-file {d.schema_file!r} must hold a JSON Schema object", d.location_of("schema-file")
        )
        return None
    return loaded


def build_validate(d: ValidateDefinition, fb: FlowBuilder) -> Mediator | None:
    schema = _load_schema(fb, d)
    on_fail = fb.nested(d, "on-fail", d.on_fail, "validate/on-fail") if d.on_fail is not None else None
    source = fb.template(d.source, d.location_of("source"))
    if schema is None:
        return None
    import jsonschema  # a project without a validate mediator never loads it

    validator_class = jsonschema.validators.validator_for(schema)
    try:
        validator_class.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = d.location_of("schema" if d.schema_ is not None else "schema-file")
        fb.diagnostics.error(f"invalid JSON Schema: {exc.message}", where)
        return None
    return ValidateMediator(validator_class(schema), source, on_fail, d.location, d.source)


def build_throw_error(d: ThrowErrorDefinition, fb: FlowBuilder) -> Mediator:
    detail = fb.value(d.detail, d.location_of("detail")) if d.detail is not None else None
    return ThrowErrorMediator(
        fb.template(d.message, d.location_of("message")), d.code, d.status, detail, d.location
    )


MEDIATORS: dict[str, MediatorKind[Any]] = {
    "log": MediatorKind(LogDefinition, build_log, "message"),
    "variable": MediatorKind(VariableDefinition, build_variable),
    "property": MediatorKind(PropertyDefinition, build_property),
    "header": MediatorKind(HeaderDefinition, build_header),
    "payload": MediatorKind(PayloadDefinition, build_payload),
    "enrich": MediatorKind(EnrichDefinition, build_enrich),
    "filter": MediatorKind(FilterDefinition, build_filter),
    "switch": MediatorKind(SwitchDefinition, build_switch),
    "call": MediatorKind(CallDefinition, build_call, "endpoint"),
    "respond": MediatorKind(RespondDefinition, build_respond),
    "drop": MediatorKind(DropDefinition, build_drop),
    "sequence": MediatorKind(SequenceCallDefinition, build_sequence_call, "name"),
    "store": MediatorKind(StoreMediatorDefinition, build_store_mediator, "name"),
    "foreach": MediatorKind(ForeachDefinition, build_foreach),
    "scatter-gather": MediatorKind(ScatterGatherDefinition, build_scatter_gather),
    "validate": MediatorKind(ValidateDefinition, build_validate),
    "throw-error": MediatorKind(ThrowErrorDefinition, build_throw_error, "message"),
    "fault": MediatorKind(FaultDefinition, build_fault, "reason"),
    "throttle": MediatorKind(ThrottleDefinition, build_throttle),
    "cache": MediatorKind(CacheDefinition, build_cache),
    "xslt": MediatorKind(XsltDefinition, build_xslt, "stylesheet"),
}


def _options(kind: str, raw: Any, shorthand: str | None, where: SourceLocation) -> Any:
    if raw is None:
        options = LineDict(where.line)
        return options
    if isinstance(raw, dict):
        return raw
    if shorthand is not None and isinstance(raw, str | int | float | bool):
        options = LineDict(where.line)
        options[shorthand] = raw
        options.key_lines[shorthand] = where.line
        return options
    example = f"{kind}: {{{shorthand or '...'}: ...}}"
    raise ConfigError(
        f"{kind} takes a mapping of options (got {type(raw).__name__})", location=where, hint=example
    )


@dataclass(frozen=True, slots=True)
class MediatorItem:
    """One flow item as written: its kind, its options and, for a built-in kind, its definition."""

    kind: str
    options: Any
    """The options as written (a mapping for a built-in kind; as written for a connector operation)."""
    definition: Definition | None
    """The validated definition; None for a connector operation, or when ``problems`` left none."""
    problems: tuple[ConfigError, ...] = ()
    """What is wrong with the options, each at its line."""

    @property
    def is_operation(self) -> bool:
        """A connector operation (``gmail.sendMail``), read by the operation's builder."""
        return self.kind not in MEDIATORS


def read_mediator(item: Any, file: str, where: SourceLocation) -> MediatorItem:
    """Read one flow item without building it (the compiler builds it; a flow diagram draws it);
    ConfigError for an item that is not a one-key mapping or names no known mediator."""
    if isinstance(item, str):
        kind, raw = item, None
    elif isinstance(item, dict) and len(item) == 1:
        kind, raw = next(iter(item.items()))
    else:
        shown = ", ".join(map(str, item)) if isinstance(item, dict) else type(item).__name__
        raise ConfigError(
            f"a mediator is a mapping with one key naming its kind (got {shown})",
            location=where,
            hint="write each mediator as its own list item: - log: {...}",
        )
    spec = MEDIATORS.get(kind)
    if spec is None:
        if "." in kind:
            return MediatorItem(kind, raw, None)
        known = list(MEDIATORS)
        hint = did_you_mean(kind, known) or f"known mediators: {', '.join(sorted(known))}"
        raise ConfigError(f"unknown mediator {kind!r}", location=where, hint=hint)
    options = _options(kind, raw, spec.shorthand, where)
    definition, problems = validate_leniently(spec.definition, options, file, context={"line": where.line})
    for problem in problems:
        problem.message = f"{kind}: {problem.message}"
    return MediatorItem(kind, options, definition, tuple(problems))


def build_mediator(item: Any, file: str, where: SourceLocation, fb: FlowBuilder) -> Mediator | None:
    """Build one flow item; problems are recorded in ``fb.diagnostics`` (returns None) or raised as
    ConfigError for the flow builder to record."""
    read = read_mediator(item, file, where)
    if read.is_operation:
        from interlace.compiler.operations import build_operation

        return build_operation(read.kind, read.options, file, where, fb)
    fb.diagnostics.problems.extend(read.problems)
    # With problems, what remains valid is still built, for the problems of its expressions and nested
    # flows; the flow it belongs to never runs.
    return MEDIATORS[read.kind].build(read.definition, fb) if read.definition is not None else None
