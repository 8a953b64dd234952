"""The values a data mapping assigns, as Interlace templates: a field of the input, a constant, or text
joined from those."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["Value", "path_step"]

_IDENTIFIER: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(slots=True)
class Value:
    """A value being read: an expression (``payload.a``), a constant, or text parts to join."""

    expression: str | None = None
    constant: Any = None
    parts: list[Value] | None = None

    def text_parts(self) -> Iterator[str]:
        if self.parts is not None:
            for part in self.parts:
                yield from part.text_parts()
        elif self.expression is not None:
            yield "${" + self.expression + "}"
        else:
            text = self.constant if isinstance(self.constant, str) else json.dumps(self.constant)
            yield text.replace("${", "\\${")

    def operand(self) -> str | None:
        """The value as an expression's operand; None for joined text."""
        if self.parts is not None:
            return None
        return self.expression if self.expression is not None else json.dumps(self.constant)

    def template(self) -> Any:
        if self.parts is not None:
            if all(part.expression is not None for part in self.parts):  # JavaScript's + of two fields
                return "${" + " + ".join(str(part.expression) for part in self.parts) + "}"
            return "".join(self.text_parts())
        if self.expression is not None:
            return "${" + self.expression + "}"
        if isinstance(self.constant, str):
            return self.constant.replace("${", "\\${")
        return self.constant


def path_step(name: str) -> str:
    """``name`` as the next step of a path: ``.name``, or ``["name"]`` when it is not an identifier."""
    return f".{name}" if _IDENTIFIER.match(name) else f"[{json.dumps(name)}]"
