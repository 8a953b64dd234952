"""The one pooled HTTP client session a runtime shares among all its endpoints."""

from __future__ import annotations

from types import TracebackType

import aiohttp

from interlace.errors import EndpointError

__all__ = ["HttpClient"]


class HttpClient:
    """Owns one pooled :class:`aiohttp.ClientSession` (keep-alive connections, no cookie jar).

    The session is made on first use, inside the running event loop, so an ``HttpClient`` can be
    built anywhere. Pass ``session`` to share one made elsewhere; it is then not closed here. Endpoints
    call :meth:`session` per request; the runtime closes the client when it stops. Connection limits
    bound how many calls run at once in all (``limit``) and towards one host (``limit_per_host``);
    calls beyond them wait for a free connection within their own timeout.
    """

    __slots__ = ("_closed", "_keepalive_timeout", "_limit", "_limit_per_host", "_owned", "_session")

    def __init__(
        self,
        *,
        limit: int = 256,
        limit_per_host: int = 64,
        keepalive_timeout: float = 30.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._keepalive_timeout = keepalive_timeout
        self._session = session
        self._owned = session is None
        self._closed = False

    def session(self) -> aiohttp.ClientSession:
        """The shared session, made now if this is the first call; raises :class:`EndpointError` once
        the client is closed (the runtime is stopping)."""
        if self._closed:
            raise EndpointError("the HTTP client is closed: the runtime is stopping", status=503)
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._limit,
                limit_per_host=self._limit_per_host,
                keepalive_timeout=self._keepalive_timeout,
                ttl_dns_cache=300,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=True,
                # Each call sets its own timeout; the session default would cut long ones short.
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def aclose(self) -> None:
        """Close the pooled connections (if the session is ours); later calls fail. Idempotent."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owned:
            await session.close()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
