"""Identifiers from an API's names: ``petId`` stays, ``X-Request-ID`` becomes ``x_request_id``,
``repos/get-content`` becomes ``repos_get_content``; a name taken twice gets ``_2``, ``_3``..."""

from __future__ import annotations

import keyword
import re
from typing import Final

__all__ = ["Names", "identifier", "is_identifier", "operation_name", "python_name", "snake_case"]

_IDENTIFIER: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_SEPARATORS: Final = re.compile(r"[^A-Za-z0-9]+")
_CAMEL: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def is_identifier(name: str) -> bool:
    """Whether ``name`` can be written as it is: a letter, then letters, digits and ``_``."""
    return bool(_IDENTIFIER.match(name))


def identifier(name: str, fallback: str = "value") -> str:
    """``name`` itself when it is an identifier, else its words in snake_case (``fallback`` when it has
    no letters or digits; ``n_`` before a leading digit)."""
    if is_identifier(name):
        return name
    words = [word for word in _SEPARATORS.split(_CAMEL.sub("_", name)) if word]
    text = "_".join(word.lower() for word in words) or fallback
    return f"n_{text}" if text[0].isdigit() else text


def snake_case(name: str) -> str:
    """``findPetsByStatus`` is ``find_pets_by_status``; a keyword gets a trailing ``_``."""
    words = [word for word in _SEPARATORS.split(_CAMEL.sub("_", name)) if word]
    text = "_".join(word.lower() for word in words) or "operation"
    return python_name(f"n_{text}" if text[0].isdigit() else text)


def operation_name(method: str, path: str) -> str:
    """A name for an operation without a usable id: ``get /pets/{petId}`` is ``get_pets_pet_id``."""
    return identifier(f"{method.lower()} {path}", fallback=method.lower())


def python_name(key: str) -> str:
    """A Python argument name for a flow key: keywords get a trailing ``_`` (``from`` is ``from_``)."""
    return f"{key}_" if keyword.iskeyword(key) or keyword.issoftkeyword(key) else key


class Names:
    """Names given out in one scope (an API's operations, an operation's parameters): :meth:`claim`
    returns a free identifier and says when it had to change the name."""

    def __init__(self, taken: tuple[str, ...] = ()) -> None:
        self._taken = set(taken)

    def claim(self, wanted: str) -> tuple[str, str | None]:
        """A free identifier for ``wanted`` and, when it differs from ``wanted``, why."""
        base = identifier(wanted)
        name, counter = base, 1
        while name in self._taken:
            counter += 1
            name = f"{base}_{counter}"
        self._taken.add(name)
        if name == wanted:
            return name, None
        if base != wanted and name == base:
            return name, f"{wanted!r} is not an identifier; it is {name!r}"
        return name, f"{wanted!r} is taken; it is {name!r}"
