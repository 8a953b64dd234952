"""A local Google Sheets API v4 and token endpoint, written from Google's references: what the connector
relies on, with Google's answers and error shapes.

- ``POST /token``: the refresh token grant (client id and secret) and the JWT bearer grant of a service
  account (an RS256 assertion with ``iss`` the account's e-mail, ``scope``, ``aud`` the token URL and
  ``exp`` within an hour); refusals are ``{"error", "error_description"}``.
- API failures are ``{"error": {"code", "message", "status"}}``: 401 ``UNAUTHENTICATED`` (an unknown or
  expired token), 400 ``INVALID_ARGUMENT`` (a range that does not parse, a missing valueInputOption),
  404 ``NOT_FOUND`` (an unknown spreadsheet), 429 ``RESOURCE_EXHAUSTED`` when throttled
  (:meth:`FakeSheets.throttle`, with ``Retry-After`` or without).
- Values: ``values/{range}`` get and update (PUT), ``values/{range}:append`` after the table found in
  the range, ``values:batchUpdate``; ranges in A1 notation (``Sheet1!A1:C3``, ``'My sheet'!A:C``,
  ``Sheet1``); ``USER_ENTERED`` reads numbers typed as text as numbers, ``FORMATTED_VALUE`` shows them
  as text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import jwt
from aiohttp import web
from tests.support import serving_app

SCOPE = "https://www.googleapis.com/auth/spreadsheets"
_CELL = re.compile(r"^([A-Z]+)?(\d+)?$")
_UNBOUNDED = 10_000


def _error(code: int, status: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": message, "status": status}}, status=code, headers=headers
    )


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def _letters(index: int) -> str:
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


@dataclass
class Grid:
    """One range: its sheet and its bounds (0-based, end exclusive)."""

    sheet: str
    top: int
    left: int
    bottom: int
    right: int

    def a1(self, bottom: int | None = None, right: int | None = None) -> str:
        bottom = self.bottom if bottom is None else bottom
        right = self.right if right is None else right
        return f"{self.sheet}!{_letters(self.left)}{self.top + 1}:{_letters(right - 1)}{bottom}"


@dataclass
class FakeSheets:
    client_id: str
    client_secret: str
    refresh_token: str
    service_account: str
    public_key: str
    url: str = ""
    admissions: str = ""
    """The id of a spreadsheet the suite's fixture adds."""
    spreadsheets: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    _throttled: list[str | None] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def throttle(self, times: int = 1, retry_after: str | None = None) -> None:
        """The next ``times`` API calls answer 429 RESOURCE_EXHAUSTED (with ``Retry-After`` if given)."""
        self._throttled += [retry_after] * times

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def add_spreadsheet(self, title: str, **sheets: list[list[Any]]) -> str:
        spreadsheet_id = f"1Sheet{next(self._numbers):06d}abcdefghijklmnopqrstuvwxyz012345"
        self.spreadsheets[spreadsheet_id] = {
            "title": title,
            "sheets": {name: [list(r) for r in rows] for name, rows in sheets.items()} or {"Sheet1": []},
        }
        return spreadsheet_id

    # -- OAuth2

    async def token(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.token_requests.append(form)
        if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            try:
                claims = jwt.decode(
                    form.get("assertion", ""),
                    self.public_key,
                    algorithms=["RS256"],
                    audience=f"{self.url}/token",
                )
            except jwt.PyJWTError:
                return web.json_response(
                    {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, status=400
                )
            if claims.get("iss") != self.service_account or SCOPE not in str(claims.get("scope", "")).split():
                return web.json_response(
                    {
                        "error": "invalid_scope",
                        "error_description": "Invalid OAuth scope or ID token audience provided.",
                    },
                    status=400,
                )
            if claims["exp"] - claims["iat"] > 3600:
                return web.json_response(
                    {
                        "error": "invalid_grant",
                        "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes)",
                    },
                    status=400,
                )
        elif form.get("grant_type") == "refresh_token":
            if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
                return web.json_response(
                    {"error": "invalid_client", "error_description": "The OAuth client was not found."},
                    status=401,
                )
            if form.get("refresh_token") != self.refresh_token:
                return web.json_response(
                    {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
                    status=400,
                )
        else:
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        token = f"ya29.fake-{next(self._numbers)}"
        self.tokens.add(token)
        return web.json_response(
            {"access_token": token, "expires_in": 3599, "scope": SCOPE, "token_type": "Bearer"}
        )

    # -- the API

    async def api(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["rest"]
        self.calls.append((request.method, path, dict(request.query)))
        if self._throttled:
            retry_after = self._throttled.pop(0)
            return _error(
                429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user'",
                {"Retry-After": retry_after} if retry_after else None,
            )  # fmt: skip
        authorization = request.headers.get("Authorization", "")
        if not authorization.startswith("Bearer ") or authorization[7:] not in self.tokens:
            return _error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            )
        body = await request.json() if request.can_read_body else None
        if path == "spreadsheets" and request.method == "POST":
            return self._create(body)
        match = re.match(
            r"^spreadsheets/([^/]+)/values(?:/([^/]+?))?(:append|:batchUpdate)?$",
            request.raw_path.split("?")[0][4:],
        )
        if match is None:
            return _error(404, "NOT_FOUND", "Requested entity was not found.")
        spreadsheet = self.spreadsheets.get(match[1])
        if spreadsheet is None:
            return _error(404, "NOT_FOUND", "Requested entity was not found.")
        cells, action = unquote(match[2]) if match[2] else None, match[3]
        if action == ":batchUpdate" and request.method == "POST":
            option = body.get("valueInputOption")
            if option not in ("RAW", "USER_ENTERED"):
                return _error(
                    400, "INVALID_ARGUMENT", "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED"
                )
            responses = []
            for item in body.get("data", []):
                answer = self._write(match[1], spreadsheet, item["range"], item["values"], option)
                if isinstance(answer, web.Response):
                    return answer
                responses.append(answer)
            return web.json_response({
                "spreadsheetId": match[1], "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
                "totalUpdatedCells": sum(r["updatedCells"] for r in responses), "responses": responses,
            })  # fmt: skip
        if cells is None:
            return _error(404, "NOT_FOUND", "Requested entity was not found.")
        option = request.query.get("valueInputOption")
        if request.method == "GET" and action is None:
            return self._get(spreadsheet, cells, request.query.get("valueRenderOption", "FORMATTED_VALUE"))
        if option not in ("RAW", "USER_ENTERED"):
            return _error(400, "INVALID_ARGUMENT", "'valueInputOption' is required but not specified")
        if request.method == "PUT" and action is None:
            answer = self._write(match[1], spreadsheet, cells, body.get("values", []), option)
            return answer if isinstance(answer, web.Response) else web.json_response(answer)
        if request.method == "POST" and action == ":append":
            return self._append(match[1], spreadsheet, cells, body.get("values", []), option)
        return _error(404, "NOT_FOUND", "Requested entity was not found.")

    def _grid(self, spreadsheet: dict[str, Any], cells: str) -> Grid | web.Response:
        sheet, _, part = cells.rpartition("!") if "!" in cells else (cells, "", "")
        sheet = sheet.strip("'") if "!" in cells else cells.strip("'")
        if sheet not in spreadsheet["sheets"]:
            return _error(400, "INVALID_ARGUMENT", f"Unable to parse range: {cells}")
        if not part:
            return Grid(sheet, 0, 0, _UNBOUNDED, _UNBOUNDED)
        start, _, end = part.partition(":")
        first, last = _CELL.match(start), _CELL.match(end or start)
        if not start or first is None or last is None:
            return _error(400, "INVALID_ARGUMENT", f"Unable to parse range: {cells}")
        left = _column(first[1]) if first[1] else 0
        top = int(first[2]) - 1 if first[2] else 0
        right = _column(last[1]) + 1 if last[1] else _UNBOUNDED
        bottom = int(last[2]) if last[2] else _UNBOUNDED
        return Grid(sheet, top, left, bottom, right)

    def _get(self, spreadsheet: dict[str, Any], cells: str, render: str) -> web.Response:
        grid = self._grid(spreadsheet, cells)
        if isinstance(grid, web.Response):
            return grid
        rows = spreadsheet["sheets"][grid.sheet][grid.top : grid.bottom]
        values = [[_rendered(v, render) for v in row[grid.left : grid.right]] for row in rows]
        while values and not any(v != "" for v in values[-1]):
            values.pop()
        values = [_trimmed(row) for row in values]
        answer: dict[str, Any] = {
            "range": grid.a1(min(grid.bottom, 1000), min(grid.right, 26)),
            "majorDimension": "ROWS",
        }
        return web.json_response(answer | ({"values": values} if values else {}))

    def _write(
        self,
        spreadsheet_id: str,
        spreadsheet: dict[str, Any],
        cells: str,
        values: list[list[Any]],
        option: str,
    ) -> dict[str, Any] | web.Response:
        grid = self._grid(spreadsheet, cells)
        if isinstance(grid, web.Response):
            return grid
        rows = spreadsheet["sheets"][grid.sheet]
        for offset, row in enumerate(values):
            at = grid.top + offset
            while len(rows) <= at:
                rows.append([])
            target = rows[at]
            while len(target) < grid.left + len(row):
                target.append("")
            for column, value in enumerate(row):
                target[grid.left + column] = _entered(value, option)
        width = max((len(row) for row in values), default=0)
        return {
            "spreadsheetId": spreadsheet_id, "updatedRange": grid.a1(grid.top + len(values), grid.left + width),
            "updatedRows": len(values), "updatedColumns": width, "updatedCells": sum(len(row) for row in values),
        }  # fmt: skip

    def _append(
        self,
        spreadsheet_id: str,
        spreadsheet: dict[str, Any],
        cells: str,
        values: list[list[Any]],
        option: str,
    ) -> web.Response:
        grid = self._grid(spreadsheet, cells)
        if isinstance(grid, web.Response):
            return grid
        rows = spreadsheet["sheets"][grid.sheet]
        last = max((i for i, row in enumerate(rows) if any(v != "" for v in row[grid.left :])), default=-1)
        table = (
            f"{grid.sheet}!{_letters(grid.left)}{grid.top + 1}:{_letters(grid.left + max(len(r) for r in rows) - 1)}{last + 1}"
            if last >= 0
            else ""
        )
        start = f"{grid.sheet}!{_letters(grid.left)}{max(last, grid.top - 1) + 2}"
        updates = self._write(spreadsheet_id, spreadsheet, start, values, option)
        return web.json_response({"spreadsheetId": spreadsheet_id, "tableRange": table, "updates": updates})

    def _create(self, body: Any) -> web.Response:
        title = (body or {}).get("properties", {}).get("title", "Untitled spreadsheet")
        names = [sheet["properties"]["title"] for sheet in (body or {}).get("sheets", [])] or ["Sheet1"]
        spreadsheet_id = self.add_spreadsheet(title, **{name: [] for name in names})
        return web.json_response({
            "spreadsheetId": spreadsheet_id, "properties": {"title": title, "locale": "en_US"},
            "sheets": [{"properties": {"sheetId": i, "title": name, "index": i}} for i, name in enumerate(names)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit",
        })  # fmt: skip


def _entered(value: Any, option: str) -> Any:
    if option == "USER_ENTERED" and isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value) if "." in value else int(value)
    return value


def _rendered(value: Any, render: str) -> Any:
    if render == "FORMATTED_VALUE" and not isinstance(value, str):
        return str(value)
    return value


def _trimmed(row: list[Any]) -> list[Any]:
    row = list(row)
    while row and row[-1] == "":
        row.pop()
    return row


@asynccontextmanager
async def serving(fake: FakeSheets) -> AsyncIterator[FakeSheets]:
    """The fake on a free loopback port; ``fake.url`` is the API's base URL and ``{url}/token`` the
    token endpoint."""
    app = web.Application()
    app.router.add_post("/token", fake.token)
    app.router.add_route("*", "/v4/{rest:.*}", fake.api)
    async with serving_app(app) as url:
        fake.url = url
        yield fake
