"""The management API: see and change what a running server runs, on its own port, with logins.

``ManagementServer`` serves it next to a :class:`~interlace.runtime.Runtime`; its routes are data
(:class:`Route`), from which the OpenAPI document is made. Users and roles live in a users file
(:class:`UserStore`); logins give JWTs (:class:`TokenIssuer`); failed logins are slowed down
(:class:`LoginThrottle`).
"""

from interlace.management.app import create_app
from interlace.management.context import ManagementContext
from interlace.management.errors import ManagementError
from interlace.management.logbuffer import LogLine, RecentLogs
from interlace.management.openapi import OPENAPI_PATH, openapi_document
from interlace.management.routes import Call, QueryParam, Route
from interlace.management.server import ManagementServer, default_throttle
from interlace.management.throttle import LoginThrottle, ThrottlePolicy
from interlace.management.tokens import Identity, IssuedToken, TokenIssuer
from interlace.management.users import ROLES, Role, User, UserStore, open_user_store

__all__ = [
    "OPENAPI_PATH",
    "ROLES",
    "Call",
    "Identity",
    "IssuedToken",
    "LogLine",
    "LoginThrottle",
    "ManagementContext",
    "ManagementError",
    "ManagementServer",
    "QueryParam",
    "RecentLogs",
    "Role",
    "Route",
    "ThrottlePolicy",
    "TokenIssuer",
    "User",
    "UserStore",
    "create_app",
    "default_throttle",
    "open_user_store",
    "openapi_document",
]
