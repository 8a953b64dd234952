"""Interlace: an integration runtime with connectors."""

from interlace.errors import (
    ConfigError,
    EndpointError,
    ExpressionError,
    InterlaceError,
    MediationError,
    PayloadError,
    SourceLocation,
)
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
