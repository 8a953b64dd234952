"""A local Salesforce org, written from the REST API and OAuth2 references: what the connector relies on,
with Salesforce's answers and error shapes.

- ``POST /services/oauth2/token``: the JWT bearer flow (an RS256 assertion with ``iss`` the consumer key,
  ``sub`` the user, ``aud`` the login URL, a near ``exp``) and the refresh token flow; the answer has
  ``access_token``, ``instance_url``, ``id``, ``token_type``, ``issued_at``, ``signature`` and no expiry;
  a refusal is ``{"error", "error_description"}`` with 400.
- Failures of the REST API are a JSON array of ``{"message", "errorCode", "fields"}``: an unknown or
  expired session is 401 ``INVALID_SESSION_ID``; a missing required field 400 ``REQUIRED_FIELD_MISSING``;
  an unknown field 400 ``INVALID_FIELD``; bad SOQL 400 ``MALFORMED_QUERY``; an unknown record or
  resource 404 ``NOT_FOUND``; a throttled call (:meth:`FakeSalesforce.throttle`) 503
  ``SERVER_UNAVAILABLE`` or 429 with ``Retry-After``.
- SOQL runs on an in-memory SQLite database (the subset the connector writes: SELECT, WHERE with
  AND/OR, comparisons, ``!= null``, ORDER BY, LIMIT); a result larger than ``page_size`` is paged with
  ``nextRecordsUrl``.
- sObjects ``Account`` (``Name`` required) and ``Contact`` (``LastName`` required); each change sets
  ``SystemModstamp`` from a clock that moves one second per change.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from aiohttp import web
from tests.support import serving_app

Json = Any
SCHEMA = {
    "Account": {"prefix": "001", "required": ["Name"], "fields": ["Name", "Industry", "Patient_Id__c"]},
    "Contact": {"prefix": "003", "required": ["LastName"], "fields": ["LastName", "AccountId", "Email"]},
}
_SYSTEM = ["Id", "SystemModstamp", "CreatedDate"]
_DATETIME = re.compile(r"(?<!')\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{4}))")


def failure(status: int, code: str, message: str, fields: list[str] | None = None) -> tuple[int, Json]:
    error: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        error["fields"] = fields
    return status, [error]


@dataclass
class FakeSalesforce:
    client_id: str
    public_key: str
    username: str
    client_secret: str = ""
    refresh_token: str = ""
    api_version: str = "62.0"
    page_size: int = 2000
    url: str = ""
    calls: list[tuple[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    sessions: set[str] = field(default_factory=set)
    locked: bool = False
    """Every session is refused, new ones too (a session locked to other IP addresses)."""
    _throttled: list[tuple[int, str | None]] = field(default_factory=list)
    _cursors: dict[str, list[Json]] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _clock: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def __post_init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        for sobject, schema in SCHEMA.items():
            columns = ", ".join(f"{name} TEXT" for name in [*_SYSTEM, *schema["fields"]])
            self.db.execute(f"CREATE TABLE {sobject} ({columns})")

    # -- what tests do

    def expire_sessions(self) -> None:
        """Every access token issued so far is refused from now on (INVALID_SESSION_ID)."""
        self.sessions.clear()

    def throttle(self, times: int = 1, *, status: int = 503, retry_after: str | None = "3") -> None:
        """The next ``times`` REST calls answer ``status`` (503 or 429) with ``Retry-After``."""
        self._throttled += [(status, retry_after)] * times

    def insert(self, sobject: str, **values: str) -> str:
        """A record made directly in the org; its id."""
        status, body = self._create(sobject, values)
        assert status == 201, body
        return str(body["id"])

    def record(self, sobject: str, record_id: str) -> dict[str, Any] | None:
        rows = self._select(f"SELECT * FROM {sobject} WHERE Id = ?", (record_id,))
        return rows[0] if rows else None

    # -- OAuth2

    async def token(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.token_requests.append(form)
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            try:
                claims = jwt.decode(
                    form.get("assertion", ""), self.public_key, algorithms=["RS256"], audience=self.url,
                    options={"require": ["exp", "iss", "sub", "aud"]},
                )  # fmt: skip
            except jwt.PyJWTError as exc:
                return _oauth_error("invalid_grant", f"invalid assertion: {type(exc).__name__}")
            if claims["iss"] != self.client_id:
                return _oauth_error("invalid_client_id", "client identifier invalid")
            if claims["sub"] != self.username:
                return _oauth_error("invalid_grant", "user hasn't approved this consumer")
        elif grant == "refresh_token":
            if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
                return _oauth_error("invalid_client", "invalid client credentials")
            if form.get("refresh_token") != self.refresh_token:
                return _oauth_error("invalid_grant", "expired access/refresh token")
        else:
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        access = f"00Dxx0000001gPL!session-{next(self._numbers)}"
        self.sessions.add(access)
        return web.json_response(
            {
                "access_token": access, "instance_url": self.url, "token_type": "Bearer", "scope": "api",
                "id": f"{self.url}/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
                "issued_at": "1767600000000", "signature": "c2lnbmF0dXJl",
            }
        )  # fmt: skip

    # -- REST

    async def rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["rest"]
        self.calls.append((request.method, path))
        if self._throttled:
            status, retry_after = self._throttled.pop(0)
            code = "SERVER_UNAVAILABLE" if status == 503 else "REQUEST_LIMIT_EXCEEDED"
            headers = {"Retry-After": retry_after} if retry_after else {}
            return web.json_response(
                failure(status, code, "Server is busy, try later")[1], status=status, headers=headers
            )
        authorization = request.headers.get("Authorization", "")
        if self.locked or not authorization.startswith("Bearer ") or authorization[7:] not in self.sessions:
            return _json(*failure(401, "INVALID_SESSION_ID", "Session expired or invalid"))
        body = await request.json() if request.can_read_body else None
        return _json(*self.perform(request.method, path, dict(request.query), body))

    def perform(self, method: str, path: str, query: dict[str, str], body: Json) -> tuple[int, Json]:
        """One REST request: ``path`` below ``/services/data``."""
        match = re.match(r"^/v(\d+\.\d)(/.*)$", path)
        if match is None or float(match[1]) > float(self.api_version):
            return failure(404, "NOT_FOUND", "The requested resource does not exist")
        rest = match[2]
        if rest == "/limits" and method == "GET":
            return 200, {"DailyApiRequests": {"Max": 15000, "Remaining": 14998}}
        if rest in ("/query", "/queryAll") and method == "GET":
            return self._query(query.get("q", ""))
        if (cursor := re.match(r"^/query/(01g[A-Za-z0-9]+-\d+)$", rest)) and method == "GET":
            return self._more(cursor[1])
        if rest == "/composite" and method == "POST":
            return self._composite(body)
        parts = rest.split("/")[2:] if rest.startswith("/sobjects/") else []
        if not parts or parts[0] not in SCHEMA:
            return failure(404, "NOT_FOUND", "The requested resource does not exist")
        sobject = parts[0]
        if len(parts) == 1 and method == "POST":
            return self._create(sobject, body)
        if len(parts) == 2 and method == "GET":
            found = self.record(sobject, parts[1])
            if found is None:
                return failure(404, "NOT_FOUND", "The requested resource does not exist")
            fields = [f.strip() for f in query["fields"].split(",")] if "fields" in query else list(found)
            return 200, self._shown(sobject, {name: found.get(name) for name in fields})
        if len(parts) == 2 and method == "PATCH":
            return self._update(sobject, parts[1], body)
        if len(parts) == 2 and method == "DELETE":
            if self.record(sobject, parts[1]) is None:
                return failure(404, "NOT_FOUND", "The requested resource does not exist")
            self.db.execute(f"DELETE FROM {sobject} WHERE Id = ?", (parts[1],))
            return 204, None
        if len(parts) == 3 and method == "PATCH":
            return self._upsert(sobject, parts[1], parts[2], body)
        return failure(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed")

    def _tick(self) -> str:
        self._clock += timedelta(seconds=1)
        return self._clock.strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    def _unknown(self, sobject: str, values: dict[str, Any]) -> tuple[int, Json] | None:
        for name in values:
            if name not in SCHEMA[sobject]["fields"]:
                return failure(
                    400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {sobject}", [name]
                )
        return None

    def _create(self, sobject: str, values: Any) -> tuple[int, Json]:
        if not isinstance(values, dict):
            return failure(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
        if problem := self._unknown(sobject, values):
            return problem
        missing = [name for name in SCHEMA[sobject]["required"] if not values.get(name)]
        if missing:
            return failure(
                400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
            )
        record_id = f"{SCHEMA[sobject]['prefix']}xx{next(self._numbers):010d}AAA"
        stamp = self._tick()
        row = {"Id": record_id, "SystemModstamp": stamp, "CreatedDate": stamp, **values}
        names = ", ".join(row)
        self.db.execute(
            f"INSERT INTO {sobject} ({names}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )
        return 201, {"id": record_id, "success": True, "errors": []}

    def _update(self, sobject: str, record_id: str, values: Any) -> tuple[int, Json]:
        if self.record(sobject, record_id) is None:
            return failure(404, "NOT_FOUND", "The requested resource does not exist")
        if not isinstance(values, dict):
            return failure(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
        if problem := self._unknown(sobject, values):
            return problem
        changes = {**values, "SystemModstamp": self._tick()}
        assignments = ", ".join(f"{name} = ?" for name in changes)
        self.db.execute(f"UPDATE {sobject} SET {assignments} WHERE Id = ?", [*changes.values(), record_id])
        return 204, None

    def _upsert(self, sobject: str, field_name: str, value: str, values: Any) -> tuple[int, Json]:
        if field_name not in SCHEMA[sobject]["fields"]:
            return failure(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field_name}",
            )
        matches = self._select(f"SELECT Id FROM {sobject} WHERE {field_name} = ?", (value,))
        if len(matches) > 1:
            return 300, [f"/services/data/v{self.api_version}/sobjects/{sobject}/{m['Id']}" for m in matches]
        if matches:
            status, body = self._update(sobject, matches[0]["Id"], values)
            return (
                (200, {"id": matches[0]["Id"], "success": True, "errors": [], "created": False})
                if status == 204
                else (status, body)
            )
        status, body = self._create(
            sobject, {**(values if isinstance(values, dict) else {}), field_name: value}
        )
        return (status, {**body, "created": True}) if status == 201 else (status, body)

    def _select(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, parameters)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def _shown(self, sobject: str, record: dict[str, Any]) -> dict[str, Any]:
        url = f"/services/data/v{self.api_version}/sobjects/{sobject}/{record.get('Id')}"
        return {"attributes": {"type": sobject, "url": url}, **record}

    def _query(self, soql: str) -> tuple[int, Json]:
        match = re.match(r"^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(.*)$", soql, re.S | re.I)
        if match is None:
            return failure(
                400, "MALFORMED_QUERY", f"unexpected token: '{soql.split()[0] if soql.split() else ''}'"
            )
        sobject = match[2]
        if sobject not in SCHEMA:
            return failure(400, "INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
        rest = _DATETIME.sub(r"'\1'", match[3]).replace("\\'", "''")
        rest = re.sub(r"!=\s*null", "IS NOT NULL", rest, flags=re.I)
        rest = re.sub(r"=\s*null", "IS NULL", rest, flags=re.I)
        try:
            rows = self._select(f"SELECT {match[1]} FROM {sobject}{rest}")
        except sqlite3.Error as exc:
            words = str(exc)
            if words.startswith("no such column"):
                name = words.split(": ")[-1]
                return failure(400, "INVALID_FIELD", f"No such column '{name}' on entity '{sobject}'.")
            return failure(400, "MALFORMED_QUERY", f"unexpected token in query: {words}")
        records = [self._shown(sobject, row) for row in rows]
        return 200, self._paged(records, len(records))

    def _paged(self, records: list[Json], total: int) -> Json:
        page, rest = records[: self.page_size], records[self.page_size :]
        answer = {"totalSize": total, "done": not rest, "records": page}
        if rest:
            cursor = f"01gxx{next(self._numbers):010d}-{total - len(rest)}"
            self._cursors[cursor] = rest
            answer["nextRecordsUrl"] = f"/services/data/v{self.api_version}/query/{cursor}"
        return answer

    def _more(self, cursor: str) -> tuple[int, Json]:
        rest = self._cursors.pop(cursor, None)
        if rest is None:
            return failure(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        total = int(cursor.rsplit("-", 1)[1]) + len(rest)
        return 200, self._paged(rest, total)

    def _composite(self, body: Json) -> tuple[int, Json]:
        requests = body.get("compositeRequest") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not 0 < len(requests) <= 25:
            return failure(400, "INVALID_INPUT", "compositeRequest must hold 1 to 25 subrequests")
        results: dict[str, Json] = {}
        answers = []
        for sub in requests:
            text = json.dumps(sub)
            for reference, result in results.items():
                if isinstance(result, dict):
                    for key, value in result.items():
                        text = text.replace(f"@{{{reference}.{key}}}", str(value))
            sub = json.loads(text)
            url = str(sub["url"])
            prefix = "/services/data"
            status, answer = (
                self.perform(sub["method"], url[len(prefix):], {}, sub.get("body"))
                if url.startswith(prefix) else failure(404, "NOT_FOUND", "The requested resource does not exist")
            )  # fmt: skip
            results[sub["referenceId"]] = answer
            answers.append(
                {
                    "body": answer,
                    "httpHeaders": {},
                    "httpStatusCode": status,
                    "referenceId": sub["referenceId"],
                }
            )
        return 200, {"compositeResponse": answers}


def _json(status: int, body: Json) -> web.Response:
    if status == 204:
        return web.Response(status=204)
    return web.json_response(body, status=status)


def _oauth_error(code: str, description: str) -> web.Response:
    return web.json_response({"error": code, "error_description": description}, status=400)


@asynccontextmanager
async def serving(fake: FakeSalesforce) -> AsyncIterator[FakeSalesforce]:
    """The fake on a free loopback port; ``fake.url`` is its login URL and its instance URL."""
    app = web.Application()
    app.router.add_post("/services/oauth2/token", fake.token)
    app.router.add_route("*", "/services/data/{rest:.*}", fake.rest)
    async with serving_app(app) as url:
        fake.url = url
        yield fake
