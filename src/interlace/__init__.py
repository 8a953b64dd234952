"""Interlace: an integration runtime with connectors.

The message model is imported at its first use (PEP 562, as the ``stores`` and ``services`` packages
resolve their names), so the command line, and the parent of several workers, do not load it."""

import importlib
from typing import TYPE_CHECKING

from interlace.errors import (
    ConfigError,
    EndpointError,
    ExpressionError,
    InterlaceError,
    MediationError,
    PayloadError,
    SourceLocation,
)

if TYPE_CHECKING:
    from interlace.message import MessageContext, Payload

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "EndpointError",
    "ExpressionError",
    "InterlaceError",
    "MediationError",
    "MessageContext",
    "Payload",
    "PayloadError",
    "SourceLocation",
    "__version__",
]

_LAZY = {"MessageContext": "interlace.message", "Payload": "interlace.message"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
