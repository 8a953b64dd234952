"""The core model: the message that flows (payload, headers, variables, properties)."""

from interlace.message.context import ErrorInfo, MessageContext, Params, new_correlation_id
from interlace.message.payload import JSON_TYPE, Payload, media_type_of

__all__ = ["JSON_TYPE", "ErrorInfo", "MessageContext", "Params", "Payload", "media_type_of", "new_correlation_id"]
