"""The live ``http`` connection: one pooled aiohttp session, the credentials, and sending requests."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from interlace.connectors.http.config import ApiKeyAuth, BasicAuth, BearerAuth, HttpConfig, OAuth2Auth
from interlace.connectors.http.request import QueryValue, encode_body, resolve_url
from interlace.sdk import (
    Connection,
    FatalError,
    InvalidInput,
    OAuth2Settings,
    OAuth2Tokens,
    OperationResult,
    RetryableError,
    TokenStore,
    check_header_values,
    trace_headers,
)
from interlace.sdk.answers import Answer, check_status, to_result

__all__ = ["HttpConnection"]


class HttpConnection(Connection[HttpConfig]):
    """One aiohttp session (keep-alive sockets pooled per host) shared by every operation on the
    connection, and, for OAuth2, its tokens. Safe to use from concurrent tasks.

    ``token_store`` keeps a refresh token the server rotates (OAuth2 ``refresh_token`` grant) across
    restarts; without one a rotated token lives in memory only.
    """

    def __init__(
        self, config: HttpConfig, *, name: str = "default", token_store: TokenStore | None = None
    ) -> None:
        super().__init__(config, name=name)
        self.token_store = token_store
        self._session: aiohttp.ClientSession | None = None
        self._tokens: OAuth2Tokens | None = None

    @property
    def tokens(self) -> OAuth2Tokens | None:
        """The OAuth2 tokens of an open connection using ``oauth2`` auth; ``None`` otherwise."""
        return self._tokens

    async def open(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.config.timeout),
            auto_decompress=True,
            raise_for_status=False,
        )
        settings = self.oauth2_settings()
        if settings is not None:
            self._tokens = OAuth2Tokens(self.name, settings, self._session, store=self.token_store)

    def oauth2_settings(self) -> OAuth2Settings | None:
        auth = self.config.auth
        if not isinstance(auth, OAuth2Auth):
            return None
        return OAuth2Settings(
            token_url=auth.token_url,
            client_id=auth.client_id,
            client_secret=auth.client_secret.reveal(),
            grant=auth.grant,
            refresh_token=auth.refresh_token.reveal() if auth.refresh_token else None,
            scope=auth.scope,
            timeout=self.config.timeout,
            authorization_url=auth.authorization_url,
        )

    async def ping(self) -> None:
        """Send ``HEAD`` to the base URL (after getting a token, for OAuth2): any answer but 401, 403,
        408, 429 and 5xx means the API is reachable with these settings."""
        await self.send("HEAD", "", operation="ping")

    async def aclose(self) -> None:
        session, self._session, self._tokens = self._session, None, None
        if session is not None:
            await session.close()

    async def send(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        query: Mapping[str, QueryValue] | None = None,
        headers: Mapping[str, str] | None = None,
        body: object = None,
        content_type: str | None = None,
    ) -> OperationResult:
        """Send one request and return the answer as a result (see :mod:`.response` for which
        answers are errors). ``operation`` names the operation in messages."""
        where = f"http.{operation} on connection {self.name}"
        session = self._session
        if session is None:
            raise FatalError(f"{where}: the connection is not open")
        url = resolve_url(self.config.base_url, path, query or {}, where)
        encoded = encode_body(body, content_type, where)
        check_header_values((headers or {}).items(), where)
        merged: CIMultiDict[str] = CIMultiDict(self.config.headers)
        merged.update(headers or {})
        merged.update(trace_headers())
        if encoded is not None and (content_type is not None or "Content-Type" not in merged):
            merged["Content-Type"] = encoded.content_type
        url, merged = self._credentials(url, merged)
        # The query may hold an API key: messages show the URL without it.
        target = f"{method} {url.with_query(None)}"
        data = encoded.data if encoded is not None else None

        async def attempt(token: str | None) -> Answer:
            sent = merged.copy()
            if token is not None:
                sent["Authorization"] = f"Bearer {token}"
            return await self._exchange(session, method, url, sent, data, where, target)

        if self._tokens is not None:
            answer = await self._tokens.authorized(attempt, lambda answer: answer.status == 401)
        else:
            answer = await attempt(None)
        check_status(answer, where, target)
        return to_result(answer)

    def _credentials(self, url: URL, headers: CIMultiDict[str]) -> tuple[URL, CIMultiDict[str]]:
        auth = self.config.auth
        if isinstance(auth, BasicAuth):
            headers["Authorization"] = aiohttp.encode_basic_auth(auth.username, auth.password.reveal())
        elif isinstance(auth, BearerAuth):
            headers["Authorization"] = f"Bearer {auth.token.reveal()}"
        elif isinstance(auth, ApiKeyAuth) and auth.in_ == "header":
            headers[auth.name] = auth.value.reveal()
        elif isinstance(auth, ApiKeyAuth):
            url = url.update_query({auth.name: auth.value.reveal()})
        return url, headers

    async def _exchange(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        headers: CIMultiDict[str],
        data: bytes | None,
        where: str,
        target: str,
    ) -> Answer:
        try:
            async with session.request(
                method,
                url,
                headers=headers,
                data=data,
                allow_redirects=self.config.follow_redirects,
            ) as response:
                body = await response.read()
                return Answer.of(response.status, response.reason, response.headers, body)
        except TimeoutError as exc:
            raise RetryableError(
                f"{where}: {target} did not answer within {self.config.timeout:g} s (the connection's"
                " timeout)"
            ) from exc
        except aiohttp.InvalidURL as exc:
            raise InvalidInput(f"{where}: {target} is not a valid URL") from exc
        except aiohttp.TooManyRedirects as exc:
            raise FatalError(f"{where}: {target} redirected too many times") from exc
        except aiohttp.ClientError as exc:
            raise RetryableError(f"{where}: {target} failed: {type(exc).__name__}: {_reason(exc)}") from exc


def _reason(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ClientConnectorError):
        # Its str() repeats the host and port; the OS error says why.
        return str(exc.os_error.strerror or exc.os_error)
    if isinstance(exc, aiohttp.ClientResponseError):
        # Its str() holds the URL, and the URL's query may hold an API key.
        return exc.message or str(exc.status)
    return str(exc) or "no detail"
