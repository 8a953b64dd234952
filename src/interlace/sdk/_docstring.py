"""Reading an operation's or trigger's docstring: a description, ``Args:`` and ``Returns:`` sections.

Only the small Google-style subset that connector authors need::

    Send a message.

    Args:
        to: Who receives it.
        messageBody: The text,
            on as many lines as needed.

    Returns:
        The id of the sent message.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

_SECTION = re.compile(r"^(Args|Arguments|Parameters|Returns|Return|Yields):\s*$")
_ARGUMENT = re.compile(r"^(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Docstring:
    description: str = ""
    arguments: dict[str, str] = field(default_factory=dict)
    returns: str = ""


def parse_docstring(text: str | None) -> Docstring:
    lines = inspect.cleandoc(text or "").splitlines()
    description: list[str] = []
    sections: dict[str, list[str]] = {}
    current = description
    for line in lines:
        header = _SECTION.match(line)
        if header:
            kind = "args" if header.group(1) in ("Args", "Arguments", "Parameters") else "returns"
            current = sections.setdefault(kind, [])
        else:
            current.append(line)
    return Docstring(
        description="\n".join(description).strip(),
        arguments=_arguments(sections.get("args", [])),
        returns=" ".join(line.strip() for line in sections.get("returns", []) if line.strip()),
    )


def _arguments(lines: list[str]) -> dict[str, str]:
    arguments: dict[str, list[str]] = {}
    indent: int | None = None
    name = ""
    for line in lines:
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if indent is None:
            indent = depth
        entry = _ARGUMENT.match(line.strip()) if depth <= indent else None
        if entry:
            name = entry.group(1)
            arguments[name] = [entry.group(2)]
        elif name:
            arguments[name].append(line.strip())
    return {key: " ".join(part for part in parts if part) for key, parts in arguments.items()}
