"""The live ``sqs`` connection: one aiobotocore client, and the sorting of its errors."""

from __future__ import annotations

import contextlib
from typing import Any

from aiobotocore.config import AioConfig  # type: ignore[import-untyped]
from aiobotocore.session import get_session  # type: ignore[import-untyped]
from botocore import exceptions as boto_errors  # type: ignore[import-untyped]

from interlace.connectors.sqs.config import SqsConfig
from interlace.sdk import Connection, ConnectorError, FatalError, InvalidInput, RetryableError, Secret

__all__ = ["SQS_ERRORS", "SqsConnection", "sqs_failure"]

SQS_ERRORS = (boto_errors.BotoCoreError, boto_errors.ClientError, OSError, TimeoutError)
"""What the client raises when SQS, the network or the credentials fail (not a bug of ours)."""

_LONGEST_WAIT = 20  # seconds: SQS's limit for a receive's long poll

_FATAL_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "ExpiredToken",
    "MissingAuthenticationToken",
    "InvalidSecurity",
    "KMS.AccessDeniedException",
    "KmsAccessDenied",
}
_MISSING_QUEUE_CODES = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
_TRANSIENT_CODES = {
    "Throttling",
    "ThrottlingException",
    "RequestThrottled",
    "ServiceUnavailable",
    "InternalError",
    "InternalFailure",
    "KmsThrottled",
    "OverLimit",
}


class SqsConnection(Connection[SqsConfig]):
    """One SQS client shared by all operations and triggers (aiobotocore's clients are safe to share)."""

    _client: Any = None
    _stack: contextlib.AsyncExitStack | None = None

    @property
    def where(self) -> str:
        """The service as messages name it: the endpoint, or the region."""
        return self.config.endpoint_url or f"SQS in {self.config.region}"

    @property
    def client(self) -> Any:
        """The client (aiobotocore's, untyped); :class:`RetryableError` if the connection is not open."""
        if self._client is None:
            raise RetryableError(f"connection {self.name} to {self.where} is not open")
        return self._client

    async def open(self) -> None:
        config = self.config
        stack = contextlib.AsyncExitStack()
        try:
            self._client = await stack.enter_async_context(
                get_session().create_client(
                    "sqs",
                    region_name=config.region,
                    endpoint_url=config.endpoint_url,
                    aws_access_key_id=_reveal(config.access_key_id),
                    aws_secret_access_key=_reveal(config.secret_access_key),
                    aws_session_token=_reveal(config.session_token),
                    config=AioConfig(
                        connect_timeout=config.timeout,
                        read_timeout=config.timeout + _LONGEST_WAIT,
                        retries={"mode": "standard"},
                    ),
                )
            )
        except SQS_ERRORS as exc:
            await stack.aclose()
            raise sqs_failure(exc, f"connecting connection {self.name} to {self.where}") from exc
        self._stack = stack

    async def ping(self) -> None:
        try:
            await self.client.list_queues(MaxResults=1)
        except SQS_ERRORS as exc:
            raise sqs_failure(exc, f"reaching {self.where} on connection {self.name}") from exc

    async def aclose(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            with contextlib.suppress(Exception):  # closing must not raise; the sockets go anyway
                await stack.aclose()


def sqs_failure(exc: BaseException, doing: str) -> ConnectorError:
    """The SDK error for an SQS failure while ``doing`` something: refused or missing credentials and a
    missing queue are fatal, throttling, a server error or a lost connection transient, a refused
    parameter or message the input's fault."""
    if isinstance(exc, boto_errors.NoCredentialsError | boto_errors.PartialCredentialsError):
        return FatalError(f"{doing}: no complete AWS credentials ({exc})")
    if isinstance(exc, boto_errors.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        detail = f"{code}: {error.get('Message', '')}".rstrip(": ")
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in _FATAL_CODES or status in (401, 403):
            return FatalError(f"{doing}: SQS refused the credentials or the access ({detail})")
        if code in _MISSING_QUEUE_CODES:
            return FatalError(f"{doing}: the queue does not exist ({detail})")
        if code in _TRANSIENT_CODES or status >= 500 or status == 429:
            return RetryableError(f"{doing}: {detail}")
        return InvalidInput(f"{doing}: SQS refused the request ({detail})")
    return RetryableError(f"{doing}: {exc or type(exc).__name__}")


def _reveal(secret: Secret | None) -> str | None:
    return None if secret is None else secret.reveal()
