"""Secret: a string that is never shown: not printed, logged, dumped, traced or put in a JSON Schema.

Declare a connection setting or an operation parameter as :class:`Secret` and pydantic validates plain
strings into it. Every way of turning it into text gives :data:`MASK`; only :meth:`Secret.reveal` gives
the value, and it is meant to be called at the last moment, where the value is handed to a client.
"""

from __future__ import annotations

import hmac
from typing import Any, Final, final

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

__all__ = ["MASK", "Secret"]

MASK: Final = "**********"
"""What a secret looks like wherever it is shown."""


@final
class Secret:
    """A secret string; ``str()``, ``repr()``, ``format()``, ``model_dump()`` and JSON give :data:`MASK`.

    Two secrets are equal when their values are (compared in constant time); a secret never equals a
    plain string, so it cannot be found by comparing guesses against it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a Secret holds a string (got {type(value).__name__})")
        self._value = value

    def reveal(self) -> str:
        """The value itself: hand it to the client that needs it and keep it nowhere else."""
        return self._value

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __format__(self, format_spec: str) -> str:
        return format(MASK, format_spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        # Copies (pydantic copies defaults) keep the value; pickles do too, like any attribute would.
        return (Secret, (self._value,))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _to_secret,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _masked, return_schema=core_schema.str_schema()
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "password", "writeOnly": True}


def _to_secret(value: object) -> Secret:
    if isinstance(value, Secret):
        return value
    if isinstance(value, str):
        return Secret(value)
    # The input is not repeated: it may be the secret, mistyped.
    raise PydanticCustomError("string_type", "Input should be a valid string")


def _masked(_value: Secret) -> str:
    return MASK
