"""Which mediators and branches the cases reached.

:func:`instrument` walks a compiled project's flows (every resource's flow and on-error flow, every named
sequence, and every branch inside them: switch cases and default, filter then and else, the flows of
foreach, parallel and the others) and puts a probe before each mediator and at the start of each branch.
A probe only notes that it was passed; the flows behave as before. :meth:`Coverage.missed` names what
no case reached, by file:line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from interlace.compiler import Artifacts
from interlace.errors import SourceLocation
from interlace.mediators import Mediator
from interlace.mediators.sequence import SequenceMediator
from interlace.message import MessageContext

__all__ = ["Coverage", "instrument"]


class _Probe:
    """Notes that a flow passed this point; always lets the flow go on."""

    __slots__ = ("hits", "key", "location")

    def __init__(self, key: int, hits: set[int], location: SourceLocation) -> None:
        self.key = key
        self.hits = hits
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        self.hits.add(self.key)
        return True


@dataclass(slots=True)
class Coverage:
    """The probes of one compiled project: what there is to reach, and what was reached."""

    mediators: dict[int, tuple[SourceLocation, str]] = field(default_factory=dict)
    """Mediator probes: key -> where, and ``file:line kind``."""
    branches: dict[int, tuple[SourceLocation, str]] = field(default_factory=dict)
    """Branch probes: key -> where, and ``kind at file:line: branch``."""
    hits: set[int] = field(default_factory=set)
    operations: dict[str, Any] = field(default_factory=dict)
    """The operations the flows run, by ``connector.operation`` (their specs), found on the way."""

    def reached(self) -> tuple[int, int]:
        """(mediators reached, branches reached)."""
        return len(self.hits & self.mediators.keys()), len(self.hits & self.branches.keys())

    def missed(self) -> tuple[list[str], list[str]]:
        """The mediators and the branches no case reached, in file and line order."""
        return _unreached(self.mediators, self.hits), _unreached(self.branches, self.hits)


def _unreached(table: dict[int, tuple[SourceLocation, str]], hits: set[int]) -> list[str]:
    missed = sorted(
        (where.file, where.line, label) for key, (where, label) in table.items() if key not in hits
    )
    return [label for _file, _line, label in missed]


def _kind(mediator: object) -> str:
    operation = getattr(getattr(mediator, "spec", None), "qualified_name", None)
    if isinstance(operation, str):
        return operation
    name = type(mediator).__name__.removesuffix("Mediator")
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in name).lstrip("-") or "mediator"


def _children(mediator: object) -> Iterator[tuple[str, SequenceMediator]]:
    """The flows a mediator holds, each with the name of its branch (``case 'x'``, ``then``)."""
    slots = [slot for cls in type(mediator).__mro__ for slot in getattr(cls, "__slots__", ())]
    names = slots or list(getattr(mediator, "__dict__", {}))
    for attribute in names:
        value = getattr(mediator, attribute, None)
        yield from _found(value, _branch_name(attribute))


def _branch_name(attribute: str) -> str:
    return {"otherwise": "else", "literal": "case", "patterns": "case"}.get(attribute, attribute)


def _found(value: Any, name: str) -> Iterator[tuple[str, SequenceMediator]]:
    if isinstance(value, SequenceMediator):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _found(item, f"{name} {key!r}")
    elif isinstance(value, list | tuple):
        pattern = getattr(value[0], "pattern", None) if len(value) == 2 else None
        if isinstance(pattern, str):  # a switch's (regex, flow) pair
            yield from _found(value[1], f"{name} /{pattern}/")
            return
        for item in value:
            yield from _found(item, name)


def instrument(artifacts: Artifacts) -> Coverage:
    """Put probes into every flow of ``artifacts`` (once: the objects are changed in place)."""
    coverage = Coverage()
    named = {id(flow) for flow in artifacts.sequences.values()}
    seen: set[int] = set()

    def probe(label: str, location: SourceLocation, table: dict[int, tuple[SourceLocation, str]]) -> _Probe:
        key = len(coverage.mediators) + len(coverage.branches)
        table[key] = (location, label)
        return _Probe(key, coverage.hits, location)

    def walk(flow: SequenceMediator, branch: str | None) -> None:
        if id(flow) in seen:
            return
        seen.add(id(flow))
        probed: list[Mediator] = []
        if branch is not None:
            probed.append(probe(branch, flow.location, coverage.branches))
        for mediator in flow.mediators:
            kind = _kind(mediator)
            spec = getattr(mediator, "spec", None)
            if kind == getattr(spec, "qualified_name", None):
                coverage.operations[kind] = spec
            probed += [probe(f"{mediator.location} {kind}", mediator.location, coverage.mediators), mediator]
            for name, child in _children(mediator):
                if id(child) not in named:
                    walk(child, f"{kind} at {mediator.location}: {name}")
        flow.mediators = tuple(probed)
        if flow.on_error is not None:
            handler = flow.on_error
            label = f"{flow.name} at {handler.location}: on-error"
            wrapper = SequenceMediator(f"{flow.name} on-error", handler.location, (handler,))
            flow.on_error = wrapper
            seen.add(id(wrapper))
            wrapper.mediators = (probe(label, handler.location, coverage.branches), handler)
            if isinstance(handler, SequenceMediator) and id(handler) not in named:
                walk(handler, None)

    for api in artifacts.apis:
        for resource in api.resources:
            walk(resource.flow, None)
    for flow in artifacts.sequences.values():
        walk(flow, None)
    return coverage
