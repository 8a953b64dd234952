"""FlowBuilder: turns a flow's YAML tree into a SequenceMediator, mediator by mediator.

Builders (one per mediator kind, in builders.py) receive a validated definition and this object, which
compiles expressions and templates, nested flows and references, recording every problem in the
diagnostics instead of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from interlace.compiler.diagnostics import Diagnostics
from interlace.compiler.names import References
from interlace.connections import ConnectionPool
from interlace.endpoints import Endpoint
from interlace.errors import ConfigError, ExpressionError, SourceLocation
from interlace.expressions import (
    CompileScope,
    Expression,
    Template,
    ValueTemplate,
    compile_expression,
    compile_template,
    compile_value,
)
from interlace.mediators.base import Mediator
from interlace.mediators.sequence import SequenceMediator
from interlace.mediators.store import MessageSink
from interlace.model.base import Definition
from interlace.model.yamlsource import LineList
from interlace.sdk import ConnectorRegistry

__all__ = ["FlowBuilder"]

_PLACEHOLDER = compile_value(None)


class FlowBuilder:
    """Compiles flows of one project; shared by every builder during one compilation."""

    def __init__(
        self,
        scope: CompileScope,
        diagnostics: Diagnostics,
        sequences: References[SequenceMediator],
        endpoints: References[Endpoint],
        project_root: str = ".",
        stores: References[MessageSink] | None = None,
        connectors: ConnectorRegistry | None = None,
        connections: References[ConnectionPool] | None = None,
    ) -> None:
        self.scope = scope
        self.diagnostics = diagnostics
        self.sequences = sequences
        self.endpoints = endpoints
        self.project_root = project_root
        self.stores = stores if stores is not None else References[MessageSink]("store")
        self.connectors = connectors if connectors is not None else ConnectorRegistry()
        self.connections = (
            connections if connections is not None else References[ConnectionPool]("connection")
        )
        self.secrets: Mapping[str, str] = {}
        """The profile's fallback values for ``${secret.NAME}`` in inline connection settings."""
        self.inline_connections: list[ConnectionPool] = []
        """Connections written inline on operations (``init``), to close with the deployment."""

    # expressions -------------------------------------------------------------------------------
    def expression(self, text: str, location: SourceLocation) -> Expression:
        """An expression written as ``${...}`` or bare."""
        source = text.strip()
        if source.startswith("${") and source.endswith("}") and source.count("${") == 1:
            source = source[2:-1]
        try:
            return compile_expression(source, location=location, scope=self.scope)
        except ExpressionError as exc:
            self.diagnostics.expression(exc, location)
            return compile_expression("null")

    def template(
        self, text: str, location: SourceLocation, escape: Callable[[str], str] | None = None
    ) -> Template:
        try:
            return compile_template(text, location=location, scope=self.scope, escape=escape)
        except ExpressionError as exc:
            self.diagnostics.expression(exc, location)
            return compile_template("")

    def value(self, value: Any, location: SourceLocation) -> ValueTemplate:
        try:
            return compile_value(value, location=location, scope=self.scope)
        except ExpressionError as exc:
            self.diagnostics.expression(exc, location)
            return _PLACEHOLDER

    # references --------------------------------------------------------------------------------
    def endpoint(self, name: str, location: SourceLocation) -> Endpoint | None:
        return self.endpoints.resolve(name, location, self.diagnostics)

    def sequence(self, name: str, location: SourceLocation) -> SequenceMediator | None:
        return self.sequences.resolve(name, location, self.diagnostics)

    def store(self, name: str, location: SourceLocation) -> MessageSink | None:
        return self.stores.resolve(name, location, self.diagnostics)

    # flows -------------------------------------------------------------------------------------
    def flow(self, tree: Any, file: str, name: str, location: SourceLocation) -> SequenceMediator:
        """Compile a list of mediators into an anonymous sequence named ``name``."""
        from interlace.compiler.builders import build_mediator

        sequence = SequenceMediator(name, location)
        if not isinstance(tree, list):
            self.diagnostics.error("a flow must be a list of mediators", location)
            return sequence
        lines = tree.item_lines if isinstance(tree, LineList) else [location.line] * len(tree)
        mediators: list[Mediator] = []
        for item, line in zip(tree, lines, strict=True):
            where = SourceLocation(file, line or location.line)
            try:
                mediator = build_mediator(item, file, where, self)
            except ConfigError as exc:
                self.diagnostics.problems.append(exc)
                continue
            if mediator is not None:
                mediators.append(mediator)
        sequence.mediators = tuple(mediators)
        return sequence

    def nested(self, definition: Definition, key: str, tree: Any, label: str) -> SequenceMediator:
        """The flow written under ``key`` of a mediator's ``definition``, compiled as ``label``."""
        return self.flow(tree, definition.location.file, label, definition.location_of(key))

    def on_error(self, tree: Any, file: str, name: str, location: SourceLocation) -> Mediator | None:
        """An on-error flow: a list of mediators or the name of a sequence; None when absent."""
        if tree is None:
            return None
        if isinstance(tree, str):
            return self.sequence(tree, location)
        return self.flow(tree, file, name, location)
