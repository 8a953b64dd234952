"""Outbound HTTP endpoints: pooled client, timeout, retry and suspension policy, and groups.

The compiler builds endpoints from :mod:`interlace.model.endpoint` definitions (URL and header values
compiled as templates); the call mediator and message processors use them through :class:`Endpoint`.
"""

from interlace.endpoints.base import (
    Endpoint,
    EndpointResponse,
    EndpointState,
    StateName,
    StreamingEndpoint,
    SwitchableEndpoint,
    TextTemplate,
)
from interlace.endpoints.bodies import READ_AT_ONCE, StreamedBody, too_large
from interlace.endpoints.client import HttpClient
from interlace.endpoints.groups import FailoverEndpoint, LoadBalanceEndpoint
from interlace.endpoints.headers import HOP_BY_HOP_HEADERS, redact_url
from interlace.endpoints.http import HttpEndpoint
from interlace.endpoints.policy import (
    IDEMPOTENT_METHODS,
    CircuitBreaker,
    Clock,
    RetryPolicy,
    Sleep,
    SuspendPolicy,
)

__all__ = [
    "HOP_BY_HOP_HEADERS",
    "IDEMPOTENT_METHODS",
    "READ_AT_ONCE",
    "CircuitBreaker",
    "Clock",
    "Endpoint",
    "EndpointResponse",
    "EndpointState",
    "FailoverEndpoint",
    "HttpClient",
    "HttpEndpoint",
    "LoadBalanceEndpoint",
    "RetryPolicy",
    "Sleep",
    "StateName",
    "StreamedBody",
    "StreamingEndpoint",
    "SuspendPolicy",
    "SwitchableEndpoint",
    "TextTemplate",
    "redact_url",
    "too_large",
]
