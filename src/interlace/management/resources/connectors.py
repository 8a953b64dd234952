"""The installed connectors, and the connections of the active deployment (state, test)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from interlace.connections import ConnectionPool
from interlace.management.context import PROJECT_FILTER, owned, owners
from interlace.management.errors import NotFoundError
from interlace.management.routes import Call, Route, Schema, items_of, ref
from interlace.model.durations import format_duration
from interlace.sdk import RegisteredConnector, RegistryError

__all__ = ["ROUTES", "SCHEMAS", "TEST_TIMEOUT"]

TEST_TIMEOUT = 30.0
"""Seconds a connection test may take before it counts as failed."""

_log = logging.getLogger("interlace.management")

_NAMED_SUMMARY: Schema = {
    "type": "object",
    "required": ["name", "summary"],
    "properties": {"name": {"type": "string"}, "summary": {"type": "string"}},
}

SCHEMAS: dict[str, Schema] = {
    "Connector": {
        "type": "object",
        "required": ["name", "version", "description", "package", "operations", "triggers"],
        "properties": {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "description": {"type": "string"},
            "package": {"type": "string", "description": "The installed package that provides it."},
            "operations": {"type": "array", "items": _NAMED_SUMMARY},
            "triggers": {"type": "array", "items": _NAMED_SUMMARY},
        },
    },
    "Connection": {
        "type": "object",
        "required": ["name", "project", "connector", "state", "lastError"],
        "properties": {
            "name": {"type": "string"},
            "project": {"type": ["string", "null"], "description": "The project (deployment) it belongs to."},
            "connector": {"type": "string"},
            "state": {
                "enum": ["idle", "open", "failed", "closed"],
                "description": "idle: not opened yet (connections open on first use); failed: the last "
                "open or test failed.",
            },
            "lastError": {"type": ["string", "null"]},
        },
    },
    "ConnectionTest": {
        "type": "object",
        "required": ["name", "ok", "error", "elapsed", "connection"],
        "properties": {
            "name": {"type": "string"},
            "ok": {"type": "boolean"},
            "error": {"type": ["string", "null"]},
            "elapsed": {"type": "number", "description": "Seconds the test took."},
            "connection": ref("Connection"),
        },
    },
}


def _summary(description: str) -> str:
    return " ".join(description.split("\n\n")[0].split())


def _connector_view(entry: RegisteredConnector) -> dict[str, Any]:
    connector = entry.connector
    return {
        "name": connector.name,
        "version": connector.version,
        "description": connector.description,
        "package": entry.distribution,
        "operations": [{"name": op.name, "summary": op.summary} for op in connector.operations.values()],
        "triggers": [
            {"name": trigger.name, "summary": _summary(trigger.description)}
            for trigger in connector.triggers.values()
        ],
    }


def _connection_view(pool: ConnectionPool, project: str | None) -> dict[str, Any]:
    return {
        "name": pool.name,
        "project": project,
        "connector": pool.connector.name,
        "state": pool.state,
        "lastError": pool.last_error,
    }


def _pool(call: Call) -> ConnectionPool:
    connections = call.artifacts.connections
    name = call.path["name"]
    pool = connections.get(name)
    if pool is None:
        known = ", ".join(sorted(connections)) or "none"
        raise NotFoundError(f"no connection named {name!r} (connections: {known})")
    return pool


async def _connectors(call: Call) -> dict[str, Any]:
    # A connector whose client library is not installed cannot be described: it is left out (the CLI's
    # `interlace connector list` names it with the extra to install).
    return {"items": [_connector_view(entry) for entry in call.context.connectors.load_all()[0]]}


async def _connector(call: Call) -> dict[str, Any]:
    registry = call.context.connectors
    name = call.path["name"]
    if name not in registry.names():
        known = ", ".join(registry.names()) or "none"
        raise NotFoundError(f"no connector {name!r} is installed (installed: {known})")
    try:
        return _connector_view(registry.entry(name))
    except RegistryError as exc:
        raise NotFoundError(f"connector {name!r} cannot be used here: {exc.message}") from exc


async def _connections(call: Call) -> dict[str, Any]:
    connections = call.artifacts.connections
    found = owned(call.context, "connections", call.query.get("project"))
    return {"items": [_connection_view(connections[name], project) for name, project in found]}


async def _connection(call: Call) -> dict[str, Any]:
    pool = _pool(call)
    return _connection_view(pool, owners(call.context, "connections").get(pool.name))


async def _test(call: Call) -> dict[str, Any]:
    pool = _pool(call)
    started = time.monotonic()
    error: str | None = None
    try:
        async with asyncio.timeout(TEST_TIMEOUT):
            await pool.test()
    except TimeoutError:
        error = f"the test did not finish within {format_duration(TEST_TIMEOUT)}"
    except Exception as exc:  # whatever the connector raised is the test's finding, not the API's failure
        error = str(exc) or type(exc).__name__
    elapsed = round(time.monotonic() - started, 3)
    _log.info(
        "management: %s tested connection %s: %s", call.user, pool.name, "ok" if error is None else "failed"
    )
    return {
        "name": pool.name,
        "ok": error is None,
        "error": error,
        "elapsed": elapsed,
        "connection": _connection_view(pool, owners(call.context, "connections").get(pool.name)),
    }


ROUTES = (
    Route(
        "listConnectors",
        "GET",
        "/management/connectors",
        _connectors,
        "The installed connectors",
        items_of(ref("Connector")),
        "connectors",
        needs_deployment=False,
    ),
    Route(
        "getConnector",
        "GET",
        "/management/connectors/{name}",
        _connector,
        "One installed connector",
        ref("Connector"),
        "connectors",
        needs_deployment=False,
    ),
    Route(
        "listConnections",
        "GET",
        "/management/connections",
        _connections,
        "The connections of the deployment and their states",
        items_of(ref("Connection")),
        "connections",
        query=(PROJECT_FILTER,),
    ),
    Route(
        "getConnection",
        "GET",
        "/management/connections/{name}",
        _connection,
        "One connection's state",
        ref("Connection"),
        "connections",
    ),
    Route(
        "testConnection",
        "POST",
        "/management/connections/{name}/test",
        _test,
        "Open the connection if needed and ping it",
        ref("ConnectionTest"),
        "connections",
        description="Answers 200 whatever the outcome: `ok` says whether the ping worked, `error` why not.",
    ),
)
