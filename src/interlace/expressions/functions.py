"""The function registry of the expression language: every function by its case-sensitive name.

The functions themselves live in small modules by topic (text, numbers and types, encoding, dates, XML);
importing them registers them. :data:`FUNCTIONS` is what the compiler, the checker and the reference docs
read; ``FunctionSpec.signature`` gives the arity (bracketed parameters are optional).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from interlace.expressions import (
    date_functions,
    encoding_functions,
    number_functions,
    text_functions,
    xml_functions,
)
from interlace.expressions.registry import REGISTRY, FunctionSpec

__all__ = ["FUNCTIONS", "FunctionSpec"]

_MODULES: Final = (text_functions, number_functions, encoding_functions, date_functions, xml_functions)

FUNCTIONS: Final[Mapping[str, FunctionSpec]] = MappingProxyType(dict(sorted(REGISTRY.items())))
"""Every function by name, sorted; read-only."""
