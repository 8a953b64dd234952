"""Sequence definitions: named, reusable flows (sequences/*.yaml)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from interlace.model.base import Definition
from interlace.model.flow import FlowSource, OnErrorSource

__all__ = ["SequenceDefinition"]


class SequenceDefinition(Definition):
    """A named flow; ``parameters`` lists the names callers may pass (``${params.functionParams.x}``)."""

    sequence: Annotated[str, Field(min_length=1)]
    description: str = ""
    parameters: list[str] = Field(default_factory=list)
    flow: FlowSource
    on_error: OnErrorSource | None = None
