"""The core model: the message that flows (payload, headers, variables, properties)."""

from interlace.message.body import BodyOrigin, BodyStream
from interlace.message.context import (
    CORRELATION_HEADER,
    ErrorInfo,
    FlowTrace,
    MessageContext,
    Params,
    Reply,
    new_correlation_id,
)
from interlace.message.json import JsonValue, error_body
from interlace.message.payload import JSON_TYPE, Payload, media_type_of

__all__ = [
    "CORRELATION_HEADER",
    "JSON_TYPE",
    "BodyOrigin",
    "BodyStream",
    "ErrorInfo",
    "FlowTrace",
    "JsonValue",
    "MessageContext",
    "Params",
    "Payload",
    "Reply",
    "error_body",
    "media_type_of",
    "new_correlation_id",
]
