"""Sequence definitions: named, reusable flows (sequences/*.yaml)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from interlace.model.base import Definition
from interlace.model.flow import FlowSource, OnErrorSource

__all__ = ["SequenceDefinition", "SequenceParameterDefinition"]


class SequenceParameterDefinition(Definition):
    """A parameter of a sequence: its name, and a default or that callers must give it."""

    name: Annotated[str, Field(min_length=1)]
    """The parameter's name (``${params.functionParams.NAME}``)."""
    default: Any = None
    """The value when a caller does not give one (a constant)."""
    required: bool = False
    """Callers must give a value: a call without it is a load-time error."""

    @model_validator(mode="after")
    def _default_or_required(self) -> SequenceParameterDefinition:
        if self.required and "default" in self.model_fields_set:
            raise ValueError(f"parameter {self.name!r} is required, so it takes no default")
        return self


def _names_allowed(schema: dict[str, Any]) -> None:
    # What ``_names`` accepts, for editors: a parameter may be written as its bare name.
    schema["items"] = {"anyOf": [{"type": "string", "minLength": 1}, schema["items"]]}


class SequenceDefinition(Definition):
    """A named flow. ``parameters`` (names, or ``{name, default, required}``) makes it a parameterised
    sequence: callers pass values with ``sequence: {name, parameters}``, the flow reads them as
    ``${params.functionParams.x}``, an undeclared or missing required parameter is a load-time error,
    and a parameter not given takes its default (null without one)."""

    sequence: Annotated[str, Field(min_length=1)]
    description: str = ""
    parameters: list[SequenceParameterDefinition] = Field(
        default_factory=list, json_schema_extra=lambda schema: _names_allowed(schema)
    )
    flow: FlowSource
    on_error: OnErrorSource | None = None

    @field_validator("parameters", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": each} if isinstance(each, str) else each for each in value]
        return value

    @model_validator(mode="after")
    def _unique(self) -> SequenceDefinition:
        names = [parameter.name for parameter in self.parameters]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"parameters must have distinct names (repeated: {', '.join(repeated)})")
        return self
