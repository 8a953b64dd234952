"""The core model: the message that flows (payload, headers, variables, properties)."""

from interlace.message.context import (
    CORRELATION_HEADER,
    ErrorInfo,
    MessageContext,
    Params,
    Reply,
    new_correlation_id,
)
from interlace.message.payload import JSON_TYPE, Payload, media_type_of

__all__ = [
    "CORRELATION_HEADER",
    "JSON_TYPE",
    "ErrorInfo",
    "MessageContext",
    "Params",
    "Payload",
    "Reply",
    "media_type_of",
    "new_correlation_id",
]
