"""Names that artifacts use to refer to each other: sequences, endpoints and stores, with near-miss hints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from interlace.compiler.diagnostics import Diagnostics
from interlace.errors import SourceLocation, did_you_mean

__all__ = ["References"]

T = TypeVar("T")


@dataclass(slots=True)
class References(Generic[T]):
    """Named objects of one kind (``kind`` is "sequence", "endpoint" or "store", defined in the folder of
    that name plus "s") that a flow may refer to."""

    kind: str
    known: dict[str, T] = field(default_factory=dict)
    invalid: set[str] = field(default_factory=set)
    """Names defined in files with problems: references to them are not reported again."""

    def resolve(self, name: str, location: SourceLocation, diagnostics: Diagnostics) -> T | None:
        """The object named ``name``; None (and a diagnostic with a hint) when there is none."""
        found = self.known.get(name)
        if found is None and name not in self.invalid:
            folder = f"{self.kind}s"
            hint = did_you_mean(name, self.known) or f"define it in {folder}/{name}.yaml"
            diagnostics.error(f"unknown {self.kind} {name!r}", location, hint)
        return found
