"""The connector SDK: everything a connector author imports, from this package only.

A connector is a :class:`Connector` with a :class:`Connection` (built from a :class:`ConnectionConfig`),
operations and triggers described by their signatures (:class:`Param` documents a parameter; a trigger
keeps its position in a :class:`Checkpoint` the runtime persists), errors
sorted by what the runtime should do (:class:`RetryableError`, :class:`FatalError`,
:class:`InvalidInput`) and :class:`Secret` settings that are never shown. :mod:`interlace.sdk.testing`
holds the conformance checks; docs/connectors/README.md tells how to write one.
"""

from interlace.message import Payload
from interlace.sdk.answers import Answer, ServiceErrors
from interlace.sdk.authorization import (
    AuthorizationCodeGrant,
    AuthorizationError,
    GrantedTokens,
    PendingAuthorization,
    operation_scopes,
    start_authorization,
)
from interlace.sdk.backlog import Backlog
from interlace.sdk.body import encode_body
from interlace.sdk.checkpoint import Checkpoint, CheckpointValue, MemoryCheckpoint
from interlace.sdk.connection import Connection, ConnectionConfig
from interlace.sdk.connector import Connector
from interlace.sdk.docs import render_connector_reference
from interlace.sdk.errors import (
    ConnectorError,
    FatalError,
    InvalidInput,
    RegistryError,
    RetryableError,
    UnknownConnectorError,
    retry_after_seconds,
)
from interlace.sdk.flow import InFlight
from interlace.sdk.headers import check_header_values, header_break
from interlace.sdk.localfiles import read_file, write_file
from interlace.sdk.oauth2 import (
    OAuth2Settings,
    OAuth2Tokens,
    RefreshNote,
    RefreshNotes,
    TokenStore,
    jwt_assertion,
)
from interlace.sdk.operation import OperationResult, OperationSpec, ResultSpec, needs_scopes
from interlace.sdk.paths import PROJECT_FOLDER, local_path, project_path, relative_path, transfer_path
from interlace.sdk.propagation import set_trace_headers, trace_headers
from interlace.sdk.registry import (
    ENTRY_POINT_GROUP,
    ConnectorRegistry,
    EntryPointLike,
    RegisteredConnector,
    installed_entry_points,
)
from interlace.sdk.secret import MASK, Secret
from interlace.sdk.spec import RESERVED_NAMES, Param, ParameterSpec, ParamProblem
from interlace.sdk.trigger import (
    DEAD_LETTER_REASON,
    NO_ACK,
    DeadLettering,
    Delivery,
    TriggerEvent,
    TriggerSpec,
)
from interlace.sdk.urls import has_dot_segment, path_segment, quote_reserved, quote_value
from interlace.sdk.webapi import (
    BasicCredentials,
    BearerTokens,
    Credentials,
    Throttling,
    WebApi,
    WebApiConnection,
)
from interlace.sdk.window import AckWindow, poll_in_order

__all__ = [
    "DEAD_LETTER_REASON",
    "ENTRY_POINT_GROUP",
    "MASK",
    "NO_ACK",
    "PROJECT_FOLDER",
    "RESERVED_NAMES",
    "AckWindow",
    "Answer",
    "AuthorizationCodeGrant",
    "AuthorizationError",
    "Backlog",
    "BasicCredentials",
    "BearerTokens",
    "Checkpoint",
    "CheckpointValue",
    "Connection",
    "ConnectionConfig",
    "Connector",
    "ConnectorError",
    "ConnectorRegistry",
    "Credentials",
    "DeadLettering",
    "Delivery",
    "EntryPointLike",
    "FatalError",
    "GrantedTokens",
    "InFlight",
    "InvalidInput",
    "MemoryCheckpoint",
    "OAuth2Settings",
    "OAuth2Tokens",
    "OperationResult",
    "OperationSpec",
    "Param",
    "ParamProblem",
    "ParameterSpec",
    "Payload",
    "PendingAuthorization",
    "RefreshNote",
    "RefreshNotes",
    "RegisteredConnector",
    "RegistryError",
    "ResultSpec",
    "RetryableError",
    "Secret",
    "ServiceErrors",
    "Throttling",
    "TokenStore",
    "TriggerEvent",
    "TriggerSpec",
    "UnknownConnectorError",
    "WebApi",
    "WebApiConnection",
    "check_header_values",
    "encode_body",
    "has_dot_segment",
    "header_break",
    "installed_entry_points",
    "jwt_assertion",
    "local_path",
    "needs_scopes",
    "operation_scopes",
    "path_segment",
    "poll_in_order",
    "project_path",
    "quote_reserved",
    "quote_value",
    "read_file",
    "relative_path",
    "render_connector_reference",
    "retry_after_seconds",
    "set_trace_headers",
    "start_authorization",
    "trace_headers",
    "transfer_path",
    "write_file",
]
