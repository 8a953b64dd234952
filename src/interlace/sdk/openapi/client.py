"""Sending an OpenAPI operation's request: values into the URL, headers and body, credentials added.

Path values are encoded as whole path segments and query names and values as RFC 6570 simple
expansions (:mod:`interlace.sdk.urls`): a value can never change the URL's structure. The answer is an
:class:`~interlace.sdk.OperationResult` or the error it stands for (:mod:`interlace.sdk.answers`: 5xx,
408 and 429 retryable with ``Retry-After``, 401 and 403 fatal, other answers the result with
``attributes.status``). OAuth2 tokens are fetched and refreshed per scheme; after a 401 the token is
refreshed once and the request sent once more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDict
from yarl import URL

from interlace.sdk.answers import Answer, check_status, to_result
from interlace.sdk.body import encode_body
from interlace.sdk.errors import FatalError, InvalidInput, RetryableError
from interlace.sdk.oauth2 import OAuth2Settings, OAuth2Tokens, TokenStore
from interlace.sdk.openapi.credentials import (
    ApiKeyCredentials,
    BasicCredentials,
    BearerCredentials,
    Credentials,
    OAuth2Credentials,
)
from interlace.sdk.openapi.model import ApiOperation, SecurityScheme
from interlace.sdk.operation import OperationResult
from interlace.sdk.propagation import trace_headers
from interlace.sdk.urls import path_segment, quote_value

__all__ = ["ApiClient"]


class ApiClient:
    """One aiohttp session and the credentials of one connection to one API; safe to use from
    concurrent tasks. ``schemes`` are the API's security schemes and ``credentials`` the connection's,
    by scheme name. Open it (``async with`` or :meth:`open`) before :meth:`send`."""

    def __init__(
        self,
        connection: str,
        base_url: str,
        schemes: Mapping[str, SecurityScheme],
        credentials: Mapping[str, Credentials],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        token_store: TokenStore | None = None,
    ) -> None:
        self.connection = connection
        self.base_url = base_url.rstrip("/")
        self.schemes = schemes
        self.credentials = credentials
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.token_store = token_store
        self._session: aiohttp.ClientSession | None = None
        self._tokens: dict[str, OAuth2Tokens] = {}
        self._lock = asyncio.Lock()

    def oauth2_settings(self, scheme: str | None = None) -> OAuth2Settings | None:
        """The OAuth2 client for ``scheme`` (by default the first OAuth2 scheme with credentials)."""
        for name, found in self.schemes.items():
            given = self.credentials.get(name)
            if found.kind == "oauth2" and isinstance(given, OAuth2Credentials) and scheme in (None, name):
                refresh = given.refresh_token.reveal() if given.refresh_token else None
                user_grant = refresh is not None or "client_credentials" not in found.grants
                # A relative URL in a description is relative to the server's.
                token_url = str(URL(f"{self.base_url}/").join(URL(given.token_url or found.token_url)))
                return OAuth2Settings(
                    token_url=token_url,
                    client_id=given.client_id,
                    client_secret=given.client_secret.reveal(),
                    grant="refresh_token" if user_grant else "client_credentials",
                    refresh_token=refresh,
                    scope=given.scope,
                    timeout=self.timeout,
                    authorization_url=found.authorization_url or None,
                )
        return None

    async def open(self) -> None:
        async with self._lock:
            if self._session is not None:
                return
            session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            for name in self.schemes:
                settings = self.oauth2_settings(name)
                if settings is not None:
                    key = self.connection if len(self._tokens) == 0 else f"{self.connection}/{name}"
                    self._tokens[name] = OAuth2Tokens(key, settings, session, store=self.token_store)
            self._session = session

    async def aclose(self) -> None:
        session, self._session = self._session, None
        self._tokens.clear()
        if session is not None:
            await session.close()

    async def send(self, operation: ApiOperation, values: Mapping[str, object]) -> OperationResult:
        """Call ``operation`` with the flow's ``values`` (by parameter key; ``None`` means not given)."""
        where = f"{operation.name} on connection {self.connection}"
        if self._session is None:
            await self.open()
        session = self._session
        assert session is not None
        path, query, placed = self._place(operation, values)
        headers = CIMultiDict({**self.headers, **placed, **trace_headers()})
        data: Any = None
        body = values.get(operation.body.key) if operation.body is not None else None
        if operation.body is not None and body is not None:
            data = _body(operation, body, headers, where)
        alternative = self._alternative(operation, where)
        oauth2: OAuth2Tokens | None = None
        for name in alternative:
            oauth2 = self._apply(name, query, headers) or oauth2
        text = self.base_url + path + ("?" + "&".join(query) if query else "")
        try:
            url = URL(text, encoded=True)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"{where}: the values make no valid URL") from exc
        target = f"{operation.method} {url.with_query(None)}"

        async def attempt(token: str | None) -> Answer:
            sent = headers.copy()
            if token is not None:
                sent["Authorization"] = f"Bearer {token}"
            return await _exchange(session, operation.method, url, sent, data, where, target)

        answer = await (oauth2.authorized(attempt, lambda a: a.status == 401) if oauth2 else attempt(None))
        check_status(answer, where, target)
        return to_result(answer)

    def _place(
        self, operation: ApiOperation, values: Mapping[str, object]
    ) -> tuple[str, list[str], dict[str, str]]:
        path = operation.path
        query: list[str] = []
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for parameter in operation.parameters:
            value = values.get(parameter.key)
            if value is None:
                continue
            items = value if isinstance(value, list | tuple) else [value]
            if parameter.location == "path":
                segment = ",".join(path_segment(_text(item), f"parameter {parameter.key}") for item in items)
                path = path.replace(f"{{{parameter.name}}}", segment)
            elif parameter.location == "query" and parameter.explode:
                query += [f"{quote_value(parameter.name)}={quote_value(_text(item))}" for item in items]
            elif parameter.location == "query":
                joined = ",".join(quote_value(_text(item)) for item in items)
                query.append(f"{quote_value(parameter.name)}={joined}")
            elif parameter.location == "header":
                headers[parameter.name] = ",".join(_text(item) for item in items)
            else:
                cookies.append(f"{parameter.name}={quote_value(_text(value))}")
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        return path, query, headers

    def _alternative(self, operation: ApiOperation, where: str) -> tuple[str, ...]:
        if not operation.security:
            return ()
        for alternative in operation.security:
            if all(name in self.credentials for name in alternative):
                return alternative
        wanted = " or ".join("+".join(names) or "none" for names in operation.security)
        if () in operation.security:
            return ()
        raise FatalError(
            f"{where}: it needs credentials for {wanted}; give them in the connection's settings"
        )

    def _apply(self, name: str, query: list[str], headers: CIMultiDict[str]) -> OAuth2Tokens | None:
        scheme, given = self.schemes[name], self.credentials[name]
        if isinstance(given, ApiKeyCredentials) and scheme.kind == "api-key":
            if scheme.location == "query":
                query.append(f"{quote_value(scheme.parameter)}={quote_value(given.value.reveal())}")
            elif scheme.location == "cookie":
                cookie = f"{scheme.parameter}={quote_value(given.value.reveal())}"
                headers["Cookie"] = f"{headers['Cookie']}; {cookie}" if "Cookie" in headers else cookie
            else:
                headers[scheme.parameter] = given.value.reveal()
        elif isinstance(given, BasicCredentials) and scheme.kind == "basic":
            headers["Authorization"] = aiohttp.encode_basic_auth(given.username, given.password.reveal())
        elif isinstance(given, BearerCredentials) and scheme.kind == "bearer":
            headers["Authorization"] = f"Bearer {given.token.reveal()}"
        elif scheme.kind == "oauth2" and name in self._tokens:
            return self._tokens[name]
        else:
            raise FatalError(
                f"connection {self.connection}: the credentials for {name} do not fit a {scheme.kind} scheme"
            )
        return None


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)


def _body(operation: ApiOperation, body: object, headers: CIMultiDict[str], where: str) -> Any:
    spec = operation.body
    assert spec is not None
    if spec.kind == "multipart" and isinstance(body, Mapping):
        form = aiohttp.FormData()
        for name, value in body.items():
            if isinstance(value, bytes | bytearray):
                form.add_field(str(name), bytes(value), filename=str(name))
            elif value is not None:
                form.add_field(str(name), _text(value))
        return form
    if spec.kind == "form" and isinstance(body, Mapping):
        pairs = [(str(k), _text(v)) for k, v in body.items() if v is not None]
        headers["Content-Type"] = spec.content_type
        return "&".join(f"{quote_value(k)}={quote_value(v)}" for k, v in pairs).encode("ascii")
    data, content_type = encode_body(body, spec.content_type, where, spec.key)
    headers["Content-Type"] = content_type
    return data


async def _exchange(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    headers: CIMultiDict[str],
    data: Any,
    where: str,
    target: str,
) -> Answer:
    try:
        async with session.request(method, url, headers=headers, data=data) as response:
            return Answer.of(response.status, response.reason, response.headers, await response.read())
    except TimeoutError as exc:
        raise RetryableError(f"{where}: {target} did not answer within the connection's timeout") from exc
    except aiohttp.ClientConnectorError as exc:
        reason = exc.os_error.strerror or str(exc.os_error)
        raise RetryableError(f"{where}: {target} failed: {reason}") from exc
    except aiohttp.ClientError as exc:
        raise RetryableError(f"{where}: {target} failed: {type(exc).__name__}") from exc
