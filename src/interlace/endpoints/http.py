"""HttpEndpoint: one HTTP destination with its timeout, retry policy and circuit breaker."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Final

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from interlace.endpoints.base import EndpointResponse, EndpointState, TextTemplate
from interlace.endpoints.bodies import READ_AT_ONCE, StreamedBody
from interlace.endpoints.client import HttpClient
from interlace.endpoints.failures import AttemptFailure, failure_of
from interlace.endpoints.headers import redact_url, request_headers, response_headers
from interlace.endpoints.policy import CircuitBreaker, Clock, RetryPolicy, Sleep, SuspendPolicy
from interlace.endpoints.switch import deactivated_error
from interlace.endpoints.urls import UrlTemplate, UrlTemplateError, url_of_text
from interlace.errors import EndpointError, EndpointSuspendedError, EndpointTimeoutError
from interlace.message import CORRELATION_HEADER, BodyStream, MessageContext, Payload
from interlace.model.durations import format_duration
from interlace.model.endpoint import EndpointDefinition
from interlace.observability.metrics import EndpointMetrics
from interlace.observability.otel import OTEL
from interlace.sdk.headers import header_break

__all__ = ["HttpEndpoint"]

"""Every call carries the message's correlation id in this header."""

_NO_BODY: Final = frozenset({"GET", "HEAD"})
_SKIP_CONTENT_TYPE: Final = ("Content-Type",)
_BODY_EVEN_IF_EMPTY: Final = frozenset({"POST", "PUT", "PATCH"})
_DEFAULT_CONTENT_TYPE: Final = "application/octet-stream"
_NO_ANSWER_BODY: Final = frozenset({204, 304})
_log = logging.getLogger("interlace.endpoints")


class HttpEndpoint:
    """Sends a message to one URL; see :class:`interlace.endpoints.Endpoint` for the contract.

    Per call: the URL template (values percent-encoded, see :mod:`interlace.endpoints.urls`) and the
    header templates are rendered; the method is the configured one, else the message's, else GET;
    the message's headers go along without hop-by-hop and body headers, then the configured headers,
    then ``X-Correlation-ID``. The payload is the body (never for GET and HEAD; for DELETE and
    OPTIONS only when not empty) with the payload's content type. Statuses in the retry or suspend
    ``on_status`` are failures; every other answer is returned.

    An unread payload (:class:`~interlace.message.BodyStream`) is sent as it arrives (with its length
    when known, else chunked), when the URL and header templates do not read the payload
    (:attr:`takes_unread_body`); an attempt that failed after it began sending it is not repeated,
    since the body is gone. :meth:`send_streaming` hands the answer's body back unread.
    """

    __slots__ = (
        "_breaker",
        "_client",
        "_client_timeout",
        "_clock",
        "_deactivated",
        "_follow_redirects",
        "_headers",
        "_method",
        "_name",
        "_reads_payload",
        "_retry",
        "_timeout",
        "_url",
        "_url_text",
        "metrics",
    )

    def __init__(
        self,
        name: str,
        *,
        url: UrlTemplate | TextTemplate,
        client: HttpClient,
        method: str | None = None,
        headers: Mapping[str, TextTemplate] | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        suspend: SuspendPolicy | None = None,
        clock: Clock = time.monotonic,
        follow_redirects: bool = False,
        url_text: str = "",
    ) -> None:
        self._name = name
        # a text template that is not a URL template is taken as the whole URL, raw
        self._url = url if isinstance(url, UrlTemplate) else url_of_text(url.render_str, url_text)
        self._url_text = redact_url(url_text or self._url.source)
        self._client = client
        self._method = method.upper() if method else None
        self._headers = dict(headers or {})
        self._reads_payload = any(
            getattr(template, "reads_payload", True) for template in (self._url, *self._headers.values())
        )
        self._timeout = timeout
        self._client_timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry or RetryPolicy()
        self._breaker = CircuitBreaker(suspend, clock) if suspend is not None else None
        self._clock = clock
        self._follow_redirects = follow_redirects
        self._deactivated = False
        self.metrics: EndpointMetrics | None = None
        """Counts the calls sent, their time and those that failed (None: not counted)."""

    @classmethod
    def from_definition(
        cls,
        definition: EndpointDefinition,
        *,
        url: UrlTemplate | TextTemplate,
        headers: Mapping[str, TextTemplate],
        client: HttpClient,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> HttpEndpoint:
        """The endpoint an ``http:`` definition describes, with its URL and header values compiled."""
        http = definition.http
        if http is None:
            raise ValueError(f"endpoint {definition.endpoint!r} is a {definition.kind} endpoint, not http")
        return cls(
            definition.endpoint,
            url=url,
            client=client,
            method=http.method,
            headers=headers,
            timeout=http.timeout,
            retry=RetryPolicy.from_definition(http.retry, timeout=http.timeout, sleep=sleep),
            suspend=SuspendPolicy.from_definition(http.suspend) if http.suspend is not None else None,
            clock=clock,
            follow_redirects=http.follow_redirects,
            url_text=http.url,
        )

    @property
    def name(self) -> str:
        return self._name

    @property
    def breaker(self) -> CircuitBreaker | None:
        return self._breaker

    def activate(self) -> None:
        """Take calls again (see :class:`interlace.endpoints.SwitchableEndpoint`)."""
        self._deactivated = False
        if self._breaker is not None:
            self._breaker.record_success()

    def deactivate(self) -> None:
        """Refuse every call until :meth:`activate` (see :class:`interlace.endpoints.SwitchableEndpoint`)."""
        self._deactivated = True

    def state(self) -> EndpointState:
        if self._deactivated:
            return EndpointState(self._name, "http", "suspended", url=self._url_text, deactivated=True)
        breaker = self._breaker
        if breaker is None:
            return EndpointState(self._name, "http", "active", url=self._url_text)
        return EndpointState(
            self._name,
            "http",
            breaker.state,
            consecutive_failures=breaker.consecutive_failures,
            resumes_in=breaker.resumes_in(),
            url=self._url_text,
        )

    @property
    def request_method(self) -> str | None:
        """The method every call sends, or ``None``: the message's own."""
        return self._method

    @property
    def retry(self) -> RetryPolicy:
        """When a failed attempt is repeated."""
        return self._retry

    @property
    def timeout(self) -> float:
        """Seconds one attempt waits for an answer."""
        return self._timeout

    @property
    def takes_unread_body(self) -> bool:
        """Whether :meth:`send` may be given a message whose body was not read (see the class)."""
        return not self._reads_payload

    def request_of(self, ctx: MessageContext) -> tuple[str, URL, CIMultiDict[str], bytes | None]:
        """What :meth:`send` sends for ``ctx`` (its payload read): method, URL, headers and body
        (``None``: no body)."""
        method = self._method or (ctx.method.upper() if ctx.method else "GET")
        return method, self._render_url(ctx), self._render_headers(ctx, method), self._body(ctx, method)

    async def send(self, ctx: MessageContext) -> EndpointResponse:
        return await self._exchange(ctx, False)

    async def send_streaming(self, ctx: MessageContext) -> EndpointResponse:
        """As :meth:`send`, but the answer's body comes back unread (``Payload.streamed``) when it has
        one: the caller reads it, hands it on, or closes it (``payload.close()``)."""
        return await self._exchange(ctx, True)

    async def _exchange(self, ctx: MessageContext, stream_answer: bool) -> EndpointResponse:
        unread = ctx.payload.unread
        method = self._method or (ctx.method.upper() if ctx.method else "GET")
        body: bytes | BodyStream | None
        if unread is not None and method not in _NO_BODY:
            url, headers, body = self._render_url(ctx), self._render_headers(ctx, method), unread
            if unread.length is not None:
                headers["Content-Length"] = str(unread.length)
        else:
            method, url, headers, body = self.request_of(ctx)
        if OTEL.on:
            attributes = {"interlace.endpoint": self._name, "http.request.method": method}
            with OTEL.client_span(f"endpoint {self._name}", ctx, attributes, headers):
                return await self._send(ctx, url, method, headers, body, stream_answer)
        return await self._send(ctx, url, method, headers, body, stream_answer)

    async def _send(
        self,
        ctx: MessageContext,
        url: URL,
        method: str,
        headers: CIMultiDict[str],
        body: bytes | BodyStream | None,
        stream_answer: bool,
    ) -> EndpointResponse:
        if self._deactivated:
            raise deactivated_error(self._name)
        session = self._client.session()
        breaker = self._breaker
        if breaker is not None and not breaker.admit():
            raise self._suspended(breaker)
        started = time.perf_counter()
        try:
            response = await self._call(session, ctx, method, url, headers, body, stream_answer)
        except EndpointError:
            if breaker is not None:
                breaker.record_failure()
            if self.metrics is not None:
                self.metrics.observe(time.perf_counter() - started, failed=True)
            raise
        except BaseException:
            if breaker is not None:
                breaker.release()
            raise
        if breaker is not None:
            breaker.record_success()
        if self.metrics is not None:
            self.metrics.observe(time.perf_counter() - started, failed=False)
        return response

    async def _call(
        self,
        session: aiohttp.ClientSession,
        ctx: MessageContext,
        method: str,
        url: URL,
        headers: CIMultiDict[str],
        body: bytes | BodyStream | None,
        stream_answer: bool,
    ) -> EndpointResponse:
        policy = self._retry
        deadline = policy.deadline
        ends = self._clock() + deadline if deadline is not None else None
        # The first attempt gets the whole timeout (a deadline is at least that long); later ones what
        # is left of the deadline, at most the timeout.
        seconds = self._timeout if deadline is None else min(self._timeout, deadline)
        attempt = 1
        while True:
            outcome = await self._attempt(session, method, url, headers, body, seconds, stream_answer)
            if isinstance(outcome, EndpointResponse):
                if not self.counts_as_failure(outcome.status):
                    return outcome
                outcome.payload.close()
                outcome = AttemptFailure(
                    f"answered {outcome.status} {outcome.reason}".rstrip(),
                    reached_server=True,
                    repeatable=outcome.status in policy.on_status,
                    status=outcome.status,
                )
            if (
                attempt >= policy.max_attempts
                or not outcome.repeatable
                or (body is not None and not isinstance(body, bytes) and body.started)
                or not policy.may_repeat(method, reached_server=outcome.reached_server)
            ):
                raise self._failed(outcome, method, url, attempt) from outcome.exc
            delay = policy.delay_after(attempt)
            if ends is not None and self._clock() + delay >= ends:
                raise self._failed(outcome, method, url, attempt, policy.deadline) from outcome.exc
            _log.warning(
                "endpoint %s: attempt %d of %d %s; next in %s",
                self._name,
                attempt,
                policy.max_attempts,
                outcome.cause,
                format_duration(delay),
                extra={"correlation_id": ctx.correlation_id},
            )
            await policy.sleep(delay)
            attempt += 1
            if ends is not None:
                seconds = max(0.001, min(self._timeout, ends - self._clock()))

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        headers: CIMultiDict[str],
        body: bytes | BodyStream | None,
        seconds: float,
        stream_answer: bool,
    ) -> EndpointResponse | AttemptFailure:
        client_timeout = self._client_timeout
        if seconds != self._timeout:
            client_timeout = aiohttp.ClientTimeout(total=seconds)  # the rest of the call's deadline
        data = body if body is None or isinstance(body, bytes) else body.chunks()
        try:
            answer = await session.request(
                method,
                url,
                headers=headers,
                data=data,
                timeout=client_timeout,
                allow_redirects=self._follow_redirects,
                # None, not (): any other value sends aiohttp down a slower path that copies headers.
                skip_auto_headers=_SKIP_CONTENT_TYPE if not body else None,
            )
            content_type = answer.headers.get("Content-Type", _DEFAULT_CONTENT_TYPE)
            payload: Payload
            if stream_answer and self._streams(method, answer):
                payload = Payload.streamed(self._answer_body(answer), content_type)
            else:
                async with answer:
                    payload = Payload(await answer.read(), content_type)
            return EndpointResponse(
                answer.status, response_headers(answer.headers), payload, answer.reason or ""
            )
        except (TimeoutError, aiohttp.ClientError) as exc:
            return failure_of(exc, seconds)

    @staticmethod
    def _streams(method: str, answer: aiohttp.ClientResponse) -> bool:
        """Whether the answer's body is left unread: it has one, and it is not known to be small."""
        if answer.status in _NO_ANSWER_BODY or method == "HEAD":
            return False
        length = answer.content_length
        return length is None or length > READ_AT_ONCE or "Content-Encoding" in answer.headers

    def _answer_body(self, answer: aiohttp.ClientResponse) -> StreamedBody:
        """The unread body of ``answer``: its chunks are decoded, so its length is known only when it
        came as it is (no ``Content-Encoding``)."""
        encoded = "Content-Encoding" in answer.headers
        name = self._name

        def failure(exc: Exception) -> EndpointError:
            return EndpointError(
                f"endpoint {name}: the answer's body could not be read: {type(exc).__name__}: {exc}",
                detail={"endpoint": name},
                public=f"endpoint {name}: the answer's body could not be read",
            )

        return StreamedBody(
            answer.content,
            "answer",
            failure=failure,
            length=None if encoded else answer.content_length,
            on_close=answer.close,
        )

    def counts_as_failure(self, status: int) -> bool:
        """Whether an answer with ``status`` is a failed attempt (retried, or raised), not an answer."""
        breaker = self._breaker
        return status in self._retry.on_status or (breaker is not None and breaker.counts_as_failure(status))

    def _render_url(self, ctx: MessageContext) -> URL:
        try:
            return self._url.render(ctx)
        except UrlTemplateError as exc:
            shown = f" (got {redact_url(exc.text)!r})" if exc.text else ""
            raise EndpointError(
                f"endpoint {self._name}: {exc}{shown}",
                code="INVALID_URL_VALUE" if exc.from_value else None,
                status=400 if exc.from_value else None,
                detail={"endpoint": self._name},
                public=f"endpoint {self._name}: {exc}",
            ) from exc

    def _render_headers(self, ctx: MessageContext, method: str) -> CIMultiDict[str]:
        headers = request_headers(ctx.headers)
        if method not in _NO_BODY and ctx.payload.kind != "empty":
            headers["Content-Type"] = ctx.payload.content_type
        for name, template in self._headers.items():
            value = template.render_str(ctx)
            problem = header_break(name, value)
            if problem is not None:
                raise EndpointError(
                    f"endpoint {self._name}: {problem}",
                    detail={"endpoint": self._name, "header": name},
                    public=f"endpoint {self._name}: {problem}",
                )
            headers[name] = value
        headers[CORRELATION_HEADER] = ctx.correlation_id
        return headers

    @staticmethod
    def _body(ctx: MessageContext, method: str) -> bytes | None:
        if method in _NO_BODY:
            return None
        if ctx.payload.kind == "empty":
            return b"" if method in _BODY_EVEN_IF_EMPTY else None
        return ctx.payload.raw

    def _failed(
        self, failure: AttemptFailure, method: str, url: URL, attempts: int, deadline: float | None = None
    ) -> EndpointError:
        # The URL and the cause's addresses are for the log; a client is told the endpoint's name only.
        after = f" (after {attempts} attempts)" if attempts > 1 else ""
        if deadline is not None:
            tried = f"{attempts} attempts" if attempts > 1 else "1 attempt"
            after = f" ({tried}; no time left for another in the call's {format_duration(deadline)} deadline)"
        message = f"endpoint {self._name}: {method} {_shown(url)} {failure.cause}{after}"
        public = f"endpoint {self._name}: {method} {failure.public_cause}{after}"
        detail: dict[str, object] = {"endpoint": self._name, "method": method, "attempts": attempts}
        if failure.status is not None:
            detail["status"] = failure.status
        if failure.timeout:
            return EndpointTimeoutError(message, detail=detail, public=public)
        return EndpointError(message, detail=detail, public=public)

    def _suspended(self, breaker: CircuitBreaker) -> EndpointSuspendedError:
        resumes_in = breaker.resumes_in() or 0.0
        when = (
            "a trial call is under way"
            if breaker.state == "suspended" and resumes_in == 0
            else f"it takes calls again in {format_duration(resumes_in)}"
        )
        return EndpointSuspendedError(
            f"endpoint {self._name} is suspended after {breaker.consecutive_failures} consecutive failures; "
            f"{when}",
            detail={"endpoint": self._name, "resumes_in": resumes_in},
        )


def _shown(url: URL) -> str:
    return str(url.with_user(None)) if url.user is not None or url.password is not None else str(url)
