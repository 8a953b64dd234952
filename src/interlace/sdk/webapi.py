"""Calls of one service's JSON web API on behalf of a connection (Salesforce, ServiceNow, Google Sheets).

A connector's connection derives from :class:`WebApiConnection`, which builds one :class:`WebApi` when
opened; every request goes through :meth:`WebApi.call`, which guarantees what users rely on:

- the connection's credentials are added to each request (:class:`BearerTokens` over
  :class:`~interlace.sdk.OAuth2Tokens`, or :class:`BasicCredentials`); an answer of 401 makes OAuth2
  tokens refresh once and the request run once more (never more);
- an answer of 429 or 503 (throttled, or briefly unavailable: the request was not carried out) is
  waited out and sent again, up to :attr:`Throttling.retries` times, waiting what ``Retry-After`` asks
  (a second, then two, when it gives nothing), but never longer than :attr:`Throttling.longest_wait`:
  a longer wait is left to the caller as a :class:`~interlace.sdk.RetryableError` with ``retry_after``;
- no answer at all (refused, reset, timed out) is a :class:`~interlace.sdk.RetryableError` naming the URL;
- every other failure becomes the error :func:`~interlace.sdk.answers.raise_for_answer` says, worded
  with the service's own message.

Safe for concurrent tasks, as the aiohttp session and the tokens are. Nothing here logs a credential.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, TypeVar

import aiohttp
import orjson
from yarl import URL

from interlace.message import JsonValue
from interlace.sdk.answers import Answer, ServiceErrors, raise_for_answer
from interlace.sdk.connection import ConfigT, Connection
from interlace.sdk.errors import FatalError, RetryableError, retry_after_seconds
from interlace.sdk.oauth2 import OAuth2Tokens, TokenStore

__all__ = ["BasicCredentials", "BearerTokens", "Credentials", "Throttling", "WebApi", "WebApiConnection"]

R = TypeVar("R")
Query = Sequence[tuple[str, str]] | Mapping[str, str]
_WAITED = frozenset({429, 503})


class Credentials(Protocol):
    """What authorizes a request: runs ``call`` with the ``Authorization`` header's value; when
    ``is_unauthorized(result)`` it may renew the credentials and run ``call`` once more."""

    async def authorized(
        self, call: Callable[[str], Awaitable[R]], is_unauthorized: Callable[[R], bool]
    ) -> R: ...


class BearerTokens:
    """OAuth2 access tokens as bearer credentials: a 401 refreshes the token once."""

    __slots__ = ("tokens",)

    def __init__(self, tokens: OAuth2Tokens) -> None:
        self.tokens = tokens

    async def authorized(
        self, call: Callable[[str], Awaitable[R]], is_unauthorized: Callable[[R], bool]
    ) -> R:
        return await self.tokens.authorized(lambda token: call(f"Bearer {token}"), is_unauthorized)


class BasicCredentials:
    """A user name and password (HTTP basic): nothing to renew, so a 401 stands."""

    __slots__ = ("_header",)

    def __init__(self, user: str, password: str) -> None:
        self._header = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")

    async def authorized(
        self, call: Callable[[str], Awaitable[R]], is_unauthorized: Callable[[R], bool]
    ) -> R:
        return await call(self._header)

    def __repr__(self) -> str:
        return "BasicCredentials(***)"


@dataclass(frozen=True, slots=True)
class Throttling:
    """How long a call waits out a throttled (429) or unavailable (503) answer before it gives up."""

    retries: int = 2
    """Requests sent again after a 429 or 503, at most."""
    longest_wait: float = 30.0
    """Seconds: a ``Retry-After`` asking for longer is not waited for, but raised."""


class WebApi:
    """One service's web API for one connection (see the module docstring for the guarantees).

    ``session`` is the connection's aiohttp session; ``errors`` says how the service words failures;
    ``sleep`` is injected so tests see the waits without waiting.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        credentials: Credentials,
        errors: ServiceErrors,
        *,
        timeout: float,
        throttling: Throttling | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._session = session
        self._credentials = credentials
        self.errors = errors
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._throttling = throttling or Throttling()
        self._sleep = sleep

    async def call(
        self,
        where: str,
        method: str,
        url: str,
        *,
        params: Query | None = None,
        json: JsonValue = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Send the request and return the answer of status 2xx; raise the SDK error of any other
        (``where`` starts its message: ``salesforce.query on connection crm``). ``url`` is sent as given
        (values in it already percent-encoded); ``json`` is the body, if not ``None``."""
        body = None if json is None else orjson.dumps(json)

        async def send(authorization: str) -> Answer:
            sent = {"Accept": "application/json", **(headers or {}), "Authorization": authorization}
            if body is not None:
                sent["Content-Type"] = "application/json"
            try:
                async with self._session.request(
                    method,
                    URL(url, encoded=True),
                    params=params,
                    data=body,
                    headers=sent,
                    timeout=self._timeout,
                ) as response:
                    content = await response.read()
                    return Answer.of(response.status, response.reason, response.headers, content)
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise RetryableError(
                    f"{where}: {self.errors.service} at {url.split('?')[0]} did not answer:"
                    f" {type(exc).__name__} {exc}".rstrip()
                ) from exc

        throttling = self._throttling
        for attempt in range(throttling.retries + 1):
            answer = await self._credentials.authorized(send, lambda answer: answer.status == 401)
            if answer.status not in _WAITED or attempt == throttling.retries:
                break
            asked = retry_after_seconds(_header(answer, "retry-after"))
            wait = float(2**attempt) if asked is None else asked
            if wait > throttling.longest_wait:
                break
            await self._sleep(wait)
        raise_for_answer(answer, where, self.errors)
        return answer

    async def json(
        self,
        where: str,
        method: str,
        url: str,
        *,
        params: Query | None = None,
        json: JsonValue = None,
        headers: Mapping[str, str] | None = None,
    ) -> JsonValue:
        """:meth:`call`, returning the answer's JSON (``None`` for an empty answer, such as a 204)."""
        answer = await self.call(where, method, url, params=params, json=json, headers=headers)
        if not answer.body:
            return None
        try:
            document: JsonValue = orjson.loads(answer.body)
        except orjson.JSONDecodeError as exc:
            raise FatalError(
                f"{where}: {url.split('?')[0]} answered {answer.status} without JSON; it is not"
                f" {self.errors.service}'s API: check the connection's URL settings"
            ) from exc
        return document


def _header(answer: Answer, name: str) -> str | None:
    return next((value for key, value in answer.headers.items() if key.lower() == name), None)


class WebApiConnection(Connection[ConfigT]):
    """A connection whose operations call one service's web API: the base of a connector's connection
    class (Salesforce's, ServiceNow's, Google Sheets').

    :meth:`open` makes the HTTP session and :attr:`api`: bearer tokens when :meth:`oauth2_settings`
    gives settings, else :meth:`credentials` (basic, say), and the class's :attr:`errors`. Settings
    named ``timeout`` (seconds) bound each request. Subclasses set :attr:`errors` and override
    :meth:`oauth2_settings` and/or :meth:`credentials`.

    ``session`` injects the aiohttp session (then not closed here); ``token_store`` keeps a rotated
    refresh token (the runtime sets it before :meth:`open`); ``clock`` decides when access tokens
    expire; ``sleep`` waits out throttling (tests pass one that records the waits).
    """

    errors: ClassVar[ServiceErrors]
    """How the service words its failures."""

    def __init__(
        self,
        config: ConfigT,
        *,
        name: str = "default",
        session: aiohttp.ClientSession | None = None,
        token_store: TokenStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(config, name=name)
        self._injected = session
        self._session: aiohttp.ClientSession | None = None
        self.token_store = token_store
        self._clock = clock
        self._sleep = sleep
        self.tokens: OAuth2Tokens | None = None
        """The OAuth2 tokens while open, when the connection uses OAuth2 (``refreshes`` counts calls of
        the token endpoint)."""
        self._api: WebApi | None = None

    def credentials(self) -> Credentials:
        """The credentials of a connection that does not use OAuth2; by default there are none."""
        raise FatalError(f"connection {self.name} has no credentials configured")

    @property
    def api(self) -> WebApi:
        """The service's API, once open."""
        if self._api is None:
            raise FatalError(f"connection {self.name} is not open")
        return self._api

    async def open(self) -> None:
        if self._session is None:
            self._session = self._injected or aiohttp.ClientSession()
        try:
            settings = self.oauth2_settings()
            credentials: Credentials
            if settings is not None:
                self.tokens = self.tokens or OAuth2Tokens(
                    self.name, settings, self._session, store=self.token_store, clock=self._clock
                )
                credentials = BearerTokens(self.tokens)
            else:
                credentials = self.credentials()
        except FatalError:
            await self.aclose()
            raise
        timeout = getattr(self.config, "timeout", 30.0)
        self._api = WebApi(self._session, credentials, self.errors, timeout=timeout, sleep=self._sleep)

    async def aclose(self) -> None:
        session, self._session, self.tokens, self._api = self._session, None, None, None
        if session is not None and session is not self._injected:
            await session.close()
