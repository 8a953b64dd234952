"""A local ServiceNow instance, written from the Table API and OAuth references: what the connector
relies on, with ServiceNow's answers and error shapes.

- Records answer ``{"result": ...}``; a failure is ``{"error": {"message", "detail"}, "status":
  "failure"}``: 401 ``User Not Authenticated`` (no or wrong credentials, an expired token), 404 ``No
  Record found``, 400 ``Invalid table``; a throttled call (:meth:`FakeServiceNow.throttle`) is 429 with
  ``Retry-After``.
- ``GET /api/now/table/{table}`` takes ``sysparm_query`` (``field=value`` terms joined by ``^``,
  ``ORDERBY``/``ORDERBYDESC``), ``sysparm_fields``, ``sysparm_limit`` and ``sysparm_offset``, and pages
  with a ``Link`` header (``first``, ``prev``, ``next``, ``last``) and ``X-Total-Count``.
- ``POST /oauth_token.do`` issues bearer tokens for the ``refresh_token`` and ``client_credentials``
  grants (``{"access_token", "refresh_token", "scope", "token_type", "expires_in"}``).
"""

from __future__ import annotations

import base64
import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from tests.support import serving_app

TABLES = ("incident", "sys_user")


def _failure(
    status: int, message: str, detail: str | None, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {"error": {"message": message, "detail": detail}, "status": "failure"}, status=status, headers=headers
    )


@dataclass
class FakeServiceNow:
    username: str
    password: str
    client_id: str = ""
    client_secret: str = ""
    refresh_token: str = ""
    url: str = ""
    tables: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {t: {} for t in TABLES})
    calls: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    _throttled: list[str] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(10001))

    def throttle(self, times: int = 1, retry_after: str = "2") -> None:
        """The next ``times`` Table API calls answer 429 with ``Retry-After``."""
        self._throttled += [retry_after] * times

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def insert(self, table: str, **values: Any) -> dict[str, Any]:
        record = {"sys_id": uuid.uuid4().hex, "number": f"INC{next(self._numbers):07d}", **values}
        self.tables[table][record["sys_id"]] = record
        return record

    async def token(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.token_requests.append(form)
        if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
            return web.json_response(
                {"error": "invalid_client", "error_description": "access_denied"}, status=401
            )
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") != self.refresh_token:
            return web.json_response(
                {"error": "invalid_grant", "error_description": "access_denied"}, status=401
            )
        token = f"snow-access-{next(self._numbers)}"
        self.tokens.add(token)
        return web.json_response(
            {"access_token": token, "refresh_token": self.refresh_token, "scope": "useraccount",
             "token_type": "Bearer", "expires_in": 1799}
        )  # fmt: skip

    def _authorized(self, header: str) -> bool:
        if header.startswith("Bearer "):
            return header[7:] in self.tokens
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"

    async def table(self, request: web.Request) -> web.StreamResponse:
        table, sys_id = request.match_info["table"], request.match_info.get("sys_id")
        self.calls.append((request.method, request.path, dict(request.query)))
        if self._throttled:
            return _failure(
                429, "Rate limit exceeded", "too many requests", {"Retry-After": self._throttled.pop(0)}
            )
        if not self._authorized(request.headers.get("Authorization", "")):
            return _failure(401, "User Not Authenticated", "Required to provide Auth information")
        if table not in self.tables:
            return _failure(400, f"Invalid table {table}", None)
        records = self.tables[table]
        fields = request.query.get("sysparm_fields")
        if sys_id is None and request.method == "GET":
            return self._list(request, list(records.values()), fields)
        if sys_id is None and request.method == "POST":
            body = await request.json()
            if not isinstance(body, dict):
                return _failure(400, "Exception while reading request", "The payload is not valid JSON.")
            return web.json_response({"result": _shown(self.insert(table, **body), fields)}, status=201)
        record = records.get(sys_id or "")
        if record is None:
            return _failure(
                404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval"
            )
        if request.method == "GET":
            return web.json_response({"result": _shown(record, fields)})
        if request.method == "PATCH":
            record.update(await request.json())
            return web.json_response({"result": _shown(record, fields)})
        if request.method == "DELETE":
            del records[record["sys_id"]]
            return web.Response(status=204)
        return _failure(405, "Method not Supported", None)

    def _list(self, request: web.Request, records: list[dict[str, Any]], fields: str | None) -> web.Response:
        query = request.query.get("sysparm_query", "")
        for term in filter(None, query.split("^")):
            if term.startswith("ORDERBYDESC"):
                records.sort(key=lambda r, name=term[11:]: str(r.get(name, "")), reverse=True)
            elif term.startswith("ORDERBY"):
                records.sort(key=lambda r, name=term[7:]: str(r.get(name, "")))
            elif "!=" in term:
                name, value = term.split("!=", 1)
                records = [r for r in records if str(r.get(name, "")) != value]
            elif "=" in term:
                name, value = term.split("=", 1)
                records = [r for r in records if str(r.get(name, "")) == value]
        limit = int(request.query.get("sysparm_limit", "10000"))
        offset = int(request.query.get("sysparm_offset", "0"))
        page = records[offset : offset + limit]
        links = []
        base = f"{self.url}{request.path}"

        def link(at: int, rel: str) -> str:
            others = "&".join(f"{k}={v}" for k, v in request.query.items() if k != "sysparm_offset")
            return f'<{base}?{others}&sysparm_offset={at}>;rel="{rel}"'

        if len(records) > limit:
            links.append(link(0, "first"))
            if offset > 0:
                links.append(link(max(0, offset - limit), "prev"))
            if offset + limit < len(records):
                links.append(link(offset + limit, "next"))
            links.append(link((len(records) - 1) // limit * limit, "last"))
        headers = {"X-Total-Count": str(len(records))} | ({"Link": ",".join(links)} if links else {})
        return web.json_response({"result": [_shown(r, fields) for r in page]}, headers=headers)


def _shown(record: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if not fields:
        return dict(record)
    return {name: record.get(name, "") for name in fields.split(",")}


@asynccontextmanager
async def serving(fake: FakeServiceNow) -> AsyncIterator[FakeServiceNow]:
    """The fake on a free loopback port; ``fake.url`` is its instance URL."""
    app = web.Application()
    app.router.add_post("/oauth_token.do", fake.token)
    app.router.add_route("*", "/api/now/table/{table}", fake.table)
    app.router.add_route("*", "/api/now/table/{table}/{sys_id}", fake.table)
    async with serving_app(app) as url:
        fake.url = url
        yield fake
