"""Read the flow graph of an API resource or a sequence from a loaded project's definitions.

The definitions keep each mediator's ``file:line`` (the same place a message trace names), so a
diagram and a trace meet there. Reading never stops at a problem: a mediator whose options are wrong
is drawn with its problems, so a diagram helps while a flow is being written.

A flow is named by a reference: ``API`` (an API with one resource), ``API/URI-TEMPLATE``
(``HealthcareAPI/categories/{category}/reserve``), ``METHOD API/URI-TEMPLATE`` when resources share a
template, or ``sequence:NAME`` (the ``link`` of a node that calls a sequence). An optional ``api:``
prefix is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from interlace.compiler.builders import read_mediator
from interlace.diagrams.graph import Branch, Flow, FlowGraph, FlowNode, YamlPath
from interlace.diagrams.mediators import label_of, nested_flows, operation_settings, settings_of
from interlace.errors import ConfigError, InterlaceError, SourceLocation, did_you_mean
from interlace.model.api import ApiDefinition, ResourceDefinition
from interlace.model.load import Project
from interlace.model.yamlsource import LineList

__all__ = [
    "FlowReference",
    "UnknownFlowError",
    "find_flow",
    "flow_references",
    "flows_of",
    "resource_graph",
    "sequence_graph",
]

_LINKS = {"call": ("endpoint", "endpoint"), "store": ("store", "name"), "sequence": ("sequence", "name")}


class UnknownFlowError(InterlaceError):
    """No API resource or sequence answers to the reference asked for."""

    code = "NOT_FOUND"
    status = 404


class _Reader:
    """Reads the flows of one file, numbering nodes in the order they are written."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.count = 0

    def flow(self, tree: Any, path: YamlPath, line: int) -> Flow:
        if not isinstance(tree, list):
            return Flow()
        lines = tree.item_lines if isinstance(tree, LineList) else [line] * len(tree)
        return Flow(
            tuple(
                self.node(item, position, (*path, position), SourceLocation(self.file, at or line))
                for position, (item, at) in enumerate(zip(tree, lines, strict=True))
            )
        )

    def node(self, item: Any, position: int, path: YamlPath, where: SourceLocation) -> FlowNode:
        self.count += 1
        node_id = f"n{self.count}"
        try:
            read = read_mediator(item, self.file, where)
        except ConfigError as exc:
            kind = next(iter(item), "?") if isinstance(item, dict) and item else str(item)[:40]
            return FlowNode(node_id, str(kind), "", where, position, path, problems=(str(exc),))
        problems = tuple(str(problem) for problem in read.problems)
        if read.is_operation:
            return self._operation(node_id, read.kind, read.options, where, position, path)
        definition = read.definition
        if definition is None:
            return FlowNode(node_id, read.kind, "", where, position, path, problems=problems)
        base = (*path, read.kind)
        branches = tuple(
            Branch(nested.label, self.flow(nested.tree, (*base, *nested.path), where.line), nested.ends)
            for nested in nested_flows(read.kind, definition)
        )
        link = None
        if read.kind in _LINKS:
            prefix, attribute = _LINKS[read.kind]
            link = f"{prefix}:{getattr(definition, attribute)}"
        return FlowNode(
            node_id,
            read.kind,
            label_of(read.kind, definition),
            where,
            position,
            path,
            settings_of(definition),
            branches,
            link,
            problems=problems,
        )

    def _operation(
        self, node_id: str, kind: str, options: Any, where: SourceLocation, position: int, path: YamlPath
    ) -> FlowNode:
        named = options.get("connection") if isinstance(options, dict) else None
        connection = named if isinstance(named, str) else "(inline)" if isinstance(options, dict) else None
        link = f"connection:{named}" if isinstance(named, str) else None
        label = f"via {connection}" if connection else ""
        settings = operation_settings(options)
        return FlowNode(
            node_id, kind, label, where, position, path, settings, link=link, connection=connection
        )

    def on_error(self, tree: Any, path: YamlPath, line: int) -> Flow | None:
        if tree is None:
            return None
        where = SourceLocation(self.file, line)
        if isinstance(tree, str):
            self.count += 1
            node = FlowNode(
                f"n{self.count}",
                "sequence",
                tree,
                where,
                0,
                path,
                {"name": tree},
                link=f"sequence:{tree}",
                on_error=True,
            )
            return Flow((node,))
        return self.flow(tree, path, line)


def _resource_name(api: ApiDefinition, resource: ResourceDefinition) -> str:
    return f"{api.api} {'|'.join(resource.methods)} {resource.uri_template}"


def _resource_reference(api: ApiDefinition, resource: ResourceDefinition) -> str:
    reference = f"{api.api}{resource.uri_template}"
    shared = [each for each in api.resources if each.uri_template == resource.uri_template]
    return f"{'|'.join(resource.methods)} {reference}" if len(shared) > 1 else reference


def resource_graph(api: ApiDefinition, index: int) -> FlowGraph:
    """The flow graph of ``api.resources[index]``, with its on-error flow (its own, else the API's)."""
    resource = api.resources[index]
    reader = _Reader(api.location.file)
    path: YamlPath = ("resources", index)
    flow = reader.flow(resource.flow, (*path, "flow"), resource.location_of("flow").line)
    if resource.on_error is not None:
        on_error = reader.on_error(
            resource.on_error, (*path, "on-error"), resource.location_of("on-error").line
        )
    else:
        on_error = reader.on_error(api.on_error, ("on-error",), api.location_of("on-error").line)
    return FlowGraph(
        "resource",
        _resource_name(api, resource),
        _resource_reference(api, resource),
        resource.location,
        flow,
        on_error,
        resource.description,
    )


def sequence_graph(project: Project, name: str) -> FlowGraph:
    """The flow graph of the sequence ``name``; UnknownFlowError (with a did-you-mean) when none."""
    found = next((each for each in project.sequences if each.sequence == name), None)
    if found is None:
        names = [each.sequence for each in project.sequences]
        raise UnknownFlowError(f"no sequence named {name!r}" + _hint(name, names, "sequences"))
    reader = _Reader(found.location.file)
    flow = reader.flow(found.flow, ("flow",), found.location_of("flow").line)
    on_error = reader.on_error(found.on_error, ("on-error",), found.location_of("on-error").line)
    return FlowGraph(
        "sequence",
        found.sequence,
        f"sequence:{found.sequence}",
        found.location,
        flow,
        on_error,
        found.description,
    )


@dataclass(frozen=True, slots=True)
class FlowReference:
    """A flow a diagram can draw: its reference, and the API (``kind`` resource) or sequence it is."""

    reference: str
    kind: Literal["resource", "sequence"]
    artifact: str


def flows_of(project: Project) -> list[FlowReference]:
    """Every flow of the project that a diagram can draw: resources, then sequences."""
    resources = [
        FlowReference(_resource_reference(api, resource), "resource", api.api)
        for api in project.apis
        for resource in api.resources
    ]
    sequences = [
        FlowReference(f"sequence:{each.sequence}", "sequence", each.sequence) for each in project.sequences
    ]
    return [*resources, *sequences]


def flow_references(project: Project) -> list[str]:
    """The reference of every flow of the project that a diagram can draw: resources, then sequences."""
    return [each.reference for each in flows_of(project)]


def _hint(name: str, known: list[str], what: str) -> str:
    close = did_you_mean(name, known)
    if close:
        return f"; {close}"
    return f" ({what}: {', '.join(sorted(known))})" if known else f" (the project has no {what})"


def find_flow(project: Project, reference: str) -> FlowGraph:
    """The flow graph a reference names (see the module docstring); UnknownFlowError otherwise."""
    reference = reference.strip()
    if reference.startswith("sequence:"):
        return sequence_graph(project, reference.removeprefix("sequence:"))
    method, _, rest = reference.rpartition(" ")
    rest = rest.removeprefix("api:")
    api_name, slash, template = rest.partition("/")
    api = next((each for each in project.apis if each.api == api_name), None)
    if api is None:
        known = [each.api for each in project.apis]
        raise UnknownFlowError(f"no API named {api_name!r}" + _hint(api_name, known, "APIs"))
    choices = [
        index
        for index, resource in enumerate(api.resources)
        if (not slash or resource.uri_template == "/" + template)
        and set(method.upper().split("|")) - {""} <= set(resource.methods)
    ]
    if len(choices) == 1:
        return resource_graph(api, choices[0])
    references = [_resource_reference(api, resource) for resource in api.resources]
    if not choices:
        asked = reference.removeprefix("api:")
        raise UnknownFlowError(
            f"API {api.api} has no resource {asked!r}" + _hint(asked, references, "resources")
        )
    raise UnknownFlowError(
        f"API {api.api} has {len(choices)} resources{' there' if slash else ''}; name one: "
        + ", ".join(references[index] for index in choices)
    )
