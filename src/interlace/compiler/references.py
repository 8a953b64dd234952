"""Names that artifacts use to refer to each other: sequences, endpoints and stores, with near-miss hints."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from interlace.compiler.diagnostics import Diagnostics
from interlace.errors import SourceLocation

__all__ = ["References", "near_miss"]

T = TypeVar("T")


def near_miss(name: str, choices: Mapping[str, object] | list[str]) -> str | None:
    """``did you mean 'X'?`` for the closest known name, if any is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


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
            hint = near_miss(name, self.known) or f"define it in {folder}/{name}.yaml"
            diagnostics.error(f"unknown {self.kind} {name!r}", location, hint)
        return found
